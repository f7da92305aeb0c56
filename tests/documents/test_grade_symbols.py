"""The GRADE symbols (⊕⊕◯◯) as every document prints them (issue 24), read back from the real PDFs:
drawn by one face, the regular sans of the text's script (Noto Sans CJK SC; TC in a traditional
briefing: tests/documents/test_script_option.py), at the size of the text around them, and ⊕ set
larger than the face draws it, as large as ◯. Before, they came from DejaVu Sans Mono Bold (the
handouts, the weekly) or Noto Sans CJK Bold (the briefing), at 1.15 times the text's size."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.pdf import drawn_text, run_tool

pytestmark = pytest.mark.render

HAN = re.compile(r"[\u4e00-\u9fff]")
PLUS_SCALE = 932 / 740  # Noto Sans CJK's ◯ and ⊕, in font units: styles/briefing.css .grade-plus


def documents(kind: str, request) -> list[Path]:
    if kind == "briefing":
        return [request.getfixturevalue("seed_briefing")]
    if kind == "weekly":
        return [request.getfixturevalue("seed_weekly")]
    return list(request.getfixturevalue("seed_handouts")[kind.removeprefix("handout-")].values())


@pytest.mark.parametrize("kind", ["briefing", "weekly", "handout-a4", "handout-a5", "handout-letter"])
def test_the_grade_symbols_come_from_one_cjk_face_at_the_size_of_their_text(kind: str, request):
    for pdf in documents(kind, request):
        pieces = drawn_text(pdf)
        symbols = [piece for piece in pieces if "⊕" in piece[1] or "◯" in piece[1]]
        assert symbols, pdf
        assert {face for _, _, face, _ in symbols} == {"Noto-Sans-CJK-SC"}, (pdf, symbols)
        assert "Noto-Sans-CJK-SC" in run_tool("pdffonts", pdf)
        # The sizes the page's Han text is set in: a table's, a note's, a paragraph's.
        text_sizes = {(page, size) for page, text, _, size in pieces
                      if HAN.search(text) and "⊕" not in text and "◯" not in text}
        for page, text, _, size in symbols:
            drawn_at = size / PLUS_SCALE if "⊕" in text else size
            assert any(abs(drawn_at - s) < 0.02 for p, s in text_sizes if p == page), (pdf, page, text, size)
