"""Running heads name the chapter a page's content belongs to (issue 16), read from the real PDFs.

The running head is the text of the top-right margin box (pdftotext's word boxes above the text
block); the chapter of a page is the last chapter heading (a level-1 bookmark) at or above the
page's first line of body text. A page of evidence that ends with the next chapter's heading is
still headed by the evidence's chapter.
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from helpers.pdf import XHTML

MM = 72 / 25.4
TOP_MARGIN = 22 * MM  # styles/briefing.css, @page


def _squeeze(text: str) -> str:
    return re.sub(r"[\s\u00a0\u2060]+", "", text)


def chapters(pdf: Path) -> list[tuple[int, float, str]]:
    """Every level-1 bookmark as (page, distance of its top from the page's top, title)."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    found = []
    for item in reader.outline:
        if isinstance(item, list):
            continue  # the children of the previous chapter
        page = reader.get_destination_page_number(item) + 1
        height = float(reader.pages[page - 1].mediabox.height)
        found.append((page, height - float(item.top or height), _squeeze(item.title)))
    return found


def pages(pdf: Path) -> list[tuple[int, str, float | None]]:
    """Every page as (number, its running head, the top of its first line of body text)."""
    root = ET.fromstring(subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"],
                                        capture_output=True, check=True).stdout)
    result = []
    for number, page in enumerate(root.iter(XHTML + "page"), 1):
        middle = float(page.get("width")) / 2
        words = [(float(word.get("xMin")), float(word.get("yMin")), float(word.get("yMax")), word.text or "")
                 for word in page.iter(XHTML + "word")]
        head = "".join(text for x, _, bottom, text in words if bottom < TOP_MARGIN and x > middle)
        body = [top for _, top, bottom, _ in words if top >= TOP_MARGIN - 1]
        result.append((number, _squeeze(head), min(body) if body else None))
    return result


def wrong_running_heads(pdf: Path) -> list[tuple[int, str, str]]:
    """(page, running head, chapter) for every page whose head is not the chapter of its content."""
    marks = chapters(pdf)
    assert len(marks) >= 4, marks
    wrong = []
    for number, head, first_line in pages(pdf):
        if first_line is None:
            continue
        before = [title for page, top, title in marks
                  if page < number or (page == number and top <= first_line + 3)]
        chapter = before[-1] if before else ""
        if head != chapter and not (number == 1 and not head):
            wrong.append((number, head, chapter))
    return wrong


def test_each_page_of_the_weekly_is_headed_by_the_chapter_of_its_content(seed_weekly: Path):
    heads = [head for _, head, _ in pages(seed_weekly)]
    assert "本周收录与更新的证据" in heads, heads
    assert wrong_running_heads(seed_weekly) == []


def test_each_page_of_the_briefing_is_headed_by_the_chapter_of_its_content(seed_briefing: Path):
    assert wrong_running_heads(seed_briefing) == []
