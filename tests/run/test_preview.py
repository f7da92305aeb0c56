"""reports preview: the live preview as a curator uses it. A real ``reports preview`` process on a
loopback port, a real headless Chromium showing its page, and seed files edited on disk while both
run: the page must follow by itself (the test only reads it, never reloads it)."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.browser import Browser
from helpers.projects import ROOT
from helpers.servers import loopback_port

pytestmark = pytest.mark.server

FIXED_EPOCH = "1796083200"  # 2026-12-01
TITLE = "CT-0508 首次人体 I 期试验"  # the CAR-M study's title in the shipped seeds
# The page as the test reads it: its title, its text without white space (the typesetting spaces
# Han and Latin apart), and how this document was last loaded (navigate, or reload by its script).
PAGE = ("JSON.stringify({title: document.title, text: document.body ? document.body.innerText.replace(/\\s+/g, '') : '',"
        " loaded: performance.getEntriesByType('navigation')[0].type})")


def page_showing(tab, text: str) -> dict:
    """The page in the browser, once its text (white space aside) holds ``text``."""
    return json.loads(tab.wait_for(f"(() => {{ const page = {PAGE}; return JSON.parse(page).text.includes("
                                   f"{json.dumps(squeeze(text))}) && page; }})()"))


class Preview:
    """``reports --project ROOT preview`` in its own process, its stdout read, stopped by its pid."""

    def __init__(self, root: Path, log: Path, *options: str):
        self.root = root
        self.port = loopback_port()
        self.log_path = log
        self.log = open(log, "w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reports", "--project", str(root), "preview", "--port", str(self.port), *options],
            stdout=subprocess.PIPE, stderr=self.log, env={**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH})
        ready, _, _ = select.select([self.process.stdout], [], [], 30)
        assert ready, f"reports preview printed no address within 30 s: {log.read_text(encoding='utf-8')}"
        self.first_line = self.process.stdout.readline().decode("utf-8").rstrip("\n")
        assert self.first_line, f"reports preview exited: {log.read_text(encoding='utf-8')}"

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            headers = {name.lower(): value for name, value in response.getheaders()}
            return response.status, headers, response.read().decode("utf-8")
        finally:
            connection.close()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        self.log.close()
        return self.process.returncode

    def logged(self) -> str:
        return self.log_path.read_text(encoding="utf-8")


def seed_copy(folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    return folder


def listing(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder``, a file with its content hash."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file()
            else "folder" for path in sorted(folder.rglob("*"))}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def replace_line(path: Path, old: str, new: str) -> int:
    """Replace the one line that is ``old`` (stripped); its line number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    [number] = [index for index, line in enumerate(lines) if line.strip() == old]
    indent = lines[number][: len(lines[number]) - len(lines[number].lstrip())]
    lines[number] = f"{indent}{new}\n"
    path.write_text("".join(lines), encoding="utf-8")
    return number + 1


def test_the_open_page_follows_each_save_shows_problems_in_chinese_and_comes_back(tmp_path):
    root = seed_copy(tmp_path / "project")
    before = listing(root)
    preview = Preview(root, tmp_path / "preview.log", "--class", "car-m")
    browser = Browser(tmp_path / "profile")
    try:
        url = f"http://127.0.0.1:{preview.port}/preview/briefings/car-m.html"
        assert preview.first_line == f"预览：{url}"
        tab = browser.open(url)
        shown = page_showing(tab, TITLE)
        assert shown["loaded"] == "navigate" and "CAR-M细胞疗法" in shown["text"]

        # A study's title changed and saved: the open page shows it, having reloaded itself, where
        # the reader was.
        tab.evaluate("window.scrollTo(0, 1500)")
        table = root / "seeds/evidence/car-m.yaml"
        replace_line(table, f"title: {TITLE}", f"title: {TITLE}之预览更新")
        edited = page_showing(tab, "之预览更新")
        assert edited["loaded"] == "reload", edited["loaded"]
        assert tab.wait_for("window.scrollY") == 1500

        # A YAML error: the page becomes the problems, in Chinese, each at its file:line:column.
        good = table.read_text(encoding="utf-8")
        line = replace_line(table, "cell_source: not-reported", "cell_source: not-reported: yes")
        problems = page_showing(tab, "种子文件有问题")
        assert problems["title"].startswith("种子文件有问题")
        located = f"seeds/evidence/car-m.yaml:{line}:30：malformedYAML:mappingvaluesarenotallowedhere"
        assert located in problems["text"], problems["text"]
        assert "{" not in problems["text"] and '"status"' not in problems["text"]  # a page, not JSON
        assert problems["loaded"] == "reload"

        # Fixed and saved: the briefing again, with the edited title.
        table.write_text(good, encoding="utf-8")
        back = page_showing(tab, "之预览更新")
        assert "种子文件有问题" not in back["text"] and back["loaded"] == "reload"
    finally:
        stopping = time.monotonic()
        status = preview.stop()  # with the page's event stream still open
        stopped = time.monotonic() - stopping
        browser.close()
    assert status == 0, preview.logged()
    assert stopped < 3, stopped  # the open stream ends at once, not after the server's grace period
    log = preview.logged()
    assert "已修改：seeds/evidence/car-m.yaml" in log and "malformed YAML" in log and "预览已停止" in log
    after = listing(root)
    assert {name: digest for name, digest in after.items() if name != "seeds/evidence/car-m.yaml"} == \
        {name: digest for name, digest in before.items() if name != "seeds/evidence/car-m.yaml"}  # nothing written


