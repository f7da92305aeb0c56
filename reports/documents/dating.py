"""The date of issue against the dates a document prints beside it.

Every document prints its date of issue (发布日期) with dates about its evidence: the evidence
cut-off (证据截至), the tables' curation date (整理日期), and in its references the days the
editors checked a supplied fact (‡ … 核对) or read an article (引用日期). A document dated before
any of them would say it was issued before its own evidence, so it is refused once the seeds are
read and before anything is rendered: one problem, at the seed that holds the latest such date
(the date to give instead), naming the date of issue as the user gave it (``IssueDate``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from reports.errors import Location, Problem, Problems, ReportError

if TYPE_CHECKING:
    from reports.content.evidence import EvidenceFile
    from reports.content.load import Content
    from reports.content.model import Landscape, Study


@dataclass(frozen=True)
class IssueDate:
    """The date a document is issued on (its 发布日期), and where the caller took it from: a message
    about the date names it as the user gave it."""

    day: dt.date
    origin: str | None = None  # "--date", "SOURCE_DATE_EPOCH", "today", or another origin in words

    def __str__(self) -> str:
        day = self.day.isoformat()
        if self.origin == "--date":
            return f"--date {day}"
        if self.origin == "SOURCE_DATE_EPOCH":
            return f"the date {day} from SOURCE_DATE_EPOCH"
        if self.origin == "today":
            return f"today's date {day}"
        return f"the issue date {day}" + (f" ({self.origin})" if self.origin else "")


@dataclass(frozen=True)
class Later:
    """A date the document prints that its date of issue may not precede: what it is, and where."""

    day: dt.date
    what: str  # "the evidence cut-off 2025-11-16 (证据截至: ...)"
    where: Callable[[], Location]  # found only for the date a refusal names: it may read a YAML file again


def check_issue_date(content: Content, issue: IssueDate, whole: Content | None = None) -> None:
    """Refuse ``issue`` if it precedes a date ``content`` prints beside it (see the module's doc).

    ``whole`` is the content as read, when ``content`` is a selection of its rows (a weekly's
    week): the rows are located in it.
    """
    later = [date for date in printed_dates(content, whole or content) if issue.day < date.day]
    if later:
        latest = max(later, key=lambda date: date.day)
        raise ReportError(Problem(latest.where(), f"{issue} is before {latest.what}; give a date on or after it"))


def printed_dates(content: Content, whole: Content) -> list[Later]:
    """The dates about its evidence that a document made from ``content`` prints."""
    from reports.render.context import evidence_cutoff, last_curated, newest_cited_article

    dates = []
    cutoff = evidence_cutoff(content)
    if cutoff is not None:
        if content.settings.evidence_cutoff:
            where, why = partial(_settings_place, content), "evidence_cutoff in seeds/project.yaml"
        else:
            article = newest_cited_article(content)
            place = article.published_at or Location(article.path)
            where = lambda: place
            why = f"the publication date of the newest cited article, {article.path}"
        # Known to the month (or year) only: it is before the date of issue once that period began.
        first_day = dt.date(cutoff.year, cutoff.month or 1, cutoff.day or 1)
        dates.append(Later(first_day, f"the evidence cut-off {cutoff.iso()} (证据截至: {why})", where))
    last = last_curated(content)
    if last is not None:
        day, file, row, revision = last
        done = "added to its table" if revision is None else f"revised (revision {revision + 1})"
        key = ("added",) if revision is None else ("revisions", revision, "date")
        dates.append(Later(day, f"the tables' curation date {day.isoformat()} (整理日期: the day row {row.id} was "
                                f"{done})", partial(_row_place, whole, file, row, key)))
    for file in content.tables:
        for row in file.table.rows:
            for number, fact in enumerate(row.source.supplied if row.source else []):
                dates.append(Later(fact.checked, f"{fact.checked.isoformat()}, the day the editors checked row "
                                                 f"{row.id}'s {fact.field} in another record (printed with ‡ as 核对)",
                                   partial(_row_place, whole, file, row, ("source", "supplied", number, "checked"))))
    cited = {excerpt.article for file in content.tables for row in file.table.rows for excerpt in row.excerpts}
    for article in (content.articles[a] for a in sorted(cited) if a in content.articles):
        if article.accessed:
            dates.append(Later(article.accessed, f"{article.accessed.isoformat()}, the day the editors read "
                                                 f"{article.path} (its 引用日期, accessed in seeds/articles.yaml)",
                               partial(_index_place, content, article.path, ("accessed",))))
        for number, fact in enumerate(article.supplied):
            dates.append(Later(fact.checked, f"{fact.checked.isoformat()}, the day the editors checked the {fact.field} "
                                             f"of {article.path} in another record (printed with ‡ as 核对)",
                               partial(_index_place, content, article.path, ("supplied", number, "checked"))))
    return dates


def _settings_place(content: Content) -> Location:
    from reports.content.settings import SETTINGS_FILE

    return _yaml_place(content, content.project.seeds / SETTINGS_FILE, lambda data: ("evidence_cutoff",))


def _index_place(content: Content, article_path: str, key: tuple) -> Location:
    """Where an article's entry in seeds/articles.yaml holds ``key``."""
    name = article_path.rsplit("/", 1)[-1]

    def entry_key(data) -> tuple:
        entries = data.get("articles", []) if isinstance(data, dict) else []
        number = next((i for i, entry in enumerate(entries) if isinstance(entry, dict) and entry.get("file") == name), 0)
        return ("articles", number, *key)

    return _yaml_place(content, content.project.seeds / "articles.yaml", entry_key)


def _yaml_place(content: Content, path, key_of) -> Location:
    """Where a YAML file holds the value at ``key_of(data)``: read again, as the message is the rare case."""
    from reports.content.sources import load_yaml

    problems = Problems(content.project.root)
    loaded = load_yaml(path, problems)
    if loaded is None:
        return Location(problems.relative(path))
    data, positions = loaded
    return Location(problems.relative(path), *positions.of(key_of(data)))


def _row_place(whole: Content, file: EvidenceFile, row: Study | Landscape, key: tuple) -> Location:
    """Where a row's value at ``key`` (under the row) is written in its table, as read."""
    from reports.content.model import Landscape

    table = next((each for each in whole.tables if each.path == file.path), file)
    if isinstance(row, Landscape):
        where: tuple = ("landscape",)
    else:
        where = ("studies", next((i for i, study in enumerate(table.table.studies) if study.id == row.id), 0))
    return Location(file.path.relative_to(whole.project.root).as_posix(), *table.positions.of(where + key))
