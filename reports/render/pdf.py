"""Writing the PDF: WeasyPrint with a URL fetcher confined to the project, written atomically.

WeasyPrint tells of a stylesheet's mistakes and of the resources it could not load only through
its ``weasyprint`` logger. They are collected while it parses and lays out, and become warnings
located in the project's own files (the fetcher keeps them: ``ProjectURLFetcher.problems``). A
stylesheet is parsed once per process, so its warnings are kept with the parsed sheet; the
built-in stylesheets' own warnings are not the user's to fix and are left out.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from reports.content.project import BUILTIN_ROOT
from reports.errors import Location, Problem
from reports.render import engine

engine.load()  # before anything else imports WeasyPrint: see reports/render/engine.py
from weasyprint import CSS, HTML, Attachment  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetchingError  # noqa: E402


class ProjectURLFetcher(URLFetcher):
    """Refuses the network and every file outside the given folders.

    A subclass, not a function: in WeasyPrint 70 a plain function fetcher crashes as soon as it
    raises. The same instance must be passed to HTML, to every CSS and to every Attachment;
    each of them otherwise builds an unrestricted default fetcher (CVE-2026-55073).
    """

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=1)
        self.roots = [root.resolve() for root in roots]
        self.refused: list[str] = []
        self.warnings: list[Problem] = []  # what rendering warned about, located (render_pdf)
        self.located: set[str] = set()  # the refused URLs among those warnings

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return True
        if scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        try:
            # The real path: symbolic links followed (a link in seeds/ to /etc/passwd is /etc/passwd).
            path = Path(unquote(parts.path)).resolve()
        except (OSError, RuntimeError, ValueError):  # a NUL byte (%00); RuntimeError: a link loop
            return False
        return any(path.is_relative_to(root) for root in self.roots)

    def fetch(self, url, headers=None):
        if not self.allows(url):
            self.refused.append(url)
            raise URLFetchingError(f"refused {url}: rendering reads only the project's seeds/, templates/ and styles/")
        return super().fetch(url, headers)

    def problems(self) -> list[Problem]:
        """What rendering warned about, each once; a refusal that no render located is told on its own."""
        unlocated = [refusal_warning(url, None, self.roots, Location(DOCUMENT))
                     for url in dict.fromkeys(self.refused) if url not in self.located]
        return list(dict.fromkeys(self.warnings + unlocated))


# Where a warning about the laid-out document goes when no line of the project's files is its cause.
DOCUMENT = "templates"


class _Collector(logging.Handler):
    """Keeps WeasyPrint's warnings and errors emitted by one thread (a render never spans threads)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.records.append(record)


@contextmanager
def weasyprint_warnings():
    """The records WeasyPrint logs at WARNING or above while the block runs, whatever logging is set up."""
    logger = logging.getLogger("weasyprint")  # weasyprint.progress and the rest reach it too
    collector, level = _Collector(), logger.level
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
    logger.addHandler(collector)
    try:
        yield collector.records
    finally:
        logger.removeHandler(collector)
        logger.setLevel(level)


def shown_path(path: Path, roots: list[Path] | tuple[Path, ...]) -> str | None:
    """A readable file as a message names it: from the project's folder (or "built-in ..."), never absolute.

    Every readable root is a top-level folder (seeds/, templates/, styles/) of the project or of
    the built-in tree, so the path from the root's parent is the path the user knows.
    """
    path = Path(os.path.abspath(path))
    for root in roots:
        if path.is_relative_to(root):
            prefix = "built-in " if root.parent == BUILTIN_ROOT else ""
            return prefix + path.relative_to(root.parent).as_posix()
    return None


def url_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme.lower() != "file":
        return None
    return Path(unquote(parts.path))


def without_server_paths(text: str, roots: list[Path] | tuple[Path, ...]) -> str:
    """A WeasyPrint message with every file URL and folder of ours named as the user knows it."""
    text = re.sub(r"file://[^\s'\"]+", lambda m: shown_path(url_path(m.group()), roots) or "a file outside the project",
                  text)
    for root in sorted(roots, key=lambda root: -len(str(root))):
        prefix = "built-in " if root.parent == BUILTIN_ROOT else ""
        text = text.replace(f"{root}/", f"{prefix}{root.name}/").replace(str(root), f"{prefix}{root.name}")
    return text


# An address as HTML or CSS writes it: an attribute's value, url(...), @import "...".
REFERENCE = re.compile(r"""(?:\b(?:src|href|data|poster)\s*=\s*|url\(\s*|@import\s+(?=["']))(["']?)([^"'()\s>]+)\1""", re.I)


def locate_reference(url: str, sources: list[tuple[str, str, str]]) -> tuple[Location, str] | None:
    """Where one of ``sources`` (shown path, text, base URL) writes an address that resolves to ``url``."""
    wanted = unquote(url)
    for shown, text, base in sources:
        for number, line in enumerate(text.splitlines(), 1):
            for match in REFERENCE.finditer(line):
                if unquote(urljoin(base, match.group(2))) == wanted:
                    return Location(shown, number, match.start(2) + 1), match.group(2)
    return None


