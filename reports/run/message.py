"""The week's message: what a reader is sent once a week is produced, composed from its record.

A week's record is build/weekly/YYYY-Www/: the PDF and its manifest, which keeps the highlights
(本周要点) as the PDF printed them (``highlights_record``). The message says nothing else about
studies: its subject is the weekly's title and the week, its bodies (plain text and HTML, from the
templates ``weekly-mail.txt`` and ``weekly-mail.html``, the project's own first) are those
highlights, and the PDF is attached, or linked under ``base_url`` when it is larger than the limit.
Read and checked before anything is sent: a PDF that is not the one its manifest names is refused.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import nh3

from reports.content.project import Project
from reports.content.settings import Settings
from reports.documents.weekly import MANIFEST, PDF, IsoWeek, read_manifest, week_folder
from reports.errors import Location, Problem, ReportError
from reports.render.html import render_html

MAIL_HTML = "weekly-mail.html"
MAIL_TEXT = "weekly-mail.txt"
# The printed highlights keep only what carries meaning in a message: an article title's script
# (lang) and the editors' marks († computed, ‡ supplied).
KEPT_TAGS = {"span", "sup"}
KEPT_ATTRIBUTES = {"span": {"lang"}, "sup": {"class"}}


class SendFailure(Exception):
    """A target that did not take the message: why, and whether trying again may help (a server down,
    a timeout, SMTP 4xx, HTTP 5xx) or not (SMTP 5xx, HTTP 4xx, a robot's error code)."""

    def __init__(self, reason: str, transient: bool):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


@dataclass(frozen=True)
class WeekRecord:
    """A produced week as build/weekly/ holds it: the PDF, checked against its manifest."""

    week: IsoWeek
    pdf: bytes
    manifest: dict
    highlights: dict
    folder: Path


def read_week(project: Project, week: IsoWeek) -> WeekRecord:
    folder = week_folder(project, week)
    manifest_path, pdf_path = folder / MANIFEST, folder / PDF
    shown = manifest_path.relative_to(project.root).as_posix()
    if not manifest_path.is_file():
        raise ReportError(Problem(Location(shown), f"{week} has not been produced; produce it first: "
                                                   f"reports weekly --week {week}"))
    manifest = read_manifest(manifest_path, project)
    try:
        pdf = pdf_path.read_bytes()
    except OSError as error:
        raise ReportError(Problem(Location(pdf_path.relative_to(project.root).as_posix()),
                                  f"cannot read the week's PDF: {error.strerror}")) from None
    if hashlib.sha256(pdf).hexdigest() != manifest.get("pdf", {}).get("sha256"):
        raise ReportError(Problem(Location(pdf_path.relative_to(project.root).as_posix()),
                                  f"is not the PDF {MANIFEST} records (it changed after it was made); nothing is "
                                  f"sent: produce the week again with reports weekly --week {week} --force"))
    highlights = manifest.get("highlights")
    if not isinstance(highlights, dict):
        raise ReportError(Problem(Location(shown), f"records no highlights (made by a version before delivery); "
                                                   f"produce it again: reports weekly --week {week} --force"))
    return WeekRecord(week, pdf, manifest, highlights, folder)


@dataclass(frozen=True)
class WeekMessage:
    """The week's message, the same for every target; each channel dresses it as it must."""

    week: str
    subject: str
    text: str
    html: str
    highlights: dict  # the record (plain text in "line", "title", "dating")
    pdf: bytes  # the week's PDF as recorded
    pdf_name: str
    attached: bool  # within the size limit: attached to mail
    link: str | None  # the PDF under base_url; None without base_url
    note: str | None  # said in the log when the PDF is neither attached nor linked


def pdf_link(base_url: str | None, week: str) -> str | None:
    return f"{base_url.rstrip('/')}/weekly/{week}.pdf" if base_url else None


def compose(project: Project, record: WeekRecord, settings: Settings, base_url: str | None = None) -> WeekMessage:
    """The message of ``record``: subject, plain-text and HTML bodies, the PDF attached or linked."""
    highlights = record.highlights
    week = str(record.week)
    limit = int(settings.delivery.max_attachment_mb * 1_000_000)
    attached = len(record.pdf) <= limit
    base_url = base_url or settings.base_url
    link = pdf_link(base_url, week)
    note = None
    if not attached and link is None:
        note = (f"the PDF ({len(record.pdf) / 1e6:.1f} MB) is over delivery.max_attachment_mb "
                f"({settings.delivery.max_attachment_mb:g} MB) and no base_url is set: sent without it or a link")
    subject = f"{highlights['title']} {week}"
    pdf_name = f"{highlights['title']}-{week}.pdf".replace(" ", "")
    context = {
        "subject": subject, "week": week, "record": highlights, "groups": _cleaned(highlights["groups"]),
        "attached": attached, "link": link, "pdf_name": pdf_name, "contact": settings.contact,
        "limit_mb": f"{settings.delivery.max_attachment_mb:g}",
    }
    html = render_html(project.template_dirs, MAIL_HTML, context)
    text = render_html(project.template_dirs, MAIL_TEXT, context)
    return WeekMessage(week, subject, text, html, highlights, record.pdf, pdf_name, attached, link, note)


ISO_DATE = re.compile(r"(?<![0-9-])[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?(?![0-9-])")
TAG = re.compile(r"(<[^>]*>)")  # in cleaned HTML (nh3), a "<" in text is written &lt;


def unbroken_dates(html: str) -> str:
    """A date of the text kept on one line (a mail reader may break 2026-11-21 at its hyphen, as the
    PDF does not), never one inside a tag's attribute; mail readers ignore style sheets, so the
    style is inline."""
    return "".join(part if part.startswith("<") else
                   ISO_DATE.sub(lambda date: f'<span style="white-space: nowrap">{date.group()}</span>', part)
                   for part in TAG.split(html))


def _cleaned(groups: list[dict]) -> list[dict]:
    """The groups with their HTML fragments reduced to what a message keeps (read back from a file,
    so cleaned again, whoever wrote it)."""
    from markupsafe import Markup

    def clean(fragment: str | None) -> Markup | None:
        if fragment is None:
            return None
        return Markup(unbroken_dates(nh3.clean(fragment, tags=KEPT_TAGS, attributes=KEPT_ATTRIBUTES)))

    return [{**group, "items": [{**item, "line_html": clean(item["line_html"]),
                                 "dating_html": clean(item.get("dating_html"))} for item in group["items"]]}
            for group in groups]
