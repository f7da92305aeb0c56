"""What every document shares: the rendered result, the finished HTML, the warnings of a build,
and the stamp that says an output is up to date with its inputs.

The briefing, the handouts and the weekly are each one module beside this one; they all go the
same way: read and verify (``content.load``), prepare a template context, ``document_html``,
render in memory (``Rendered``), and only then write, atomically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reports.content.project import Project, sha256_of
from reports.errors import Location, Problem

if TYPE_CHECKING:
    from reports.content.load import Content
    from reports.text.scripts import ScriptConverter

# The rendering modules are imported where they are used: an up-to-date build needs none of them.


@dataclass
class BuildResult:
    pdf: Path
    html: Path | None
    pages: int
    warnings: list[Problem]
    up_to_date: bool = False  # nothing was rendered: the output was made from exactly these inputs


@dataclass
class Rendered:
    """A PDF rendered in memory, not yet written anywhere."""

    pdf: bytes
    pages: int
    warnings: list[Problem]
    html: str | None = None  # the same document as HTML with its styles inline, when asked for


def document_html(project: Project, context: dict, template: str, inline_css: str | None = None, *,
                  converter: ScriptConverter | None = None) -> str:
    """The finished HTML: rendered, in ``converter``'s script if one is given, typeset for Chinese."""
    from reports.render.abbreviations import expand_abbreviations
    from reports.render.fonts import missing_characters, replace_missing
    from reports.render.html import render_html
    from reports.text.typeset import typeset_html

    html = render_html(project.template_dirs, template, {**context, "inline_css": inline_css})
    html = expand_abbreviations(html, context.get("glossary"))
    # Characters no font has are replaced before layout, which would spend seconds looking for them.
    html = replace_missing(html, missing_characters(html))
    if converter is None:
        return typeset_html(html)
    return typeset_html(html, converter.convert, converter.target)


def missing_glyph_warnings(content: Content) -> list[Problem]:
    """Where in the seeds the characters that no installed font can draw are."""
    from reports.render.fonts import locate_missing, missing_characters

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


def inline_css(stylesheets: list[tuple[Path, str]]) -> str:
    return "\n".join(text for _, text in stylesheets)


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
