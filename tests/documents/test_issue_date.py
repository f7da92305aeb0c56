"""A document's date of issue (发布日期) never precedes the dates it prints beside it: the evidence
cut-off (证据截至), the tables' curation date (整理日期), the days the editors checked a supplied
fact (‡ … 核对) or read an article (引用日期). Such a date is refused in one line, at the seed that
holds the latest of them, naming the date as the user gave it; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.cli import reports as run_reports
from helpers.projects import ARTICLE, EVIDENCE, INDEX, ROOT, write_project

NEW_YEAR = "1767225600"  # SOURCE_DATE_EPOCH of 2026-01-01 00:00 UTC
ADDED = next(i for i, line in enumerate(EVIDENCE.splitlines(), 1) if "added: 2026-11-21" in line)  # the demo row's


def reports(project: Path, *args: str, env: dict | None = None):
    return run_reports("--project", str(project), *args, env=env)


def refused(result, message: str) -> None:
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [message, "1 problem found; nothing was written."], result.stderr


def nothing_written(project: Path) -> bool:
    """No file in build/ but a weekly's lock (taken before the seeds are read: not an output)."""
    build = project / "build"
    return not build.exists() or not any(path.is_file() and path.suffix != ".lock" for path in build.rglob("*"))


def test_a_date_before_the_tables_curation_is_refused_at_the_row_added_last(project: Path):
    refused(reports(project, "build", "--date", "2026-01-01"),
            f"seeds/evidence/car-x.yaml:{ADDED}:12: --date 2026-01-01 is before the tables' curation date 2026-11-21 "
            "(整理日期: the day row demo-phase-1 was added to its table); give a date on or after it")
    assert nothing_written(project)


def test_a_date_from_source_date_epoch_is_named_so(project: Path):
    refused(reports(project, "handout", "car-x", env={"SOURCE_DATE_EPOCH": NEW_YEAR}),
            f"seeds/evidence/car-x.yaml:{ADDED}:12: the date 2026-01-01 from SOURCE_DATE_EPOCH is before the tables' "
            "curation date 2026-11-21 (整理日期: the day row demo-phase-1 was added to its table); give a date on or "
            "after it")
    assert nothing_written(project)


def test_a_batch_names_the_date_as_given_wherever_its_documents_render(project: Path):
    refused(reports(project, "batch", "--jobs", "1", "--date", "2026-11-20"),
            f"seeds/evidence/car-x.yaml:{ADDED}:12: --date 2026-11-20 is before the tables' curation date 2026-11-21 "
            "(整理日期: the day row demo-phase-1 was added to its table); give a date on or after it")
    assert nothing_written(project)


def test_a_date_before_the_newest_articles_publication_is_refused_at_its_date(tmp_path: Path):
    # The row was added before its article's date (a curator's slip, or an article dated on its
    # update): the later date, the cut-off, is the one a new date must reach.
    project = write_project(tmp_path / "p", {
        "seeds/articles/demo.md": ARTICLE.replace('date: "2025-03-01"', 'date: "2026-11-25"')})
    refused(reports(project, "build", "--date", "2026-11-23"),
            "seeds/articles/demo.md:3:1: --date 2026-11-23 is before the evidence cut-off 2026-11-25 (证据截至: the "
            "publication date of the newest cited article, seeds/articles/demo.md); give a date on or after it")
    assert nothing_written(project)


def test_a_date_before_the_declared_cut_off_is_refused_at_the_setting(tmp_path: Path):
    project = write_project(tmp_path / "p", {"seeds/project.yaml": "title: 示例\nevidence_cutoff: 2026-11-25\n"})
    refused(reports(project, "build", "--date", "2026-11-23"),
            "seeds/project.yaml:2:18: --date 2026-11-23 is before the evidence cut-off 2026-11-25 (证据截至: "
            "evidence_cutoff in seeds/project.yaml); give a date on or after it")
    assert nothing_written(project)


@pytest.mark.render
def test_a_weekly_is_held_to_the_dates_of_the_rows_it_prints(project: Path):
    # 2026-W47's row was revised on 2026-12-05: a weekly of that week printed earlier would carry a
    # curation date after its own date of issue. The revision is located in the table as read.
    write_project(project, {"seeds/evidence/car-x.yaml": EVIDENCE.replace(
        "    added: 2026-11-21\n", "    added: 2026-11-21\n    revisions:\n      - date: 2026-12-05\n"
                                  "        note: 随访更新\n")})
    refused(reports(project, "weekly", "--week", "2026-W47", "--date", "2026-11-30"),
            f"seeds/evidence/car-x.yaml:{ADDED + 2}:15: --date 2026-11-30 is before the tables' curation date "
            "2026-12-05 (整理日期: the day row demo-phase-1 was revised (revision 1)); give a date on or after it")
    assert nothing_written(project)
    built = reports(project, "weekly", "--week", "2026-W47", "--date", "2026-12-05")
    assert built.returncode == 0, built.stderr


def test_a_date_before_the_editors_checked_a_supplied_fact_is_refused_at_the_check(tmp_path: Path):
    project = write_project(tmp_path / "p", {"seeds/evidence/car-x.yaml": EVIDENCE.replace(
        "- {field: doi, value: 10.1234/example.5678, record: \"the journal's page (a made-up record)\", checked: 2026-01-10}",
        "- {field: doi, value: 10.1234/example.5678, record: \"the journal's page (a made-up record)\", checked: 2026-11-25}")})
    checked = next(i for i, line in enumerate(EVIDENCE.splitlines(), 1) if "field: doi" in line)
    refused(reports(project, "build", "--date", "2026-11-23"),
            f"seeds/evidence/car-x.yaml:{checked}:111: --date 2026-11-23 is before 2026-11-25, the day the editors "
            "checked row demo-phase-1's doi in another record (printed with ‡ as 核对); give a date on or after it")


def test_a_date_before_an_article_was_read_is_refused_at_its_access_date(tmp_path: Path):
    project = write_project(tmp_path / "p", {"seeds/articles.yaml": INDEX + "    accessed: 2026-11-25\n"})
    refused(reports(project, "build", "--date", "2026-11-23"),
            "seeds/articles.yaml:5:15: --date 2026-11-23 is before 2026-11-25, the day the editors read "
            "seeds/articles/demo.md (its 引用日期, accessed in seeds/articles.yaml); give a date on or after it")


def test_the_shipped_seeds_are_not_dated_before_their_last_check(tmp_path: Path):
    """Their rows were added on 2026-11-21, and three supplied facts checked on 2026-12-01."""
    refused(reports(ROOT, "build", "--date", "2026-11-30", "-o", str(tmp_path / "briefing.pdf")),
            "seeds/evidence/car-t.yaml:264:20: --date 2026-11-30 is before 2026-12-01, the day the editors checked "
            "row gd2-car-t-neuroblastoma-ltfu's title in another record (printed with ‡ as 核对); give a date "
            "on or after it")
    assert not (tmp_path / "briefing.pdf").exists()
