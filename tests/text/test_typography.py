"""Chinese typesetting, read back from real PDFs: line breaks (W3C clreq), spacing, punctuation, faces."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers.pdf import XHTML, pdf_lines, pdftotext, run_tool
from helpers.projects import ARTICLE, EVIDENCE, INDEX, ROOT, write_project

from reports.documents.briefing import BriefingOptions, build_briefing
from reports.text.typeset import (
    FULL_WIDTH_MARKS,
    close_up_punctuation,
    space_han_and_latin,
    typeset_html,
    typeset_text,
)

# clreq: marks that may not start a line, and marks that may not end one.
NO_LINE_START = set("，。、；：？！）」』】》〉〕〗〙〛”’…‥～·／%‰,.;:?!)]}")
NO_LINE_END = set("（「『【《〈〔〖〘〚“‘([{")

# Every kind of run the issue names, and every kind of punctuation sequence.
STRESS = ("研究显示，“完全缓解”（CR）率为 44%。”（注：HER2 3+ 患者，CD19/CD22 双靶点，计数 0.75×10⁹/L，"
          "注册号 NCT06010472，随访 18.2 年，2024年3月入组）……——“结果”『引语』。《自然·医学》～／"
          "第 3～5 天、2～3 级 CRS；“不良事件”：无。环磷酰胺（300 mg/m²/天），"
          "DOI：10.1016/S0140-6736(25)01671-X，DOI：10.5555/car-t.stress-2026.0001。")
# A DOI of the seeds, and one of the DOI system's test prefix with dots and hyphens in its suffix.
DOIS = ["10.1016/S0140-6736(25)01671-X", "10.5555/car-t.stress-2026.0001"]
STRESS_HANT = "研究顯示，「完全緩解」（CR）率為 44%。」（註：追蹤 18.2 年，2024年3月入組）……《自然·醫學》～／第 3～5 天。"
UNBREAKABLE = ["HER2 3+", "CD19/CD22", "0.75×10⁹/L", "NCT06010472", "18.2 年", "2024 年", "3 月", "3～5 天", "2～3 级",
               "300 mg/m²"]
SHIFTS = 50  # the stress sentence is repeated with 0..49 leading characters, so every position meets a line end

# Widths of punctuation runs, measured by where the word after them starts.
COMPRESSION = "甲。”（乙 MARKA\n\n甲甲甲甲乙 MARKB\n\n"  # five characters each: marks are not compressed
COMPRESSION_HANT = "甲，「乙 MARKC\n\n甲甲甲乙 MARKD\n\n甲」，乙 MARKE\n\n"  # four each


def stress_project(folder: Path) -> Path:
    simplified = "\n\n".join("文" * shift + STRESS for shift in range(SHIFTS))
    traditional = "\n\n".join("文" * shift + STRESS_HANT for shift in range(SHIFTS))
    hant_article = f'---\ntitle: "壓力測試"\ndate: "2025-03-02"\nlang: zh-TW\n---\n\n{COMPRESSION_HANT}{traditional}\n'
    return write_project(folder, {
        "seeds/articles/demo.md": f"{ARTICLE.rstrip()}\n\n{COMPRESSION}{simplified}\n",
        "seeds/articles/hant.md": hant_article,
        "seeds/articles.yaml": INDEX + "  - file: hant.md\n    outlet: 測試新聞網\n    url: https://example.org/news/2\n",
        # A key quotation from the traditional article, so that it is cited and printed in the appendix.
        "seeds/evidence/car-x.yaml": EVIDENCE.replace(
            "    added:", "      - id: hant-quote\n        article: hant\n        text: 甲」，乙\n        key: true\n    added:"),
    })


@pytest.fixture(scope="module")
def stress_pdf(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("stress")
    result = build_briefing(stress_project(folder / "project"),
                            BriefingOptions(output=folder / "stress.pdf", build_date=dt.date(2026, 12, 1),
                                            full_text=True))  # the articles' text printed in full
    return result.pdf


@pytest.fixture(params=["seeds", "stress"])
def any_pdf(request, seed_briefing: Path, stress_pdf: Path) -> Path:
    return seed_briefing if request.param == "seeds" else stress_pdf


def broken_occurrences(lines: list[tuple[int, str]], run: str) -> list[str]:
    """Occurrences of ``run`` split over two lines (spaces ignored, as at a line break)."""
    joined = "\n".join(text.replace(" ", "") for _, text in lines)
    pattern = "\n?".join(re.escape(character) for character in run.replace(" ", ""))
    return [match.group() for match in re.finditer(pattern, joined) if "\n" in match.group()]


def test_no_line_starts_with_a_closing_mark_or_ends_with_an_opening_mark(any_pdf: Path):
    lines = [(page, text) for page, text in pdf_lines(any_pdf) if text]
    assert len(lines) > 300
    # A DOI breaks before a dot of its suffix (10.5555/car-t / .stress-2026): an identifier's
    # dot before a letter or digit, not punctuation.
    bad_starts = [(page, text[:20]) for page, text in lines
                  if text[0] in NO_LINE_START and not re.match(r"\.[A-Za-z0-9]", text)]
    bad_ends = [(page, text[-20:]) for page, text in lines if text[-1] in NO_LINE_END]
    assert not bad_starts, bad_starts
    assert not bad_ends, bad_ends


@pytest.mark.parametrize("run", UNBREAKABLE)
def test_number_unit_and_latin_runs_never_break_inside(stress_pdf: Path, run: str):
    lines = pdf_lines(stress_pdf)
    assert sum(text.replace(" ", "").count(run.replace(" ", "")) for _, text in lines) >= SHIFTS
    assert broken_occurrences(lines, run) == []


# A tied run in the HTML: Latin and digit tokens or single characters, joined by no-break spaces
# and word joiners (see reports/text/typeset.py).
TIE = "[\u00a0\u2060]+"
TOKEN = "(?:[A-Za-z0-9\u2070-\u209f\u00b2\u00b3\u00b9]+|[^\\s<>\u00a0\u2060A-Za-z0-9])"
TIED_RUN_RE = re.compile(f"{TOKEN}(?:{TIE}{TOKEN})+")


# The last two Han characters of a text, tied so that no line holds one alone: not a run.
LAST_TWO_HAN_TIE_RE = re.compile("[\u3400-\u9fff]\u2060[\u3400-\u9fff]")


def tied_runs(html: str) -> set[str]:
    """The runs the typesetting tied, as a reader sees them (a no-break space is a space).

    In headings a run is tied with a nowrap span instead: bookmarks and running heads copy their text.
    The last two Han characters of a text are tied too, against widows, and are not runs: the
    layout check (tests/helpers/layout.py) checks those, as single characters alone on a line.
    """
    html = LAST_TWO_HAN_TIE_RE.sub(lambda match: match.group().replace("\u2060", " "), html)  # "12 个\u2060月": the run is "12 个"
    tied = {run.replace("\u2060", "").replace("\u00a0", " ") for run in TIED_RUN_RE.findall(html)}
    return tied | set(re.findall(r'<span class="nb">([^<]+)</span>', html))


def test_runs_are_tied_with_characters_that_every_line_breaker_respects():
    assert typeset_text("HER2 3+ 患者，CD19/CD22 双靶点，2024年入组") == (
        "HER2\u00a03\u2060+ 患者，CD19\u2060/\u2060CD22\u00a0双靶点，2024\u00a0年入\u2060组")
    assert tied_runs(typeset_text("《自然·医学》，随访 18.2 年")) == {"然·", "18.2 年"}
    assert typeset_text("CAR-T 细胞疗法", tie_with_markup=True) == '<span class="nb">CAR-T</span> 细胞疗法'
    # A mark tied to "<" or "&": the joiner goes between the characters, never inside an entity.
    assert typeset_text("剂量<～，R&·D") == "剂量&lt;\u2060～，R&amp;\u2060·D"


def test_headings_keep_their_text_plain_for_bookmarks_and_running_heads():
    html = typeset_html('<h1 lang="zh-Hans">CAR-T 细胞疗法（2024年）</h1><p lang="zh-Hans">CAR-T 细胞疗法</p>')
    assert html == ('<h1 lang="zh-Hans"><span class="nb">CAR-T</span> 细胞疗法（<span class="nb">2024 年</span>）</h1>'
                    '<p lang="zh-Hans">CAR\u2060-\u2060T 细胞疗\u2060法</p>')


def test_grade_symbols_are_marked_up_wherever_a_text_has_them():
    """Issue 24: a template's cell, the bottom line's prose, text the typesetting otherwise leaves
    alone (.nb): every run of ⊕ and ◯ gets the face of its script at its size (styles: .grade-symbols),
    each ⊕ set as large as ◯ (.grade-plus); nothing in the head."""
    symbols = '<span class="grade-symbols"><span class="grade-plus">⊕</span><span class="grade-plus">⊕</span>◯◯</span>'
    html = typeset_html('<head><title>⊕⊕◯◯</title></head><p lang="zh-Hans">GRADE 评级低 ⊕⊕◯◯（OCEBM 4 级）</p>'
                        '<td lang="zh-Hans"><span class="nb">⊕⊕◯◯ 低</span></td>')
    assert html == (f'<head><title>⊕⊕◯◯</title></head><p lang="zh-Hans">GRADE 评级低 {symbols}（OCEBM\u00a04\u00a0级）</p>'
                    f'<td lang="zh-Hans"><span class="nb">{symbols} 低</span></td>')


def test_every_run_marked_unbreakable_in_the_seed_briefing_stays_on_one_line(seed_briefing: Path):
    html = seed_briefing.with_suffix(".html").read_text(encoding="utf-8")
    runs = tied_runs(html)
    assert {"HER2 3+", "HEROS 2.0", "2024 年", "1580 项", "CRS/ICANS", "0.75×10⁹", "300 mg/m²"} <= runs
    lines = pdf_lines(seed_briefing)
    broken = {run: found for run in runs if (found := broken_occurrences(lines, run))}
    assert broken == {}


def test_a_doi_breaks_only_after_a_slash_or_before_a_dot_never_at_a_hyphen(stress_pdf: Path):
    """A break at a hyphen of a DOI reads as hyphenation: the reader copies the DOI without it."""
    joined = "\n".join(text.replace(" ", "") for _, text in pdf_lines(stress_pdf))
    for doi in DOIS:
        found = re.findall("\n?".join(re.escape(character) for character in doi), joined)
        assert len(found) >= SHIFTS  # every one printed, none with a hyphen added
        breaks = [occurrence.replace("\n", " | ") for occurrence in found if "\n" in occurrence]
        assert breaks, "the stress text puts a line end inside every DOI"
        assert [b for b in breaks if not re.search(r"/ \| | \| \.", b)] == []
    # Copied, a DOI on one line reads whole: the word joiners that tie it are not in the text.
    assert all(doi in pdftotext(stress_pdf) for doi in DOIS)


DOI_PIECE = re.compile(r"10\.\d{4,9}/[A-Za-z0-9.()/_-]*")
DOI_CONTINUED = re.compile(r"[A-Za-z0-9.()/_-]+")


def printed_dois(pdf: Path) -> list[list[str]]:
    """Every DOI printed, as the pieces its lines hold, read from the word boxes: a DOI that ends
    its line (but for its ‡) and not with a full stop goes on at the start of the line below
    that starts where its own line starts (a table cell's or a reference's left edge)."""
    root = ET.fromstring(subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"],
                                        capture_output=True, check=True).stdout)
    found = []
    for page in root.iter(XHTML + "page"):
        lines = [(float(line.get("xMin")), float(line.get("yMin")), float(line.get("yMax")),
                  " ".join(word.text or "" for word in line.iter(XHTML + "word"))) for line in page.iter(XHTML + "line")]
        for x0, _, y1, text in lines:
            for match in DOI_PIECE.finditer(text):
                pieces, piece, rest, bottom = [], match.group(), text[match.end():], y1
                while True:
                    pieces.append(piece.rstrip("."))
                    if rest.strip(" \u2021") or piece.endswith("."):
                        break
                    below = sorted(line for line in lines if abs(line[0] - x0) < 3 and -3 <= line[1] - bottom < 6)
                    continued = DOI_CONTINUED.match(below[0][3]) if below else None
                    if continued is None:
                        break
                    piece, rest, bottom = continued.group(), below[0][3][continued.end():], below[0][2]
                found.append(pieces)
    return found


def test_every_doi_of_the_seed_briefing_prints_and_copies_whole(seed_briefing: Path):
    """In a narrow table cell too: broken only after its slash, never at a hyphen (01671- / X)."""
    from reports.content.load import load_content
    from reports.content.project import Project

    dois = {study.source.doi for file in load_content(Project.at(ROOT)).tables for study in file.table.studies
            if study.source and study.source.doi}
    assert len(dois) >= 3
    printed = printed_dois(seed_briefing)
    assert len([pieces for pieces in printed if len(pieces) > 1]) >= 3  # the table cells break them
    assert {"".join(pieces) for pieces in printed} == dois  # whole, no hyphen added
    breaks = {" | ".join(pieces) for pieces in printed if len(pieces) > 1}
    assert [b for b in breaks if re.search(r"[^/] \| [^.]", b)] == []
    text = pdftotext(seed_briefing)
    assert all(doi in text for doi in dois)  # on one line, it copies whole


@pytest.mark.parametrize("written, closed_up", [
    ("注册试验分析； 未做系统检索", "注册试验分析；未做系统检索"),  # seeds/project.yaml, a folded line
    ("不良事件通用术语标准（CTCAE） v5.0", "不良事件通用术语标准（CTCAE）v5.0"),  # an abbreviation expanded
    ("学会（ASTCT） 2019 共识", "学会（ASTCT）2019 共识"),
    ("过度表达 “压制” T 细胞", "过度表达“压制”T 细胞"),
    ("“CAR T cell Therapy” 等 10 余个", "“CAR T cell Therapy”等 10 余个"),
    ("核心挑战 —— 如治疗后复发", "核心挑战——如治疗后复发"),
    ("CAR-T （嵌合抗原受体 T 细胞）", "CAR-T（嵌合抗原受体 T 细胞）"),
])
def test_no_space_stands_beside_full_width_punctuation(written: str, closed_up: str):
    """clreq: a full-width mark's em already holds its spacing; a space beside it doubles it."""
    assert close_up_punctuation(written) == closed_up