def refusal_warning(url: str, found: tuple[Location, str] | None, roots, fallback: Location) -> Problem:
    """A refused fetch, at the line that asks for it when one was found, naming no path outside the project."""
    location, written = found if found else (fallback, None)
    path = url_path(url)
    if path is None:
        return Problem(location, f"refused to fetch {written or url}: rendering never uses the network; save the "
                                 "file in the project's templates/ or styles/ and refer to it by a relative path")
    name = written or shown_path(path, roots) or "a file outside the project"
    return Problem(location, f"refused to read {name}: rendering reads only the project's seeds/, templates/ and "
                             "styles/ (a link from there to elsewhere too); copy the file into templates/ or styles/ "
                             "and refer to it by a relative path")


def is_builtin(path: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(BUILTIN_ROOT)


def folder_url(folder: Path) -> str:
    return Path(os.path.abspath(folder)).as_uri() + "/"


POSITION = re.compile(r"\s*\bat (\d+):(\d+)")
SELECTOR = re.compile(r"Invalid or unsupported selector, '(.*)'\Z", re.S)


def selector_position(text: str, selector: str) -> tuple[int, int]:
    """Where a rule with this selector starts (WeasyPrint names the selector, not its line); 0, 0 if nowhere."""
    import tinycss2

    def find(rules) -> tuple[int, int] | None:
        for rule in rules:
            if rule.type == "qualified-rule" and tinycss2.serialize(rule.prelude).strip() == selector.strip():
                return rule.source_line, rule.source_column
            if rule.type in ("qualified-rule", "at-rule") and rule.content is not None:
                inner = find(tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True))
                if inner:
                    return inner
        return None

    return find(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)) or (0, 0)


def stylesheet_warnings(records, shown: str, text: str, refused, roots) -> list[Problem]:
    """WeasyPrint's warnings while parsing a stylesheet, at their line and column in its file.

    The sheet is parsed from the file's text as read, so WeasyPrint's line:column is the file's.
    """
    problems = []
    for record in records:
        message = record.getMessage()
        if any(url in message for url in refused):
            continue  # told once, as a refusal
        position = POSITION.search(message)
        if position:
            line, column = int(position.group(1)), int(position.group(2))
            message = message[:position.start()] + message[position.end():]
        elif selector := SELECTOR.match(message):
            line, column = selector_position(text, selector.group(1))
            written = selector.group(1).strip()
            message = f"Invalid or unsupported selector `{written}`" if written else "A rule without a selector"
        else:
            line, column = 0, 0
        message = without_server_paths(message, roots).rstrip(". ")
        problems.append(Problem(Location(shown, line, column),
                                f"{message}; WeasyPrint skipped it: correct it or remove it"))
    return problems


def layout_warnings(records, base_url: Path, stylesheets: list[tuple[Path, str]], fetcher: ProjectURLFetcher,
                    document: str) -> list[Problem]:
    """What WeasyPrint warned about while laying out, and what the fetcher refused, at the line asking for it.

    The document is HTML rendered from templates, so an address is looked for in the project's own
    templates (relative addresses resolve against the first template folder) and stylesheets.
    """
    roots = fetcher.roots
    if not records and not set(fetcher.refused) - fetcher.located:
        return []  # nothing to locate: the templates are not read on a clean render
    sources = []
    if not is_builtin(base_url):
        for path in sorted(base_url.rglob("*.html")):
            try:
                sources.append((shown_path(path, roots) or path.name, path.read_text(encoding="utf-8-sig"),
                                folder_url(base_url)))
            except (OSError, UnicodeDecodeError):
                continue
    sources += [(shown_path(path, roots) or path.name, text, Path(os.path.abspath(path)).as_uri())
                for path, text in stylesheets if not is_builtin(path)]
    problems = []
    for url in dict.fromkeys(fetcher.refused):
        if url not in fetcher.located:
            fetcher.located.add(url)
            problems.append(refusal_warning(url, locate_reference(url, sources), roots, Location(document)))
    for record in records:
        message = record.getMessage()
        if any(url in message for url in fetcher.refused):
            continue  # told above, as a refusal
        url = record.args[0] if message.startswith("Failed to load") and record.args else None
        if isinstance(url, str) and ":" in url:
            found = locate_reference(url, sources)
            name = found[1] if found else without_server_paths(url, roots)
            reason = without_server_paths(str(record.args[-1]), roots)
            errno = re.search(r"\[Errno \d+\] ([^:'>]+)", reason)  # what urllib's wrapping says, plainly
            reason = errno.group(1).strip() if errno else reason
            problems.append(Problem(found[0] if found else Location(document),
                                    f"could not load {name} ({reason}); check that the file is there"))
        else:
            problems.append(Problem(Location(document), without_server_paths(message, roots).rstrip(". ")))
    return problems


