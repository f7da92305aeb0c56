"""reports serve: the real server on a loopback port, asked as a browser or another system would.

Each test starts ``reports serve`` as its own process (or shares one started per module), talks
to it over HTTP with the standard library, and stops it by its process id. The tests that take
``engine`` run twice: rendering in the service's own processes, and with ``--engine celery`` on
the session's redis-server and two ``reports worker`` processes (tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.layout import briefing_margins, handout_margins, layout_violations, weekly_margins
from helpers.pdf import pdftotext
from helpers.projects import ROOT, write_project

pytestmark = pytest.mark.server

FIXED_EPOCH = "1796083200"  # 2026-12-01: the build date printed in every PDF served here


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        assert self.headers["content-type"] == "application/json", self.body[:200]
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``reports --project ROOT serve`` in its own process, stopped by its pid; ``files``: the
    process's file limit (ulimit -n), if it is to be lower than the tests' own."""

    def __init__(self, root: Path, *options: str, files: int | None = None):
        self.root = root
        self.port = free_port()
        self.log_path = root / "serve.log"
        self.log = open(self.log_path, "w", encoding="utf-8")
        limit = ["prlimit", f"--nofile={files}"] if files else []  # util-linux's: preexec_fn is unsafe with threads
        self.process = subprocess.Popen(
            [*limit, sys.executable, "-m", "reports", "--project", str(root), "serve", "--port", str(self.port),
             *options],
            stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH},
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.get("/healthz").status == 200:
                    break
            except OSError:
                pass
            assert self.process.poll() is None, f"the server exited: {self.log_path.read_text()}"
            assert time.monotonic() < deadline, "the server did not answer /healthz within 60 s"
            time.sleep(0.2)

    def get(self, path: str, headers: dict | None = None, timeout: float = 120, method: str = "GET") -> Reply:
        """The path is sent exactly as given: no client-side normalising of .. or %2e."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()

    def workers(self) -> list[int]:
        """The pids of the rendering processes: the server's children started by multiprocessing's spawn.

        Every thread's children: the pool's replacement workers are started by its manager thread.
        """
        children = [pid for task in Path(f"/proc/{self.process.pid}/task").iterdir()
                    for pid in (task / "children").read_text().split()]
        return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def logged(self) -> str:
        return self.log_path.read_text(encoding="utf-8")


def seed_project(folder: Path) -> Path:
    """A copy of the shipped seeds, in a folder of its own: the service must write nothing into it."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    return folder


@pytest.fixture(scope="module", params=["local", "celery"])
def engine(request) -> tuple[str, ...]:
    """The options that choose the engine: none for the local one."""
    if request.param == "local":
        return ()
    return ("--engine", "celery", "--broker", request.getfixturevalue("celery_cluster").broker)


