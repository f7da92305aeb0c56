"""The Atom feed of the published weeklies (/weekly/feed.xml): one entry per week produced.

A week is published when reports weekly or reports schedule produced it: build/weekly/YYYY-Www/
holds its manifest and the PDF it names. Each entry links that PDF (rel="alternate", type
application/pdf): under ``base_url`` when one is set, else relative to the feed (2026-W47.pdf beside
/weekly/feed.xml), never from the request's Host header (which a client chooses). Written with
ElementTree (escaping is its business), valid Atom 1.0 (RFC 4287): the feed's id, title, updated and
author; each entry's id, title, updated, link and summary (the week's highlights, as printed).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from xml.etree import ElementTree

from reports import __version__
from reports.content.project import Project
from reports.content.settings import Settings
from reports.documents.weekly import MANIFEST, PDF, IsoWeek, weekly_root
from reports.errors import ReportError

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 52  # a year of weeks


@dataclass(frozen=True)
class Published:
    week: IsoWeek
    title: str
    updated: dt.datetime
    summary: str


def published_weeks(project: Project) -> list[Published]:
    """The weeks produced in build/weekly/, newest first: each with a manifest naming a PDF that is there."""
    found = []
    for manifest in weekly_root(project).glob(f"*/{MANIFEST}"):
        try:
            week = IsoWeek.parse(manifest.parent.name)
            record = json.loads(manifest.read_text(encoding="utf-8"))
            if not (manifest.parent / PDF).is_file() or not isinstance(record, dict) or "pdf" not in record:
                continue
            written = dt.datetime.fromtimestamp(manifest.stat().st_mtime, dt.UTC).replace(microsecond=0)
        except (ReportError, OSError, ValueError):
            continue  # not a week's folder, or a week being written
        highlights = record.get("highlights") or {}
        lines = [f"{item['kind']}：{item['title']}——{item['line']}"
                 for group in highlights.get("groups", []) for item in group.get("items", [])]
        title = f"{highlights.get('title', '')} {week}".strip()
        found.append(Published(week, title, written, "\n".join(lines) or "本周没有新增或更新的证据条目。"))
    found.sort(key=lambda published: published.week, reverse=True)
    return found[:MAX_ENTRIES]


def weekly_feed(project: Project, settings: Settings, identity: str) -> bytes:
    """The feed as UTF-8 XML; ``identity`` (the project's name on a broker) makes its ids stable and its own."""
    ElementTree.register_namespace("", ATOM)
    weeks = published_weeks(project)
    base = settings.base_url

    def element(parent, name: str, text: str | None = None, **attributes) -> ElementTree.Element:
        child = ElementTree.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
        if text is not None:
            child.text = text
        return child

    feed = ElementTree.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-Hans"})
    element(feed, "id", f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'reports:{identity}:weekly')}")
    element(feed, "title", settings.weekly_title)
    newest = max((published.updated for published in weeks),
                 default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    element(feed, "updated", newest.isoformat().replace("+00:00", "Z"))
    author = element(feed, "author")
    element(author, "name", settings.organisation)
    element(feed, "generator", "reports", version=__version__)
    if base:
        element(feed, "link", rel="self", type="application/atom+xml", href=f"{base}/weekly/feed.xml")
    for published in weeks:
        entry = element(feed, "entry")
        element(entry, "id", f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'reports:{identity}:weekly:{published.week}')}")
        element(entry, "title", published.title)
        element(entry, "updated", published.updated.isoformat().replace("+00:00", "Z"))
        href = f"{base}/weekly/{published.week}.pdf" if base else f"{published.week}.pdf"
        element(entry, "link", rel="alternate", type="application/pdf", href=href)
        element(entry, "summary", published.summary, type="text")
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
