"""The live preview (``reports preview``): the briefing's HTML in a browser, rebuilt on every save.

A page of the preview goes: the briefing's HTML (``preview_briefing``, through ``run_job`` like
every runner: no WeasyPrint, no layout, a fraction of a second) rendered in this process on one
thread, kept until an input changes -> served with a small script, allowed by a nonce in the
Content-Security-Policy (the service's policy plus that script and its event stream), that
subscribes to ``/events`` with the digest of the page it shows. A watcher looks at the inputs
twice a second (``Inputs``: the content hashes of seeds/, templates/ and styles/ that are the
service's fingerprint, re-read only for files whose size or times changed); when they change, it
drops the rendered pages, and each open event stream renders its page again and, only when the
page came out different, tells the browser to reload: the reload is then served at once.

A page whose render fails on the seeds (a YAML error, a failed check) is a page that lists every
problem at its place, in Chinese, with the same script: it reloads by itself once they are fixed.

Written by hand on Starlette rather than as the service's FastAPI app: these are pages for one
person at work, not an API with parameters to document. Nothing is written anywhere: no build/,
no cache file. The only pages with a script are this app's; the service never has one.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

from reports import __version__, names
from reports.content.evidence import evidence_paths
from reports.content.project import BUILTIN_ROOT, Project, input_files
from reports.errors import ReportError
from reports.render.html import render_html
from reports.run.connections import (
    MAX_HEAD,
    ConnectionLimits,
    connection_cap,
    listening_socket,
    protocol_class,
)
from reports.run.dates import issue_date
from reports.run.jobs import Job, catalog, run_job
from reports.run.service import (
    PREVIEW_POLICY,
    Inputs,
    RequestLimits,
    Scrubber,
    digest_of,
    stopped_server_class,
)

log = logging.getLogger("reports.preview")

POLL_SECONDS = 0.5  # how often the inputs are looked at: below the time a render takes
STREAM_TICK = 0.25  # how often an open event stream looks at its page
HEARTBEAT_SECONDS = 15.0  # a comment on a quiet event stream, so a closed tab is noticed
RENDER_ATTEMPTS = 3  # renders of one page while the inputs keep changing under it
HEAD_TIMEOUT = 10.0  # seconds a browser has to send a request head, as reports serve's default
TEMPLATE = "preview.html"
# The preview's own pages (the index, the problems) are the built-in template only: the project's
# templates are what is being edited, and the page that says what is wrong must not depend on them.
OWN_TEMPLATES = [BUILTIN_ROOT / "templates"]

INDEX = "/"
BRIEFING = re.compile(rf"/preview/briefings/(all|{names.ID_PATTERN}(?:\+{names.ID_PATTERN}){{0,15}})\.html")
RELOAD_SCRIPT = ('<script nonce="{nonce}">new EventSource("/events?page={page}&version={version}")'
                 '.addEventListener("reload", function () {{ location.reload(); }});</script>\n')


def policy(nonce: str) -> str:
    """The service's preview policy, plus the one script of this response and the event stream it opens."""
    return f"{PREVIEW_POLICY}; script-src 'nonce-{nonce}'; connect-src 'self'"


def with_reload_script(html: str, page: str, version: str, nonce: str) -> str:
    script = RELOAD_SCRIPT.format(nonce=nonce, page=quote(page, safe=""), version=version)
    end = html.lower().rfind("</body>")  # the document's own: any other in its text is escaped
    return html[:end] + script + html[end:] if end >= 0 else html + script


def page_url(host: str, port: int, classes: tuple[str, ...]) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}" + (f"/preview/briefings/{'+'.join(classes)}.html" if classes else INDEX)


# ---------------------------------------------------------------------------------------------
# What the inputs are now.