@pytest.mark.parametrize("text", [
    "with more than 12 months’ follow-up",  # an apostrophe: English, not a Chinese quotation mark
    "is “a potent option” for treatment",  # English quotation marks
    "（病例报告） · 生物谷（bioon.com）",  # a template's spaced separator
    "CAR T cells — a case series",  # a single dash is English
])
def test_spaces_beside_marks_of_english_text_and_separators_stay(text: str):
    assert close_up_punctuation(text) == text


def test_a_stray_space_between_two_elements_is_dropped_too():
    """A template's line break between two spans prints as a space: after ： it is stray."""
    html = typeset_html('<li lang="zh-Hans"><span>中文报道（本简报摘录出处）：</span>\n      <span>生物谷</span>'
                        '<br>\n<span>转载来源：</span> <span lang="en">Medical Xpress</span> · 2020</li>').replace("\u2060", "")
    assert "出处）：</span><span>生物" in html
    assert "转载来源：</span><span lang=\"en\">Medical Xpress</span> · 2020" in html


STRAY_SPACE = re.compile(
    rf"[{FULL_WIDTH_MARKS}] (?=[\u4e00-\u9fffA-Za-z0-9])|(?<=[\u4e00-\u9fffA-Za-z0-9]) [{FULL_WIDTH_MARKS}]"
    r"|(?<=[\u4e00-\u9fff]) [“‘](?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])[”’] (?=[\u4e00-\u9fff])")


