"""The HTTP service: briefings, weekly briefings and handouts on request (``reports serve``).

FastAPI on uvicorn, rather than bare Starlette: the parameters are declared once with their
types and limits, and the same declarations validate requests (422 with the reason), and
generate the OpenAPI schema and its docs page. The docs page is FastAPI's Swagger UI served
from files installed with fastapi-offline, not from a CDN: the service needs no network.

This module is the app: its factory, its state (``Service``), the middleware, the limits, the
JSON errors and the server. The endpoints are routes.py's router. A request goes: fingerprint
the inputs (content hashes of seeds/, templates, styles) -> the catalog of classes for that
fingerprint (read and verified in a worker, kept until an input changes) -> check the
parameters against it -> the cache key (fingerprint + options) is the ETag: a matching
If-None-Match is answered 304 without rendering -> the cached body, or a render in the worker
pool (see pool.py), shared by identical requests under way.

Before any of that, in this order: the request log (so refusals are logged too), the size limits
(414/431, before anything reads the request), redirects made relative, then HEAD turned into GET.
Before a request exists at all, the connection is connections.py's: a deadline for the request
head, a cap on connections, a head too large to buffer or malformed, failed accepts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import re
import resource
import sys
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cachetools import LRUCache
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from reports import __version__
from reports.content.project import BUILTIN_ROOT, Project, input_files, sha256_of, tool_digest
from reports.documents.base import Rendered
from reports.documents.weekly import MANIFEST, PDF, IsoWeek, week_folder, weekly_root
from reports.errors import ReportError
from reports.names import Engine
from reports.run.connections import (
    DEFAULT_MAX_CONNECTIONS,
    MAX_HEAD,
    MAX_HEADER,
    MAX_HEADERS,
    MAX_URL,
    ConnectionLimits,
    connection_cap,
    error_body,
    listening_socket,
    protocol_class,
    shown_target,
)
from reports.run.jobs import Job
from reports.run.pool import Busy, CeleryPool, RenderFailed, RenderPool
from reports.run.routes import (
    CACHE_CONTROL,
    ServiceError,
    check_query_parameters,
    etag_matches,
    router,
)

log = logging.getLogger("reports.service")

# The preview is article text in a browser: it may show its own inline styles and data: images, and fetch nothing.
PREVIEW_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
CATALOG_TIMEOUT = 60.0  # reading and verifying the seeds is not a render: not held to --timeout

@dataclass
class ServiceOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2  # rendering processes
    queue: int = 8  # renders admitted beyond those running; more are refused with 503
    timeout: float = 120.0  # seconds one render may take before its worker is stopped
    max_renders: int = 25  # renders after which a worker process is replaced (bounds its memory)
    cache_mb: int = 256  # rendered PDFs and previews kept in memory; 0 keeps none
    engine: Engine = "local"  # local: this machine's processes; celery: the reports workers of ``broker``
    broker: str | None = None  # redis://HOST:PORT/N, for the celery engine
    head_timeout: float = 10.0  # seconds a client has to send a whole request head (connections.py)
    max_connections: int | None = None  # open connections at most; None: what the file limit leaves, up to 1000


# ---------------------------------------------------------------------------------------------
# What the inputs are now.


class Inputs:
    """Content hashes of the project's inputs, re-read only for files whose size or times changed."""

    def __init__(self, project: Project):
        self.project = project
        self.known: dict[Path, tuple[tuple, str]] = {}

    def hash_of(self, path: Path) -> str:
        try:
            status = path.stat()
        except OSError:
            return "missing"
        signature = (status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino)
        known = self.known.get(path)
        if known and known[0] == signature:
            return known[1]
        try:
            digest = sha256_of(path)
        except OSError:
            return "missing"
        self.known[path] = (signature, digest)
        return digest

    def fingerprint(self) -> str:
        """The inputs' hashes and the tool's: an ETag given before an upgrade is not answered 304 after it."""
        files = input_files(self.project, self.hash_of)
        return digest_of([tool_digest(self.hash_of), files])

    def weekly_record(self, week: IsoWeek) -> str:
        """What a week's briefing depends on in build/weekly/, read only: the manifests of the weeks
        before it (its "changed since" section) and its own, with its PDF (served as recorded)."""
        root = weekly_root(self.project)
        manifests = sorted(root.glob(f"*/{MANIFEST}")) if root.is_dir() else []
        record = {path.parent.name: self.hash_of(path) for path in manifests if path.parent.name <= str(week)}
        return digest_of([record, self.hash_of(week_folder(self.project, week) / PDF)])


