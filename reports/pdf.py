"""Writing the PDF: WeasyPrint with a URL fetcher confined to the project, written atomically."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from reports import engine

engine.load()  # before anything else imports WeasyPrint: see reports/engine.py
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


def write_atomically(target: Path, data: bytes | str) -> None:
    """Write to a temporary file beside ``target``, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as stream:
            stream.write(data)
        # mkstemp creates the file readable by its owner only; give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def render_pdf(html: str, base_url: Path, stylesheets: list[tuple[Path, str]], fetcher: ProjectURLFetcher,
               variant: str | None = None):
    """Lay out the document; returns the WeasyPrint document (pages) for writing.

    The variant is given here as well as to ``write_pdf``: rendering takes its defaults (the sRGB
    output intent of PDF/A) from it.
    """
    document = HTML(string=html, base_url=str(base_url) + "/", url_fetcher=fetcher)
    css = []
    for path, text in stylesheets:
        sheet, refused = parsed_stylesheet(path, text, tuple(fetcher.roots))
        fetcher.refused.extend(refused)
        css.append(sheet)
    return document.render(stylesheets=css, pdf_variant=variant, font_config=engine.font_configuration())


@lru_cache(maxsize=16)
def parsed_stylesheet(path: Path, text: str, roots: tuple[Path, ...]) -> tuple[CSS, tuple[str, ...]]:
    """A stylesheet parsed once per process, with what its parsing refused to fetch.

    Parsing fetches only what ``@import`` and ``@font-face`` name (images are fetched during
    layout, by the document's fetcher), so a sheet parsed for the same folders can be reused.
    """
    fetcher = ProjectURLFetcher(list(roots))
    sheet = CSS(string=text, base_url=str(path), url_fetcher=fetcher, font_config=engine.font_configuration())
    return sheet, tuple(fetcher.refused)


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
