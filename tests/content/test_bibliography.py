"""A row's paper and registry ids: in its article, or declared as supplied by the editors, and marked.

An auditor changes a registry id, a journal, a DOI digit or a date in the shipped tables: `reports
check` names the field at its line. A fact the article does not state passes only with its record
and the day it was checked, prints with ‡, and only a checked id gets a QR code.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from helpers.cli import reports as run_reports
from helpers.projects import ARTICLE, EVIDENCE, INDEX, write_project

from reports.content.citations import date_pattern, doi_pattern, spaced
from reports.content.load import load_content
from reports.content.model import PartialDate
from reports.content.project import Project
from reports.content.verify.bibliography import article_texts, checked_links
from reports.errors import ReportError

ROOT = Path(__file__).resolve().parents[2]


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.split("\n"), 1) if needle in line)


def seeds_with(tmp_path: Path, relative: str, old: str, new: str) -> tuple[Path, str]:
    """The shipped seeds in a new project with ``old`` replaced once in one file; and that file's text."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "seeds", project / "seeds")
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text := text.replace(old, new), encoding="utf-8")
    return project, text


def problems_of(project: Path) -> list[str]:
    try:
        content = load_content(Project.at(project))
    except ReportError as error:
        return [str(problem) for problem in error.problems]
    return [f"warning {problem}" for problem in content.warnings]


NK_TITLE = ('title: "Efficacy and safety of allogeneic CD19 CAR NK-cell therapy in systemic lupus erythematosus: '
            'a case series in China"')
# An auditor's edits of the shipped tables: (file, old, new, the line that holds the change, message).
AUDIT = {
    "registry-id-one-digit": (
        "seeds/evidence/car-nk.yaml", "registry_ids: [NCT06010472]", "registry_ids: [NCT06010473]",
        "studies.0.registry_ids.0: NCT06010473 does not occur in the row's article (car-nk-cd19-lupus); correct it "
        "to what the article says, or declare it under source.supplied as {field: registry_ids, value: "
        "\"NCT06010473\", record: <where it was checked>, checked: YYYY-MM-DD}",
    ),
    "lancet-becomes-nejm": (
        "seeds/evidence/car-nk.yaml", "journal: The Lancet", "journal: The New England Journal of Medicine",
        "studies.0.source.journal: The New England Journal of Medicine (looked for as The New England Journal of "
        "Medicine or New England Journal of Medicine or NEJM or N Engl J Med or 《新英格兰医学杂志》 or "
        "《新英格蘭醫學雜誌》 or 《新英格蘭醫學雜志》) does not occur in the row's article (car-nk-cd19-lupus)",
    ),
    "doi-digit": (
        "seeds/evidence/car-nk.yaml", "doi: 10.1016/S0140-6736(25)01671-X", "doi: 10.1016/S0140-6736(25)01674-X",
        "studies.0.source.doi: 10.1016/S0140-6736(25)01674-X does not occur in the row's article",
    ),
    "doi-cut-short": (
        "seeds/evidence/car-nk.yaml", "doi: 10.1016/S0140-6736(25)01671-X", "doi: 10.1016/S0140-6736(25)01671",
        "studies.0.source.doi: 10.1016/S0140-6736(25)01671 does not occur in the row's article",
    ),
    "publication-date": (
        "seeds/evidence/car-nk.yaml", 'published: "2025-11-12"', 'published: "2025-11-21"',
        "studies.0.source.published: 2025-11-21 does not occur in the row's article (car-nk-cd19-lupus)",
    ),
    "publication-date-of-a-case-report": (
        "seeds/evidence/car-t.yaml", 'published: "2020-07-15"', 'published: "2020-07-05"',
        "studies.0.source.published: 2020-07-05 does not occur in the row's article (car-t-her2-rhabdomyosarcoma)",
    ),
    "paper-title": (
        "seeds/evidence/car-nk.yaml", NK_TITLE, NK_TITLE.replace("in China", "in Asia"),
        "studies.0.source.title: Efficacy and safety of allogeneic CD19 CAR NK-cell therapy in systemic lupus "
        "erythematosus: a case series in Asia does not occur in the row's article",
    ),
    "first-author": (
        "seeds/evidence/car-t.yaml", "first_author: Meenakshi Hegde", "first_author: Meenakshi Hedge",
        "studies.0.source.first_author: Meenakshi Hedge does not occur in the row's article",
    ),
    "article-date-in-the-index": (
        "seeds/articles.yaml", "published: 2025-11-16", "published: 2025-11-19",
        "car-nk-cd19-lupus.md: published 2025-11-19 does not occur in car-nk-cd19-lupus.md (as 2025年11月19日 or "
        "2025-11-19); correct it, or declare it under supplied: with the record it comes from",
    ),
    "article-title-in-the-index": (
        "seeds/articles.yaml", "title: 同种异体CAR-NK细胞疗法是治疗自身免疫性疾病的一种有效选择",
        "title: 同种异体CAR-NK细胞疗法是治疗自身免疫性疾病的首选",
        "car-nk-cd19-lupus.md: title “同种异体CAR-NK细胞疗法是治疗自身免疫性疾病的首选” does not occur in "
        "car-nk-cd19-lupus.md",
    ),
}


