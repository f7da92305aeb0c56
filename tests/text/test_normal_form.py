"""One normal form for matching and printing (issue 22, part 5): what an excerpt is checked against
is what prints as its quotation, whatever Unicode or Markdown the article or the excerpt holds.

A hostile or careless paste: a zero-width space, a soft hyphen or a word joiner inside “42%”
(prints 42%, reads as 4 and 2%), an article saved decomposed (NFD) against an excerpt typed
composed (NFC), and asterisks that a Markdown reader would take for emphasis (约3*4*5cm printed
as 约345cm, 2×10**9 as 2×109).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import pytest
from helpers.cli import reports as run_reports
from helpers.projects import ARTICLE, EVIDENCE, write_project

from reports.content.articles import read_articles, render_body
from reports.content.load import load_content
from reports.content.model import Excerpt
from reports.content.project import Project
from reports.content.verify.figures import Claim, find_backing
from reports.content.verify.quoted import Quoted
from reports.documents.briefing import BriefingOptions, briefing_html, prepare_briefing
from reports.errors import Problems, ReportError
from reports.text.figures import figures_in
from reports.text.normal import INVISIBLE_RE, normal_form

FORMAT_CHARACTERS = {"\u200b": "U+200B ZERO WIDTH SPACE", "\u00ad": "U+00AD SOFT HYPHEN",
                     "\u2060": "U+2060 WORD JOINER"}
SAFETY = "在 12 名接受治疗的患者中，未观察到剂量限制性毒性（DLT）。5 名患者（42%）达到部分缓解。"
# Where the 42% of the fixture's article and excerpt stand: the article's line 9, the excerpt's text: value.
ARTICLE_LINE, ARTICLE_COLUMN = 9, SAFETY.index("42%") + 2
EXCERPT_LINE, EXCERPT_COLUMN = EVIDENCE.split("\n").index(f"        text: {SAFETY}") + 1, 15


def with_excerpt(evidence: str, id: str, text: str) -> str:
    """The fixture's evidence with one more key excerpt of the demo article."""
    return evidence.replace("    added:", f"      - id: {id}\n        article: demo\n        text: {text}\n"
                                         "        key: true\n    added:")


def check(project: Path) -> list[str]:
    """`reports check` in process: every error as path:line:column: message (none when it passes)."""
    try:
        load_content(Project.at(project))
    except ReportError as error:
        return [str(problem) for problem in error.problems]
    return []


def context_of(project: Path) -> dict:
    """The briefing's context with the full texts: what the quotations, passages and full texts print."""
    return prepare_briefing(Project.at(project), BriefingOptions(build_date=dt.date(2026, 12, 1), full_text=True))[1]


def printed_text(html: str) -> str:
    """The briefing's HTML as read, whitespace aside: tags, ties and the spaces set between Han and
    Latin characters out."""
    return "".join(re.sub(r"<[^>]+>", "", html).replace("\u2060", "").split())


# ---------------------------------------------------------------------------------------------
# Invisible characters inside a number: refused where they stand, shown visibly.


@pytest.mark.parametrize("character", FORMAT_CHARACTERS)
def test_a_format_character_inside_a_number_of_the_article_is_an_error_at_its_line_and_column(tmp_path, character):
    project = write_project(tmp_path, {"seeds/articles/demo.md": ARTICLE.replace("（42%）", f"（4{character}2%）")})
    code = f"U+{ord(character):04X}"
    assert check(project) == [
        f"seeds/articles/demo.md:{ARTICLE_LINE}:{ARTICLE_COLUMN}: a format character ({FORMAT_CHARACTERS[character]}) "
        f"stands inside the number “4⟨{code}⟩2%”; delete it (it hides the number's digits from the check)"]


@pytest.mark.parametrize("character", FORMAT_CHARACTERS)
def test_a_format_character_inside_a_number_of_an_excerpt_is_an_error_at_the_excerpt(tmp_path, character):
    project = write_project(tmp_path, {"seeds/evidence/car-x.yaml": EVIDENCE.replace("（42%）", f"（4{character}2%）")})
    code = f"U+{ord(character):04X}"
    assert check(project) == [
        f"seeds/evidence/car-x.yaml:{EXCERPT_LINE}:{EXCERPT_COLUMN}: excerpt 'demo-safety': a format character "
        f"({FORMAT_CHARACTERS[character]}) stands inside the number “4⟨{code}⟩2%”; delete it (it hides the "
        "number's digits from the check)"]