def test_only_the_preview_pages_carry_a_script_and_each_its_own_nonce(tmp_path):
    root = seed_copy(tmp_path / "project")
    preview = Preview(root, tmp_path / "preview.log")
    try:
        assert preview.first_line == f"预览：http://127.0.0.1:{preview.port}/"
        status, headers, index = preview.get("/")
        assert status == 200 and "简报实时预览" in index
        for link in ["/preview/briefings/all.html", "/preview/briefings/car-t.html", "/preview/briefings/car-m.html"]:
            assert f'href="{link}"' in index, link

        nonces = []
        for _ in range(2):
            status, headers, html = preview.get("/preview/briefings/car-t.html")
            assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
            assert headers["cache-control"] == "no-store"
            policy = headers["content-security-policy"]
            nonce = re.fullmatch(r"default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
                                 r"form-action 'none'; script-src 'nonce-([\w-]+)'; connect-src 'self'", policy)
            assert nonce, policy
            scripts = re.findall(r"<script\b[^>]*>", html)
            assert scripts == [f'<script nonce="{nonce.group(1)}">'], scripts
            assert "CAR-T 细胞疗法" in html and re.search(r"</script>\s*</body>\s*</html>\s*$", html)
            nonces.append(nonce.group(1))
        assert nonces[0] != nonces[1]

        # The event stream: a page older than the inputs is told to reload at once.
        version = re.search(r"version=([0-9a-f]+)", html).group(1)
        connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
        connection.request("GET", "/events?page=%2Fpreview%2Fbriefings%2Fcar-t.html&version=0")
        response = connection.getresponse()
        assert response.getheader("content-type").startswith("text/event-stream")
        assert response.read(64).decode() == f"retry: 1000\n\nevent: reload\ndata: {version}\n\n"[:64]
        connection.close()

        # Unknown pages and classes: pages in Chinese, never JSON.
        status, headers, missing = preview.get("/briefings/car-t.pdf")
        assert status == 404 and "没有这个页面" in missing and "<script" not in missing
        status, headers, unknown = preview.get("/preview/briefings/car-x.html")
        assert status == 404 and "没有疗法类别 <code>car-x</code>" in unknown and "<script nonce=" in unknown
    finally:
        assert preview.stop() == 0
    assert sorted(path.name for path in root.iterdir()) == ["seeds"]


def test_a_check_that_fails_is_listed_escaped_and_the_terminal_says_so(tmp_path):
    root = seed_copy(tmp_path / "project")
    table = root / "seeds/evidence/car-m.yaml"
    line = replace_line(table, "phase: phase-1", 'phase: "<b>phase-9</b>"')
    preview = Preview(root, tmp_path / "preview.log", "--class", "car-m")
    try:
        status, headers, page = preview.get("/preview/briefings/car-m.html")
        assert status == 500 and "<h1>种子文件有问题</h1>" in page
        assert f"<code>seeds/evidence/car-m.yaml:{line}:" in page
        assert "&#39;&lt;b&gt;phase-9&lt;/b&gt;&#39; is not allowed for &#39;phase&#39;" in page
        assert "<b>phase-9" not in page
        assert re.search(r"<script nonce=\"[\w-]+\">", page)  # it reloads by itself once fixed
        deadline = time.monotonic() + 10
        while f"seeds/evidence/car-m.yaml:{line}:" not in preview.logged():
            assert time.monotonic() < deadline, preview.logged()
            time.sleep(0.1)
        assert "1 个问题" in preview.logged()
    finally:
        assert preview.stop() == 0


def test_a_broken_template_of_the_project_is_a_problem_of_the_project_named_without_server_paths(tmp_path):
    root = seed_copy(tmp_path / "project")
    (root / "templates/partials").mkdir(parents=True)
    (root / "templates/partials/cover.html").write_text('<section class="cover">{% if %}</section>\n', encoding="utf-8")
    preview = Preview(root, tmp_path / "preview.log")
    try:
        status, _, page = preview.get("/preview/briefings/all.html")
        assert status == 500 and "<h1>项目文件有问题</h1>" in page  # not the seeds' fault
        assert "<li>templates/partials/cover.html:1: template syntax error: " in page
        assert str(tmp_path) not in page
    finally:
        assert preview.stop() == 0
