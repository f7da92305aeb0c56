"""Reading a real PDF back: its text as poppler extracts it, its printed lines, a tool's output."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path


def pdftotext(pdf: Path, *args: str) -> str:
    text = poppler("pdftotext", "-enc", "UTF-8", *args, pdf=pdf).decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")  # as text=True read it


def poppler(tool: str, *args: str, pdf: Path) -> bytes:
    """``TOOL ARGS PDF -`` (pdftotext): its output, read once per test process for the same bytes
    and arguments. The shared renders are read by many tests; the same file read again gives
    the same text, so the tool runs once per file content (by its SHA-256), not once per test."""
    return _poppler(tool, args, hashlib.sha256(Path(pdf).read_bytes()).hexdigest(), str(pdf))


@lru_cache(maxsize=64)
def _poppler(tool: str, args: tuple[str, ...], digest: str, path: str) -> bytes:
    del digest  # the cache's key: the file's content
    return subprocess.run([tool, *args, path, "-"], capture_output=True, check=True).stdout


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

    root = ET.fromstring(poppler("pdftotext", "-bbox-layout", pdf=pdf))
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


def table_cell(pdf: Path, row: str, column: str) -> str:
    """A table's cell as printed, its whitespace removed: under the header ``column``, in the row whose
    first cell starts with ``row`` (both without whitespace), on the page where that row starts.

    Read from the printed lines' boxes: the column runs from its header's left edge to the next
    header's; the row from its first line down to the next row's, which starts after the line that
    ends the first cell (with its citation, "[n]"), or to the page's foot.
    """
    import re
    import xml.etree.ElementTree as ET

    root = ET.fromstring(poppler("pdftotext", "-bbox-layout", pdf=pdf))
    for page in root.iter(XHTML + "page"):
        lines = sorted((float(line.get("yMin")), float(line.get("xMin")),
                        re.sub(r"\s+", "", "".join(word.text or "" for word in line.iter(XHTML + "word"))))
                       for line in page.iter(XHTML + "line"))
        for top_of_row, start, text in lines:
            if not text.startswith(row):
                continue
            # The nearest header row above it: a line reading ``column``, beside others, the first of
            # which stands where the row starts.
            headers = []
            for top, left, header in lines:
                header_row = sorted(x for y, x, _ in lines if abs(y - top) < 2)
                if header == column and top < top_of_row and abs(header_row[0] - start) < 2 and left > start + 1:
                    headers.append((top, left, min((x for x in header_row if x > left + 1),
                                                   default=float(page.get("width"))), header_row[1]))
            if not headers:
                continue
            _, left, right, second = max(headers)
            first_column = [(y, text) for y, x, text in lines if x < second - 1 and y >= top_of_row]
            ends = [i for i, (_, text) in enumerate(first_column) if text.endswith("]")]
            bottom = first_column[ends[0] + 1][0] if ends and ends[0] + 1 < len(first_column) else float("inf")
            return "".join(text for y, x, text in lines if left - 1 <= x < right - 1 and top_of_row - 2 <= y < bottom - 2
                           and not re.fullmatch(r"第\d+页/共\d+页", text))
    raise AssertionError(f"no table row starting {row!r} under a header {column!r} in {pdf}")


def drawn_text(pdf: Path) -> list[tuple[int, str, str, float]]:
    """Every piece of text the PDF draws, as (page, text, face, printed size in pt), read with pypdf.

    The face is the font's name in the PDF without its subset tag (TSPJMR+Noto-Sans-CJK-SC gives
    Noto-Sans-CJK-SC), as pdffonts lists it; the size is the font size times the scale of the
    text and graphics matrices."""
    import math

    import pypdf

    pieces = []
    for number, page in enumerate(pypdf.PdfReader(pdf).pages, 1):

        def visit(text, cm, tm, font, size, number=number):
            if text.strip() and font:
                a, b, c, d = (tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                              tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
                face = str(font.get("/BaseFont", "")).lstrip("/").split("+")[-1]
                pieces.append((number, text.strip(), face, round(size * math.sqrt(abs(a * d - b * c)), 2)))

        page.extract_text(visitor_text=visit)
    return pieces
