"""Rendering HTML: Jinja2 templates (the project's own first, then the built-in ones)."""

from __future__ import annotations

from pathlib import Path

import jinja2

from reports.errors import ReportError


def template_environment(template_dirs: list[Path]) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in template_dirs])
    return jinja2.Environment(
        loader=loader,
        autoescape=True,  # article text is untrusted: everything is escaped unless marked safe
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(template_dirs: list[Path], template_name: str, context: dict) -> str:
    environment = template_environment(template_dirs)
    try:
        template = environment.get_template(template_name)
    except jinja2.TemplateNotFound:
        searched = ", ".join(str(d) for d in template_dirs) or "nowhere (no templates/ folder)"
        raise ReportError(f"template '{template_name}' not found; searched: {searched}") from None
    except jinja2.TemplateSyntaxError as error:
        raise ReportError(f"{error.filename}:{error.lineno}: template syntax error: {error.message}") from None
    try:
        return template.render(**context)
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