@pytest.mark.render  # the documents are the shared renders (conftest: seed_briefing, seed_full_text)
@pytest.mark.parametrize("document", ["seed_briefing", "seed_full_text"])
def test_no_space_beside_full_width_punctuation_in_the_seed_briefing(document: str, request):
    """As printed and copied: 分析；未做, （CTCAE）v5.0, 出处）：生物谷, and the articles' “压制”."""
    text = pdftotext(request.getfixturevalue(document))
    assert [text[max(0, m.start() - 8):m.end() + 8] for m in STRAY_SPACE.finditer(text)] == []
    assert "分析；未做" in text and "（CTCAE）v5.0" in text


def test_han_and_latin_are_separated_by_one_space_throughout(seed_briefing: Path):
    text = pdftotext(seed_briefing)
    text = re.sub(r"(极低|低|中|高)[a-h]+\b", r"\1", text)  # footnote letters are superscripts, not text
    han = r"\u4e00-\u9fff"
    touching = re.findall(rf".{{0,6}}(?:[{han}][A-Za-z0-9]|[A-Za-z0-9][{han}]).{{0,6}}", text)
    assert touching == []


@pytest.mark.parametrize("written, spaced", [
    ("治疗14例，其中HER2阳性", "治疗 14 例，其中 HER2 阳性"),
    ("随访  18.2年", "随访 18.2 年"),
    ("44%的患者", "44% 的患者"),
    ("（CR）率", "（CR）率"),  # full-width brackets carry their own space
    ("Example Journal 发表", "Example Journal 发表"),
])
def test_spacing_between_han_and_latin_is_normalised(written: str, spaced: str):
    assert space_han_and_latin(written) == spaced


