"""Weekly briefings: what is new in an ISO week, and what changed since the previous briefing.

A week's output is ``build/weekly/YYYY-Www/briefing.pdf`` with ``manifest.json`` beside it. The
manifest records what the briefing contained (inputs with content hashes, rows with their
figures, articles) and its version, a hash of all that; next week's "changes" section is
computed from it, not from the seeds as they are now, so it reports what readers were told.

A week is produced under a lock (one producer per week across processes). Nothing is
re-rendered when the version is unchanged and the PDF is the one the manifest names; the PDF is
written before its manifest, both atomically, so a failure leaves the previous good pair.

The service (``render_weekly``, ``preview_weekly``) only reads build/weekly/: it renders in
memory, so asking for a week never adds a record that later weeks would be compared with.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from filelock import FileLock
from markupsafe import Markup, escape

from reports import __version__
from reports.content.articles import Article, read_articles
from reports.content.load import Content, load_content
from reports.content.model import Landscape, PartialDate, Study, check_timezone
from reports.content.project import Project, input_files, sha256_of
from reports.content.settings import read_settings
from reports.documents.base import Rendered, build_warnings, document_html, inline_css
from reports.documents.dating import IssueDate, check_issue_date
from reports.errors import Location, Problem, Problems, ReportError
from reports.files import remove_leftovers, write_atomically
from reports.names import FIRST_YEAR, LAST_YEAR, WEEK
from reports.render.context import (
    SUPPLIED_MARK,
    ClassView,
    LandscapeView,
    StudyView,
    build_context,
    chinese_date,
    citing_rows,
    fact,
    reference_view,
    row_figures,
    source_label,
)
from reports.render.html import read_stylesheets


@dataclass(frozen=True, order=True)
class IsoWeek:
    """An ISO 8601 week (Monday to Sunday), written 2026-W47."""

    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> "IsoWeek":
        if not WEEK.fullmatch(text.strip()):
            shown = text if len(text) <= 60 else f"{text[:57]}..."
            raise ReportError(f"'{shown}' is not an ISO week; write it as YYYY-Www, like 2026-W47")
        year, _, week = text.strip().partition("-W")
        year, week = int(year), int(week)
        if not FIRST_YEAR <= year <= LAST_YEAR:  # (reports.names: why these years)
            raise ReportError(f"'{text.strip()}' is out of range; a week of the years {FIRST_YEAR} to {LAST_YEAR}, "
                              "like 2026-W47")
        try:
            dt.date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ReportError(f"{year} has no week {week}; ISO years have 52 or 53 weeks") from None
        return cls(year, week)

    @classmethod
    def containing(cls, day: dt.date) -> "IsoWeek":
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @classmethod
    def last_complete(cls, now: dt.datetime, timezone: str) -> "IsoWeek":
        """The latest week that has ended at ``now`` (an aware datetime) in ``timezone``."""
        return cls.last_complete_by(now.astimezone(ZoneInfo(timezone)).date())

    @classmethod
    def last_complete_by(cls, day: dt.date) -> "IsoWeek":
        """The latest week that had ended when ``day`` began: the one before ``day``'s own."""
        return cls.containing(day - dt.timedelta(days=day.isoweekday()))

    @property
    def start(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    @property
    def end(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 7)

    def includes(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> "IsoWeek":
        return IsoWeek.containing(self.start - dt.timedelta(days=7))

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"


@dataclass
class WeeklyOptions:
    week: IsoWeek | None = None  # default: the last week that had ended by build_date
    timezone: str | None = None  # default: the project's settings (Asia/Shanghai)
    force: bool = False  # render even when the week's briefing is up to date
    only_if_missing: bool = False  # the scheduler's mode: leave a week that was produced before alone
    # The one clock: the date printed in it (发布日期), which is also the day its week is reckoned from
    # (the week must have ended before it; by default, the last week that had). Given by the caller:
    # the command line's --date, else SOURCE_DATE_EPOCH, else today in the time zone; the scheduler's
    # clock. ``date_from`` says which, to name the date if it is refused.
    build_date: dt.date = field(kw_only=True)
    date_from: str | None = field(default=None, kw_only=True)

    @property
    def issue(self) -> IssueDate:
        return IssueDate(self.build_date, self.date_from)


Outcome = Literal["built", "up-to-date", "already-produced"]


@dataclass
class WeeklyResult:
    week: IsoWeek
    pdf: Path
    manifest: Path
    outcome: Outcome
    version: str
    pages: int | None = None  # None when nothing was rendered
    warnings: list[Problem] = field(default_factory=list)
    highlights: dict | None = None  # what the week's 本周要点 printed (``highlights_record``), when it was rendered


MANIFEST = "manifest.json"
PDF = "briefing.pdf"
TEMPLATE = "weekly.html"
STYLESHEET = "briefing.css"


def weekly_root(project: Project) -> Path:
    return project.build / "weekly"


def week_folder(project: Project, week: IsoWeek) -> Path:
    return weekly_root(project) / str(week)


def week_lock(project: Project, week: IsoWeek) -> FileLock:
    """Held while a week is produced, by whichever process produces it."""
    folder = weekly_root(project)
    folder.mkdir(parents=True, exist_ok=True)
    return FileLock(folder / f".{week}.lock")


# ---------------------------------------------------------------------------------------------
# What a week contains.


@dataclass
class Revised:
    key: str
    title: str
    date: dt.date
    note: str


@dataclass
class WeekContent:
    week: IsoWeek
    content: Content  # the rows as they stood at the end of the week (none added later)
    new_articles: list[Article]
    new_rows: list[str]  # row keys (class/row id), in briefing order
    revised: list[Revised]


def row_key(class_id: str, row: Study | Landscape) -> str:
    return f"{class_id}/{row.id}"


def rows_of(content: Content) -> list[tuple[str, str, Study | Landscape]]:
    """Every row in briefing order: (class id, class name, row)."""
    rows: list[tuple[str, str, Study | Landscape]] = []
    for file in content.tables:
        info = file.table.therapy_class
        rows += [(info.id, info.name, row) for row in file.table.rows]
    return rows


def as_of(content: Content, day: dt.date) -> Content:
    """The content without the rows added after ``day``; classes left without rows are dropped."""
    tables = []
    for file in content.tables:
        table = file.table
        studies = [study for study in table.studies if study.added <= day]
        landscape = table.landscape if table.landscape and table.landscape.added <= day else None
        if studies or landscape:
            tables.append(replace(file, table=table.model_copy(update={"studies": studies, "landscape": landscape})))
    return replace(content, tables=tables)


def select_week(content: Content, week: IsoWeek) -> WeekContent:
    """Articles published in the week (known to the day), rows added or revised in it."""
    current = as_of(content, week.end)
    new_articles = [
        article for article in content.articles.values()
        if article.published and article.published.day
        and week.includes(dt.date(article.published.year, article.published.month, article.published.day))
    ]
    new_articles.sort(key=lambda a: (a.published.iso(), a.id))
    new_rows, revised = [], []
    for class_id, _, row in rows_of(current):
        key = row_key(class_id, row)
        if week.includes(row.added):
            new_rows.append(key)
        revised += [Revised(key, row.title, r.date, r.note) for r in row.revisions if week.includes(r.date)]
    return WeekContent(week, current, new_articles, new_rows, revised)


# ---------------------------------------------------------------------------------------------
# The manifest: what a weekly briefing contained, and its version.


def manifest_rows(content: Content) -> dict[str, dict]:
    return {
        row_key(class_id, row): {
            "class": class_name, "title": row.title, "added": row.added.isoformat(),
            "revised": row.revisions[-1].date.isoformat() if row.revisions else None,
            "figures": row_figures(row),
        }
        for class_id, class_name, row in rows_of(content)
    }


def manifest_articles(content: Content, ids: list[str], inputs: dict[str, str]) -> dict[str, dict]:
    """The articles included, each with its file's hash (taken from the inputs, not read again)."""
    articles = {}
    for article_id in ids:
        article = content.articles[article_id]
        articles[article_id] = {"title": article.title, "published": article.published.iso() if article.published else None,
                                "file": article.path, "sha256": inputs[article.path]}
    return articles


def version_of(manifest: dict) -> str:
    """The hash of what the briefing contains and how it was made (not when): its version."""
    contents = {key: manifest[key] for key in ("week", "timezone", "tool_version", "previous", "inputs",
                                               "rows", "articles")}
    canonical = json.dumps(contents, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def read_manifest(path: Path, project: Project) -> dict:
    where = Location(path.relative_to(project.root).as_posix())
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ReportError(Problem(where, f"not a readable weekly manifest ({error}); rebuild that week with "
                                         "reports weekly --week ... --force, or delete its folder")) from None
    missing = [key for key in ("week", "version", "rows", "articles") if key not in manifest]
    if missing:
        raise ReportError(Problem(where, f"weekly manifest lacks {', '.join(missing)}; "
                                         "rebuild that week with reports weekly --week ... --force"))
    return manifest


def previous_manifest(project: Project, week: IsoWeek) -> tuple[Path, dict] | None:
    """The manifest of the latest weekly briefing produced for a week before ``week``."""
    earlier = []
    for path in weekly_root(project).glob(f"*/{MANIFEST}"):
        try:
            other = IsoWeek.parse(path.parent.name)
        except ReportError:
            continue  # not a week's folder
        if other < week:
            earlier.append((other, path))
    if not earlier:
        return None
    path = max(earlier)[1]
    return path, read_manifest(path, project)


# ---------------------------------------------------------------------------------------------
# Changes since the previous briefing.


@dataclass
class FigureChange:
    label: str
    before: str | None  # None: the figure is new
    after: str | None  # None: the figure was removed


@dataclass
class RowChange:
    key: str
    class_name: str
    title: str
    kind: Literal["added", "removed", "changed"]
    figures: list[FigureChange] = field(default_factory=list)


@dataclass
class Changes:
    previous_week: str | None
    previous_version: str | None
    rows: list[RowChange]
    articles_added: list[str]  # titles

    @property
    def empty(self) -> bool:
        return not self.rows and not self.articles_added


def compare(previous: dict | None, rows: dict[str, dict], articles: dict[str, dict]) -> Changes:
    if previous is None:
        return Changes(None, None, [], [])
    before_rows = previous["rows"]
    changes = [RowChange(key, row["class"], row["title"], "added") for key, row in rows.items() if key not in before_rows]
    for key, row in before_rows.items():
        if key not in rows:
            changes.append(RowChange(key, row["class"], row["title"], "removed"))
            continue
        old, new = row["figures"], rows[key]["figures"]
        figures = [FigureChange(label, old.get(label), text) for label, text in new.items() if old.get(label) != text]
        figures += [FigureChange(label, text, None) for label, text in old.items() if label not in new]
        if figures:
            changes.append(RowChange(key, rows[key]["class"], rows[key]["title"], "changed", figures))
    articles_added = [a["title"] for key, a in articles.items() if key not in previous["articles"]]
    return Changes(previous["week"], previous["version"], changes, articles_added)


# ---------------------------------------------------------------------------------------------
# The template context.


Appeared = Literal["this-week", "earlier", "unknown"]


@dataclass
class Dating:
    """When a row's evidence was published and where, and when it entered the tables: every item of
    the weekly says so, so that a study added this week is never taken for one published this week."""

    paper: Markup | None  # the journal paper the row reports: journal, date (‡ where the editors supplied one)
    reports: list[Markup]  # the articles its excerpts quote: outlet, date (‡ likewise)
    published: PartialDate | None  # when the evidence appeared: the paper's date, else its earliest dated article's
    by_paper: bool  # ``published`` is the paper's own date (else a report's: the paper may be older)
    added: dt.date  # the row's added: date, the day it entered the tables
    revised: list[dt.date]  # its revisions' dates

    def appeared(self, week: IsoWeek) -> Appeared:
        """Published in ``week`` (known to the day), before it began, or not known to be either."""
        date = self.published
        if date is None:
            return "unknown"
        if date.day:
            day = dt.date(date.year, date.month, date.day)
            return "this-week" if week.includes(day) else "earlier" if day < week.start else "unknown"
        # Known to the month or the year: earlier only if the whole month (or year) is.
        last = dt.date(date.year, 12, 31) if not date.month else \
            dt.date(date.year + date.month // 12, date.month % 12 + 1, 1) - dt.timedelta(days=1)
        return "earlier" if last < week.start else "unknown"

    def when(self, week: IsoWeek) -> str:
        """The publication, in the words of an item's heading: 本周发表, 2020年发表, 2025年报道 (only a
        report's date is known), 发表日期未标注."""
        appeared, date = self.appeared(week), self.published
        if date is None:
            return "发表日期未标注"
        verb = "发表" if self.by_paper else "报道"
        if appeared == "this-week":
            return f"本周{verb}"
        return f"{date.year}年{verb}" if appeared == "earlier" else f"{date.chinese()}{verb}"

    def line(self) -> Markup:
        """The item's dates in one line: 论文 … ｜报道 … ｜收入证据表 … ｜更新 …"""
        parts = [Markup("论文：") + self.paper] if self.paper else []
        parts.append(Markup("报道：" if self.paper else "来源文章：") + Markup("；").join(self.reports))
        parts.append(Markup("收入证据表：") + self.added.isoformat())
        if self.revised:
            parts.append(Markup("更新：") + "、".join(day.isoformat() for day in self.revised))
        return Markup("｜").join(parts)


def _dated_article(article: Article) -> Markup:
    """An article as an item's dating names it: outlet, date (‡ when the editors supplied the date)."""
    outlet = Markup('<span lang="{}">{}</span>').format(article.lang, article.outlet)  # 觀察者網 stays zh-Hant
    if article.published is None:
        return outlet + "，日期未标注"
    supplied = any(entry.field == "published" for entry in article.supplied)
    return outlet + f"，{article.published.iso()}" + (SUPPLIED_MARK if supplied else Markup(""))


def row_dating(row: Study | Landscape, content: Content) -> Dating:
    """A row's dates, from its source (the paper) and the articles its excerpts quote, and its own."""
    articles = [content.articles[a] for a in dict.fromkeys(excerpt.article for excerpt in row.excerpts)]
    source = row.source
    paper = None
    if source is not None:
        paper = fact(source, "journal", source.journal) + "，" + (
            fact(source, "published", source.published.iso()) if source.published else Markup("日期未报道"))
    by_paper = source is not None and source.published is not None
    dated = [a.published for a in articles if a.published]
    published = source.published if by_paper else min(dated, key=lambda d: (d.year, d.month or 1, d.day or 1),
                                                        default=None)
    return Dating(paper, [_dated_article(a) for a in articles], published, by_paper, row.added,
                  [revision.date for revision in row.revisions])


@dataclass
class Highlight:
    kind: str  # 新收录·本周发表, 新收录·2020年发表, 新收录·2025年报道, 证据更新, 数据变更, 移除条目, 新文章
    title: str
    line: str  # Markup where it carries † marks
    anchor: str  # the full row in the standing summary, or the article's entry
    references: list[int]
    lang: str = "zh-Hans"  # of the title and the line: an article's own title keeps its script
    dating: Markup | None = None  # a row's publication, its entry into the tables, its updates


@dataclass
class HighlightGroup:
    """Highlights of one kind under a heading of their own, numbered on from the group before."""

    heading: str
    start: int
    items: list[Highlight]


@dataclass
class RowNews:
    key: str
    anchor: str
    class_name: str
    view: StudyView | LandscapeView
    is_landscape: bool
    revisions: list[Revised]
    dating: Dating
    appeared: Appeared  # when its evidence was published, relative to the week
    when: str  # the same in words: 本周发表, 2020年发表, 2025年报道, 发表日期未标注


def _anchor(view: StudyView | LandscapeView) -> str:
    return f"study-{view.id}" if isinstance(view, StudyView) else view.id


def _row_views(classes: list[ClassView]) -> dict[str, tuple[ClassView, StudyView | LandscapeView]]:
    views: dict[str, tuple[ClassView, StudyView | LandscapeView]] = {}
    for view in classes:
        for study in view.studies:
            views[f"{view.id}/{study.id}"] = (view, study)
        if view.landscape:
            views[f"{view.id}/{view.landscape.id}"] = (view, view.landscape)
    return views


def _key_result(view: StudyView | LandscapeView) -> Markup:
    """A row's main result, as the briefing's summary gives it: a study's headline outcome, or a
    landscape's summary (with its † marks)."""
    return escape(view.headline) if isinstance(view, StudyView) else escape(view.summary)


# The groups of highlights, in order: what was published this week apart from what only entered the
# tables this week, and both apart from updates and from the week's new source articles.
GROUPS = {"this-week": "本周发表或报道的证据", "earlier": "本周收录、此前已发表或报道的证据",
          "unknown": "本周收录、发表日期未标注的证据", "updates": "证据更新与变更", "articles": "本周发布的来源文章"}


def highlights(news: list[RowNews], changes: Changes, articles: list[tuple[Article, int, list[str]]],
               datings: dict[str, Dating]) -> list[HighlightGroup]:
    """Numbered highlights in groups, most important first: rows published this week, rows added this
    week but published earlier (or undated), updates and changed figures, new articles."""
    groups: dict[str, list[Highlight]] = {name: [] for name in GROUPS}
    for row in news:
        if not row.revisions:
            groups[row.appeared].append(Highlight(
                f"新收录·{row.when}", row.view.title, escape(f"{row.class_name}｜") + _key_result(row.view),
                row.anchor, row.view.references, dating=row.dating.line()))
    for row in news:
        if row.revisions:
            notes = "；".join(r.note for r in row.revisions)
            groups["updates"].append(Highlight("证据更新", row.view.title, f"{row.class_name}｜{notes}", row.anchor,
                                               row.view.references, dating=row.dating.line()))
    shown = {row.key for row in news}
    for change in changes.rows:
        dating = datings[change.key].line() if change.key in datings else None
        if change.kind == "removed":
            groups["updates"].append(Highlight("移除条目", change.title,
                                               f"{change.class_name}｜本期证据表中已不再收录该条目", "#changes", []))
        if change.kind != "changed" or change.key in shown:
            continue
        first = change.figures[0]
        groups["updates"].append(Highlight(
            "数据变更", change.title, f"{change.class_name}｜{first.label}：{first.before or '无'} → "
            f"{first.after or '已删除'}（与上期周报相比）", "#changes", [], dating=dating))
    for article, number, rows in articles:
        # Named by its outlet and the studies it reports, never by its headline (which may promote).
        line = f"报道：{'；'.join(rows)}" if rows else "本表尚无证据条目引用此文"
        groups["articles"].append(Highlight("新文章", source_label(article), line, f"#article-{article.id}", [number]))
    numbered, start = [], 1
    for name, items in groups.items():
        if items:
            numbered.append(HighlightGroup(GROUPS[name], start, items))
            start += len(items)
    return numbered


# Time zones as a reader names them (the weekly never prints an IANA id for readers).
TIMEZONE_NAMES = {"Asia/Shanghai": "北京时间", "Asia/Hong_Kong": "香港时间", "Asia/Taipei": "台北时间",
                  "Asia/Macau": "澳门时间", "Asia/Singapore": "新加坡时间", "UTC": "协调世界时"}


def weekly_context(selected: WeekContent, changes: Changes, version: str, timezone: str,
                   build_date: dt.date) -> dict:
    content = selected.content
    context = build_context(content, build_date)
    references = list(context["references"])
    numbers = {ref.article_id: ref.number for ref in references}
    for article in selected.new_articles:
        if article.id not in numbers:
            numbers[article.id] = len(references) + 1
            references.append(reference_view(numbers[article.id], article, content))
    views = _row_views(context["classes"])
    week = selected.week
    datings = {row_key(class_id, row): row_dating(row, content) for class_id, _, row in rows_of(content)}
    news = []
    # A row added and revised in the same week is new: its revisions are part of its first version.
    revised_only = dict.fromkeys(r.key for r in selected.revised if r.key not in selected.new_rows)
    for key in [*selected.new_rows, *revised_only]:
        class_view, view = views[key]
        revisions = [r for r in selected.revised if r.key == key] if key in revised_only else []
        dating = datings[key]
        news.append(RowNews(key, f"#{_anchor(view)}", class_view.name, view, isinstance(view, LandscapeView),
                            revisions, dating, dating.appeared(week), dating.when(week)))
    # Published this week first, then added this week but published earlier, then undated; updates last.
    order = {"this-week": 0, "earlier": 1, "unknown": 2}
    news.sort(key=lambda row: (bool(row.revisions), order[row.appeared]))
    articles = [(article, numbers[article.id], citing_rows(content, article.id)) for article in selected.new_articles]
    settings = content.settings
    return {
        **context,
        "title": settings.weekly_title,
        "week": str(week),
        "week_start_text": chinese_date(week.start),
        "week_end_text": chinese_date(week.end),
        "timezone": timezone,
        "timezone_text": TIMEZONE_NAMES.get(timezone, f"{timezone} 时区的"),
        "version": version,
        "tool_version": context["version"],
        "highlights": highlights(news, changes, articles, datings),
        "news": news,
        "new_articles": [
            {"article": article, "number": number, "source": source_label(article), "rows": rows,
             "date": article.published.chinese() if article.published else "",
             "original": references[number - 1].original}
            for article, number, rows in articles
        ],
        "changes": changes,
        "references": references,
        "scope": context["scope"] or "无",
        "keywords": context["keywords"] + ", 周报",
    }


# ---------------------------------------------------------------------------------------------
# Producing a week.


def weekly_timezone(name: str) -> str:
    try:
        return check_timezone(name)
    except ValueError as error:
        raise ReportError(f"--tz: {error}") from None


def check_week_has_ended(week: IsoWeek, issue: IssueDate, timezone: str) -> None:
    """A weekly briefing is dated after the week it covers: the same date says which weeks have ended."""
    if week.end >= issue.day:
        raise ReportError(
            f"{week} has not ended by {issue} (it ends on Sunday {week.end} in {timezone}); a weekly briefing "
            f"covers a complete week, so it is dated from the Monday after, {week.end + dt.timedelta(days=1)}"
        )


def cited_articles(selected: WeekContent) -> list[str]:
    """The articles the briefing names: the rows' sources, then the week's new articles."""
    ids = [excerpt.article for _, _, row in rows_of(selected.content) for excerpt in row.excerpts]
    return list(dict.fromkeys([*ids, *(article.id for article in selected.new_articles)]))


def plan_manifest(project: Project, selected: WeekContent, timezone: str, previous: dict | None) -> dict:
    """The manifest without the build's own facts (date, PDF), its version included."""
    inputs = input_files(project)
    manifest = {
        "week": str(selected.week),
        "week_start": selected.week.start.isoformat(),
        "week_end": selected.week.end.isoformat(),
        "timezone": timezone,
        "tool_version": __version__,
        "previous": {"week": previous["week"], "version": previous["version"]} if previous else None,
        "inputs": inputs,
        "rows": manifest_rows(selected.content),
        "articles": manifest_articles(selected.content, cited_articles(selected), inputs),
    }
    return {"version": version_of(manifest), **manifest}


def is_up_to_date(folder: Path, version: str) -> bool:
    """The week's PDF is there, unaltered, and was made from exactly these inputs."""
    manifest_path, pdf_path = folder / MANIFEST, folder / PDF
    if not (manifest_path.is_file() and pdf_path.is_file()):
        return False
    try:
        made = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return made.get("version") == version and made.get("pdf", {}).get("sha256") == sha256_of(pdf_path)


def project_timezone(project: Project, timezone: str | None = None) -> str:
    """The weeks' time zone: ``timezone`` (--tz) if given, else the project's settings', checked."""
    if timezone is None:
        problems = Problems(project.root)
        settings = read_settings(project.seeds, problems)
        problems.raise_if_any()
        timezone = settings.timezone
    return weekly_timezone(timezone)


def resolve_week(project: Project, week: IsoWeek | None, timezone: str | None, issue: IssueDate) -> tuple[IsoWeek, str]:
    """The week asked for (default: the last that had ended by the issue date) and the time zone
    (default: the project's); the week must have ended before the date the briefing is issued on."""
    timezone = project_timezone(project, timezone)
    week = week or IsoWeek.last_complete_by(issue.day)
    check_week_has_ended(week, issue, timezone)
    return week, timezone


@dataclass
class WeekPlan:
    """What a week's briefing will contain and its manifest (without the build's own facts)."""

    project: Project
    content: Content
    selected: WeekContent
    previous: dict | None
    manifest: dict
    timezone: str

    def context(self, issue: IssueDate) -> dict:
        # The dates it prints beside its date of issue (the evidence cut-off, the curation) are the week's.
        check_issue_date(self.selected.content, issue, whole=self.content)
        changes = compare(self.previous, self.manifest["rows"], self.manifest["articles"])
        return weekly_context(self.selected, changes, self.manifest["version"], self.timezone, issue.day)

    def html(self, issue: IssueDate, inline_css: str | None = None, context: dict | None = None) -> str:
        return document_html(self.project, context or self.context(issue), TEMPLATE, inline_css)


def highlights_record(context: dict) -> dict:
    """What the week's 本周要点 printed, as the manifest keeps it for delivery (reports deliver): the
    same verified strings the template was given, as text and as the HTML it printed (escaped, with
    its lang spans and its † and ‡ marks), so that a message sent later says exactly what the PDF says,
    whatever the seeds have become since."""

    def html(value) -> str:
        return str(escape(value))

    def text(value) -> str:
        return Markup(escape(value)).striptags()

    groups = [{
        "heading": group.heading, "start": group.start,
        "items": [{"kind": item.kind, "title": item.title, "lang": item.lang,
                   "line": text(item.line), "line_html": html(item.line),
                   "dating": text(item.dating) if item.dating else None,
                   "dating_html": html(item.dating) if item.dating else None,
                   "references": list(item.references)} for item in group.items],
    } for group in context["highlights"]]
    own = any("own-mark" in item["line_html"] for group in groups for item in group["items"])
    return {"title": context["title"], "week": context["week"], "organisation": context["organisation"],
            "week_start": context["week_start_text"], "week_end": context["week_end_text"],
            "build_date": context["build_date_text"], "previous_week": context["changes"].previous_week,
            "own_marks": own, "groups": groups}


def plan_week(project: Project, week: IsoWeek, timezone: str) -> WeekPlan:
    content = load_content(project)
    selected = select_week(content, week)
    found = previous_manifest(project, week)
    previous = found[1] if found else None
    return WeekPlan(project, content, selected, previous, plan_manifest(project, selected, timezone, previous), timezone)


def build_weekly(project_dir: Path | str, options: WeeklyOptions) -> WeeklyResult:
    project = Project.at(project_dir)
    week, timezone = resolve_week(project, options.week, options.timezone, options.issue)
    folder = week_folder(project, week)
    pdf_path, manifest_path = folder / PDF, folder / MANIFEST

    with week_lock(project, week):
        # What a killed build left beside the week's files goes first, even when nothing is rendered now.
        remove_leftovers(pdf_path, manifest_path)
        if options.only_if_missing and manifest_path.is_file():
            made = read_manifest(manifest_path, project)
            return WeeklyResult(week, pdf_path, manifest_path, "already-produced", made["version"])
        plan = plan_week(project, week, timezone)
        manifest = plan.manifest
        if not options.force and is_up_to_date(folder, manifest["version"]):
            return WeeklyResult(week, pdf_path, manifest_path, "up-to-date", manifest["version"])

        # WeasyPrint (about half a second to load) only once the seeds are read and the week is due.
        from reports.render.pdf import ProjectURLFetcher, render_pdf

        stylesheets = read_stylesheets(project.style_dirs, STYLESHEET)
        fetcher = ProjectURLFetcher(project.readable_roots)
        context = plan.context(options.issue)
        document = render_pdf(plan.html(options.issue, context=context), project.template_dirs[0], stylesheets,
                              fetcher)
        pdf_bytes = document.write_pdf()
        # Kept beside what the week contained (not part of its version): delivery sends these words.
        highlights = manifest["highlights"] = highlights_record(context)
        manifest["build_date"] = options.build_date.isoformat()
        manifest["pdf"] = {"file": PDF, "sha256": hashlib.sha256(pdf_bytes).hexdigest(), "bytes": len(pdf_bytes),
                           "pages": len(document.pages)}
        try:
            # The PDF first: a manifest never names a PDF that is not there.
            write_atomically(pdf_path, pdf_bytes)
            write_atomically(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        except OSError as error:
            raise ReportError(f"{error.filename or folder}: cannot write the weekly briefing: {error.strerror}") from None
    return WeeklyResult(week, pdf_path, manifest_path, "built", manifest["version"], len(document.pages),
                        build_warnings(plan.content, fetcher), highlights)


def render_weekly(project_dir: Path | str, week: IsoWeek, issue: IssueDate) -> Rendered:
    """The week's briefing in memory, for the service; writes nothing, not even a lock.

    A week that ``reports weekly`` (or the scheduler) has produced and that is still up to date
    is the PDF recorded in build/weekly/: what its readers were sent. Any other week is rendered
    here, compared with the latest earlier manifest exactly as ``reports weekly`` would, and
    dated ``issue`` (which it must have ended before); it is not recorded, so it is never next
    week's "previous briefing".
    """
    project = Project.at(project_dir)
    week, timezone = resolve_week(project, week, None, issue)
    plan = plan_week(project, week, timezone)
    recorded = recorded_pdf(project, week, plan.manifest["version"])
    if recorded is not None:
        return Rendered(*recorded, build_warnings(plan.content))
    from reports.render.pdf import ProjectURLFetcher, render_pdf  # WeasyPrint: only for a render

    stylesheets = read_stylesheets(project.style_dirs, STYLESHEET)
    fetcher = ProjectURLFetcher(project.readable_roots)
    document = render_pdf(plan.html(issue), project.template_dirs[0], stylesheets, fetcher)
    return Rendered(document.write_pdf(), len(document.pages), build_warnings(plan.content, fetcher))


def recorded_pdf(project: Project, week: IsoWeek, version: str) -> tuple[bytes, int] | None:
    """The week's recorded PDF and its page count, when it was made from exactly these inputs."""
    folder = week_folder(project, week)
    try:
        made = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        pdf = (folder / PDF).read_bytes()
    except (OSError, ValueError):
        return None
    facts = made.get("pdf") if isinstance(made, dict) else None
    # The bytes are checked as read: a PDF replaced after its manifest was read is not taken for it.
    if (not isinstance(facts, dict) or made.get("version") != version
            or facts.get("sha256") != hashlib.sha256(pdf).hexdigest()):
        return None
    return pdf, facts.get("pages", 0)


def first_week(project_dir: Path | str) -> IsoWeek | None:
    """The week of the earliest dated article: no earlier week has news. None when none is dated.

    A date known only to the month (or year) counts from its first day.
    """
    project = Project.at(project_dir)
    problems = Problems(project.root)
    articles = read_articles(project.seeds, problems)
    problems.raise_if_any()
    days = [dt.date(a.published.year, a.published.month or 1, a.published.day or 1)
            for a in articles.values() if a.published]
    return IsoWeek.containing(min(days)) if days else None


def preview_weekly(project_dir: Path | str, week: IsoWeek, today: IssueDate, build_date: dt.date | None = None) -> str:
    """The week's briefing as HTML with its styles inline, for a browser; writes nothing.

    The week must have ended by ``today`` (the caller's: a worker elsewhere renders the same). Dated
    ``build_date``; without one, the date printed in the week's PDF when ``reports weekly`` made it
    and it is current, else ``today``.
    """
    project = Project.at(project_dir)
    week, timezone = resolve_week(project, week, None, today)
    plan = plan_week(project, week, timezone)
    folder = week_folder(project, week)
    issue = IssueDate(build_date, today.origin) if build_date else today
    if build_date is None and is_up_to_date(folder, plan.manifest["version"]):
        # The week's PDF is made already: show the date printed in it.
        made = read_manifest(folder / MANIFEST, project)
        issue = IssueDate(dt.date.fromisoformat(made["build_date"]), f"printed in {week}'s briefing.pdf")
    css = inline_css(read_stylesheets(project.style_dirs, STYLESHEET))
    return plan.html(issue, css)
