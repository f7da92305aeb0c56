"""Building a briefing: the one entry point the CLI, the scheduler and the service call.

The order matters: everything is read and verified first (``load_content``), then rendered
in memory, and only then written, atomically; a failure at any step leaves earlier output as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reports.content.project import Project, input_files, tool_digest
from reports.documents.base import (
    BuildResult,
    Rendered,
    build_warnings,
    document_html,
    inline_css,
    read_stamp,
    stamp_path,
)
from reports.documents.dating import IssueDate, check_issue_date
from reports.errors import ReportError
from reports.files import remove_leftovers, write_atomically
from reports.names import Script

if TYPE_CHECKING:
    from reports.content.load import Content
    from reports.text.scripts import ScriptConverter

STYLESHEET = "briefing.css"
TEMPLATE = "briefing.html"


@dataclass
class BriefingOptions:
    classes: list[str] = field(default_factory=list)  # empty: every class
    output: Path | None = None  # default: <project>/build/briefing.pdf
    write_html: bool = False
    script: Script | None = None  # zh-Hans or zh-Hant: the whole briefing in one script; default: as written
    pdfa: bool = False  # PDF/A-3b for archiving, with the evidence tables and article index attached
    pdfua: bool = False  # tagged PDF/UA-1 for assistive technology; with pdfa: PDF/A-3a (tagged)
    force: bool = False  # render even when the output is up to date with its inputs
    full_text: bool = False  # the appendix reprints the source articles in full, cleaned (besides the passages)
    # The date printed in it, given by the caller (the command line: --date, else SOURCE_DATE_EPOCH, else today),
    # and where it came from ("--date", "SOURCE_DATE_EPOCH", "today"), to name it if it is refused.
    build_date: dt.date = field(kw_only=True)
    date_from: str | None = field(default=None, kw_only=True)


def script_converter(options: BriefingOptions) -> ScriptConverter | None:
    """The converter into the briefing's one script, or None to print each text as written: made once
    per render and handed to every step that converts (the charts' texts, then the whole HTML)."""
    if options.script is None:
        return None
    from reports.text.scripts import converter_for  # OpenCC's dictionaries: loaded once per process

    return converter_for(options.script)


def prepare_briefing(project: Project, options: BriefingOptions,
                     converter: ScriptConverter | None = None) -> tuple[Content, dict]:
    """Read and verify everything, then prepare the template context. Writes nothing.

    ``converter`` is ``script_converter(options)``, made by the caller, which hands the same one to
    ``briefing_html``.
    """
    # pydantic and the models: not needed for an up-to-date build
    from reports.content.load import load_content
    from reports.render.context import build_context

    if (converter.target if converter else None) != options.script:
        raise ValueError(f"the converter ({converter and converter.target}) is not the options' script "
                         f"({options.script}): make it with script_converter(options)")
    content = load_content(project, options.classes or None)
    check_issue_date(content, IssueDate(options.build_date, options.date_from))
    return content, build_context(content, options.build_date, converter, options.full_text)


def briefing_html(project: Project, context: dict, inline_css: str | None = None, *,
                  converter: ScriptConverter | None = None) -> str:
    """The briefing's finished HTML (``document_html`` with the briefing's template)."""
    return document_html(project, context, TEMPLATE, inline_css, converter=converter)


def source_files(content: Content) -> list[tuple[Path, str]]:
    """What a PDF/A briefing carries: the evidence tables it was built from and the article index."""
    root = content.project.root
    files = [(table.path, f"证据表：{table.table.therapy_class.name}（{table.path.relative_to(root).as_posix()}）")
             for table in content.tables]
    index = content.project.seeds / "articles.yaml"
    return files + ([(index, f"来源文章索引（{index.relative_to(root).as_posix()}）")] if index.is_file() else [])


def render_briefing(project_dir: Path | str, options: BriefingOptions, with_html: bool = False) -> Rendered:
    """Read, verify and render the briefing; writes nothing (the service keeps the bytes in memory)."""
    from reports.render.html import read_stylesheets

    project = Project.at(project_dir)
    converter = script_converter(options)
    content, context = prepare_briefing(project, options, converter)
    # WeasyPrint (about half a second to load) only once the seeds are known to be good.
    from reports.render.pdf import ProjectURLFetcher, pdf_variant, render_pdf, source_attachments, tidy_attachments

    stylesheets = read_stylesheets(project.style_dirs, STYLESHEET)
    fetcher = ProjectURLFetcher(project.readable_roots)
    variant = pdf_variant(options.pdfa, options.pdfua)
    document = render_pdf(briefing_html(project, context, converter=converter), project.template_dirs[0], stylesheets,
                          fetcher, variant, document=f"templates/{TEMPLATE}")
    attachments = source_attachments(source_files(content), fetcher, options.build_date) if options.pdfa else []
    pdf_bytes = document.write_pdf(pdf_variant=variant, attachments=attachments, finisher=tidy_attachments)
    # The HTML file carries its styles inline, so it opens the same anywhere.
    html = briefing_html(project, context, inline_css(stylesheets), converter=converter) if with_html else None
    return Rendered(pdf_bytes, len(document.pages), build_warnings(content, fetcher), html)


def preview_briefing(project_dir: Path | str, options: BriefingOptions) -> str:
    """The briefing's HTML with its styles inline, for a browser: what the PDF is laid out from."""
    from reports.render.html import read_stylesheets

    project = Project.at(project_dir)
    converter = script_converter(options)
    _, context = prepare_briefing(project, options, converter)
    return briefing_html(project, context, inline_css(read_stylesheets(project.style_dirs, STYLESHEET)),
                         converter=converter)


def build_briefing(project_dir: Path | str, options: BriefingOptions) -> BuildResult:
    """Build and write the briefing, unless the output is already made from exactly these inputs."""
    project = Project.at(project_dir)
    output = (options.output or project.build / "briefing.pdf").absolute()
    html_path = output.with_suffix(".html") if options.write_html else None
    key = build_key(project, options)
    # What a killed build left beside the output goes first, even when nothing is rendered now.
    remove_leftovers(output, output.with_suffix(".html"), stamp_path(output))
    if not options.force:
        made = read_stamp(output, html_path, key)
        if made is not None:
            return made

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
    made_from = {
        "tool": tool_digest(), "inputs": input_files(project), "classes": sorted(set(options.classes)),
        "build_date": options.build_date.isoformat(), "script": options.script, "pdfa": options.pdfa,
        "pdfua": options.pdfua, "html": options.write_html, "full_text": options.full_text,
    }
    return hashlib.sha256(json.dumps(made_from, sort_keys=True).encode("utf-8")).hexdigest()
