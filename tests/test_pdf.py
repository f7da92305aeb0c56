"""The real seed briefing, read back from the PDF: text, fonts, pages, bookmarks, metadata."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

from conftest import FIXED_DATE, pdftotext, run_tool

A4 = (595.28, 841.89)


@pytest.fixture(scope="module")
def text(seed_briefing: Path) -> str:
    return pdftotext(seed_briefing)


@pytest.fixture(scope="module")
def flat(text: str) -> str:
    """The text with line breaks removed (Chinese lines break anywhere)."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def reader(seed_briefing: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(seed_briefing)


@pytest.mark.parametrize("fact", [
    # CAR-M: CT-0508
    "CT-0508", "HER2", "44%", "治疗14例",
    # CAR-T: HEROS 2.0 case report, GD2 long-term follow-up, the landscape
    "HEROS2.0", "10.1038/s41467-020-17175-8", "GD2", "18.2", "1580", "CD19", "54.41%", "18.23%",
    # CAR-NK: allogeneic CD19 CAR-NK in SLE
    "NCT06010472", "10.1016/S0140-6736(25)01671-X", "DORIS", "67%",
    # evidence strength
    "CEBM4级", "⊕◯◯◯", "不精确性",
])
def test_each_class_key_facts_are_in_the_pdf_text(flat: str, fact: str):
    assert fact in flat


def test_every_source_is_cited_in_the_references(flat: str):
    for title in ("首个CAR-巨噬细胞疗法临床试验结果公布", "CAR-T细胞疗法让一名横纹肌肉瘤患儿完全康复",
                  "晚期癌症被治癒!CAR-T讓患者活了18年", "同种异体CAR-NK细胞疗法是治疗自身免疫性疾病的一种有效选择",
                  "全球1580项CAR-T临床试验的研究现状、挑战与对策"):
        assert title in flat
    for outlet in ("生物谷", "科学网·小柯机器人", "醫學界", "生物制品圈"):
        assert outlet in flat
    assert "http://news.bioon.com/article/7f4886284e59.html" in flat


def test_the_text_is_extractable_in_both_scripts(flat: str):
    assert "《自然·醫學》" in flat and "科学网·小柯机器人" in flat  # U+00B7, not a bullet sharing its glyph
    assert "參與試驗的19名患者中,7人存活了8年以上" in flat  # traditional, as in the article
    assert "在14名接受治疗的患者中" in flat


def test_cjk_fonts_are_embedded_as_subsets_in_both_scripts(seed_briefing: Path):
    fonts = run_tool("pdffonts", seed_briefing).splitlines()[2:]
    names = [line.split()[0] for line in fonts]
    assert all(re.match(r"^[A-Z]{6}\+", name) for name in names), names
    assert all(" yes yes yes " in line for line in fonts), fonts
    assert any("CJK-SC" in name for name in names)
    assert any("CJK-TC" in name for name in names)
    assert not any("CJK-JP" in name or "CJK-KR" in name for name in names)


def test_pages_are_a4_and_their_number_is_sane(reader: pypdf.PdfReader):
    assert 12 <= len(reader.pages) <= 60
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width, 1), round(height, 1)) == (round(A4[0], 1), round(A4[1], 1))


def test_the_cover_has_no_running_footer_and_other_pages_do(seed_briefing: Path, reader: pypdf.PdfReader):
    total = len(reader.pages)
    assert "第 1 页" not in pdftotext(seed_briefing, "-f", "1", "-l", "1")
    for number in (2, total // 2, total):
        page = pdftotext(seed_briefing, "-f", str(number), "-l", str(number))
        assert f"第 {number} 页 / 共 {total} 页" in page
        assert "CAR 细胞疗法临床证据简报" in page


def test_bookmarks_follow_the_sections(reader: pypdf.PdfReader):
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top[:2] == ["目录", "要点速览"]
    assert top[2:5] == ["CAR-T 细胞疗法", "CAR-NK 细胞疗法", "CAR-M 细胞疗法"]
    assert top[-3:] == ["参考来源", "方法与声明", "附录：来源文章原文"]
    nested = [item for item in reader.outline if isinstance(item, list)]
    assert any(child.title == "证据表" for group in nested for child in group if not isinstance(child, list))


def test_the_table_of_contents_gives_page_numbers(seed_briefing: Path, reader: pypdf.PdfReader):
    toc = pdftotext(seed_briefing, "-f", "2", "-l", "2", "-layout")
    entries = re.findall(r"(参考来源|方法与声明)\s*\.+\s*(\d+)", toc)
    assert len(entries) == 2
    for title, page in entries:
        assert title in pdftotext(seed_briefing, "-f", page, "-l", page)


def test_metadata_says_what_the_document_is(reader: pypdf.PdfReader, seed_briefing: Path):
    meta = reader.metadata
    assert meta.title.startswith("CAR 细胞疗法临床证据简报")
    assert meta.author == "reports 证据简报"
    assert "医疗卫生专业人士" in meta.subject
    assert "CAR-T" in reader.metadata["/Keywords"]
    assert meta.creation_date.date().isoformat() == FIXED_DATE
    assert reader.trailer["/Root"]["/Lang"] == "zh-Hans"


def test_a_long_evidence_table_repeats_its_header_and_keeps_rows_whole(tmp_path: Path):
    import datetime as dt

    from conftest import EVIDENCE, write_project
    from reports.build import BriefingOptions, build_briefing

    head, row = EVIDENCE.split("studies:\n")
    rows = "".join(
        row.replace("demo-phase-1", f"demo-phase-1-{n}").replace("demo-safety", f"demo-safety-{n}")
        .replace("NCT01234567", f"NCT012345{n:02d}")
        .replace("indication: 复发或难治性淋巴瘤", "indication: " + "复发或难治性淋巴瘤，" * 6 + f"ROW{n:02d}END")
        for n in range(14)
    )
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": head + "studies:\n" + rows})
    result = build_briefing(project, BriefingOptions(build_date=dt.date(2026, 1, 15)))
    pages = [re.sub(r"\s+", "", pdftotext(result.pdf, "-f", str(n), "-l", str(n))) for n in range(1, result.pages + 1)]
    table_pages = [page for page in pages if "研究与设计" in page]
    assert len(table_pages) >= 2
    for page in table_pages:
        assert "研究与设计" in page and "主要疗效" in page and "安全性" in page  # the header row, on every page
    for n in range(14):
        # A tall row's top (its registry id) and the end of its tallest cell are on one page.
        first, last = f"NCT012345{n:02d}", f"ROW{n:02d}END"
        assert sum(first in page and last in page for page in table_pages) == 1, n
        assert sum(first in page for page in table_pages) == 1, n
