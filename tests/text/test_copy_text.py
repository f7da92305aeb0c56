"""Text that copies cleanly (issue 16): the PDF's text, extracted as a reader's copy would be, keeps
each printed line whole.

Read with plain ``pdftotext`` (and pypdf), not with conftest's ``pdf_lines``, which joins the pieces
Poppler splits: a reader's copy and a viewer's search get the pieces.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.pdf import pdftotext

# Sequences of the seed briefing where compressed punctuation used to split the extracted line
# ("（LLDAS）" / "：67%"): the CAR-NK summary, its baseline row, and the CT-0508 article.
SEQUENCES = ["（LLDAS）：67%", "年龄（中位数）：37.5 岁", "释放综合征（CRS）。"]
# clreq: no printed line starts with a closing or pause mark, so an extracted line that does is a
# printed line split in two.
CLOSING_OR_PAUSE = "，。、；：？！）」』】》〉〕〗”’"


def _plain_lines(pdf: Path) -> list[str]:
    return [line.replace("\u00a0", " ") for line in pdftotext(pdf).splitlines()]


@pytest.mark.parametrize("sequence", SEQUENCES)
def test_a_sentence_across_punctuation_is_one_extracted_line(seed_briefing: Path, sequence: str):
    assert any(sequence in line for line in _plain_lines(seed_briefing)), sequence


def test_no_extracted_line_starts_inside_a_printed_line(seed_briefing: Path):
    split = [(before, line) for before, line in zip([""] + _plain_lines(seed_briefing), _plain_lines(seed_briefing))
             if line[:1] in CLOSING_OR_PAUSE and line[:1]]
    assert split == []


def test_pypdf_extracts_the_same_sentences(seed_briefing: Path):
    from pypdf import PdfReader

    lines = [line.replace("\u00a0", " ") for page in PdfReader(seed_briefing).pages
             for line in page.extract_text().splitlines()]
    for sequence in SEQUENCES:
        assert any(sequence in re.sub(r"\u2060", "", line) for line in lines), sequence