def unique(root: Path) -> Path:
    """The project made different from every other test's (a comment in its settings): the Celery
    engine keeps results by content in Redis for the whole session, and this test must render."""
    settings = root / "seeds/project.yaml"
    before = settings.read_text(encoding="utf-8") if settings.exists() else ""
    settings.write_text(f"{before}\n# {root}\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def served(tmp_path_factory, engine):
    server = Server(seed_project(tmp_path_factory.mktemp("served") / "project"), "--workers", "2", *engine)
    yield server
    server.stop()


def save(reply: Reply, path: Path) -> Path:
    path.write_bytes(reply.body)
    return path


def pdfinfo(pdf: Path) -> dict[str, str]:
    lines = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------------------------------------
# The documents.


def test_a_briefing_is_rendered_once_then_served_from_the_cache_and_revalidated(served, tmp_path):
    first = served.get("/briefings/car-m.pdf")
    assert first.status == 200
    assert first.headers["content-type"] == "application/pdf"
    assert first.headers["x-cache"] == "miss"
    assert first.headers["cache-control"] == "no-cache"
    pdf = save(first, tmp_path / "car-m.pdf")
    text = squeeze(pdftotext(pdf))
    assert "CAR-M细胞疗法" in text and "CT-0508" in text
    assert "CAR-T细胞疗法" not in text  # one class only
    assert int(pdfinfo(pdf)["Pages"]) >= 3
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"[A-Z]{6}\+Noto-Sans-CJK-SC +CID Type 0C \(OT\) +Identity-H +yes yes yes", fonts), fonts

    again = served.get("/briefings/car-m.pdf")
    assert (again.status, again.headers["x-cache"], again.body) == (200, "hit", first.body)
    assert again.headers["etag"] == first.headers["etag"]

    unchanged = served.get("/briefings/car-m.pdf", {"If-None-Match": first.headers["etag"]})
    assert (unchanged.status, unchanged.body) == (304, b"")
    assert unchanged.headers["etag"] == first.headers["etag"]
    other = served.get("/briefings/car-m.pdf", {"If-None-Match": '"something-else"'})
    assert other.status == 200

    log = served.logged()
    assert re.search(r"GET /briefings/car-m\.pdf 200 cache=miss render_ms=\d+ total_ms=\d+", log), log
    assert re.search(r"GET /briefings/car-m\.pdf 200 cache=hit render_ms=- total_ms=\d+", log), log
    assert re.search(r"GET /briefings/car-m\.pdf 304 cache=not-modified", log), log


@pytest.mark.parametrize("engine", ["local"], indirect=True)  # what the engine does not change: once
def test_several_classes_in_traditional_script(served, tmp_path):
    reply = served.get("/briefings/car-t+car-nk.pdf?script=zh-Hant")
    assert reply.status == 200
    assert reply.headers["content-disposition"] == 'inline; filename="briefing-car-t+car-nk-zh-Hant.pdf"'
    text = squeeze(pdftotext(save(reply, tmp_path / "two.pdf")))
    assert layout_violations(tmp_path / "two.pdf", briefing_margins()) == []  # a combination no CLI test makes
    assert "CAR-T細胞療法" in text and "CAR-NK細胞療法" in text
    assert "CAR-M細胞療法" not in text
    # The same briefing asked in another order is the same document.
    swapped = served.get("/briefings/car-nk+car-t.pdf?script=zh-Hant", {"If-None-Match": reply.headers["etag"]})
    assert swapped.status == 304


@pytest.mark.parametrize("engine", ["local"], indirect=True)  # what the engine does not change: once
def test_a_handout_on_a5(served, tmp_path):
    reply = served.get("/handouts/car-nk.pdf?paper=a5")
    assert reply.status == 200
    info = pdfinfo(save(reply, tmp_path / "handout.pdf"))
    assert info["Page size"].startswith("419.5") and "595.2" in info["Page size"]  # 148 x 210 mm
    assert int(info["Pages"]) in (1, 2)
    assert "证据速览" in squeeze(pdftotext(tmp_path / "handout.pdf"))
    assert layout_violations(tmp_path / "handout.pdf", handout_margins("a5")) == []


def test_a_weekly_briefing_is_rendered_in_memory_and_kept_only_in_the_cache(served, tmp_path):
    reply = served.get("/weekly/2026-W46.pdf")
    assert (reply.status, reply.headers["x-cache"]) == (200, "miss")
    text = squeeze(pdftotext(save(reply, tmp_path / "weekly.pdf")))
    assert layout_violations(tmp_path / "weekly.pdf", weekly_margins()) == []
    assert "2026-W46" in text or "2026年第46周" in text, text[:400]
    assert not (served.root / "build").exists(), sorted(served.root.rglob("*"))
    again = served.get("/weekly/2026-W46.pdf")
    assert (again.status, again.headers["x-cache"], again.body) == (200, "hit", reply.body)
    assert served.get("/weekly/2026-W46.pdf", {"If-None-Match": reply.headers["etag"]}).status == 304


