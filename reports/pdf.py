"""Writing the PDF: WeasyPrint with a URL fetcher confined to the project, written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetchingError


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
        path = Path(unquote(parts.path)).resolve()
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
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def render_pdf(html: str, base_url: Path, stylesheets: list[tuple[Path, str]], fetcher: ProjectURLFetcher):
    """Lay out the document; returns the WeasyPrint document (pages) for writing."""
    document = HTML(string=html, base_url=str(base_url) + "/", url_fetcher=fetcher)
    css = [CSS(string=text, base_url=str(path), url_fetcher=fetcher) for path, text in stylesheets]
    return document.render(stylesheets=css)
