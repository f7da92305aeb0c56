"""Rendering HTML: Jinja2 templates (the project's own first, then the built-in ones)."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from reports.errors import ReportError


def url_breaks(url: str) -> Markup:
    """A web address that may break after a slash or before ? & = #, never inside its scheme
    (https:// stays with the host): the address escaped, with <wbr> at each such place."""
    scheme, rest = re.match(r"([a-z][a-z0-9+.-]*://)?(.*)", url, re.IGNORECASE).groups()
    pieces = re.split(r"(?<=/)|(?=[?&=#])", rest)
    # Pango may break after any slash (UAX #14): a word joiner keeps https:// with the host.
    tie = "\u2060" if scheme else ""
    return Markup(escape(scheme or "") + tie) + Markup("<wbr>").join(escape(piece) for piece in pieces if piece)


def template_environment(template_dirs: list[Path]) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in template_dirs])
    environment = jinja2.Environment(
        loader=loader,
        autoescape=True,  # article text is untrusted: everything is escaped unless marked safe
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["url_breaks"] = url_breaks
    return environment


def render_html(template_dirs: list[Path], template_name: str, context: dict) -> str:
    environment = template_environment(template_dirs)
    # A template it includes is loaded as it renders: its syntax errors come from render().
    try:
        return environment.get_template(template_name).render(**context)
    except jinja2.TemplateNotFound as error:
        searched = ", ".join(str(d) for d in template_dirs) or "nowhere (no templates/ folder)"
        if error.name == template_name:
            raise ReportError(f"template '{template_name}' not found; searched: {searched}") from None
        raise ReportError(f"template '{template_name}' includes '{error.name}', which is in none of {searched}") from None
    except jinja2.TemplateSyntaxError as error:
        raise ReportError(f"{error.filename}:{error.lineno}: template syntax error: {error.message}") from None
    except jinja2.UndefinedError as error:
        raise ReportError(f"template '{template_name}' uses an undefined value: {error.message}") from None


def read_stylesheets(style_dirs: list[Path], name: str) -> list[tuple[Path, str]]:
    """The built-in stylesheet, then the project's own of the same name (which may override it)."""
    sheets = []
    for folder in reversed(style_dirs):
        path = folder / name
        if path.is_file():
            # Without a byte order mark: WeasyPrint's line:column must be the file's as an editor shows it.
            sheets.append((path, path.read_text(encoding="utf-8-sig")))
    if not sheets:
        raise ReportError(f"stylesheet '{name}' not found in {', '.join(str(d) for d in style_dirs)}")
    return sheets
