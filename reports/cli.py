"""The command line: thin click commands that parse options, call the library, report its errors."""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import re
import sys
import unicodedata
from contextlib import contextmanager
from pathlib import Path

import click

from reports.errors import Problem, ReportError
from reports.files import write_atomically
from reports.names import ENGINES, FIRST_YEAR, LAST_YEAR, PAPERS, SCRIPTS, Paper, Script


def _print_warnings(warnings: list[Problem]) -> None:
    for warning in warnings:
        click.echo(f"{warning.location}: warning: {warning.message}", err=True)


# Progress is for a person watching a terminal: on stderr, and only when stderr is a terminal, so a
# pipe, a log file, cron's mail and a test's capture get the same output as before.


def _on_terminal() -> bool:
    return sys.stderr.isatty()


def _batch_progress(done: int, total: int, name: str) -> None:
    click.echo(f"[{done}/{total}] {name}", err=True)


class _LayoutProgress(logging.Handler):
    """A build's progress as one status line, rewritten in place: WeasyPrint's page being laid out
    (from its documented ``weasyprint.progress`` logger), then the PDF being written."""

    STAGES = {"Step 1": "laying out", "Step 6": "writing the PDF", "Step 7": "writing the PDF"}

    def __init__(self):
        super().__init__(logging.INFO)
        self.shown = ""
        self.round = 1  # WeasyPrint lays the pages out again while page numbers (the contents' page references) settle

    def show(self, text: str) -> None:
        if text != self.shown:
            sys.stderr.write(f"\r\x1b[K{text}")  # back to the line's start, erase it, write
            sys.stderr.flush()
            self.shown = text

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = ""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Step 5 - Creating layout - Page "):
            again = f" (round {self.round})" if self.round > 1 else ""
            self.show(f"laying out page {message.split()[7]}{again}")
        elif message.startswith("Step 5 - Creating layout - Repagination #"):
            self.round = int(message.rpartition("#")[2]) + 1
        elif message[:6] in self.STAGES:
            self.show(self.STAGES[message[:6]])


@contextmanager
def _build_progress():
    """On a terminal, the build's stage on stderr while it runs; the line is erased when it ends."""
    if not _on_terminal():
        yield
        return
    line = _LayoutProgress()
    logger = logging.getLogger("weasyprint.progress")  # no import of WeasyPrint: a name only
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(line)
    line.show("reading and verifying seeds/")
    try:
        yield
    finally:
        logger.removeHandler(line)
        logger.setLevel(level)
        line.clear()


# ---------------------------------------------------------------------------------------------
# The options' values, checked before any work: an impossible one is a one-line usage error that
# names the option (exit status 2), never a traceback nor a render that fails at its end.


def _shown(value: str) -> str:
    """A value as a message quotes it: a very long one cut."""
    return repr(value if len(value) <= 60 else f"{value[:57]}...")


NAME_MAX, PATH_MAX = 255, 4095  # bytes: the longest file name and path Linux takes


class PathParam(click.Path):
    """``click.Path`` that also refuses what no file system takes: an empty path, a NUL character,
    a name longer than NAME_MAX or a path longer than PATH_MAX; and for a path to be written
    (``written``), a file where one of the folders above it should be."""

    def __init__(self, *, written: bool = False, **kwargs):
        super().__init__(path_type=Path, **kwargs)
        self.written = written

    def convert(self, value, param, ctx):
        if isinstance(value, str):
            problem = _path_problem(value, self.written)
            if problem:
                self.fail(problem, param, ctx)
        return super().convert(value, param, ctx)


def _path_problem(text: str, written: bool) -> str | None:
    if not text:
        return "the path is empty; give a file or folder name"
    if "\x00" in text:
        return f"{_shown(text)} holds a NUL character, which no path can"
    encoded = os.fsencode(text)
    if len(encoded) > PATH_MAX or any(len(name) > NAME_MAX for name in encoded.split(b"/")):
        return f"{_shown(text)} is too long for a path (at most {NAME_MAX} bytes a name, {PATH_MAX} in all)"
    if written:
        for above in Path(text).absolute().parents:
            try:
                if above.is_dir():
                    return None
                if above.exists():
                    return f"{above} is a file, so {text} cannot be written inside it; choose another path"
            except OSError as error:
                return f"{above}: {error.strerror}"
    return None


class DateParam(click.ParamType):
    """A day written YYYY-MM-DD, of the years a week can be named in (reports.names)."""

    name = "date"

    def get_metavar(self, param, ctx=None) -> str:
        return "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            self.fail(f"{_shown(value)} is not a date; write it as YYYY-MM-DD, like 2026-11-30", param, ctx)
        try:
            day = dt.date.fromisoformat(value)
        except ValueError as error:
            self.fail(f"{value} is not a day of the calendar ({error}); write it as YYYY-MM-DD", param, ctx)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            self.fail(f"{value} is out of range; give a date of the years {FIRST_YEAR} to {LAST_YEAR}", param, ctx)
        return day