def test_consecutive_punctuation_keeps_its_full_width_so_the_text_copies_whole(stress_pdf: Path):
    """Not compressed (issue 16): a compressed mark made Poppler split the extracted line after it."""
    root = ET.fromstring(subprocess.run(["pdftotext", "-bbox-layout", str(stress_pdf), "-"],
                                        capture_output=True, check=True).stdout)
    left = {word.text: float(word.get("xMin")) for word in root.iter(XHTML + "word")
            if word.text and word.text.startswith("MARK")}
    assert set(left) == {"MARKA", "MARKB", "MARKC", "MARKD", "MARKE"}
    em = 10  # the article body is set at 10 pt
    # 。”（ take 3 em, as wide as three characters; ，「 and 」， 2 em in traditional text too.
    assert left["MARKB"] - left["MARKA"] == pytest.approx(0, abs=0.15 * em)
    assert left["MARKD"] - left["MARKC"] == pytest.approx(0, abs=0.15 * em)
    assert left["MARKD"] - left["MARKE"] == pytest.approx(0, abs=0.15 * em)
    text = pdftotext(stress_pdf)
    assert "甲。”（乙 MARKA" in text and "甲」，乙 MARKE" in text


@pytest.mark.parametrize("lang, text", [
    ("zh-Hans", "率为 44%。”（注"),
    ("zh-Hans", "显示，“完全"),
    ("zh-Hant", "緩解」（CR"),
])
def test_punctuation_runs_get_no_markup(lang: str, text: str):
    assert "<span" not in typeset_text(text, lang)


