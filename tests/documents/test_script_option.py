"""`reports build --script`: the whole briefing in one script, from the real seeds, read back from the PDF."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pypdf
import pytest
from helpers.cli import reports as run_reports
from helpers.layout import briefing_margins, layout_violations
from helpers.pdf import drawn_text, pdftotext, run_tool
from helpers.projects import EVIDENCE, ROOT

from reports.documents.briefing import BriefingOptions, build_briefing

HAN = r"\u4e00-\u9fff"


@pytest.fixture(scope="module", params=["zh-Hans", "zh-Hant"])
def converted(request, tmp_path_factory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp(request.param) / "briefing.pdf"
    build_briefing(ROOT, BriefingOptions(output=out, build_date=dt.date(2026, 12, 1), script=request.param))
    return request.param, out


def flat(pdf: Path) -> str:
    return re.sub(r"\s+", "", pdftotext(pdf))


def test_only_the_faces_of_the_chosen_script_are_embedded(converted):
    script, pdf = converted
    names = [line.split()[0] for line in run_tool("pdffonts", pdf).splitlines()[2:]]
    own, other = ("CJK-SC", "CJK-TC") if script == "zh-Hans" else ("CJK-TC", "CJK-SC")
    assert any(own in name for name in names)
    assert not [name for name in names if other in name or "CJK-JP" in name or "CJK-KR" in name], names


def test_the_grade_symbols_are_drawn_by_the_scripts_own_sans_face(converted):
    """⊕◯◯◯ in the chosen script's sans face, like the text beside them (issue 24)."""
    script, pdf = converted
    faces = {face for _, text, face, _ in drawn_text(pdf) if "⊕" in text or "◯" in text}
    assert faces == {"Noto-Sans-CJK-SC" if script == "zh-Hans" else "Noto-Sans-CJK-TC"}


def test_the_document_language_is_the_chosen_script(converted):
    script, pdf = converted
    assert pypdf.PdfReader(pdf).trailer["/Root"]["/Lang"] == script


def test_labels_articles_and_page_furniture_are_converted(converted):
    script, pdf = converted
    text = flat(pdf)
    if script == "zh-Hant":
        assert "CAR細胞療法臨床證據簡報" in text and "要點速覽" in text and "證據表" in text
        assert "在14名接受治療的患者中" in text  # a simplified article, converted
        assert "參與試驗的19名患者中，7人存活了8年以上" in text  # a traditional article, as written (its commas full width)
        assert "第2頁/共" in text
        assert "证据" not in text and "简报" not in text
    else:
        assert "CAR细胞疗法临床证据简报" in text and "证据表" in text
        assert "参与试验的19名患者中，7人存活了8年以上" in text  # the traditional article, converted
        assert "《自然·医学》" in text
        assert "證據" not in text and "參與" not in text


def test_the_traditional_briefing_is_written_for_taiwan_readers(converted):
    """A reviewer of the first traditional briefing found it converted, not written: 抗原併發揮,
    時長鬚帶 (a beard), and mainland words (信息, 數據, 隨訪, 細胞因子釋放綜合徵, 乳腺癌, 8 周)."""
    script, pdf = converted
    # In drawing order (-raw): a table cell's lines come together, where the reading order that
    # pdftotext guesses may put a neighbouring cell's line between them.
    text = re.sub(r"\s+", "", pdftotext(pdf, "-raw"))
    if script == "zh-Hant":
        for written in ("抗原並發揮殺傷作用", "識別並吞噬", "時長須帶相同單位", "細胞激素釋放症候群（CRS）",
                        "免疫效應細胞相關神經毒性症候群", "（最長18年追蹤）", "治療後8週", "資料來源：", "註冊資訊",
                        "主要為晚期乳癌和胃食道癌患者", "牛津實證醫學中心"):
            assert written in text, written
        for converted_only in ("併發揮", "併吞噬", "鬚", "CRS（細胞因子釋放綜合徵）", "最長18年隨訪", "8周"):
            assert converted_only not in text, converted_only
        # A quotation keeps the source's words (隨訪), in traditional characters, and says it was converted.
        assert "另外5名持續接受隨訪的患者，存活超過13年" in text
    else:
        assert "细胞因子释放综合征（CRS）" in text and "（最长18年随访）" in text
        assert "追蹤" not in text and "症候群" not in text


def test_quotation_marks_follow_the_script(converted):
    script, pdf = converted
    text = pdftotext(pdf)
    if script == "zh-Hant":
        assert "「" in text and "」" in text
        assert not re.search(rf"[“”][{HAN}]|[{HAN}][“”]", text)
    else:
        assert "“" in text
        assert "「" not in text and "」" not in text


def test_each_converted_quotation_says_so(converted):
    script, pdf = converted
    text = flat(pdf)
    if script == "zh-Hant":
        assert "原文為簡體，此處轉為繁體（OpenCC）；核對依據原文" in text
        assert "用字統一轉為繁體（OpenCC），核對依據轉換前的原文" in text
    else:
        assert "原文为繁体，此处转为简体（OpenCC）；核对依据原文" in text
        assert "用字统一转为简体（OpenCC），核对依据转换前的原文" in text


def test_the_converted_briefing_passes_a_typesetters_eye(converted):
    _, pdf = converted
    assert layout_violations(pdf, briefing_margins()) == []


@pytest.mark.render
def test_excerpts_are_checked_against_the_original_text_not_the_conversion(project: Path):
    """An excerpt typed in the other script does not pass because the output would be converted."""
    traditional_excerpt = EVIDENCE.replace("在 12 名接受治疗的患者中", "在 12 名接受治療的患者中")
    (project / "seeds/evidence/car-x.yaml").write_text(traditional_excerpt, encoding="utf-8")
    result = run_reports("--project", str(project), "build", "--script", "zh-Hant")  # in this process
    assert result.returncode == 1
    line = traditional_excerpt.split("\n").index("      - id: demo-safety") + 3  # 1-based line of its text, two below
    assert f"seeds/evidence/car-x.yaml:{line}:15: excerpt 'demo-safety' is not in article 'demo' word for word" \
        in result.stderr
    assert not (project / "build/briefing.pdf").exists()
