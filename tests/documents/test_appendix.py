"""The appendix: every quotation in its paragraph by default, the full texts on request, cleaned
as the curator declares in seeds/articles.yaml (issue 17)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from helpers.pdf import pdftotext
from helpers.projects import ARTICLE, EVIDENCE, INDEX, write_project

from reports.documents.briefing import BriefingOptions, build_briefing
from reports.errors import ReportError

# A paste as it comes: a heading run into its paragraph, a caption whose table is gone, a dose
# whose superscript was lost, an emphasis marker Markdown cannot pair, half-width commas.
PASTE = ARTICLE + """
二、研究方法本研究在三家中心开展,共筛选 20 名患者。

表 1 患者基线特征

首剂为 0.75×109 个细胞。研究团队bails，另有 109 例历史对照。

**撰文 |**示例作者

无关段落：本站导航与课程推荐，与研究无关。
"""
CLEANING = INDEX + """\
    headings: ["二、研究方法"]
    absent_captions: ["表 1 患者基线特征"]
    superscripts: ["0.75×10⁹"]
    artefacts: [bails]
"""
# The key excerpt (a sentence in the middle of a paragraph) and one from the pasted paragraph.
DOSE_QUOTE = "      - id: demo-dose\n        article: demo\n        text: 首剂为 0.75×109 个细胞。\n        key: true\n"


def appendix_text(pdf: Path) -> str:
    text = "".join(pdftotext(pdf).split())
    return text[re.search("附录：来源原文摘录(与全文)?以下", text).start():]  # the section, not its line in the contents


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("appendix")
    files = {"seeds/articles/demo.md": PASTE, "seeds/articles.yaml": CLEANING,
             "seeds/evidence/car-x.yaml": EVIDENCE.replace("    added:", DOSE_QUOTE + "    added:")
             if "    added:" in EVIDENCE else EVIDENCE + DOSE_QUOTE}
    out = {}
    for name, full_text in (("passages", False), ("full", True)):
        project = write_project(folder / name, files)
        out[name] = build_briefing(project, BriefingOptions(output=folder / f"{name}.pdf", full_text=full_text,
                                                            build_date=dt.date(2026, 12, 1))).pdf
    return out


def test_the_appendix_shows_each_quotation_in_its_paragraph_with_where_and_why(built):
    text = appendix_text(built["passages"])
    # The paragraph of the safety quotation, the quotation in it, its place and its uses.
    assert "原文第2段｜引用于：样本量、疗效、安全性" in text
    assert "在12名接受治疗的患者中，未观察到剂量限制性毒性（DLT）。5名患者（42%）达到部分缓解。" in text
    assert "原文第5段｜引用于：关键摘录" in text


def test_the_appendix_does_not_reprint_what_no_row_quotes(built):
    text = appendix_text(built["passages"])
    assert "无关段落" not in text and "本站导航" not in text
    assert "原文全文见各参考来源的网址" in text and "原文全文示例" not in text  # no full-text section


def test_a_quotation_prints_its_restored_superscript_and_is_checked_as_pasted(built):
    text = "".join(pdftotext(built["passages"]).split())
    assert "0.75×10⁹个细胞" in text and "0.75×109" not in text
    # Only the declared figure changes: another 109 of the article is not a power of ten.
    full = appendix_text(built["full"])
    assert "研究团队，另有109例历史对照" in full
    # The paste's stray word is left out of the passage and the full text alike.
    assert "bails" not in appendix_text(built["passages"]) and "bails" not in full


def test_the_full_text_is_cleaned_as_declared(built):
    text = appendix_text(built["full"])
    assert "原文全文" in text and "无关段落" in text
    assert "表1患者基线特征" not in text  # the caption of a table the paste did not keep
    assert "**" not in text and "撰文|示例作者" in text  # an unpaired marker never prints
    assert "本研究在三家中心开展，共筛选20名患者" in text  # full-width comma in Chinese text


def test_a_run_in_heading_is_set_apart(tmp_path: Path):
    from reports.content.project import Project
    from reports.documents.briefing import prepare_briefing

    project = write_project(tmp_path / "p", {"seeds/articles/demo.md": PASTE, "seeds/articles.yaml": CLEANING})
    _, context = prepare_briefing(Project.at(project), BriefingOptions(build_date=dt.date(2026, 12, 1), full_text=True))
    html = context["appendix"][0].html
    assert '<p class="article-heading">二、研究方法</p>' in html
    assert "<p>本研究在三家中心开展，共筛选 20 名患者。</p>" in html


@pytest.mark.render
def test_a_declaration_that_matches_nothing_is_a_warning_at_the_entry(tmp_path: Path):
    index = INDEX + '    headings: ["三、讨论"]\n    absent_captions: ["图 9 不存在"]\n    superscripts: ["mg/m²"]\n'
    project = write_project(tmp_path / "p", {"seeds/articles.yaml": index})
    result = build_briefing(project, BriefingOptions(build_date=dt.date(2026, 12, 1)))
    warnings = [str(w) for w in result.warnings]
    assert "seeds/articles.yaml:2:5: headings entry 三、讨论 not found in demo.md" in warnings
    assert "seeds/articles.yaml:2:5: absent_captions entry 图 9 不存在 not found in demo.md" in warnings
    assert "seeds/articles.yaml:2:5: superscripts entry mg/m² (as pasted: mg/m2) not found in demo.md" in warnings


@pytest.mark.parametrize("declaration, message", [
    ('superscripts: ["0.75×109"]', "has no superscript; write it as it should read"),
    ('superscripts: ["10⁹"]', "is a number alone; write it with what stands beside it"),
    ('artefacts: ["12 名"]', "has a digit; a figure is never an artefact"),
])
def test_a_cleaning_that_could_change_a_figure_is_refused(tmp_path: Path, declaration: str, message: str):
    """A careless or hostile curator: a declaration without superscript, a bare 10⁹ that would
    print every 109 of the article (109 patients) as a power of ten, an "artefact" that would
    take a figure out of what is printed."""
    project = write_project(tmp_path / "p", {"seeds/articles.yaml": INDEX + f"    {declaration}\n"})
    with pytest.raises(ReportError) as raised:
        build_briefing(project, BriefingOptions(build_date=dt.date(2026, 12, 1)))
    assert re.search(r"seeds/articles\.yaml:\d+:\d+: .*" + re.escape(message), str(raised.value))


def test_the_seed_articles_in_full_carry_none_of_their_sites_boilerplate(seed_full_text: Path):
    """reports build --full-text: 生物谷's signature and link, the journal note's impact factor and
    web site, the WeChat notices are left out (reports/content/boilerplate.yaml); bioon stays only
    in the outlet's name and its addresses in the references."""
    text = pdftotext(seed_full_text)
    assert "原文全文" in text
    assert [found for found in ("IF:", "IF：", "期刊信息", "官方网址", "投稿链接", "本公众号所有转载文章", "识别微信二维码")
            if found in text] == []
    elsewhere = re.sub(r"生物谷（bioon\.com）|https?://\S*bioon\.com\S*", "", text)
    assert re.findall(r".{0,12}bioon.{0,12}", elsewhere, re.IGNORECASE) == []