def test_the_preview_is_the_html_of_the_pdf_with_its_styles_and_fetches_nothing(served):
    reply = served.get("/preview/briefings/car-t.html")
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    policy = reply.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "img-src data:" in policy
    html = reply.text
    assert '<html lang="zh-Hans">' in html and "<style>" in html and "@page" in html
    assert "CAR-T 细胞疗法" in html
    assert not re.search(r"<(link|script)\b", html)
    assert served.get("/preview/handouts/car-m.html?paper=a5").status == 200
    assert served.get("/preview/weekly/2026-W46.html").status == 200


def test_identical_requests_at_once_render_once(served):
    before = served.get("/healthz").json()["pool"]["completed"].get("render", 0)
    with ThreadPoolExecutor(4) as clients:
        replies = list(clients.map(lambda _: served.get("/handouts/car-t.pdf?paper=letter"), range(4)))
    assert [reply.status for reply in replies] == [200] * 4
    assert len({reply.body for reply in replies}) == 1
    assert sorted(reply.headers["x-cache"] for reply in replies).count("miss") == 1
    assert served.get("/healthz").json()["pool"]["completed"]["render"] == before + 1


def test_the_api_lists_classes_and_studies(served):
    reply = served.get("/api/classes")
    assert reply.status == 200
    body = reply.json()
    assert [entry["id"] for entry in body["classes"]] == ["car-t", "car-nk", "car-m"]
    car_m = body["classes"][2]
    assert car_m["name"] == "CAR-M 细胞疗法" and car_m["source"] == "seeds/evidence/car-m.yaml"
    assert any(study["product"].startswith("CT-0508") for study in car_m["studies"])
    assert car_m["links"]["handouts"]["a5"] == "/handouts/car-m.pdf?paper=a5"
    assert served.get("/api/classes", {"If-None-Match": reply.headers["etag"]}).status == 304


def test_the_index_links_everything_and_the_api_docs_work_offline(served):
    index = served.get("/").text
    for link in ["/briefings/all.pdf", "/briefings/car-nk.pdf", "/handouts/car-m.pdf?paper=letter",
                 "/preview/briefings/car-t.html", "/api/classes", "/docs", "/healthz"]:
        assert f'href="{link.replace("&", "&amp;")}"' in index, link
    assert re.search(r'href="/weekly/\d{4}-W\d{2}\.pdf"', index)

    schema = served.get("/openapi.json").json()
    for path in ["/briefings/{classes}.pdf", "/weekly/{week}.pdf", "/handouts/{therapy_class}.pdf",
                 "/preview/briefings/{classes}.html", "/api/classes", "/healthz"]:
        assert path in schema["paths"], path
    docs = served.get("/docs").text
    assets = re.findall(r"""(?:src|href)=['"]([^'"]+\.(?:js|css))['"]""", docs)
    assert assets and all(asset.startswith("/") for asset in assets), assets  # nothing from a CDN
    for asset in assets:
        assert served.get(asset).status == 200, asset


# ---------------------------------------------------------------------------------------------
# Wrong requests.


def test_an_unknown_class_is_404_with_the_classes_there_are(served):
    reply = served.get("/briefings/car-t+car-x.pdf")
    assert reply.status == 404
    body = reply.json()
    assert body["message"] == "no therapy class 'car-x'; the classes are car-t, car-nk, car-m (or all)"
    assert body["classes"] == ["car-t", "car-nk", "car-m"]
    assert served.get("/handouts/car-y.pdf").status == 404


@pytest.mark.parametrize("path, parameter", [
    ("/briefings/car-t.pdf?script=zh-Latn", "query.script"),
    ("/handouts/car-t.pdf?paper=b5", "query.paper"),
    ("/handouts/car-t.pdf?marks=perhaps", "query.marks"),
    ("/briefings/CAR_T.pdf", "path.classes"),
    ("/briefings/car-t+.pdf", "path.classes"),
    ("/briefings/" + "+".join(["car-t"] * 60) + ".pdf", "path.classes"),
    ("/briefings/" + "x" * 2000 + ".pdf", "path.classes"),  # a URL within 2,048 bytes: a longer one is 414
    ("/weekly/2026-46.pdf", "path.week"),
])
def test_bad_parameters_are_422_naming_the_parameter(served, path, parameter):
    reply = served.get(path)
    assert reply.status == 422
    body = reply.json()
    assert body["problems"][0]["parameter"] == parameter
    assert body["message"].startswith(f"bad parameters: {parameter}")