@pytest.mark.parametrize("case", sorted(AUDIT))
def test_an_audited_bibliographic_fact_that_the_article_does_not_state_is_an_error_at_its_line(tmp_path, case):
    relative, old, new, message = AUDIT[case]
    project, text = seeds_with(tmp_path, relative, old, new)
    line = line_of(text, new)
    column = text.split("\n")[line - 1].index(new.split(": ", 1)[1].strip("[]")) + 1
    found = problems_of(project)
    assert any(problem.startswith(f"{relative}:{line}:{column}: {message}") for problem in found), found


def test_a_supplied_fact_edited_without_its_declaration_is_caught_twice(tmp_path):
    """The GD2 DOI is declared as supplied; an audit changes one digit of the field only."""
    project, text = seeds_with(tmp_path, "seeds/evidence/car-t.yaml", "doi: 10.1038/s41591-025-03513-0",
                               "doi: 10.1038/s41591-025-03518-0")
    found = problems_of(project)
    field_line = line_of(text, "doi: 10.1038/s41591-025-03518-0")
    value_line = line_of(text, "value: 10.1038/s41591-025-03513-0")
    assert any(problem.startswith(f"seeds/evidence/car-t.yaml:{field_line}:12: studies.1.source.doi: "
                                  "10.1038/s41591-025-03518-0 does not occur") for problem in found), found
    assert (f"seeds/evidence/car-t.yaml:{value_line}:18: studies.1.source.supplied.1: declares DOI "
            "10.1038/s41591-025-03513-0 as supplied, but the row gives 10.1038/s41591-025-03518-0: check the new "
            "value in a record and update value, record and checked, or remove the declaration") in found


def test_the_shipped_seeds_declare_what_their_articles_do_not_state():
    """CT-0508's and the GD2 trial's registrations and the GD2 paper's title and DOI: declared, with the
    honest record (given by an earlier session, not re-checked here)."""
    content = load_content(Project.at(ROOT))
    declared = {(entry.field, entry.value): entry for file in content.tables for row in file.table.rows
                if row.source for entry in row.source.supplied}
    assert set(declared) == {("registry_ids", "NCT04660929"), ("registry_ids", "NCT00085930"),
                             ("title", "Long-term outcomes of GD2-directed CAR-T cell therapy in patients with "
                                       "neuroblastoma"), ("doi", "10.1038/s41591-025-03513-0")}
    for entry in declared.values():
        assert "本项目未能复核" in entry.record and entry.checked == dt.date(2026, 12, 1)
    for path in (ROOT / "seeds/evidence").glob("*.yaml"):
        assert "from the paper's PubMed record" not in path.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# The demo project: its article names the journal only; the DOI, date and registry id are declared.


def demo(tmp_path: Path, evidence: str = EVIDENCE, article: str = ARTICLE, index: str = INDEX) -> Path:
    return write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": evidence,
                                                "seeds/articles/demo.md": article, "seeds/articles.yaml": index})


DOI_DECLARATION = ("        - {field: doi, value: 10.1234/example.5678, record: \"the journal's page (a made-up record)\", "
                   "checked: 2026-01-10}\n")


def test_without_its_declaration_the_doi_is_an_error_and_with_it_the_briefing_marks_it(tmp_path):
    from reports.documents.briefing import BriefingOptions, briefing_html, prepare_briefing

    undeclared = EVIDENCE.replace(DOI_DECLARATION, "")
    assert undeclared != EVIDENCE
    found = problems_of(demo(tmp_path / "a", undeclared))
    assert found == [f"seeds/evidence/car-x.yaml:{line_of(undeclared, 'doi: 10.1234')}:12: studies.0.source.doi: "
                     "10.1234/example.5678 does not occur in the row's article (demo); correct it to what the article "
                     "says, or declare it under source.supplied as {field: doi, value: \"10.1234/example.5678\", "
                     "record: <where it was checked>, checked: YYYY-MM-DD}"]

    project = Project.at(demo(tmp_path / "b"))
    _, context = prepare_briefing(project, BriefingOptions(build_date=dt.date(2026, 12, 1)))
    html = briefing_html(project, context).replace("\u2060", "").replace("\xa0", " ").replace("<wbr>", "")  # the typesetter's joiners and a DOI's breaks
    mark = '<sup class="supplied-mark">‡</sup>'
    assert f"Example Journal，2025-02-28{mark}，doi:10.1234/example.5678{mark}" in html  # the evidence table
    assert f"NCT01234567{mark}" in html
    assert "Example Journal" + mark not in html  # the article names the journal: no mark
    # the references say where each comes from
    assert "‡ 编者依据外部记录补充，非该报道所载：DOI、论文发表日期；记录：the journal's page (a made-up record)（2026-01-10 核对）" in html
    assert "‡ 编者依据外部记录补充，非该报道所载：注册号 NCT01234567；记录：ClinicalTrials.gov (a made-up record)" in html
    assert "‡ 编者依据外部记录补充，非来源文章所载" in html  # the method explains the mark


