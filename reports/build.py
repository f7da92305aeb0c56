"""Building a briefing: the one entry point the CLI, the scheduler and the service call.

The order matters: everything is read and verified first (``load_content``), then rendered
in memory, and only then written, atomically; a failure at any step leaves earlier output as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from reports.errors import Location, Problem, ReportError
from reports.project import Content, Project, input_files, load_content, sha256_of

STYLESHEET = "briefing.css"
TEMPLATE = "briefing.html"


@dataclass
class BriefingOptions:
    classes: list[str] = field(default_factory=list)  # empty: every class
    output: Path | None = None  # default: <project>/build/briefing.pdf
    write_html: bool = False
    build_date: dt.date | None = None  # default: SOURCE_DATE_EPOCH, else today
    script: str | None = None  # zh-Hans or zh-Hant: the whole briefing in one script; default: as written
    pdfa: bool = False  # PDF/A-3b for archiving, with the evidence tables and article index attached
    pdfua: bool = False  # tagged PDF/UA-1 for assistive technology; with pdfa: PDF/A-3a (tagged)
    force: bool = False  # render even when the output is up to date with its inputs
    full_text: bool = False  # the appendix reprints the source articles in full, cleaned (besides the passages)


@dataclass
class BuildResult:
    pdf: Path
    html: Path | None
    pages: int
    warnings: list[Problem]
    up_to_date: bool = False  # nothing was rendered: the output was made from exactly these inputs


def build_date_from_environment(environ: dict | None = None) -> dt.date:
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return dt.date.today()
    try:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    except (ValueError, OverflowError, OSError):
        raise ReportError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time in seconds; unset it or fix it") from None


def prepare_briefing(project: Project, options: BriefingOptions) -> tuple[Content, dict]:
    """Read and verify everything, then prepare the template context. Writes nothing."""
    from reports.context import build_context  # pydantic and the models: not needed for an up-to-date build

    content = load_content(project, options.classes or None)
    context = build_context(content, options.build_date or build_date_from_environment(), options.script,
                            options.full_text)
    return content, {**context, "script": options.script}


def briefing_html(project: Project, context: dict, inline_css: str | None = None, template: str = TEMPLATE) -> str:
    """The finished HTML: rendered, in one script if asked, typeset for Chinese."""
    from reports.fonts import missing_characters, replace_missing
    from reports.render import render_html
    from reports.typeset import typeset_html

    from reports.abbreviations import expand_abbreviations

    html = render_html(project.template_dirs, template, {**context, "inline_css": inline_css})
    html = expand_abbreviations(html, context.get("glossary"))
    # Characters no font has are replaced before layout, which would spend seconds looking for them.
    html = replace_missing(html, missing_characters(html))
    if not context.get("script"):
        return typeset_html(html)
    from reports.scripts import converter_for  # loads OpenCC's dictionaries, once

    converter = converter_for(context["script"])
    return typeset_html(html, converter.convert, context["script"])


def missing_glyph_warnings(content: Content) -> list[Problem]:
    """Where in the seeds the characters that no installed font can draw are."""
    from reports.fonts import locate_missing, missing_characters

    project = content.project
    paths = [project.seeds / "articles.yaml", *(project.root / a.path for a in content.articles.values()),
             *(table.path for table in content.tables)]
    paths = [path for path in paths if path.is_file()]
    missing = missing_characters("".join(path.read_text(encoding="utf-8-sig") for path in paths))
    return locate_missing(paths, missing, project.root)


def build_warnings(content: Content, fetcher=None) -> list[Problem]:
    """What a finished build warns about: the seeds' warnings, missing glyphs, and what rendering
    with ``fetcher`` warned about (the project's stylesheet mistakes, refused or failed fetches)."""
    return content.warnings + missing_glyph_warnings(content) + (fetcher.problems() if fetcher else [])


def source_files(content: Content) -> list[tuple[Path, str]]:
    """What a PDF/A briefing carries: the evidence tables it was built from and the article index."""
    root = content.project.root
    files = [(table.path, f"证据表：{table.table.therapy_class.name}（{table.path.relative_to(root).as_posix()}）")
             for table in content.tables]
    index = content.project.seeds / "articles.yaml"
    return files + ([(index, f"来源文章索引（{index.relative_to(root).as_posix()}）")] if index.is_file() else [])


@dataclass
class Rendered:
    """A PDF rendered in memory, not yet written anywhere."""

    pdf: bytes
    pages: int
    warnings: list[Problem]
    html: str | None = None  # the same document as HTML with its styles inline, when asked for


def render_briefing(project_dir: Path | str, options: BriefingOptions, with_html: bool = False) -> Rendered:
    """Read, verify and render the briefing; writes nothing (the service keeps the bytes in memory)."""
    from reports.pdf import ProjectURLFetcher, pdf_variant, render_pdf, source_attachments, tidy_attachments
    from reports.render import read_stylesheets

    project = Project.at(project_dir)
    content, context = prepare_briefing(project, options)
    stylesheets = read_stylesheets(project.style_dirs, STYLESHEET)
    fetcher = ProjectURLFetcher(project.readable_roots)
    variant = pdf_variant(options.pdfa, options.pdfua)
    document = render_pdf(briefing_html(project, context), project.template_dirs[0], stylesheets, fetcher, variant,
                          document=f"templates/{TEMPLATE}")
    build_date = dt.date.fromisoformat(context["build_date"])
    attachments = source_attachments(source_files(content), fetcher, build_date) if options.pdfa else []
    pdf_bytes = document.write_pdf(pdf_variant=variant, attachments=attachments, finisher=tidy_attachments)
    # The HTML file carries its styles inline, so it opens the same anywhere.
    html = briefing_html(project, context, inline_css(stylesheets)) if with_html else None
    return Rendered(pdf_bytes, len(document.pages), build_warnings(content, fetcher), html)


def inline_css(stylesheets: list[tuple[Path, str]]) -> str:
    return "\n".join(text for _, text in stylesheets)


def preview_briefing(project_dir: Path | str, options: BriefingOptions) -> str:
    """The briefing's HTML with its styles inline, for a browser: what the PDF is laid out from."""
    from reports.render import read_stylesheets

    project = Project.at(project_dir)
    _, context = prepare_briefing(project, options)
    return briefing_html(project, context, inline_css(read_stylesheets(project.style_dirs, STYLESHEET)))


def build_briefing(project_dir: Path | str, options: BriefingOptions) -> BuildResult:
    """Build and write the briefing, unless the output is already made from exactly these inputs."""
    project = Project.at(project_dir)
    options = replace(options, build_date=options.build_date or build_date_from_environment())
    output = (options.output or project.build / "briefing.pdf").absolute()
    html_path = output.with_suffix(".html") if options.write_html else None
    key = build_key(project, options)
    if not options.force:
        made = read_stamp(output, html_path, key)
        if made is not None:
            return made

    from reports.pdf import write_atomically  # WeasyPrint is heavy

    rendered = render_briefing(project.root, options, with_html=options.write_html)
    try:
        write_atomically(output, rendered.pdf)
        if html_path:
            write_atomically(html_path, rendered.html)
        write_atomically(stamp_path(output), json.dumps({
            "key": key, "pages": rendered.pages, "pdf_sha256": hashlib.sha256(rendered.pdf).hexdigest(),
            "html_sha256": hashlib.sha256(rendered.html.encode("utf-8")).hexdigest() if html_path else None,
            "warnings": [[w.location.path, w.location.line, w.location.column, w.message] for w in rendered.warnings],
        }, ensure_ascii=False))
    except OSError as error:
        raise ReportError(f"{error.filename or output}: cannot write the output: {error.strerror}; "
                          "choose another place with -o") from None
    return BuildResult(output, html_path, rendered.pages, rendered.warnings)


# ---------------------------------------------------------------------------------------------
# Up to date: a stamp beside the output records what it was made from.


def build_key(project: Project, options: BriefingOptions) -> str:
    """The hash of everything the output depends on: every input file's content, the options, the tool."""
    from reports import __version__

    made_from = {
        "tool": __version__, "inputs": input_files(project), "classes": sorted(set(options.classes)),
        "build_date": options.build_date.isoformat(), "script": options.script, "pdfa": options.pdfa,
        "pdfua": options.pdfua, "html": options.write_html, "full_text": options.full_text,
    }
    return hashlib.sha256(json.dumps(made_from, sort_keys=True).encode("utf-8")).hexdigest()


def stamp_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.made-from.json")


def read_stamp(output: Path, html_path: Path | None, key: str) -> BuildResult | None:
    """The earlier build's result when its output is there, unaltered, and made from these inputs."""
    try:
        stamp = json.loads(stamp_path(output).read_text(encoding="utf-8"))
        if stamp.get("key") != key or sha256_of(output) != stamp["pdf_sha256"]:
            return None
        if html_path and sha256_of(html_path) != stamp["html_sha256"]:
            return None
        warnings = [Problem(Location(path, line, column), message) for path, line, column, message in stamp["warnings"]]
        return BuildResult(output, html_path, stamp["pages"], warnings, up_to_date=True)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no stamp, or not one we can read: build
