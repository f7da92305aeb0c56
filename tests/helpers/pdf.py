"""Reading a real PDF back: its text as poppler extracts it, its printed lines, a tool's output."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def run_tool(tool: str, pdf: Path) -> str:
    assert shutil.which(tool), f"{tool} missing: the test command installs poppler-utils"
    return subprocess.run([tool, str(pdf)], capture_output=True, text=True, check=True).stdout


XHTML = "{http://www.w3.org/1999/xhtml}"


def pdf_lines(pdf: Path) -> list[tuple[int, str]]:
    """Every printed line of the PDF as (page, text), as a reader sees it.

    Poppler may split a printed line into pieces (where glyphs overlap or the face changes), so
    pieces on one baseline that touch are joined again.
    Pieces farther apart are separate lines: table cells side by side stay apart.
    """
    import xml.etree.ElementTree as ET

    root = ET.fromstring(subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"],
                                        capture_output=True, check=True).stdout)
    lines: list[list] = []
    for number, page in enumerate(root.iter(XHTML + "page"), 1):
        previous = None
        for line in page.iter(XHTML + "line"):
            left, top, right = (float(line.get(key)) for key in ("xMin", "yMin", "xMax"))
            text = " ".join(word.text or "" for word in line.iter(XHTML + "word"))
            if previous and abs(top - previous[1]) < 1.5 and previous[0] < left and -12 < left - previous[2] < 4:
                previous[2] = right
                previous[3] += text
            else:
                previous = [left, top, right, text, number]
                lines.append(previous)
    return [(line[4], line[3]) for line in lines]