@pytest.mark.parametrize("declaration, at, message", [
    ("{field: doi, value: 10.1234/example.5678, checked: 2026-01-10}", "{field",
     "studies.0.source.supplied.0: required field 'record' is missing; add it"),
    ("{field: doi, value: 10.1234/example.5678, record: \"PubMed PMID 1\"}", "{field",
     "studies.0.source.supplied.0: required field 'checked' is missing; add it"),
    ("{field: doi, value: 10.1234/example.5678, record: \"PubMed PMID 1\", checked: last week}", "last week",
     "studies.0.source.supplied.0.checked: 'last week' is not a day; write it as YYYY-MM-DD, like 2026-11-16"),
    ("{field: doi, value: 10.1234/example.5679, record: \"PubMed PMID 1\", checked: 2026-01-10}", "10.1234",
     "studies.0.source.supplied.0: declares DOI 10.1234/example.5679 as supplied, but the row gives "
     "10.1234/example.5678: check the new value in a record and update value, record and checked, or remove the "
     "declaration"),
    ("{field: first_author, value: Jane Roe, record: \"PubMed PMID 1\", checked: 2026-01-10}", "Jane Roe",
     "studies.0.source.supplied.0: declares first author Jane Roe as supplied, but the row gives no first "
     "author: remove it"),
])
def test_a_declaration_without_its_record_its_day_or_its_fact_is_an_error_at_its_line(tmp_path, declaration, at,
                                                                                      message):
    evidence = EVIDENCE.replace(DOI_DECLARATION, f"        - {declaration}\n")
    found = problems_of(demo(tmp_path, evidence))
    line = line_of(evidence, declaration)
    column = evidence.split("\n")[line - 1].index(at) + 1
    assert f"seeds/evidence/car-x.yaml:{line}:{column}: {message}" in found, found


def test_declaring_a_fact_the_article_states_is_a_warning(tmp_path):
    declaration = "        - {field: journal, value: Example Journal, record: \"the journal's page\", checked: 2026-01-10}\n"
    evidence = EVIDENCE.replace(DOI_DECLARATION, DOI_DECLARATION + declaration)
    found = problems_of(demo(tmp_path, evidence))
    assert found == [f"warning seeds/evidence/car-x.yaml:{line_of(evidence, 'field: journal')}:11: "
                     "studies.0.source.supplied.1: Example Journal occurs in the row's article (demo); the declaration "
                     "is not needed (it would print ‡ on a fact the article states): remove it"]


def test_a_journal_is_found_by_its_chinese_name_and_not_by_another_journals(tmp_path):
    article = ARTICLE.replace("*Example Journal*", "《柳叶刀》")
    assert problems_of(demo(tmp_path / "a", EVIDENCE.replace("journal: Example Journal", "journal: The Lancet"),
                            article)) == []
    evidence = EVIDENCE.replace("journal: Example Journal", "journal: NEJM\n      journal_zh: 柳叶刀")
    found = problems_of(demo(tmp_path / "b", evidence, article))
    assert (f"seeds/evidence/car-x.yaml:{line_of(evidence, 'journal_zh')}:19: studies.0.source.journal_zh: 柳叶刀 is "
            "the Chinese name of The Lancet, not of NEJM; give the name the article uses for this journal, or "
            "correct the journal") in found


def test_an_index_entry_that_disagrees_with_the_front_matter_is_an_error_at_its_field(tmp_path):
    index = INDEX + "    title: 示例：CAR-Y 细胞疗法二期试验结果公布\n    published: 2025-03-02\n"
    found = problems_of(demo(tmp_path, index=index))
    assert found == [
        f"seeds/articles.yaml:5:12: demo.md: title “示例：CAR-Y 细胞疗法二期试验结果公布” does not agree with the front "
        "matter's title “示例：CAR-X 细胞疗法一期试验结果公布”; remove title: to use the front matter's, or correct the "
        "one that is wrong",
        "seeds/articles.yaml:6:16: demo.md: published 2025-03-02 does not agree with the front matter's date "
        "2025-03-01; remove published: to use the front matter's, or correct it",
    ]
    assert problems_of(demo(tmp_path / "agrees", index=INDEX + "    published: 2025-03\n")) == []