def digest_of(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# Errors as JSON, without server paths.


class Scrubber:
    """Takes the server's own paths out of messages: the project's files are named relative to it."""

    ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:[^\s/:'\"，。]+/)+[^\s/:'\"，。]*")

    def __init__(self, project: Project):
        self.replacements = [(f"{project.root}/", ""), (str(project.root), "."),
                             (f"{BUILTIN_ROOT}/", "(built-in)/"), (str(BUILTIN_ROOT), "(built-in)")]

    def __call__(self, text: str) -> str:
        for server_path, shown in self.replacements:
            text = text.replace(server_path, shown)
        return self.ABSOLUTE_PATH.sub("(server path)", text)


def problems_of(error: ReportError, scrub: Scrubber) -> list[dict]:
    return [{"location": scrub(str(problem.location)), "message": scrub(problem.message)} for problem in error.problems]


# ---------------------------------------------------------------------------------------------
# Before routing: request limits, and HEAD. Plain ASGI middleware: they see the request as uvicorn
# parsed it (path, query string, headers) and answer without FastAPI's routing or validation.


def oversized(scope: dict) -> tuple[int, str] | None:
    """414 or 431 with the reason, for a request over the limits; None for one within them."""
    url = len(scope.get("raw_path") or scope["path"].encode("utf-8")) + 1 + len(scope["query_string"])
    if url > MAX_URL:
        return 414, f"the URL is {url} bytes; this service accepts at most {MAX_URL}"
    total = 0
    for name, value in scope["headers"]:
        size = len(name) + len(value)
        if size > MAX_HEADER:
            shown = name.decode("latin-1")[:40]
            return 431, f"the header {shown} is {size} bytes; this service accepts at most {MAX_HEADER} for one header"
        total += size + 4  # ": " and the line end
    if total > MAX_HEADERS:
        return 431, f"the headers are {total} bytes; this service accepts at most {MAX_HEADERS} in all"
    return None


class RequestLimits:
    """Refuses a request whose URL or headers are over the limits: 414 or 431, as JSON.

    By hand: uvicorn bounds only the bytes it buffers (see connections.py), Starlette nothing.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        refusal = oversized(scope) if scope["type"] == "http" else None
        if refusal is None:
            return await self.app(scope, receive, send)
        status, message = refusal
        await JSONResponse(error_body(status, message), status, {"Connection": "close"})(scope, receive, send)


class HeadAsGet:
    """HEAD wherever GET works: the GET's status and headers (Content-Length, ETag, X-Cache), no body.

    FastAPI routes only the methods declared, and declaring HEAD on every route would double the
    OpenAPI operations; this gives every GET route (the docs and their files too) its HEAD.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def headers_only(message):
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        # HEAD renders like GET (same key: the next GET is a hit); only a render knows the Content-Length and status.
        await self.app({**scope, "method": "GET"}, receive, headers_only)


class RelativeRedirects:
    """Every Location the service sends is a path on this server, whatever the request's Host says.

    Starlette builds its redirects (redirect_slashes' /healthz/ -> /healthz, a mount's /x -> /x/)
    as absolute URLs from the Host header: ``Host: evil.example`` came back as
    ``Location: http://evil.example/healthz``, a redirect anyone could aim elsewhere.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def relative(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "location" in headers:
                    headers["location"] = local_location(headers["location"])
            await send(message)

        await self.app(scope, receive, relative)


def local_location(location: str) -> str:
    """The path, query and fragment of a URL, as a path that cannot leave this server: one leading
    slash (``//host/x`` would be another host to a browser) and no backslash (which browsers read as one)."""
    parts = urlsplit(location.replace("\\", "%5C"))
    path = "/" + parts.path.lstrip("/")
    return path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


# ---------------------------------------------------------------------------------------------
# The service.


class Service:
    """What the endpoints (routes.py) share, in ``app.state.service``: the inputs' fingerprint, the
    catalogs, the rendering pool and the cache of rendered bodies."""

    def __init__(self, project: Project, options: ServiceOptions):
        self.project = project
        self.options = options
        self.inputs = Inputs(project)
        self.scrub = Scrubber(project)
        self.pool = (CeleryPool(options.broker, options.workers, options.queue, options.timeout) if options.engine == "celery"
                     else RenderPool(options.workers, options.queue, options.timeout, options.max_renders))
        self.cache: LRUCache | None = (LRUCache(maxsize=options.cache_mb * 2**20, getsizeof=len)
                                       if options.cache_mb > 0 else None)
        self.catalogs: dict[str, dict | ReportError] = {}
        self.first_weeks: dict[str, IsoWeek | None] = {}
        self.connections: ConnectionLimits | None = None  # the server's, once serve() has made them

    @property
    def root(self) -> str:
        return str(self.project.root)

    async def catalog(self, fingerprint: str) -> dict:
        """The classes and studies for these inputs; a ReportError when the seeds have problems."""
        found = self.catalogs.get(fingerprint)
        if found is None:
            try:
                found = (await self.pool.run_job(("catalog", fingerprint), "catalog", self.root, Job("catalog"),
                                                 timeout=max(CATALOG_TIMEOUT, self.options.timeout))).value
            except ReportError as error:
                found = error
            self.catalogs = {fingerprint: found}  # only the current inputs' catalog is kept
        if isinstance(found, ReportError):
            raise found
        return found

    async def weeks(self, fingerprint: str, day: dt.date) -> tuple[IsoWeek | None, IsoWeek]:
        """The weeks served: from the week of the earliest dated article to the last that had ended by
        ``day`` (the request's date, in the weeks' time zone)."""
        if fingerprint not in self.first_weeks:
            outcome = await self.pool.run_job(("first-week", fingerprint), "catalog", self.root, Job("first-week"),
                                              timeout=max(CATALOG_TIMEOUT, self.options.timeout))
            self.first_weeks = {fingerprint: outcome.value}  # only the current inputs' are kept
        return self.first_weeks[fingerprint], IsoWeek.last_complete_by(day)

    async def deliver(self, request: Request, key: tuple, media_type: str, filename: str, job: Job) -> Response:
        """The document for ``key``: 304, from the cache, or rendered (once for identical requests)."""
        etag = f'"{digest_of(key)[:32]}"'
        headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
        if etag_matches(request.headers.get("if-none-match"), etag):
            request.state.cache = "not-modified"
            return Response(status_code=304, headers=headers)
        body = self.cache.get(key) if self.cache is not None else None
        if body is not None:
            request.state.cache = "hit"
        else:
            outcome = await self.pool.run_job(key, "render", self.root, job)
            rendered = outcome.value
            body = rendered.pdf if isinstance(rendered, Rendered) else rendered.encode("utf-8")
            request.state.cache = "shared" if outcome.shared else "miss"
            request.state.render_ms = outcome.milliseconds
            self.remember(key, body)
        headers |= {"Content-Disposition": f'inline; filename="{filename}"', "X-Cache": request.state.cache}
        if media_type == "text/html":
            headers["Content-Security-Policy"] = PREVIEW_POLICY
            media_type = "text/html; charset=utf-8"
        return Response(body, media_type=media_type, headers=headers)

    def problems(self, error: ReportError) -> list[dict]:
        """The error's problems as JSON, without the server's paths."""
        return problems_of(error, self.scrub)

    def remember(self, key: tuple, body: bytes) -> None:
        if self.cache is not None and len(body) <= self.cache.maxsize:
            self.cache[key] = body

    def stats(self) -> dict:
        cache = ({"entries": len(self.cache), "bytes": self.cache.currsize, "limit_bytes": self.cache.maxsize}
                 if self.cache is not None else {"entries": 0, "bytes": 0, "limit_bytes": 0})
        connections = self.connections.stats() if self.connections is not None else None
        return {"status": "ok", "version": __version__, "pool": self.pool.stats(), "cache": cache,
                "connections": connections}


def create_app(project_dir: Path | str, options: ServiceOptions | None = None) -> FastAPI:
    service = Service(Project.at(project_dir), options or ServiceOptions())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        service.pool.start()
        if service.options.engine == "celery":
            log.info("serving %s, rendering on the reports workers of %s", service.project.root,
                     service.pool.stats()["broker"])
        else:
            log.info("serving %s with %d rendering workers", service.project.root, service.options.workers)
        yield
        service.pool.stop()
        log.info("stopped: the rendering workers are shut down")

    app = FastAPIOffline(
        title="reports", version=__version__, lifespan=lifespan, dependencies=[Depends(check_query_parameters)],
        description="Chinese-language PDF briefings on CAR-T, CAR-NK and CAR-M therapies, built on request from "
                    "the project's curated, excerpt-verified evidence tables. PDFs carry an ETag; send it back "
                    "as If-None-Match to get 304 while the inputs are unchanged.",
    )
    app.state.service = service
    install_error_handlers(app, service)
    # Added innermost first: the log, outermost, sees every request (refused ones, and HEAD as HEAD).
    app.add_middleware(HeadAsGet)
    app.add_middleware(RelativeRedirects)
    app.add_middleware(RequestLimits)
    install_request_log(app)
    app.include_router(router)
    return app


def install_error_handlers(app: FastAPI, service: Service) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(request: Request, error: ServiceError) -> JSONResponse:
        return JSONResponse(error_body(error.status, error.message, **error.details), error.status, error.headers)

    @app.exception_handler(ReportError)
    async def report_error(request: Request, error: ReportError) -> JSONResponse:
        message = "the project's seeds or templates have problems; fix them (each is listed with its place) and ask again"
        return JSONResponse(error_body(500, message, problems=service.problems(error)), 500)

    @app.exception_handler(Busy)
    async def busy(request: Request, error: Busy) -> JSONResponse:
        request.state.cache = "refused"
        message = f"every renderer is busy and the queue is full; ask again in {error.retry_after} s"
        return JSONResponse(error_body(503, message), 503, {"Retry-After": str(error.retry_after), "X-Cache": "refused"})

    @app.exception_handler(RenderFailed)
    async def render_failed(request: Request, error: RenderFailed) -> JSONResponse:
        return JSONResponse(error_body(error.status, error.message), error.status)

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [{"parameter": ".".join(str(part) for part in problem["loc"]),
                     "message": service.scrub(problem["msg"])} for problem in error.errors()]
        names = ", ".join(problem["parameter"] for problem in problems)
        return JSONResponse(error_body(422, f"bad parameters: {names}; see /docs for what each accepts",
                                       problems=problems), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 404 and (problem := path_parameter_problem(request.url.path)):
            return JSONResponse(error_body(422, f"bad parameters: {problem['parameter']}; see /docs for what each "
                                                "accepts", problems=[problem]), 422)
        message = "no such page; / lists what this service offers" if error.status_code == 404 else str(error.detail)
        headers = dict(error.headers or {})
        if "GET" in headers.get("Allow", "").split(", "):
            headers["Allow"] += ", HEAD"  # HeadAsGet answers it wherever GET works
        return JSONResponse(error_body(error.status_code, message), error.status_code, headers)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception) -> JSONResponse:
        log.exception("internal error on %s", request.url.path)
        return JSONResponse(error_body(500, "internal error; the server's log has the details"), 500)


def install_request_log(app: FastAPI) -> None:
    """One line per request: method, path, status, cache (hit, miss, shared...), render and total ms."""

    @app.middleware("http")
    async def log_request(request: Request, call_next):
        started = time.perf_counter()
        request.state.cache = "-"
        request.state.render_ms = None
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            return response
        finally:
            render = f"{request.state.render_ms:.0f}" if request.state.render_ms is not None else "-"
            # As sent (percent-encoded): a decoded path could write a line end or a NUL into the log.
            raw = request.scope.get("raw_path") or request.url.path.encode("utf-8")
            query = request.scope["query_string"]
            target = shown_target(raw + (b"?" + query if query else b""))
            log.info("%s %s %d cache=%s render_ms=%s total_ms=%.0f", request.method, target, status,
                     request.state.cache, render, (time.perf_counter() - started) * 1000)


def path_parameter_problem(path: str) -> dict | None:
    """For a path no route matched: the path parameter it misses, if it is an endpoint's path with one
    empty or holding a / (``/briefings/.pdf``, ``/weekly/2026/W47.pdf``), so the answer names it.
    (The endpoints' router is included without a prefix: its paths are the app's.)"""
    for route in router.routes:
        if not isinstance(route, APIRoute) or not route.param_convertors:
            continue
        loose = "".join(f"(?P<{part[1:-1]}>.*)" if part.startswith("{") else re.escape(part)
                        for part in re.split(r"(\{\w+\})", route.path_format))
        found = re.fullmatch(loose, path)
        if found is None:
            continue
        for name, value in found.groupdict().items():
            if value == "" or "/" in value:
                wrong = "is empty" if value == "" else "holds a /"
                description = parameter_description(route, name)
                return {"parameter": f"path.{name}", "message": f"{wrong}; {description[:1].lower()}{description[1:]}"}
    return None


def parameter_description(route: APIRoute, name: str) -> str:
    field = next((field for field in route.dependant.path_params if field.name == name), None)
    description = getattr(getattr(field, "field_info", None), "description", None)
    return description or "see /docs"


def serve(project_dir: Path | str, options: ServiceOptions) -> None:
    import uvicorn

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    # Malformed requests get their own line in the request log (connections.py), not uvicorn's too.
    logging.getLogger("uvicorn.error").addFilter(lambda record: record.getMessage() != "Invalid HTTP request received.")
    listening = listening_socket(options.host, options.port)
    if options.engine == "celery":
        from reports.run.distributed import check_broker

        check_broker(options.broker)  # before listening: an unreachable broker is an error naming it, exit 1
    cap, room = connection_cap(options.max_connections, options.workers + options.queue)
    files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if cap > room:
        log.warning("--max-connections %d is more than the file limit (ulimit -n: %d) leaves room for, about %d; "
                    "past that, accepting fails (logged with a count) until connections close", cap, files, room)
    elif options.max_connections is None and cap < DEFAULT_MAX_CONNECTIONS:
        log.warning("at most %d connections: what the file limit (ulimit -n: %d) leaves room for; raise it "
                    "(LimitNOFILE= under systemd) for up to %d", cap, files, DEFAULT_MAX_CONNECTIONS)
    limits = ConnectionLimits(head_timeout=options.head_timeout, max_connections=cap)
    app = create_app(project_dir, options)
    app.state.service.connections = limits
    # The h11 protocol named, not "auto", and asyncio's loop, not "auto": the connection limits are
    # built on them, and installing httptools or uvloop must not change them. uvicorn's own settings
    # do the rest: what it buffers of a head, the idle time between requests (5 s), the listen queue.
    config = uvicorn.Config(app, host=options.host, port=options.port, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=int(options.timeout) + 5, http=protocol_class(limits),
                            loop="asyncio", h11_max_incomplete_event_size=MAX_HEAD)

    class ServiceServer(stopped_server_class()):
        async def serve(self, sockets=None) -> None:
            asyncio.get_running_loop().set_exception_handler(limits.exception_handler)  # failed accepts counted
            await super().serve(sockets)

    ServiceServer(config).run(sockets=[listening])


def stopped_server_class():
    import uvicorn

    class StoppedServer(uvicorn.Server):
        """uvicorn's server, exiting 0 when stopped with SIGTERM or Ctrl-C: a stop asked for is not a failure.

        uvicorn raises the signal again once it has shut down, so the process would die by it
        (status -15 for SIGTERM, a KeyboardInterrupt traceback for Ctrl-C); systemd and the tests
        expect 0 from a clean stop.
        """

        def handle_exit(self, sig, frame) -> None:
            super().handle_exit(sig, frame)
            if self._captured_signals and self._captured_signals[-1] == sig:
                self._captured_signals.pop()

    return StoppedServer