@pytest.mark.parametrize("week, message", [
    ("2026-W60", "2026 has no week 60"),
    ("2099-W01", "2099-W01 has not ended by the date 2026-12-01 from SOURCE_DATE_EPOCH (it ends on Sunday 2099-01-04 in Asia/Shanghai)"),
    ("2020-W43", "2020-W43 is before 2020-W44, the week of the earliest dated article"),
    ("1999-W01", "1999-W01 is before 2020-W44, the week of the earliest dated article"),
    ("0001-W01", "'0001-W01' is out of range; a week of the years 1900 to 9998"),
    ("9999-W52", "'9999-W52' is out of range; a week of the years 1900 to 9998"),
])
def test_a_week_that_does_not_exist_has_not_ended_or_precedes_every_article_is_422(served, week, message):
    """The seeds' earliest dated article is of 2020-10-29 (ISO week 2020-W44)."""
    last = last_complete_week()
    for path in (f"/weekly/{week}.pdf", f"/preview/weekly/{week}.html"):
        reply = served.get(path)
        assert reply.status == 422
        body = reply.json()
        assert body["message"].startswith(message)
        assert body["message"].endswith(f"; weeks 2020-W44 to {last} are available")
        assert body["weeks"] == {"first": "2020-W44", "last": last}


def last_complete_week() -> str:
    """The last ISO week that had ended by the service's date (its one clock: SOURCE_DATE_EPOCH, which
    every server here is started with), computed here independently of the service."""
    today = dt.datetime.fromtimestamp(int(FIXED_EPOCH), dt.UTC).date()
    year, week, _ = (today - dt.timedelta(days=today.isoweekday())).isocalendar()
    return f"{year:04d}-W{week:02d}"


def listing(folder: Path) -> dict[str, tuple]:
    """Every file and folder under ``folder``: its size, modification time and content hash."""
    return {path.relative_to(folder).as_posix(): (path.is_dir(), path.stat().st_size, path.stat().st_mtime_ns,
                                                  None if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest())
            for path in sorted(folder.rglob("*"))}