def test_emphasis_uses_a_real_bold_face_and_never_a_synthetic_oblique(tmp_path: Path, seed_briefing: Path):
    article = ARTICLE.replace("*Example Journal*", "*Example Journal*（《示例期刊》）") + "\n强调*斜体汉字*与**粗体汉字**。\n"
    project = write_project(tmp_path / "project", {"seeds/articles/demo.md": article})
    result = build_briefing(project, BriefingOptions(build_date=dt.date(2026, 12, 1), full_text=True))
    for pdf in (result.pdf, seed_briefing):
        names = [line.split()[0] for line in run_tool("pdffonts", pdf).splitlines()[2:]]
        assert not [name for name in names if re.search("Oblique|Italic", name)], names
        assert any(re.search(r"Noto-Serif-CJK-SC-Bold$", name) for name in names), names
    assert "斜体汉字" in pdftotext(result.pdf)


@pytest.mark.render
def test_a_character_no_font_has_is_a_warning_at_its_place_and_prints_as_geta(tmp_path: Path):
    article = ARTICLE + "\n私用区字符\ue000在此，又一个\ue000。\n"
    project = write_project(tmp_path / "project", {"seeds/articles/demo.md": article})
    result = build_briefing(project, BriefingOptions(build_date=dt.date(2026, 12, 1), full_text=True))
    messages = [str(warning) for warning in result.warnings]
    line = article.splitlines().index("私用区字符\ue000在此，又一个\ue000。") + 1
    assert f"seeds/articles/demo.md:{line}:6: U+E000 (private use) (2 times in this file) is in none of the " \
           "installed fonts; it is printed as 〓. Replace it with a standard character, or install a font " \
           "that has it" in messages
    assert "私用区字符〓在此，又一个〓。" in pdftotext(result.pdf)