class Watcher:
    """The inputs' version, and which files changed since the last look.

    Polled by hand (stat, then a hash of what changed) rather than with inotify through watchdog or
    watchfiles: the same signature and content hashes as the service's ETags, the same files as a
    build (linked folders inside the project too), no new dependency, and it works where inotify
    does not (network file systems, some containers). Hidden files (an editor's swap and lock files)
    are left out, as the readers leave them out.
    """

    def __init__(self, project: Project):
        self.inputs = Inputs(project)
        self.files = self.read()
        self.version = digest_of([__version__, self.files])
        self.generation = 0  # counts the changes seen, so a render knows whether it is still current

    def read(self) -> dict[str, str]:
        files = input_files(self.inputs.project, self.inputs.hash_of)
        return {name: digest for name, digest in files.items()
                if not any(part.startswith(".") for part in name.split("/"))}

    def look(self) -> list[str]:
        """The names of the files added, changed or removed since the last look."""
        try:
            files = self.read()
        except OSError:  # a file removed between its listing and its hash: look again next time
            return []
        changed = sorted(name for name in files.keys() | self.files.keys() if files.get(name) != self.files.get(name))
        if changed:
            self.files = files
            self.version = digest_of([__version__, files])
            self.generation += 1
        return changed


# ---------------------------------------------------------------------------------------------
# The pages.


@dataclass(frozen=True)
class Page:
    """A page as rendered, without its script: the digest tells an open page whether it changed."""

    status: int
    html: str
    problems: tuple[str, ...] = ()

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.status}\n{self.html}".encode("utf-8")).hexdigest()[:32]


def own_page(kind: str, **context) -> str:
    return render_html(OWN_TEMPLATES, TEMPLATE, {"kind": kind, "version": __version__, **context})


class LivePreview:
    """The preview's state: the watcher, and the pages rendered from the inputs as they are now."""

    def __init__(self, project: Project):
        self.project = project
        self.watcher = Watcher(project)
        self.scrub = Scrubber(project)
        self.pages: dict[str, Page] = {}  # by path, for the inputs as they are now
        self.lock = asyncio.Lock()  # one render at a time, and never the same page twice
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="preview-render")
        self.reported: tuple[str, ...] = ()  # the problems last printed on the terminal
        self.stopping = False  # set when the server is asked to stop: the event streams end

    # -- rendering ---------------------------------------------------------------------------

    def render(self, path: str) -> Page:
        """The page at ``path`` for the inputs as they are (run on the render thread)."""
        try:
            if path == INDEX:
                return Page(200, own_page("index", classes=catalog(self.project.root)["classes"]))
            return self.briefing(BRIEFING.fullmatch(path).group(1))
        except ReportError as error:
            problems = [{"location": self.scrub(str(problem.location)) if problem.location.path != "reports" else "",
                         "message": self.scrub(problem.message)} for problem in error.problems]
            in_seeds = all(problem.location.path.startswith("seeds") for problem in error.problems)
            return Page(500, own_page("problems", problems=problems, in_seeds=in_seeds),
                        tuple(str(problem) for problem in error.problems))
        except Exception as error:  # a programming error: named on the page, its traceback on the terminal
            log.exception("the preview of %s failed", path)
            return Page(500, own_page("failed", error=f"{type(error).__name__}: {self.scrub(str(error))}"),
                        (f"{path}: {type(error).__name__}: {error}",))

    def briefing(self, classes: str) -> Page:
        known = sorted({path.stem.lower() for path in evidence_paths(self.project.seeds)})
        wanted = [] if classes == "all" else classes.split("+")
        unknown = [name for name in wanted if name not in known]
        if unknown:  # a page of its own, which comes back when the class's table is saved
            return Page(404, own_page("unknown", unknown=unknown, known=known))
        issue = issue_date()
        job = Job("briefing-preview", classes=tuple(wanted), build_date=issue.day.isoformat(), date_from=issue.origin)
        return Page(200, run_job(self.project.root, job))

    async def page(self, path: str) -> Page:
        """The page for the current inputs: kept, or rendered now (a render under way is waited for)."""
        async with self.lock:
            for _ in range(RENDER_ATTEMPTS):
                page = self.pages.get(path)
                if page is not None:
                    return page
                generation = self.watcher.generation
                page = await asyncio.get_running_loop().run_in_executor(self.thread, self.render, path)
                self.report(page)
                if generation == self.watcher.generation:  # not rendered from files that changed since
                    self.pages[path] = page
            return page

    def report(self, page: Page) -> None:
        """A render's problems on the terminal, once until they change; and when they are gone."""
        if page.problems == self.reported or (page.status == 404 and not page.problems):
            return
        if page.problems:
            say(f"{len(page.problems)} 个问题（页面上也列出，修正并保存后自动重新载入）：")
            for problem in page.problems:
                say(f"  {problem}")
        else:
            say("问题已解决，预览已更新")
        self.reported = page.problems

    # -- watching ----------------------------------------------------------------------------

    async def watch(self) -> None:
        """Look at the inputs twice a second; on a change, drop the pages rendered from the old ones."""
        while True:
            await asyncio.sleep(POLL_SECONDS)
            changed = self.watcher.look()
            if changed:
                shown = "、".join(changed[:3]) + (f" 等 {len(changed)} 个文件" if len(changed) > 3 else "")
                say(f"已修改：{shown}")
                self.pages = {}

    # -- the endpoints -----------------------------------------------------------------------

    async def show(self, request: Request) -> Response:
        path = request.url.path
        if path != INDEX and BRIEFING.fullmatch(path) is None:
            return not_found()
        page = await self.page(path)
        nonce = secrets.token_urlsafe(18)
        return HTMLResponse(with_reload_script(page.html, path, page.digest, nonce), page.status,
                            headers={"Content-Security-Policy": policy(nonce), "Cache-Control": "no-store"})

    async def events(self, request: Request) -> Response:
        """Server-sent events: ``reload`` once the page at ``page`` differs from the ``version`` shown."""
        path, shown = request.query_params.get("page", ""), request.query_params.get("version", "")
        if path != INDEX and BRIEFING.fullmatch(path) is None:
            return not_found()

        async def stream():
            # Ended by Starlette when the browser goes away (a reload, a closed tab), by the server's stop here.
            yield "retry: 1000\n\n"  # reconnect within a second when the connection drops
            quiet = 0.0
            while not self.stopping:
                page = await self.page(path)
                if page.digest != shown:
                    yield f"event: reload\ndata: {page.digest}\n\n"
                    return
                await asyncio.sleep(STREAM_TICK)
                quiet += STREAM_TICK
                if quiet >= HEARTBEAT_SECONDS:
                    yield ": watching\n\n"
                    quiet = 0.0

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    def app(self) -> Starlette:
        @asynccontextmanager
        async def lifespan(app: Starlette):
            watching = asyncio.create_task(self.watch())
            yield
            watching.cancel()
            self.thread.shutdown(wait=False, cancel_futures=True)

        async def missing(request: Request, error: Exception) -> Response:
            return not_found()

        app = Starlette(routes=[Route("/events", self.events), Route("/{path:path}", self.show)],
                        exception_handlers={404: missing}, lifespan=lifespan)
        app.add_middleware(RequestLimits)
        return app


