"""Visual regression: pages of the seed briefing as images, so that a layout change is a reviewed change.

Each page is found by what it shows (not by number), rendered by Poppler at 40 dpi in gray and
compared with its baseline in tests/render/test_visual/. After a deliberate change, regenerate with
`make regen`, then look at every new image before committing it.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from helpers.pdf import pdftotext

# Page role -> a text only that page has (whitespace removed), the first page that has it wins.
PAGES = {
    "cover": "发布日期",
    "contents": "目录要点速览",
    "summary": "要点速览类别",
    "bottom-line": "研究与人群（2项研究",
    "findings": "各研究均未报道",
    "evidence-table": "研究与设计人群与样本量",
    "landscape": "数据来源：ClinicalTrials.gov",
    "quotations": "关键原文摘录在这项研究发布之时",
    "references": "参考来源著录格式",
    "method": "方法与声明证据如何整理",
    "appendix-traditional": "事實上，試驗中有一部分孩子",
}
DPI = 40
# Manhattan distance of the gray images, in percent (pytest-regressions divides by three channels,
# so for gray pages it is a third of the RGB figure). Measured: the same page rendered again, 0;
# quotation captions 0.1 pt smaller, 0.21. The margin absorbs antialiasing differences only.
TOLERANCE = 0.05


def page_with(pdf: Path, marker: str) -> int:
    pages = pdftotext(pdf).split("\f")
    return next(number for number, text in enumerate(pages, 1) if marker in re.sub(r"\s+", "", text))


def page_image(pdf: Path, number: int, folder: Path) -> bytes:
    subprocess.run(["pdftoppm", "-png", "-gray", "-r", str(DPI), "-f", str(number), "-l", str(number),
                    "-singlefile", str(pdf), str(folder / "page")], check=True)
    return (folder / "page.png").read_bytes()


def test_each_role_is_a_different_page(seed_briefing: Path):
    numbers = [page_with(seed_briefing, marker) for marker in PAGES.values()]
    assert len(set(numbers)) == len(numbers), dict(zip(PAGES, numbers))


@pytest.mark.parametrize("role", PAGES)
def test_page_looks_as_reviewed(seed_briefing: Path, image_regression, tmp_path: Path, role: str):
    from PIL import Image

    image = Image.open(io.BytesIO(page_image(seed_briefing, page_with(seed_briefing, PAGES[role]), tmp_path)))
    assert image.size == (331, 468)  # A4 at 40 dpi
    image_regression.check(image.convert("L"), diff_threshold=TOLERANCE, basename=role)