def test_a_format_character_beside_a_number_is_refused_too_and_one_between_words_is_left_out(tmp_path):
    article = ARTICLE.replace("（42%）", "（42\u200b%）").replace("部分缓解", "部分\u200b缓解")
    project = write_project(tmp_path, {"seeds/articles/demo.md": article})
    assert check(project) == [
        f"seeds/articles/demo.md:{ARTICLE_LINE}:{ARTICLE_COLUMN + 1}: a format character (U+200B ZERO WIDTH SPACE) "
        "stands beside the number “42⟨U+200B⟩%”; delete it (it hides what stands beside the number from the check)"]


@pytest.mark.parametrize("value", [4, 2])
def test_a_figure_is_never_backed_by_the_pieces_of_a_number_split_by_a_format_character(tmp_path, value):
    """Article and excerpt alike read 4⟨U+200B⟩2%: a reader sees 42%, so neither 4 nor 2 is stated."""
    article = ARTICLE.replace("（42%）", "（4\u200b2%）")
    evidence = EVIDENCE.replace("（42%）", "（4\u200b2%）")
    evidence = evidence.replace("value: 42\n        n: 5\n        of: 12", f"value: {value}")  # no 5/12 to agree with
    errors = check(write_project(tmp_path, {"seeds/articles/demo.md": article, "seeds/evidence/car-x.yaml": evidence}))
    value_line = evidence.split("\n").index(f"        value: {value}") + 1
    excerpt_line = evidence.split("\n").index("        text: " + SAFETY.replace("42", "4\u200b2")) + 1
    assert f"seeds/articles/demo.md:{ARTICLE_LINE}:{ARTICLE_COLUMN}: a format character (U+200B ZERO WIDTH SPACE) " \
           "stands inside the number “4⟨U+200B⟩2%”; delete it (it hides the number's digits from the check)" in errors
    assert any(error.startswith(f"seeds/evidence/car-x.yaml:{excerpt_line}:{EXCERPT_COLUMN}: excerpt 'demo-safety': "
                                "a format character") for error in errors)
    assert any(error.startswith(f"seeds/evidence/car-x.yaml:{value_line}:16: studies.0.outcomes.0.value = {value} "
                                "is not stated as a percentage") for error in errors), errors


def test_check_refuses_it_through_the_command_line(tmp_path):
    project = write_project(tmp_path, {"seeds/articles/demo.md": ARTICLE.replace("（42%）", "（4\u200b2%）")})
    result = run_reports("--project", str(project), "check")  # in this process (tests/helpers/cli.py)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"seeds/articles/demo.md:{ARTICLE_LINE}:{ARTICLE_COLUMN}: a format character (U+200B ZERO WIDTH SPACE) " \
           "stands inside the number “4⟨U+200B⟩2%”" in result.stderr


@pytest.mark.parametrize("text", [
    "5 名患者（4\u200b2%）达到部分缓解", "1,\u2060580 项试验", "十\u00ad八例患者", "four\u200bteen patients",
    "CD\u200b19 阳性", "第\u20603天", "0.7\u200b5×10⁹ 个细胞",
])
def test_a_number_split_by_an_invisible_character_reads_as_one_number_as_printed(text):
    printed = INVISIBLE_RE.sub("", text)
    assert [(f.value, f.kind) for f in figures_in(text)] == [(f.value, f.kind) for f in figures_in(printed)]
    assert [INVISIBLE_RE.sub("", text[f.start:f.end]) for f in figures_in(text)] == \
        [printed[f.start:f.end] for f in figures_in(printed)]


def test_a_claim_of_4_or_2_is_not_backed_by_a_split_42_percent():
    excerpt = Quoted.of(Excerpt(id="e1", article="a", text="5 名患者（4\u200b2%）达到部分缓解。"))
    percent = frozenset({"percent"})
    assert find_backing(Claim("value", 4, percent, True), [excerpt], ["部分缓解"]) == "no 4 in them"
    assert find_backing(Claim("value", 2, percent, True), [excerpt], ["部分缓解"]) == "no 2 in them"
    assert find_backing(Claim("value", 42, percent, True), [excerpt], ["部分缓解"]) is None


def test_every_format_character_of_unicode_is_known_as_invisible():
    """The ranges are written out (re has no \\p{Cf}); this Python's Unicode database must agree."""
    missing = [f"U+{c:04X}" for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"
               and not INVISIBLE_RE.match(chr(c))]
    assert missing == []


# ---------------------------------------------------------------------------------------------
# NFC and NFD: the same text however it was composed.

SJOGREN = "其中 1 名患者既往患有干燥综合征（Sjögren 综合征）。"