def not_found() -> HTMLResponse:
    return HTMLResponse(own_page("missing"), 404, headers={"Content-Security-Policy": PREVIEW_POLICY})


def say(line: str) -> None:
    """One line of the preview's log on stderr."""
    print(line, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The server.


def serve_preview(project_dir: Path | str, host: str = "127.0.0.1", port: int = 8000,
                  classes: tuple[str, ...] = ()) -> None:
    """Serve the live preview until SIGTERM or Ctrl-C; print its address once it is listening."""
    import uvicorn

    listening = listening_socket(host, port)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    preview = LivePreview(Project.at(project_dir))
    config = uvicorn.Config(preview.app(), host=host, port=port, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=5, h11_max_incomplete_event_size=MAX_HEAD, loop="asyncio",
                            http=protocol_class(ConnectionLimits(HEAD_TIMEOUT, connection_cap(None, 1)[0])))

    class PreviewServer(stopped_server_class()):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets)
            print(f"预览：{page_url(host, port, classes)}", flush=True)
            say("正在监视 seeds/、templates/ 和 styles/：保存后，打开的预览页会自动更新。按 Ctrl-C 停止。")

        def handle_exit(self, sig, frame) -> None:
            preview.stopping = True  # the open event streams end, so the server can stop
            super().handle_exit(sig, frame)

    PreviewServer(config).run(sockets=[listening])
    say("预览已停止")