def test_weekly_requests_read_the_weekly_record_and_write_nothing_into_build(tmp_path, engine):
    root = unique(seed_project(tmp_path / "project"))
    # A week produced by the command, as the scheduler would: the record later weeks are compared with.
    made = subprocess.run([sys.executable, "-m", "reports", "--project", str(root), "weekly", "--week", "2025-W46",
                           "--date", "2025-11-17"], capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    recorded = root / "build/weekly/2025-W46/briefing.pdf"
    before = listing(root / "build")
    assert "weekly/2025-W46/manifest.json" in before
    server = Server(root, "--workers", "2", *engine)
    try:
        # The week the command made, unchanged since: served as recorded, byte for byte (a new render
        # would print the server's build date, 2026-12-01, not the recorded 2025-11-17).
        assert server.get("/weekly/2025-W46.pdf").body == recorded.read_bytes()
        # A later week is compared with the recorded one, as `reports weekly` would.
        later = server.get("/weekly/2025-W47.pdf")
        assert later.status == 200
        assert "上期：2025-W46" in squeeze(pdftotext(save(later, tmp_path / "w47.pdf")))
        # The first week served (the earliest dated article, 2020-10-29) and other weeks, every way they are asked.
        assert server.get("/weekly/2020-W44.pdf").status == 200
        assert server.get("/preview/weekly/2025-W48.html").status == 200
        assert server.get("/weekly/2025-W49.pdf", {"If-None-Match": '"other"'}, method="HEAD").status == 200
        renders = server.get("/healthz").json()["pool"]["completed"]["render"]
        assert renders == 5

        for week in ["2020-W43", "0001-W01", "2099-W01"]:
            reply = server.get(f"/weekly/{week}.pdf")
            assert reply.status == 422 and "are available" in reply.json()["message"], reply.body
        pool = server.get("/healthz").json()["pool"]
        assert pool["completed"]["render"] == renders and pool["failed"] == {}, pool  # refused before any render
        assert re.search(r"GET /weekly/0001-W01\.pdf 422 cache=- render_ms=- ", server.logged())
    finally:
        server.stop()
    assert listing(root / "build") == before
    assert sorted(path.name for path in root.iterdir()) == ["build", "seeds", "serve.log"]


@pytest.mark.parametrize("path", [
    "/briefings/../../seeds/articles.yaml",
    "/briefings/..%2f..%2fseeds%2farticles.yaml.pdf",
    "/briefings/%2e%2e%2f%2e%2e%2fetc%2fpasswd.pdf",
    "/preview/%2e%2e/%2e%2e/seeds/evidence/car-t.yaml",
    "/static-offline-docs/../../../../etc/passwd",
    "/static-offline-docs/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static-offline-docs/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/handouts/car-t.pdf?paper=../../etc/passwd",
    "/..%2f..%2fetc/passwd",
])
def test_nothing_outside_the_served_documents_can_be_read(served, path):
    reply = served.get(path)
    assert reply.status in (404, 422), (reply.status, reply.body[:200])
    assert reply.json()["status"] == reply.status
    assert b"root:" not in reply.body and b"excerpts:" not in reply.body and b"articles:" not in reply.body


# ---------------------------------------------------------------------------------------------
# Inputs that change, and renders that fail.


def test_an_edited_seed_is_picked_up_without_a_restart_and_invalid_seeds_are_500_with_places(tmp_path, engine):
    root = write_project(tmp_path / "project")
    server = Server(root, "--workers", "1", *engine)
    try:
        first = server.get("/briefings/car-x.pdf")
        assert first.status == 200
        assert "示例现状" in squeeze(pdftotext(save(first, tmp_path / "first.pdf")))

        evidence = root / "seeds/evidence/car-x.yaml"
        evidence.write_text(evidence.read_text(encoding="utf-8").replace("示例现状。", "现状已更新。"), encoding="utf-8")
        edited = server.get("/briefings/car-x.pdf", {"If-None-Match": first.headers["etag"]})
        assert edited.status == 200 and edited.headers["x-cache"] == "miss"
        assert edited.headers["etag"] != first.headers["etag"]
        text = squeeze(pdftotext(save(edited, tmp_path / "edited.pdf")))
        assert "现状已更新" in text and "示例现状" not in text

        evidence.write_text(evidence.read_text(encoding="utf-8").replace("phase: phase-1", "phase: phase-9"),
                            encoding="utf-8")
        broken = server.get("/briefings/car-x.pdf")
        assert broken.status == 500
        body = broken.json()
        assert body["message"].startswith("the project's seeds or templates have problems")
        line = next(number for number, text in enumerate(evidence.read_text(encoding="utf-8").splitlines(), 1)
                    if "phase-9" in text)
        assert any(problem["location"].startswith(f"seeds/evidence/car-x.yaml:{line}:")
                   for problem in body["problems"]), body
        assert str(tmp_path) not in broken.text and str(ROOT) not in broken.text
        assert server.get("/").status == 500  # the index says what is wrong, too

        evidence.write_text(evidence.read_text(encoding="utf-8").replace("phase: phase-9", "phase: phase-1"),
                            encoding="utf-8")
        assert server.get("/briefings/car-x.pdf").status == 200
    finally:
        server.stop()


def test_a_full_queue_is_refused_with_503_and_retry_after_and_nothing_is_left_running(tmp_path, engine):
    server = Server(unique(seed_project(tmp_path / "project")), "--workers", "1", "--queue", "1", "--cache-mb", "0",
                    *engine)
    try:
        assert server.get("/api/classes").status == 200  # the catalog is read; only renders remain
        workers = server.workers()
        assert len(workers) == (0 if engine else 1)  # with Celery, the rendering processes are the workers' own
        paths = [f"/handouts/{name}.pdf?paper={paper}" for name, paper in
                 [("car-m", "a4"), ("car-m", "a5"), ("car-nk", "a4"), ("car-nk", "a5")]]
        with ThreadPoolExecutor(len(paths)) as clients:
            replies = list(clients.map(server.get, paths))
        statuses = sorted(reply.status for reply in replies)
        assert statuses == [200, 200, 503, 503], statuses
        for reply in replies:
            if reply.status == 503:
                assert int(reply.headers["retry-after"]) >= 1 and reply.headers["x-cache"] == "refused"
                assert "busy" in reply.json()["message"]
        assert re.search(r"GET /handouts/car-n?[km]\.pdf\?paper=a[45] 503 cache=refused", server.logged())
    finally:
        server.stop()
    assert server.process.returncode == 0  # a stop asked for with SIGTERM is a clean exit
    assert "stopped: the rendering workers are shut down" in server.logged()
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "a worker outlived the server"


def test_a_crashed_render_fails_only_its_own_request(tmp_path):
    server = Server(seed_project(tmp_path / "project"), "--workers", "1")
    try:
        assert server.get("/api/classes").status == 200
        outcome: dict = {}
        asking = threading.Thread(target=lambda: outcome.update(reply=server.get("/briefings/all.pdf")))
        asking.start()
        deadline = time.monotonic() + 30
        while server.get("/healthz").json()["pool"]["in_flight"] == 0:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.3)
        [worker] = server.workers()
        os.kill(worker, signal.SIGKILL)
        asking.join(60)
        reply = outcome["reply"]
        assert reply.status == 500
        assert reply.json()["message"].startswith("the rendering process died")
        # The pool replaced its worker: the next request is served.
        assert server.get("/handouts/car-m.pdf").status == 200
        assert server.get("/healthz").status == 200
    finally:
        server.stop()