# ---------------------------------------------------------------------------------------------
# QR codes: chosen only for checked ids.


def test_a_qr_code_is_chosen_only_for_a_doi_or_registry_id_that_is_found_or_declared(tmp_path):
    from reports.documents.handout import source_links
    from reports.render.context import References

    content = load_content(Project.at(demo(tmp_path)))
    file = content.tables[0]
    study = file.table.studies[0]
    texts = article_texts(content.articles)
    assert checked_links(study, texts) == ("10.1234/example.5678", ["NCT01234567"])
    # The declarations gone (as in a table read without reports check): no code for either id.
    study.source.supplied.clear()
    assert checked_links(study, texts) == (None, [])
    references = References(content.articles)
    references.number("demo")
    links, _ = source_links(file, content, references, qr_size=40)
    assert [link.url for link in links] == ["https://example.org/news/1"]


# ---------------------------------------------------------------------------------------------
# The forms a date and a DOI are found in.


@pytest.mark.parametrize("date, text, found", [
    ("2025-11-12", "相关论文于2025年11月12日发表在《柳叶刀》杂志上", True),
    ("2025-11-12", "Issue&Volume: 2025-11-12", True),
    ("2025-11-16", "发布时间:2025/11/16 14:13:44", True),
    ("2023-08-21", "enrolled between Aug 21, 2023, and June 16, 2024", True),
    ("2025-02-17", "2025 年 2 月 17 日", True),
    ("2025-02", "2025年2月17日,美國貝勒醫學院", True),
    ("2025-11-12", "2025年11月1日", False),
    ("2025-11-01", "2025年11月12日", False),
    ("2025-11-12", "2025-11-121", False),
    ("2025-02", "2025年12月", False),
    ("2020-07-15", "12020年7月15日", False),
])
def test_a_date_is_found_as_chinese_and_english_texts_write_it(date, text, found):
    assert bool(date_pattern(PartialDate.parse(date)).search(spaced(text))) is found


def test_a_doi_is_not_found_inside_a_longer_one():
    text = spaced("DOI: 10.1016/S0140-6736(25)01671-X\n\nSource: https://www.thelancet.com/")
    assert doi_pattern("10.1016/S0140-6736(25)01671-X").search(text)
    assert not doi_pattern("10.1016/S0140-6736(25)01671").search(text)
    assert not doi_pattern("0.1016/S0140-6736(25)01671-X").search(text)


def test_check_names_the_field_through_the_command_line(tmp_path):
    project, text = seeds_with(tmp_path, "seeds/evidence/car-m.yaml", "registry_ids: [NCT04660929]",
                               "registry_ids: [NCT04660928]")
    result = run_reports("--project", str(project), "check")  # in this process (tests/helpers/cli.py)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = line_of(text, "NCT04660928")
    assert f"seeds/evidence/car-m.yaml:{line}:20: studies.0.registry_ids.0: NCT04660928 does not occur" in result.stderr
    assert f"studies.0.source.supplied.0: declares registry id NCT04660929 as supplied, but the row gives " \
           "NCT04660928" in result.stderr


def test_an_article_date_from_another_record_is_declared_in_the_index_and_printed_with_its_record(tmp_path):
    from reports.documents.briefing import BriefingOptions, briefing_html, prepare_briefing

    article = ARTICLE.replace('date: "2025-03-01"\n', "")
    index = INDEX + "    published: 2025-03-01\n"
    assert problems_of(demo(tmp_path / "a", article=article, index=index)) == [
        "seeds/articles.yaml:5:16: demo.md: published 2025-03-01 does not occur in demo.md (as 2025年3月1日 or "
        "2025-03-01); correct it, or declare it under supplied: with the record it comes from"]

    index += ("    supplied:\n      - {field: published, value: 2025-03-01, record: \"https://example.org/news/1 "
              "(the page's date)\", checked: 2026-01-10}\n")
    project = Project.at(demo(tmp_path / "b", article=article, index=index))
    _, context = prepare_briefing(project, BriefingOptions(build_date=dt.date(2026, 12, 1)))
    html = briefing_html(project, context).replace("\u2060", "").replace("\xa0", " ")
    assert '(2025-03-01<sup class="supplied-mark">‡</sup>)' in html
    assert "非该报道所载：报道发布日期；记录：https://example.org/news/1 (the page's date)（2026-01-10 核对）" in html