@pytest.mark.parametrize("article_form, excerpt_form", [("NFD", "NFC"), ("NFC", "NFD"), ("NFD", "NFD")])
def test_an_excerpt_matches_its_article_whether_either_is_composed_or_decomposed(tmp_path, article_form, excerpt_form):
    article = ARTICLE + "\n" + unicodedata.normalize(article_form, SJOGREN) + "\n"
    evidence = with_excerpt(EVIDENCE, "demo-history", unicodedata.normalize(excerpt_form, SJOGREN))
    project = write_project(tmp_path, {"seeds/articles/demo.md": article, "seeds/evidence/car-x.yaml": evidence})
    assert check(project) == []
    context = context_of(project)
    quote = next(q for q in context["classes"][0].quotes if q.id == "demo-history")
    assert quote.text == unicodedata.normalize("NFC", SJOGREN)  # printed composed, as checked
    quoted = [part.text for passage in context["appendix"][0].passages for paragraph in passage.paragraphs
              for part in paragraph if part.quoted]
    assert unicodedata.normalize("NFC", SJOGREN) in quoted  # the appendix finds it in its paragraph


# ---------------------------------------------------------------------------------------------
# Markdown: asterisks between digits and backslashes are characters, in the check and in print.

SIZES = "肿块约3*4*5cm，输注剂量为2×10**9个细胞；另一处量得 3\\*4 cm。"


def sized_project(tmp_path: Path, *excerpts: tuple[str, str]) -> Path:
    evidence = EVIDENCE
    for id, text in excerpts:
        evidence = with_excerpt(evidence, id, text)
    return write_project(tmp_path, {"seeds/articles/demo.md": ARTICLE + "\n" + SIZES + "\n",
                                    "seeds/evidence/car-x.yaml": evidence})


def test_an_excerpt_without_the_articles_asterisks_is_refused(tmp_path):
    evidence = with_excerpt(EVIDENCE, "demo-size", "肿块约345cm")
    project = write_project(tmp_path, {"seeds/articles/demo.md": ARTICLE + "\n" + SIZES + "\n",
                                       "seeds/evidence/car-x.yaml": evidence})
    line = evidence.split("\n").index("        text: 肿块约345cm") + 1
    [error] = check(project)
    assert error.startswith(f"seeds/evidence/car-x.yaml:{line}:15: excerpt 'demo-size' is not in article 'demo' "
                            "word for word; the closest passage (seeds/articles/demo.md:13, ")
    assert "约3*4*5c" in error  # the passage as printed, asterisks and all


def test_asterisks_and_backslashes_print_as_the_article_has_them(tmp_path):
    project = sized_project(tmp_path, ("demo-size", "肿块约3*4*5cm，输注剂量为2×10**9个细胞"),
                            ("demo-escape", "另一处量得 3\\*4 cm"))
    assert check(project) == []
    context = context_of(project)
    quotes = {q.id: q.text for q in context["classes"][0].quotes}
    assert quotes["demo-size"] == "肿块约3*4*5cm，输注剂量为2×10**9个细胞"
    assert quotes["demo-escape"] == "另一处量得 3\\*4 cm"
    appendix = context["appendix"][0]
    quoted = [part.text for passage in appendix.passages for paragraph in passage.paragraphs
              for part in paragraph if part.quoted]
    assert "肿块约3*4*5cm，输注剂量为2×10**9个细胞" in quoted and "另一处量得 3\\*4 cm" in quoted
    assert "3*4*5cm" in appendix.html and "2×10**9" in appendix.html and "3\\*4 cm" in appendix.html
    printed = printed_text(briefing_html(Project.at(project), context))
    assert "肿块约3*4*5cm，输注剂量为2×10**9个细胞" in printed and "345cm" not in printed and "2×109" not in printed
    assert "3\\*4cm" in printed


def test_emphasis_between_words_and_around_a_whole_number_is_still_emphasis(tmp_path):
    article = ARTICLE + "\n缓解率达**44%**，见 *Example Journal* 一文。**撰文 |**示例\n"
    evidence = with_excerpt(EVIDENCE, "demo-bold", "缓解率达44%，见 Example Journal 一文")
    project = write_project(tmp_path, {"seeds/articles/demo.md": article, "seeds/evidence/car-x.yaml": evidence})
    assert check(project) == []
    html = context_of(project)["appendix"][0].html
    assert "<strong>44%</strong>" in html and "<em>Example Journal</em>" in html
    assert "**" not in html and "撰文 |示例" in html  # a marker Markdown cannot pair is the paste's