def test_a_render_over_the_timeout_is_stopped_with_504_and_the_service_goes_on(tmp_path, engine):
    server = Server(unique(write_project(tmp_path / "project")), "--workers", "1", "--timeout", "0.05", *engine)
    try:
        reply = server.get("/briefings/car-x.pdf")
        assert reply.status == 504
        assert reply.json()["message"] == ("rendering took longer than 0.05 s and was stopped; "
                                           "the server's --timeout sets the limit")
        assert server.get("/api/classes").status == 200  # reading the seeds is not held to --timeout
        assert server.get("/healthz").json()["pool"]["failed"]["render"] == 1
        assert server.get("/briefings/car-x.pdf").status == 504  # stopped again, not taken for a result
        assert server.get("/healthz").json()["pool"]["failed"]["render"] == 2
    finally:
        server.stop()
    assert server.process.returncode == 0


def test_a_worker_is_replaced_after_its_renders(tmp_path):
    server = Server(write_project(tmp_path / "project"), "--workers", "1", "--max-renders", "1")
    try:
        assert server.get("/api/classes").status == 200
        first = server.workers()
        assert server.get("/briefings/car-x.pdf").status == 200
        assert server.get("/preview/briefings/car-x.html").status == 200
        deadline = time.monotonic() + 30
        while not server.workers():
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert set(server.workers()).isdisjoint(first)
        assert not [pid for pid in first if Path(f"/proc/{pid}").exists()]
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------
# A real browser.