def render_pdf(html: str, base_url: Path, stylesheets: list[tuple[Path, str]], fetcher: ProjectURLFetcher,
               variant: str | None = None, document: str = DOCUMENT):
    """Lay out the document; returns the WeasyPrint document (pages) for writing.

    The variant is given here as well as to ``write_pdf``: rendering takes its defaults (the sRGB
    output intent of PDF/A) from it. What WeasyPrint warned about is added to
    ``fetcher.warnings``; ``document`` names the template a warning without a line goes to.
    """
    page = HTML(string=html, base_url=str(base_url) + "/", url_fetcher=fetcher)
    css = []
    for path, text in stylesheets:
        sheet, refused, warnings = parsed_stylesheet(path, text, tuple(fetcher.roots))
        fetcher.refused.extend(refused)
        fetcher.located.update(refused)  # among the sheet's warnings
        fetcher.warnings.extend(warnings)
        css.append(sheet)
    with weasyprint_warnings() as records:
        rendered = page.render(stylesheets=css, pdf_variant=variant, font_config=engine.font_configuration())
    fetcher.warnings.extend(layout_warnings(records, base_url, stylesheets, fetcher, document))
    return rendered


@lru_cache(maxsize=16)
def parsed_stylesheet(path: Path, text: str, roots: tuple[Path, ...]
                      ) -> tuple[CSS, tuple[str, ...], tuple[Problem, ...]]:
    """A stylesheet parsed once per process, with what its parsing refused to fetch and its warnings.

    Parsing fetches only what ``@import`` and ``@font-face`` name (images are fetched during
    layout, by the document's fetcher), so a sheet parsed for the same folders can be reused;
    its warnings are kept with it, since a second render does not parse it again.
    """
    fetcher = ProjectURLFetcher(list(roots))
    with weasyprint_warnings() as records:
        sheet = CSS(string=text, base_url=str(path), url_fetcher=fetcher, font_config=engine.font_configuration())
    refused = tuple(dict.fromkeys(fetcher.refused))
    shown = shown_path(path, roots) or path.name
    source = [(shown, text, Path(os.path.abspath(path)).as_uri())]
    warnings = [refusal_warning(url, locate_reference(url, source), roots, Location(shown)) for url in refused]
    if not is_builtin(path):  # the built-in sheets' own warnings are ours to fix, not the user's
        warnings += stylesheet_warnings(records, shown, text, refused, roots)
    return sheet, tuple(fetcher.refused), tuple(warnings)


def pdf_variant(pdfa: bool, pdfua: bool) -> str | None:
    """The WeasyPrint 70 variant (``weasyprint.pdf.VARIANTS``) for ``--pdfa`` and ``--pdfua``.

    Both together give PDF/A-3a: the PDF/A level that also requires the tagged structure screen
    readers use (WeasyPrint tags it exactly as for PDF/UA-1). WeasyPrint writes one identification
    schema per file, so such a file says it is PDF/A-3a, not also PDF/UA-1.
    """
    if pdfa:
        return "pdf/a-3a" if pdfua else "pdf/a-3b"
    return "pdf/ua-1" if pdfua else None


def source_attachments(sources: list[tuple[Path, str]], fetcher: ProjectURLFetcher,
                       build_date: dt.date) -> list[Attachment]:
    """The files a briefing was built from, to embed in it, each with a description.

    Both dates are the build date: WeasyPrint would otherwise take the files' own times, and
    the same inputs would give different bytes after a fresh checkout. The fetcher is passed as
    everywhere, though WeasyPrint 70 opens a ``filename`` itself: these paths come from our code.
    """
    when = dt.datetime.combine(build_date, dt.time(), tzinfo=dt.UTC)
    return [Attachment(filename=str(path), url_fetcher=fetcher, name=path.name, description=description,
                       created=when, modified=when, relationship="Source")
            for path, description in sources]


# RFC 9512; WeasyPrint 70 looks YAML up in the machine's mime.types, which may not list it.
MEDIA_TYPES = {".yaml": "application/yaml", ".yml": "application/yaml"}


def tidy_attachments(document, pdf) -> None:
    """Repair two details of WeasyPrint 70's embedded files (a ``write_pdf`` finisher).

    Its PDF/A code lists every attachment twice in the catalog's /AF. And it takes a file's
    media type from the machine's mime.types: YAML was application/octet-stream here and may be
    application/yaml elsewhere, so the same inputs gave different bytes on another machine.
    """
    if "AF" in pdf.catalog:
        pdf.catalog["AF"][:] = list(dict.fromkeys(pdf.catalog["AF"]))
    for spec in pdf.objects:
        if isinstance(spec, dict) and spec.get("Type") == "/Filespec":
            media_type = MEDIA_TYPES.get(Path(spec["UF"].string).suffix.lower())
            if media_type:
                stream = pdf.objects[int(spec["EF"]["F"].split()[0])]
                stream.extra["Subtype"] = "/" + media_type.replace("/", "#2f")