def test_the_normal_form_collapses_whitespace_and_composes():
    assert normal_form(" Sjo\u0308gren\u200b\n  综合征 ") == "Sjögren 综合征"


def test_a_byte_order_mark_at_the_start_of_a_file_is_no_format_character_beside_a_number(tmp_path):
    """UTF-8 with BOM is a normal encoding: the BOM before a first line that opens with a figure is fine."""
    seeds = tmp_path / "seeds"
    (seeds / "articles").mkdir(parents=True)
    (seeds / "articles" / "a.md").write_bytes(b"\xef\xbb\xbf" + "12 名患者接受了治疗。\n".encode())
    (seeds / "articles.yaml").write_text("articles:\n  - file: a.md\n    title: 甲\n    title_supplied: true\n"
                                         "    undated_reason: 转贴页面未标注\n    outlet: 甲网\n    script: zh-Hans\n",
                                         encoding="utf-8")
    problems = Problems(tmp_path)
    articles = read_articles(seeds, problems)
    assert problems.errors == [] and articles["a"].blocks[0].text == "12 名患者接受了治疗。"


@pytest.mark.parametrize("source", ["约3*4*5cm", "2×10**9", "2 _3_ 4 次", "10 ** 9", "3\\*4", "1\\_000", "a\\\\b"])
def test_marks_between_digits_and_backslashes_are_the_articles_characters(source):
    html, blocks, _, _ = render_body(source, 1, False)
    assert blocks[0].text == source and f"<p>{source}</p>" in html


def test_an_ordered_list_prints_the_numbers_the_article_gives_its_items():
    """As a list, 10. 5% would print 1. 5% (the PDF renumbers from 1): the number is text, checked and printed."""
    html, blocks, _, _ = render_body("前文。\n\n10. 5%的患者出现发热\n11) 其余患者无不适\n\n1. 另一项\n", 1, False)
    assert [block.text for block in blocks] == ["前文。", "10. 5%的患者出现发热", "11) 其余患者无不适", "1. 另一项"]
    assert "<ol" not in html and "<p>10. 5%的患者出现发热</p>" in html and "<p>1. 另一项</p>" in html


# ---------------------------------------------------------------------------------------------
# An excerpt is whole: cut inside a number of the article, it would print a figure the article lacks.


@pytest.mark.parametrize("old, new, message", [
    ("text: 在 12 名接受治疗的患者中", "text: 2 名接受治疗的患者中", "begins inside the number “12”"),
    ("5 名患者（42%）达到部分缓解。\n        key: true", "5 名患者（4\n        key: true", "ends inside the number “42”"),
])
def test_an_excerpt_that_begins_or_ends_inside_a_number_is_refused(tmp_path, old, new, message):
    evidence = EVIDENCE.replace(old, new)
    errors = check(write_project(tmp_path, {"seeds/evidence/car-x.yaml": evidence}))
    assert f"seeds/evidence/car-x.yaml:{EXCERPT_LINE}:{EXCERPT_COLUMN}: excerpt 'demo-safety' {message} of article " \
           f"'demo' (seeds/articles/demo.md:{ARTICLE_LINE}), so it would print a figure the article does not " \
           "state; quote the whole number" in errors


def test_an_excerpt_cut_after_a_decimal_point_is_refused_and_one_found_whole_elsewhere_passes(tmp_path):
    article = ARTICLE + "\n一名患者存活18.2年以上。另一名患者存活2年以上。\n"
    cut = with_excerpt(EVIDENCE, "demo-cut", "2年以上。另一名")
    errors = check(write_project(tmp_path / "cut", {"seeds/articles/demo.md": article, "seeds/evidence/car-x.yaml": cut}))
    assert any("excerpt 'demo-cut' begins inside the number “18.2”" in error for error in errors), errors
    whole = with_excerpt(EVIDENCE, "demo-whole", "2年以上")  # cut after 18., whole after 存活
    project = write_project(tmp_path / "whole", {"seeds/articles/demo.md": article, "seeds/evidence/car-x.yaml": whole})
    assert check(project) == []
    [passage] = [p for p in context_of(project)["appendix"][0].passages if p.citations[0][1] == "关键摘录"
                 and any(part.text == "2年以上" for paragraph in p.paragraphs for part in paragraph)]
    parts = passage.paragraphs[0]
    quoted = next(i for i, part in enumerate(parts) if part.quoted)
    assert parts[quoted - 1].text.endswith("另一名患者存活")  # marked where the check found it whole