class Seconds(click.FloatRange):
    """``click.FloatRange`` that refuses nan, which no comparison with the range's ends rules out."""

    def convert(self, value, param, ctx):
        seconds = super().convert(value, param, ctx)
        if math.isnan(seconds):
            self.fail(f"{_shown(str(value))} is not a number of seconds", param, ctx)
        return seconds


def _host(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """An address to listen on: an IP address, or a host name this machine resolves."""
    import ipaddress
    import socket

    advice = "give 127.0.0.1 (this machine only) or 0.0.0.0 (every network)"
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    labels = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
    if (len(value) > 253 or not re.fullmatch(rf"{labels}(\.{labels})*\.?", value)
            or re.fullmatch(r"[\d.]+", value)):
        raise click.BadParameter(f"{_shown(value)} is not an IP address or a host name; {advice}")
    try:
        socket.getaddrinfo(value, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise click.BadParameter(f"{_shown(value)} does not resolve ({reason}); {advice}") from None
    return value


def _line(longest: int):
    """A callback for a text option of one line: not empty, no control character, at most ``longest``
    characters (more is a paste gone wrong, not an outlet or a title)."""

    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip():
            raise click.BadParameter("the value is empty; give one, or leave the option out")
        control = next((c for c in value if unicodedata.category(c) == "Cc"), None)
        if control is not None:
            raise click.BadParameter(f"{_shown(value)} holds a control character ({control!r}); give one line of text")
        if len(value) > longest:
            raise click.BadParameter(f"the value is {len(value)} characters long; at most {longest}")
        return value

    return check


def _worker_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    # It travels in Celery's messages and in Redis keys: plain characters only (Celery's %h, %n allowed).
    if value is not None and not re.fullmatch(r"[A-Za-z0-9._@%-]{1,200}", value):
        raise click.BadParameter(f"{_shown(value)} is not a worker name; use letters, digits and . _ @ % - "
                                 "(at most 200), like render1@host")
    return value


def _class_ids(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    from reports.names import is_id

    for name in value:
        if not is_id(name):
            raise click.BadParameter(f"{_shown(name)} is not a therapy class's id (its evidence table's file name, "
                                     "e.g. car-t)")
    return value


def _class_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    return value if value is None else _class_ids(ctx, param, (value,))[0]


class ReportsGroup(click.Group):
    """Turns a ``ReportError`` into its messages on stderr and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ReportError as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            count = len(error.problems)
            click.echo(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.", err=True)
            sys.exit(1)
        except OSError as error:
            # What the file system refused that no command put in words of its own: one line, its path.
            click.echo(f"reports: {error.filename or 'error'}: {error.strerror or error}", err=True)
            sys.exit(1)


@click.group(cls=ReportsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--project", "project_dir", type=PathParam(file_okay=False), default=".",
              show_default=True, help="The project folder: seeds/, and optionally templates/ and styles/.")
@click.version_option(package_name="reports")
@click.pass_context
def cli(ctx: click.Context, project_dir: Path) -> None:
    """Chinese-language PDF briefings on CAR-T, CAR-NK and CAR-M therapies, built from curated,
    excerpt-verified evidence tables in seeds/."""
    ctx.obj = project_dir


def _project(ctx: click.Context):
    from reports.content.project import Project

    return Project.at(ctx.obj)


def _issue_date(given: dt.date | None, timezone: str | None = None):
    """--date, else SOURCE_DATE_EPOCH, else today (in ``timezone``, for a weekly): resolved here, once,
    and handed to the library with where it came from (an ``IssueDate``)."""
    from reports.run.dates import issue_date

    return issue_date(given, timezone=timezone)


def _build_date(given: dt.date | None) -> dt.date:
    return _issue_date(given).day


def _broker_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from reports.content.settings import broker_url_problem

    if value == "":  # given so: REPORTS_BROKER empty is as if unset
        raise click.BadParameter("the URL is empty; give redis://HOST:6379/0, or leave --broker out to use "
                                 "REPORTS_BROKER or broker: in seeds/project.yaml")
    problem = broker_url_problem(value) if value else None
    if problem:
        raise click.BadParameter(problem)
    return value


def _broker(ctx: click.Context, given: str | None, needed_for: str | None) -> str | None:
    """The broker: --broker or REPORTS_BROKER (click reads both), else broker: in seeds/project.yaml.

    ``needed_for`` names what needs one: without any, that is a usage error saying where to give it.
    """
    if given:
        return given
    from reports.content.settings import read_settings
    from reports.errors import Problems

    project = _project(ctx)
    problems = Problems(project.root)
    settings = read_settings(project.seeds, problems)
    problems.raise_if_any()
    if settings.broker is None and needed_for:
        raise click.UsageError(f"{needed_for} needs a broker: give --broker redis://HOST:6379/0, set REPORTS_BROKER, "
                               "or write broker: in seeds/project.yaml")
    return settings.broker


# The optional extras of pyproject.toml, by the modules the commands import from them.
EXTRAS = {
    "serve": ("fastapi", "fastapi_offline", "uvicorn", "pebble", "cachetools"),
    "celery": ("celery", "redis"),
    "schedule": ("redis",),
}


def _needs_extra(command: str, extra: str) -> None:
    """Without an extra's libraries, one line naming it and exit status 1, before anything is imported
    from them or done (find_spec finds a module without importing it)."""
    from importlib.util import find_spec

    if any(find_spec(module) is None for module in EXTRAS[extra]):
        click.echo(f"reports {command} needs the '{extra}' extra: pip install 'reports[{extra}]'", err=True)
        sys.exit(1)


def broker_option(function):
    return click.option("--broker", envvar="REPORTS_BROKER", callback=_broker_url, metavar="redis://HOST:PORT/N",
                        help="The Redis broker of the Celery engine. Default: REPORTS_BROKER, else broker: in "
                             "seeds/project.yaml.")(function)


def engine_option(function):
    return click.option("--engine", type=click.Choice(ENGINES), envvar="REPORTS_ENGINE", default="local",
                        show_default=True,
                        help="Where documents are rendered: local processes, or the reports workers of the "
                             "broker (Celery). Default: REPORTS_ENGINE, else local.")(function)


@cli.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Validate seeds/ (YAML, articles, excerpts, figures) and write nothing.

    Prints every problem as path:line:column: message and exits 1; on success prints what was verified.
    """
    from reports.content.load import load_content

    content = load_content(_project(ctx))
    _print_warnings(content.warnings)
    click.echo(
        f"ok: {len(content.tables)} therapy classes, {content.study_count} studies, "
        f"{content.excerpts_verified} excerpts verified against {len(content.articles)} articles"
    )
    click.echo(f"verified: {content.verification.summary()}")


@cli.command("add-article")
@click.argument("path", type=PathParam())
@click.option("--id", "article_id", metavar="ID",
              help="The article's id, its file name in seeds/articles/ without .md (lower-case letters, digits, "
                   "hyphens). Default: made from PATH's file name.")
@click.option("--outlet", metavar="TEXT", callback=_line(200),
              help="The site, account or journal that published it. Required unless the front matter has outlet:.")
@click.option("--url", metavar="URL", callback=_line(2000), help="The article's web address (https://...).")
@click.option("--published", metavar="DATE", callback=_line(100),
              help="The publication date as the article prints it: YYYY-MM-DD, YYYY-MM or YYYY. Required unless "
                   "the front matter has date:.")
@click.option("--author", metavar="TEXT", callback=_line(200), help="The byline, when the front matter has no author:.")
@click.option("--title", metavar="TEXT", callback=_line(500),
              help="The title as the article prints it. Default: the front matter's title:, else the first '# ' "
                   "heading.")
@click.option("--script", type=click.Choice(SCRIPTS),
              help="Simplified (zh-Hans) or traditional (zh-Hant). Default: the front matter's lang:, else "
                   "detected from the text.")
@click.pass_context
def add_article(ctx: click.Context, path: Path, article_id: str | None, outlet: str | None, url: str | None,
                published: str | None, author: str | None, title: str | None, script: Script | None) -> None:
    """Copy an article into seeds/articles/ and append its entry to seeds/articles.yaml.

    The file is written as seeds/articles/ID.md in UTF-8, NFC, with LF line ends (a BOM removed);
    the entry says what its front matter does not (outlet, script, and a title or date it lacks),
    after the index's last entry, its comments kept. A text already in seeds/articles/, an id
    taken, a file that is not UTF-8 or too large, or a missing outlet, title or date is refused
    with its place, and nothing is written. The project is then read as reports check reads it:
    if the article does not load, both files are put back as they were.
    """
    from reports.curate.intake import NewArticle
    from reports.curate.intake import add_article as add

    added = add(_project(ctx), NewArticle(source=path, id=article_id, outlet=outlet, url=url, published=published,
                                          author=author, title=title, script=script))
    converted = f" ({', '.join(added.converted)})" if added.converted else ""
    click.echo(f"wrote {added.article} from {path}{converted}")
    kept = added.from_front_matter
    left = (f"; {', '.join(kept[:-1]) + ' and ' if kept[:-1] else ''}{kept[-1]} from its {added.front_matter} "
            "front matter" if kept else "")
    click.echo(f"added its entry to {added.index}, line {added.entry_line}: {', '.join(added.written)}{left}")
    click.echo(f"next: reports draft {added.article} --class CLASS (a study row to decide and paste into "
               "seeds/evidence/CLASS.yaml), then reports check")


@cli.command()
@click.option("-o", "--output", type=PathParam(file_okay=False, written=True), metavar="DIR",
              help="Write evidence.schema.json, articles.schema.json, glossary.schema.json and project.schema.json "
                   "into this folder (e.g. seeds/schemas). Default: print all four as one JSON object on stdout.")
def schema(output: Path | None) -> None:
    """Print the JSON Schemas of the seed files, for editors (VS Code's YAML extension and others).

    One JSON object with a schema for each kind of seed file, by name: evidence (seeds/evidence/*.yaml),
    articles (seeds/articles.yaml), glossary (seeds/glossary.yaml) and project (seeds/project.yaml).
    Generated from the models reports check validates with; the shipped seed files name theirs
    (in seeds/schemas/) on their first line.
    """
    from reports.content.schema import as_text, json_schemas, write_schemas

    if output is None:
        click.echo(as_text(json_schemas()), nl=False)
        return
    for path in write_schemas(output):
        click.echo(f"wrote {path}")


@cli.command()
@click.option("--class", "classes", multiple=True, metavar="CLASS", callback=_class_ids,
              help="Only this therapy class (repeatable), e.g. --class car-t. Default: all classes.")
@click.option("-o", "--output", type=PathParam(dir_okay=False, written=True),
              help="Where to write the PDF. Default: build/briefing.pdf in the project.")
@click.option("--html", "write_html", is_flag=True, help="Also write the HTML beside the PDF (opens in a browser).")
@click.option("--date", "build_date", type=DateParam(),
              help="The date of issue printed in the briefing (YYYY-MM-DD), not before the evidence cut-off and "
                   "the curation date it prints beside it. Default: SOURCE_DATE_EPOCH, else today.")
@click.option("--script", type=click.Choice(SCRIPTS),
              help="Print the whole briefing in simplified (zh-Hans) or traditional (zh-Hant) script, "
                   "converted with OpenCC. Default: each text as written.")
@click.option("--pdfa", is_flag=True,
              help="Write PDF/A-3b for archiving, with the evidence tables and the article index it was built "
                   "from attached to the PDF.")
@click.option("--pdfua", is_flag=True,
              help="Write tagged PDF/UA-1 for screen readers and other assistive technology. "
                   "With --pdfa: PDF/A-3a, archival and tagged alike (it is identified as PDF/A only).")
@click.option("--full-text", is_flag=True,
              help="Reprint the source articles in full in the appendix (cleaned as seeds/articles.yaml declares, "
                   "without what their sites add around them), after the quoted passages. Default: the passages only.")
@click.option("--force", is_flag=True, help="Render again even when the PDF is up to date with its inputs.")
@click.pass_context
def build(ctx: click.Context, classes: tuple[str, ...], output: Path | None, write_html: bool,
          build_date: dt.date | None, script: Script | None, pdfa: bool, pdfua: bool, full_text: bool,
          force: bool) -> None:
    """Build the briefing PDF from seeds/ (default build/briefing.pdf).

    When the PDF was made from exactly these inputs (seeds, templates, styles, options, date)
    and is unaltered, nothing is rendered again; --force renders it anyway. On a terminal, the
    stage and the page being laid out are shown on stderr while it runs.
    """
    from reports.documents.briefing import BriefingOptions, build_briefing

    issue = _issue_date(build_date)
    options = BriefingOptions(
        classes=list(classes),
        output=output,
        write_html=write_html,
        build_date=issue.day,
        date_from=issue.origin,
        script=script,
        pdfa=pdfa,
        pdfua=pdfua,
        full_text=full_text,
        force=force,
    )
    with _build_progress():
        result = build_briefing(_project(ctx).root, options)
    _print_warnings(result.warnings)
    if result.up_to_date:
        click.echo(f"up to date: {result.pdf} ({result.pages} pages) is made from these inputs; nothing re-rendered "
                   "(--force renders it again)")
        return
    click.echo(f"wrote {result.pdf} ({result.pages} pages, {result.pdf.stat().st_size // 1024} KiB)")
    if result.html:
        click.echo(f"wrote {result.html}")


def _iso_week(ctx: click.Context, param: click.Parameter, value: str | None):
    from reports.documents.weekly import IsoWeek

    try:
        return IsoWeek.parse(value) if value is not None else None
    except ReportError as error:
        raise click.BadParameter(error.problems[0].message) from None


@cli.command()
@click.argument("therapy_class", metavar="[CLASS]", required=False, callback=_class_id)
@click.option("--all", "all_classes", is_flag=True, help="A handout for every therapy class, one file each.")
@click.option("--paper", type=click.Choice(PAPERS), default="a4", show_default=True,
              help="The paper size (letter: US Letter).")
@click.option("--marks", is_flag=True, help="Add crop marks and a bleed, for a print shop (the trim is the paper size).")
@click.option("-o", "--output", type=PathParam(written=True),
              help="Where to write the PDF; with --all, the folder. Default: build/handouts/CLASS-PAPER.pdf.")
@click.option("--date", "build_date", type=DateParam(),
              help="The date of issue printed on the handout (YYYY-MM-DD), not before the evidence cut-off it "
                   "prints beside it. Default: SOURCE_DATE_EPOCH, else today.")
@click.pass_context
def handout(ctx: click.Context, therapy_class: str | None, all_classes: bool, paper: Paper, marks: bool,
            output: Path | None, build_date: dt.date | None) -> None:
    """Build a printable handout for one therapy class, e.g. reports handout car-t --paper a5.

    One or two pages: the key message, a condensed evidence table, charts of the rates and the
    follow-up when three or more studies report them, the main safety figures, two or three key
    excerpts, and a QR code to each source (article, DOI, trial registry), with the build date and
    disclaimer.
    """
    from reports.documents.handout import HandoutOptions, build_handouts

    if bool(therapy_class) == all_classes:
        raise click.UsageError("name one therapy class (e.g. reports handout car-t) or give --all, not both")
    if output is not None and output.exists() and output.is_dir() != all_classes:
        raise click.BadParameter(f"{output} is a folder; give the PDF's file name (or --all, to write every class "
                                 "into the folder)" if not all_classes else
                                 f"{output} is a file; with --all, give the folder to write every class's PDF into",
                                 param_hint="'-o' / '--output'")
    issue = _issue_date(build_date)
    options = HandoutOptions(paper=paper, marks=marks, output=output, build_date=issue.day, date_from=issue.origin)
    result = build_handouts(_project(ctx).root, None if all_classes else [therapy_class], options)
    _print_warnings(result.warnings)
    for handout in result.handouts:
        click.echo(f"wrote {handout.pdf} ({handout.pages} page{'s' if handout.pages != 1 else ''}, {paper})")


@cli.command()
@click.option("--week", metavar="YYYY-Www", callback=_iso_week,
              help="The ISO week, e.g. 2026-W47; it must have ended before the date. Default: the last week that "
                   "had ended by the date (--date, SOURCE_DATE_EPOCH, else today), in the time zone.")
@click.option("--tz", "timezone", metavar="ZONE",
              help="IANA time zone of the week's start and end, e.g. Asia/Shanghai. "
                   "Default: timezone in seeds/project.yaml (Asia/Shanghai).")
@click.option("--force", is_flag=True, help="Render again even when the week's briefing is up to date.")
@click.option("--date", "build_date", type=DateParam(),
              help="The date of issue printed in the briefing (YYYY-MM-DD), and the day its week is reckoned from: "
                   "one clock. Default: SOURCE_DATE_EPOCH, else today in the time zone.")
@click.pass_context
def weekly(ctx: click.Context, week, timezone: str | None, force: bool,
           build_date: dt.date | None) -> None:
    """Build the weekly briefing: build/weekly/YYYY-Www/briefing.pdf and manifest.json.

    It lists the articles published in the week, the evidence rows added or revised in it, what
    changed since the previous weekly briefing (from that briefing's manifest.json), then the
    standing evidence summary. A week with nothing new still gets a short briefing that says so.
    Run again with unchanged inputs, it renders nothing and says so (exit 0); --force renders anew.
    """
    from reports.documents.weekly import WeeklyOptions, build_weekly, project_timezone

    project = _project(ctx)
    # One clock: the date printed is the day the week is reckoned from (today: in the weeks' time zone).
    issue = _issue_date(build_date, project_timezone(project, timezone))
    options = WeeklyOptions(
        week=week,
        timezone=timezone,
        force=force,
        build_date=issue.day,
        date_from=issue.origin,
    )
    result = build_weekly(project.root, options)
    _print_warnings(result.warnings)
    if result.outcome == "up-to-date":
        click.echo(f"{result.week}: up to date (version {result.version}); nothing re-rendered: {result.pdf} "
                   "(--force renders it again)")
    else:
        click.echo(f"{result.week}: wrote {result.pdf} ({result.pages} pages, version {result.version}) "
                   f"and {result.manifest.name}")


@cli.command()
@broker_option
@click.pass_context
def schedule(ctx: click.Context, broker: str | None) -> None:
    """Build the weekly briefing on the project's schedule, until stopped with SIGTERM or Ctrl-C.

    The schedule is the crontab line 'schedule' in seeds/project.yaml (default '0 8 * * mon':
    Mondays at 08:00) in its 'timezone' (default Asia/Shanghai); each run produces the week that
    had ended, like reports weekly. On start it catches up: the week due at the latest run time
    is produced if it was not (older missed weeks are only logged, with the command that produces
    them). A week is produced once, however many schedulers run on the project. Every run is
    logged on stderr and appended to build/weekly/runs.jsonl. SIGTERM lets a running build finish,
    then exits 0. An edited schedule in seeds/project.yaml takes effect without a restart.

    With a broker (--broker, REPORTS_BROKER or broker: in seeds/project.yaml), each week is locked
    and marked produced in Redis: schedulers on several machines produce each week once.
    """
    from reports.run.schedule import WeeklyScheduler, log_to_stderr

    broker = _broker(ctx, broker, None)
    if broker:
        _needs_extra("schedule with a broker", "schedule")
        from reports.run.distributed import check_broker

        check_broker(broker)
    log_to_stderr()
    WeeklyScheduler(_project(ctx).root, broker=broker).run_forever()


class _Echo(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(self.format(record), err=True)


@contextmanager
def _echoed(name: str):
    """A library logger's warnings on stderr while a command runs."""
    logger, handler = logging.getLogger(name), _Echo(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _smtp_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from reports.content.settings import _check_smtp

    try:
        return _check_smtp(value) if value else None
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@cli.command()
@click.option("--week", "week_name", required=True, metavar="YYYY-Www",
              help="The week to send, produced before by reports weekly or reports schedule, e.g. 2026-W47.")
@click.option("--to", "targets", multiple=True, metavar="TARGET",
              help="mailto:ADDRESS or a webhook's http(s):// URL (repeatable). Default: delivery.to and "
                   "delivery.recipients_file in seeds/project.yaml.")
@click.option("--format", "webhook_format", type=click.Choice(["json", "wecom", "dingtalk"]),
              help="The webhooks' body: generic JSON, or the WeCom or DingTalk group robot's markdown message. "
                   "Default: by the webhook's host (qyapi.weixin.qq.com, oapi.dingtalk.com), else json.")
@click.option("--smtp", callback=_smtp_url, metavar="smtp://HOST:PORT",
              help="The mail server (smtps:// for TLS from the start; STARTTLS when offered). Default: delivery.smtp. "
                   "User and password from REPORTS_SMTP_USER and REPORTS_SMTP_PASSWORD or delivery.credentials_file.")
@click.option("--from", "sender", metavar="ADDRESS", help="The From: address. Default: delivery.sender.")
@click.option("--base-url", metavar="URL",
              help="Where readers reach reports serve: a PDF over the attachment limit is linked under it. "
                   "Default: base_url in seeds/project.yaml.")
@click.option("--dry-run", is_flag=True, help="Compose every message and say what would be sent; send and record nothing.")
@broker_option
@click.pass_context
def deliver(ctx: click.Context, week_name: str, targets: tuple[str, ...], webhook_format: str | None,
            smtp: str | None, sender: str | None, base_url: str | None, dry_run: bool, broker: str | None) -> None:
    """Send a produced week to its readers: mail with the PDF, group robots, webhooks; each once.

    Each (week, target) is sent once: recorded in build/delivery.sqlite when its server accepts it,
    so a second run sends nothing and says "already delivered". A failed target (server down,
    timeout, SMTP 4xx, HTTP 5xx) is tried again with a growing wait, delivery.attempts times, then
    reported with its place and reason (exit status 1); the other targets still get theirs. With a
    broker, each target is also locked and marked in Redis: several machines deliver it once.
    """
    from reports.content.settings import _check_base_url, read_settings_at
    from reports.documents.weekly import IsoWeek
    from reports.errors import Problems
    from reports.run.delivery import DeliveryOptions, deliver_week, targets_of
    from reports.run.schedule import broker_identity

    project = _project(ctx)
    week = IsoWeek.parse(week_name)
    problems = Problems(project.root)
    settings, positions = read_settings_at(project.seeds, problems)
    problems.raise_if_any()
    if base_url:
        try:
            base_url = _check_base_url(base_url)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--base-url") from None
    broker = _broker(ctx, broker, None)
    if broker:
        _needs_extra("deliver with a broker", "schedule")
    placed = targets_of(project, settings, positions, list(targets), webhook_format)
    if not placed:
        raise click.UsageError("no targets: give --to mailto:ADDRESS or a webhook URL, or list them under "
                               "delivery: to: in seeds/project.yaml")
    with _echoed("reports.delivery"):  # each retry said on stderr as it happens
        outcomes = deliver_week(project, week, settings, placed, broker_identity(project, settings).key,
                                DeliveryOptions(smtp=smtp, sender=sender, base_url=base_url, format=webhook_format,
                                                dry_run=dry_run, broker=broker))
    failed = [outcome for outcome in outcomes if outcome.status == "failed"]
    for outcome in outcomes:
        if outcome.status != "failed":
            click.echo(outcome.line(str(week)))
    for outcome in failed:
        click.echo(str(outcome.problem(str(week))), err=True)
    if failed:
        others = "; the others were" if len(failed) < len(outcomes) else ""
        click.echo(f"{len(failed)} of {len(outcomes)} target{'s' if len(outcomes) != 1 else ''} not delivered{others} "
                   "(run again to retry: what was delivered is not sent twice)", err=True)
        sys.exit(1)


@cli.command()
@click.option("--jobs", type=click.IntRange(1, 256),
              help="Documents rendered at once, each in its own process. Default: one per CPU core.")
@click.option("-o", "--output", type=PathParam(file_okay=False, written=True),
              help="The folder to write to, all at once: it holds the previous documents or the new ones, never "
                   "some of each. Default: build/batch/ in the project.")
@click.option("--paper", type=click.Choice(PAPERS), default="a4", show_default=True,
              help="The handouts' paper size.")
@click.option("--date", "build_date", type=DateParam(),
              help="The build date printed in every document (YYYY-MM-DD). Default: SOURCE_DATE_EPOCH, else today.")
@engine_option
@broker_option
@click.option("--time-limit", type=Seconds(0.1, 3600), default=300.0, show_default=True, metavar="SECONDS",
              help="With --engine celery: the longest one document may take on a worker; past it the batch "
                   "stops, names the document and writes nothing.")
@click.pass_context
def batch(ctx: click.Context, jobs: int | None, output: Path | None, paper: Paper,
          build_date: dt.date | None, engine: str, broker: str | None, time_limit: float) -> None:
    """Build every therapy class as a briefing and a handout, on all CPU cores: build/batch/.

    CLASS-briefing.pdf and CLASS-handout-PAPER.pdf for each class. The seeds are checked once
    first; the documents are rendered side by side and written only when all of them succeeded.
    With --engine celery they are rendered by the reports workers of the broker (reports worker),
    with the same bytes; a document rendered before from the same inputs is not rendered again.
    On a terminal, each document is named on stderr as it finishes ([3/6] car-t-handout-a4.pdf).
    """
    import time

    if engine == "celery":
        _needs_extra("batch --engine celery", "celery")
    from reports.run.batch import BatchOptions, available_cores, build_batch

    started = time.perf_counter()
    jobs = jobs or available_cores()
    broker = _broker(ctx, broker, "--engine celery") if engine == "celery" else None
    issue = _issue_date(build_date)
    results = build_batch(_project(ctx).root, BatchOptions(jobs=jobs, output=output, paper=paper,
                                                           build_date=issue.day, date_from=issue.origin,
                                                           engine=engine, broker=broker, time_limit=time_limit),
                          progress=_batch_progress if _on_terminal() else None)
    _print_warnings(list(dict.fromkeys(warning for result in results for warning in result.warnings)))
    for result in results:
        click.echo(f"wrote {result.pdf} ({result.pages} page{'s' if result.pages != 1 else ''})")
    if engine == "celery":
        from reports.content.settings import shown_url

        where = f"the workers of {shown_url(broker)}"
    else:
        where = f"{min(jobs, len(results))} process{'es' if min(jobs, len(results)) != 1 else ''}"
    click.echo(f"{len(results)} documents in {time.perf_counter() - started:.1f} s on {where}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, callback=_host,
              help="The address to listen on; 0.0.0.0 serves every network the machine is on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="The TCP port.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Rendering processes, each rendering one document at a time (about 200 MB each while "
                   "rendering the full briefing, 280 MB once one has printed in a script: docs/performance.md).")
@click.option("--queue", type=click.IntRange(0, 1000), default=8, show_default=True,
              help="Renders that may wait for a free worker; beyond them requests get 503 with Retry-After.")
@click.option("--timeout", type=Seconds(0.01, 3600), default=120, show_default=True,
              help="Seconds one render may take; a render that overruns is stopped and its request gets 504.")
@click.option("--max-renders", type=click.IntRange(1, 100000), default=25, show_default=True,
              help="Renders after which a worker process is replaced, to bound its memory.")
@click.option("--cache-mb", type=click.IntRange(0, 65536), default=256, show_default=True,
              help="Memory for rendered PDFs and previews, reused until an input changes; 0 caches nothing.")
@click.option("--head-timeout", type=click.FloatRange(0.1, 3600), default=10, show_default=True,
              help="Seconds a client has to send a whole request head (the request line and headers); a slower "
                   "one is answered 408 and closed.")
@click.option("--max-connections", type=click.IntRange(1, 1_000_000), metavar="N",
              help="Open connections at most; a new one beyond them replaces a connection still waiting over 1 s "
                   "for its request, else is answered 503. Default: 1000, or fewer if the file limit (ulimit -n) "
                   "leaves room for fewer.")
@engine_option
@broker_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, queue: int, timeout: float, max_renders: int,
          cache_mb: int, head_timeout: float, max_connections: int | None, engine: str, broker: str | None) -> None:
    """Serve briefings, weekly briefings and handouts over HTTP, rendered on request.

    Open http://127.0.0.1:8000/ for the list: /briefings/car-t+car-nk.pdf?script=zh-Hant,
    /weekly/2026-W46.pdf, /handouts/car-t.pdf?paper=a5, /preview/... (the same HTML, for a browser),
    /api/classes (JSON), /docs (OpenAPI), /healthz. Edits to seeds/ are picked up on the next
    request. Logs one line per request on stderr; stops on Ctrl-C or SIGTERM (exit status 0).
    With --engine celery, documents are rendered by the reports workers of the broker (see reports
    worker): --workers renders at once and --queue more waiting are this service's share of them,
    and --max-renders is the workers' business.
    """
    _needs_extra("serve", "serve")
    if engine == "celery":
        _needs_extra("serve --engine celery", "celery")
    from reports.run.service import ServiceOptions
    from reports.run.service import serve as serve_forever

    project = _project(ctx)
    broker = _broker(ctx, broker, "--engine celery") if engine == "celery" else None
    serve_forever(project.root, ServiceOptions(host=host, port=port, workers=workers, queue=queue, timeout=timeout,
                                               max_renders=max_renders, cache_mb=cache_mb, engine=engine,
                                               broker=broker, head_timeout=head_timeout,
                                               max_connections=max_connections))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, callback=_host,
              help="The address to listen on. The preview is for the person editing: keep it on this machine.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="The TCP port.")
@click.option("--class", "classes", multiple=True, metavar="CLASS", callback=_class_ids,
              help="The therapy class whose briefing the printed address opens (repeatable: one briefing of "
                   "several). Default: the index of every class.")
@click.pass_context
def preview(ctx: click.Context, host: str, port: int, classes: tuple[str, ...]) -> None:
    """Preview the briefing in a browser while editing: rebuilt on every save, reloaded by itself.

    Prints the address to open (预览：http://127.0.0.1:8000/), then watches seeds/, templates/
    and styles/ twice a second; when a file changes, every open page is rendered again and
    reloads if it changed. Problems in the seeds are shown as a page listing each at its place
    (file:line:column), which turns back into the briefing once they are fixed. The HTML only,
    as the PDF is laid out from it; nothing is written into the project. Stops on Ctrl-C or
    SIGTERM (exit status 0).
    """
    _needs_extra("preview", "serve")
    from reports.content.evidence import evidence_paths
    from reports.run.preview import serve_preview

    project = _project(ctx)
    known = sorted({path.stem for path in evidence_paths(project.seeds)})
    unknown = [name for name in classes if name not in known]
    if unknown and known:  # (with no table at all, the preview's page says what is missing)
        raise click.BadParameter(f"no therapy class {', '.join(map(repr, unknown))} in seeds/evidence/; the classes "
                                 f"are: {', '.join(known)}", param_hint="'--class'")
    serve_preview(project.root, host, port, classes)


@cli.command()
@broker_option
@click.option("--processes", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Rendering processes of this worker, each rendering one document at a time.")
@click.option("--time-limit", type=Seconds(0.1, 86400), default=300, show_default=True,
              help="Seconds one render may take; its process is then killed and replaced, the job fails (504).")
@click.option("--redeliver-after", type=Seconds(1, 86400),
              help="Seconds after which a job taken by a worker that vanished (machine lost) is given to another; "
                   "must be longer than --time-limit. Default: the time limit plus 60.")
@click.option("--max-renders", type=click.IntRange(1, 100000), default=25, show_default=True,
              help="Renders after which a rendering process is replaced, to bound its memory.")
@click.option("--cache", type=PathParam(file_okay=False, written=True),
              help="The folder of unpacked content snapshots. Default: ~/.cache/reports/snapshots.")
@click.option("--name", callback=_worker_name, help="The worker's name in the broker. Default: reports@HOST-PID.")
@click.pass_context
def worker(ctx: click.Context, broker: str | None, processes: int, time_limit: float, redeliver_after: float | None,
           max_renders: int, cache: Path | None, name: str | None) -> None:
    """Render jobs from the broker (Celery, Redis) until stopped with SIGTERM or Ctrl-C.

    Each rendering process warms up (imports, fonts) before it takes a job, renders one job at a
    time from the content snapshot the job names (fetched from Redis into --cache once per version),
    and stores the result in Redis. reports batch --engine celery and reports serve --engine celery
    submit to it. The worker needs no project folder: --project only supplies broker: from its
    seeds/project.yaml when neither --broker nor REPORTS_BROKER is given.
    """
    _needs_extra("worker", "celery")
    from reports.run.distributed import WorkerOptions, run_worker

    if not broker and not (ctx.obj / "seeds").is_dir():
        raise click.UsageError("reports worker needs a broker: give --broker redis://HOST:6379/0 or set REPORTS_BROKER")
    run_worker(WorkerOptions(broker=_broker(ctx, broker, "reports worker"), processes=processes, time_limit=time_limit,
                             redeliver_after=redeliver_after, max_renders=max_renders, cache=cache, name=name))


@cli.command()
@click.argument("article", type=PathParam(dir_okay=False))
@click.option("--class", "class_id", required=True, metavar="CLASS",
              help="The therapy class whose table the row is for (car-t, car-nk, car-m …).")
@click.option("-o", "--output", type=PathParam(dir_okay=False, written=True),
              help="Write the draft to this file instead of printing it.")
@click.option("--date", "added", type=DateParam(),
              help="The row's added: date (default: SOURCE_DATE_EPOCH, else today).")
@click.pass_context
def draft(ctx: click.Context, article: Path, class_id: str, output: Path | None, added: dt.date | None) -> None:
    """Propose a study row from an article of seeds/articles/, as YAML to paste under studies:.

    Each figure comes with the sentence that states it, as an excerpt; what the rules cannot decide is
    TODO, with the article's candidates in a comment. `reports check` refuses a row until no TODO is left.
    """
    from reports.curate.draft import draft_article
    from reports.names import is_id

    if not is_id(class_id):
        raise ReportError(f"--class {_shown(class_id)} is not a class id (lower-case letters, digits and -, e.g. car-t)")
    text = draft_article(_project(ctx), article, class_id, _build_date(added))
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_atomically(output, text)
    except OSError as error:
        raise ReportError(f"{error.filename or output}: cannot write the draft: {error.strerror}; "
                          "choose another place with -o") from None
    click.echo(f"draft: wrote {output}; decide its TODO, paste it under studies: in seeds/evidence/{class_id}.yaml, "
               "then run reports check", err=True)


@cli.command()
def doctor() -> None:
    """Check the machine: CJK fonts, HarfBuzz subsetting, WeasyPrint and Pango versions."""
    from reports.doctor import run_checks

    checks = run_checks()
    failed = False
    for check_result in checks:
        mark = "ok  " if check_result.ok else "FAIL"
        click.echo(f"{mark} {check_result.name}: {check_result.detail}")
        if not check_result.ok:
            failed = True
            click.echo(f"     fix: {check_result.fix}")
    sys.exit(1 if failed else 0)


def main() -> None:
    cli(prog_name="reports")