@pytest.mark.parametrize("engine", ["local"], indirect=True)  # what the engine does not change: once
def test_chromium_shows_the_preview_with_its_text(served, tmp_path):
    chromium = shutil.which("chromium")
    assert chromium, "chromium missing: the test command installs it"
    from PIL import Image

    shot = tmp_path / "preview.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,1400",
                    f"--screenshot={shot}", f"http://127.0.0.1:{served.port}/preview/briefings/car-m.html"],
                   check=True, capture_output=True, timeout=120)
    image = Image.open(shot).convert("L")
    assert image.size == (1000, 1400)
    histogram = image.histogram()
    dark = sum(histogram[:128]) / sum(histogram)
    # Text is dark ink on a light page: some of it, and not a page of solid colour.
    assert 0.005 < dark < 0.5, dark
    rows_with_ink = sum(1 for y in range(0, 1400, 4)
                        if any(image.getpixel((x, y)) < 128 for x in range(0, 1000, 2)))
    assert rows_with_ink > 40, rows_with_ink


def test_hostile_seeds_reach_the_service_as_located_problems_without_their_content(tmp_path, engine):
    """A link out of the project and an alias bomb, dropped into a running service's seeds: the
    preview and the API answer 500 with each problem at its place, none of the linked file's text."""
    secret = "SECRET-ROOT-PASSWORD-7f3a"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "notes.md").write_text(f"---\ntitle: x\nlang: zh-CN\n---\n\n{secret} 在 12 名患者中。\n", encoding="utf-8")
    root = write_project(tmp_path / "project")
    server = Server(root, "--workers", "1", *engine)
    try:
        assert server.get("/preview/briefings/car-x.html").status == 200
        (root / "seeds/articles/notes.md").symlink_to(outside / "notes.md")
        bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{name}: &{name} [" + ", ".join([f"*{before}"] * 9) + "]\n" for before, name in zip("abcdefgh", "bcdefghi"))
        (root / "seeds/evidence/car-y.yaml").write_text(bomb, encoding="utf-8")
        for path in ("/preview/briefings/car-x.html", "/api/classes", "/briefings/car-x.pdf"):
            reply = server.get(path, timeout=30)
            assert reply.status == 500, (path, reply.status)
            locations = {problem["location"]: problem["message"] for problem in reply.json()["problems"]}
            assert locations["seeds/articles/notes.md:1:1"].startswith("this symbolic link points outside the project")
            assert locations["seeds/evidence/car-y.yaml:1:4"].startswith("YAML anchors and aliases")
            assert secret not in reply.text and str(outside) not in reply.text
        assert server.process.poll() is None  # the bomb cost the service nothing
    finally:
        server.stop()


def test_a_broker_lost_while_serving_is_503_naming_it_and_the_service_goes_on(tmp_path):
    """Celery only: Redis stops answering under a running service; a render is refused at once with
    503 and the broker's URL, no hang, and what is cached is still served."""
    from helpers.servers import CeleryCluster, start_redis_server, start_worker, stop_group

    (tmp_path / "broker").mkdir()
    redis, broker = start_redis_server(tmp_path / "broker")
    cluster = CeleryCluster(broker, tmp_path / "broker", [], [])
    server = None
    try:
        start_worker(cluster, "alone@loopback")
        cluster.wait_until_ready(1)
        server = Server(write_project(tmp_path / "project"), "--workers", "1", "--engine", "celery", "--broker", broker)
        assert server.get("/handouts/car-x.pdf").status == 200
        stop_group(redis)
        started = time.monotonic()
        reply = server.get("/briefings/car-x.pdf", timeout=60)
        assert reply.status == 503, reply.body[:300]
        assert reply.json()["message"].startswith(f"cannot reach the broker {broker}: ")
        assert time.monotonic() - started < 15
        assert server.get("/handouts/car-x.pdf").status == 200  # from the service's cache
        assert server.get("/healthz").status == 200
    finally:
        if server is not None:
            server.stop()
        for process in [*cluster.workers, redis]:
            stop_group(process)
    assert server.process.returncode == 0
