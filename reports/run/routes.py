"""The service's endpoints: briefings, weekly briefings, handouts, their previews, the catalog.

An ``APIRouter`` that service.py's app includes, behind its middleware (the request log, the size
limits, HEAD) and with its error handlers. Each endpoint finds the app's ``Service`` (the inputs'
fingerprint, the catalog, the cache, the rendering pool) in ``app.state`` and goes: today's date
(resolved once per request, and handed to the job) and the catalog for the inputs' fingerprint ->
the parameters checked against it -> the cache key (fingerprint + options), whose digest is the
ETag -> ``Service.deliver``: 304, the cached body, or a render.

The parameters are declared once, with their types and limits derived from reports.names: FastAPI
validates requests with them (422 with the reason) and generates the OpenAPI schema from them.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParameter
from fastapi.responses import HTMLResponse, JSONResponse, Response

from reports import __version__, names
from reports.documents.dating import IssueDate
from reports.documents.handout import PAPERS
from reports.documents.weekly import IsoWeek, check_week_has_ended
from reports.errors import ReportError
from reports.render.html import render_html
from reports.run.dates import issue_date
from reports.run.jobs import Job

if TYPE_CHECKING:
    from reports.run.service import Service

# Every response may be stored, but must be revalidated: the ETag makes that a cheap 304.
CACHE_CONTROL = "no-cache"
MAX_CLASSES = 16  # classes joined by + in one briefing's path


class ServiceError(Exception):
    """An answer other than the document: status, message, and what else the JSON body carries."""

    def __init__(self, status: int, message: str, headers: dict | None = None, **details):
        super().__init__(message)
        self.status, self.message, self.headers, self.details = status, message, headers or {}, details


def etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    return etag in (tag.strip().removeprefix("W/") for tag in header.split(","))


async def check_query_parameters(request: Request) -> None:
    """Each of the endpoint's own query parameters at most once, and no other: a misspelt or repeated
    one is a 422, not silently the default or the last value. (service.py makes it every route's.)"""
    route = request.scope.get("route")
    declared = {field.alias for field in route.dependant.query_params} if route is not None else set()
    seen: set[str] = set()
    problems = []
    for name, _ in request.query_params.multi_items():
        if name not in declared:
            accepted = ", ".join(sorted(declared)) or "none"
            problems.append({"parameter": f"query.{name[:40]}",
                             "message": f"unknown parameter; this endpoint accepts: {accepted}"})
        elif name in seen:
            problems.append({"parameter": f"query.{name}", "message": "given more than once; give it once"})
        seen.add(name)
    if problems:
        shown = ", ".join(dict.fromkeys(problem["parameter"] for problem in problems))
        raise ServiceError(422, f"bad parameters: {shown}; see /docs for what each accepts", problems=problems)


# ---------------------------------------------------------------------------------------------
# Parameters: declared once, validated by FastAPI, documented in the OpenAPI schema.

ClassList = Annotated[str, PathParameter(
    pattern=rf"^{names.ID_PATTERN}(\+{names.ID_PATTERN}){{0,{MAX_CLASSES - 1}}}$", max_length=300,
    description="One therapy class, several joined by +, or all: car-t, car-t+car-nk, all",
    examples=["car-t", "car-t+car-nk", "all"])]
ClassId = Annotated[str, PathParameter(pattern=rf"^{names.ID_PATTERN}$", description="A therapy class, e.g. car-nk",
                                       examples=["car-t"])]
WeekName = Annotated[str, PathParameter(pattern=rf"^{names.WEEK_PATTERN}$", description="An ISO week, e.g. 2026-W47",
                                        examples=["2026-W46"])]
ScriptName = Annotated[names.Script | None, Query(
    description="The whole briefing in simplified (zh-Hans) or traditional (zh-Hant) script; default: as written")]
PaperName = Annotated[names.Paper, Query(description="The paper size (letter: US Letter)")]
Marks = Annotated[bool, Query(description="Crop marks and a 10 mm bleed, for a print shop")]

PDF_RESPONSES = {200: {"content": {"application/pdf": {}}, "description": "The PDF"},
                 304: {"description": "Not modified: the If-None-Match ETag is current"},
                 404: {"description": "Unknown therapy class"}, 422: {"description": "Bad parameters"},
                 500: {"description": "The seeds have problems (listed with path:line), or rendering failed"},
                 503: {"description": "Too many renders under way; retry after Retry-After seconds"},
                 504: {"description": "The render took longer than the server's --timeout"}}
HTML_RESPONSES = {**PDF_RESPONSES, 200: {"content": {"text/html": {}}, "description": "The HTML the PDF is made from"}}


# ---------------------------------------------------------------------------------------------
# What every endpoint starts with.


def service_of(request: Request) -> Service:
    return request.app.state.service


async def today_and_catalog(request: Request, weekly: bool = False) -> tuple[IssueDate, str, dict]:
    """The request's date (SOURCE_DATE_EPOCH, else today: read once, here; for a weekly, today in the
    weeks' time zone, the catalog's), the inputs' fingerprint, and the catalog of classes for it."""
    service = service_of(request)
    fingerprint = service.inputs.fingerprint()
    known = await service.catalog(fingerprint)
    return issue_date(timezone=known["timezone"] if weekly else None), fingerprint, known


def class_ids(text: str, known: dict, parameter: str = "path.classes") -> list[str]:
    """The classes named in the path, in the briefing's order; 404 for one that does not exist."""
    ids = [entry["id"] for entry in known["classes"]]
    if text == "all":
        return ids
    wanted = text.split("+")
    unknown = [name for name in wanted if name not in ids]
    if unknown:
        message = f"no therapy class {', '.join(repr(name) for name in unknown)}; the classes are {', '.join(ids)} (or all)"
        raise ServiceError(404, message, classes=ids, problems=[{"parameter": parameter, "message": message}])
    return [class_id for class_id in ids if class_id in wanted]


router = APIRouter()


# ---------------------------------------------------------------------------------------------
# Briefings.


def briefing_parts(classes: str, script: names.Script | None, issue: IssueDate, known: dict):
    ids = class_ids(classes, known)
    every = len(ids) == len(known["classes"])
    job = Job("briefing", classes=() if every else tuple(ids), build_date=issue.day.isoformat(),
              date_from=issue.origin, script=script)
    name = f"briefing-{'all' if every else '+'.join(ids)}{'-' + script if script else ''}"
    return ids, job, name


@router.get("/briefings/{classes}.pdf", response_class=Response, responses=PDF_RESPONSES,
            summary="A briefing: one therapy class, several, or all")
async def briefing_pdf(request: Request, classes: ClassList, script: ScriptName = None) -> Response:
    issue, fingerprint, known = await today_and_catalog(request)
    ids, job, name = briefing_parts(classes, script, issue, known)
    key = ("briefing", fingerprint, tuple(ids), script, issue.day.isoformat())
    return await service_of(request).deliver(request, key, "application/pdf", f"{name}.pdf", job)


@router.get("/preview/briefings/{classes}.html", response_class=HTMLResponse, responses=HTML_RESPONSES,
            summary="The HTML a briefing PDF is made from, with its styles, for a browser")
async def briefing_preview(request: Request, classes: ClassList, script: ScriptName = None) -> Response:
    issue, fingerprint, known = await today_and_catalog(request)
    ids, job, name = briefing_parts(classes, script, issue, known)
    key = ("briefing-preview", fingerprint, tuple(ids), script, issue.day.isoformat())
    return await service_of(request).deliver(request, key, "text/html", f"{name}.html",
                                             dataclasses.replace(job, kind="briefing-preview"))


# ---------------------------------------------------------------------------------------------
# Handouts.


def handout_parts(therapy_class: str, paper: names.Paper, marks: bool, issue: IssueDate, known: dict):
    class_id = class_ids(therapy_class, known, "path.therapy_class")[0] if therapy_class != "all" else None
    if class_id is None:
        message = "a handout is for one therapy class; name it, e.g. /handouts/car-t.pdf"
        raise ServiceError(404, message, problems=[{"parameter": "path.therapy_class", "message": message}])
    job = Job("handout", class_id=class_id, paper=paper, marks=marks, build_date=issue.day.isoformat(),
              date_from=issue.origin)
    return class_id, job, f"{class_id}-{paper}{'-marks' if marks else ''}"


@router.get("/handouts/{therapy_class}.pdf", response_class=Response, responses=PDF_RESPONSES,
            summary="A printable handout: one therapy class on one or two pages")
async def handout_pdf(request: Request, therapy_class: ClassId, paper: PaperName = "a4",
                      marks: Marks = False) -> Response:
    issue, fingerprint, known = await today_and_catalog(request)
    class_id, job, name = handout_parts(therapy_class, paper, marks, issue, known)
    key = ("handout", fingerprint, class_id, paper, marks, issue.day.isoformat())
    return await service_of(request).deliver(request, key, "application/pdf", f"{name}.pdf", job)


@router.get("/preview/handouts/{therapy_class}.html", response_class=HTMLResponse, responses=HTML_RESPONSES,
            summary="The HTML a handout is made from, at the type size it fits in")
async def handout_preview(request: Request, therapy_class: ClassId, paper: PaperName = "a4",
                          marks: Marks = False) -> Response:
    issue, fingerprint, known = await today_and_catalog(request)
    class_id, job, name = handout_parts(therapy_class, paper, marks, issue, known)
    key = ("handout-preview", fingerprint, class_id, paper, marks, issue.day.isoformat())
    return await service_of(request).deliver(request, key, "text/html", f"{name}.html",
                                             dataclasses.replace(job, kind="handout-preview"))


# ---------------------------------------------------------------------------------------------
# Weekly briefings.


async def week_of(service: Service, name: str, fingerprint: str, known: dict, issue: IssueDate) -> IsoWeek:
    """The week asked for, if it is served (it has ended by the request's date); 422 naming the weeks
    that are, before any render."""
    first, last = await service.weeks(fingerprint, issue.day)
    available = (f"weeks {first} to {last} are available" if first is not None and first <= last
                 else "no week is available yet: no article has a publication date before the last complete week")
    weeks = {"first": str(first), "last": str(last)} if first is not None and first <= last else None
    try:
        week = IsoWeek.parse(name)
        check_week_has_ended(week, issue, known["timezone"])
    except ReportError as error:
        message = f"{error.problems[0].message}; {available}"
        raise ServiceError(422, message, weeks=weeks, problems=[{"parameter": "path.week", "message": message}]) from None
    if first is None or week < first:
        earliest = f"{first}, the week of the earliest dated article" if first else "any dated article"
        message = f"{week} is before {earliest}, so it has no news; {available}"
        raise ServiceError(422, message, weeks=weeks, problems=[{"parameter": "path.week", "message": message}])
    return week


@router.get("/weekly/{week}.pdf", response_class=Response, responses=PDF_RESPONSES,
            summary="The weekly briefing of an ISO week that has ended: what is new, what changed")
async def weekly_pdf(request: Request, week: WeekName) -> Response:
    service = service_of(request)
    issue, fingerprint, known = await today_and_catalog(request, weekly=True)
    iso_week = await week_of(service, week, fingerprint, known, issue)
    # Rendered in memory, never written to build/weekly/ (a request must not fill the disk or become
    # the "previous briefing" of later weeks); a week `reports weekly` made and is current is served as made.
    key = ("weekly", fingerprint, str(iso_week), service.inputs.weekly_record(iso_week), issue.day.isoformat())
    return await service.deliver(request, key, "application/pdf", f"weekly-{iso_week}.pdf",
                                 Job("weekly", week=str(iso_week), build_date=issue.day.isoformat(),
                                     date_from=issue.origin))


@router.get("/preview/weekly/{week}.html", response_class=HTMLResponse, responses=HTML_RESPONSES,
            summary="The HTML of a weekly briefing")
async def weekly_preview(request: Request, week: WeekName) -> Response:
    service = service_of(request)
    issue, fingerprint, known = await today_and_catalog(request, weekly=True)
    iso_week = await week_of(service, week, fingerprint, known, issue)
    key = ("weekly-preview", fingerprint, str(iso_week), service.inputs.weekly_record(iso_week),
           issue.day.isoformat())
    # No build date: a week recorded by reports weekly shows the date printed in its PDF; any other, today.
    return await service.deliver(request, key, "text/html", f"weekly-{iso_week}.html",
                                 Job("weekly-preview", week=str(iso_week), today=issue.day.isoformat(),
                                     date_from=issue.origin))


# ---------------------------------------------------------------------------------------------
# The catalog, the service's health, the index page.


@router.get("/api/classes", summary="The therapy classes and their studies, as JSON")
async def api_classes(request: Request) -> JSONResponse:
    _, fingerprint, known = await today_and_catalog(request)
    etag = f'"{fingerprint[:32]}"'
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": CACHE_CONTROL})
    classes = [{**entry, "links": class_links(entry["id"])} for entry in known["classes"]]
    return JSONResponse({**known, "classes": classes}, headers={"ETag": etag, "Cache-Control": CACHE_CONTROL})


@router.get("/healthz", summary="Liveness, the rendering pool and the cache")
async def healthz(request: Request) -> dict:
    return service_of(request).stats()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def index(request: Request) -> HTMLResponse:
    service = service_of(request)
    try:
        issue, fingerprint, known = await today_and_catalog(request, weekly=True)
        first, last = await service.weeks(fingerprint, issue.day)
    except ReportError as error:
        return HTMLResponse(index_page(service, None, service.problems(error)), status_code=500)
    return HTMLResponse(index_page(service, known, [], first, last))


def class_links(class_id: str) -> dict:
    return {"briefing": f"/briefings/{class_id}.pdf", "preview": f"/preview/briefings/{class_id}.html",
            "handouts": {paper: f"/handouts/{class_id}.pdf?paper={paper}" for paper in PAPERS}}


def index_page(service: Service, known: dict | None, problems: list[dict], first: IsoWeek | None = None,
               last: IsoWeek | None = None) -> str:
    weeks = []
    week = last
    while first is not None and week is not None and week >= first and len(weeks) < 4:
        weeks.append(str(week))
        week = week.previous()
    return render_html(service.project.template_dirs, "service.html", {
        "version": __version__, "classes": known["classes"] if known else [], "weeks": weeks,
        "papers": PAPERS, "problems": problems, "links": class_links,
    })


# ---------------------------------------------------------------------------------------------
# The feed of the published weeklies (issue 25).


@router.get("/weekly/feed.xml", response_class=Response, summary="Atom feed of the weekly briefings produced",
            responses={200: {"content": {"application/atom+xml": {}}, "description": "The Atom feed"}})
async def weekly_feed(request: Request) -> Response:
    """The weeks reports weekly or reports schedule produced (build/weekly/), newest first, each linking its PDF:
    under base_url in seeds/project.yaml, else relative to the feed; never from the Host header."""
    import asyncio

    from reports.content.settings import read_settings
    from reports.errors import Problems
    from reports.run.feed import weekly_feed as feed_of
    from reports.run.schedule import broker_identity

    project = service_of(request).project
    problems = Problems(project.root)
    settings = read_settings(project.seeds, problems)
    problems.raise_if_any()
    body = await asyncio.to_thread(feed_of, project, settings, broker_identity(project, settings).key)
    return Response(body, media_type="application/atom+xml; charset=utf-8", headers={"Cache-Control": CACHE_CONTROL})
