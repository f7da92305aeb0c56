"""A real headless Chromium, driven over the DevTools protocol through a pipe.

``--remote-debugging-pipe`` rather than ``--remote-debugging-port``: the venv has no websocket
client (uvicorn's h11 needs none), and a pipe needs no port and no discovery of the page's
websocket. The protocol is the same JSON, each message ended by a NUL byte: Chromium reads its
commands on fd 3 and writes its answers and events on fd 4.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path


class DevToolsError(Exception):
    pass


class Browser:
    """``chromium --headless`` with a profile of its own, stopped by its pid (``close``)."""

    def __init__(self, profile: Path):
        chromium = shutil.which("chromium")
        assert chromium, "chromium missing: the test command installs it (scripts/setup.sh --test)"
        to_chromium, self.commands = os.pipe()
        self.answers, from_chromium = os.pipe()
        # Above 9, so that bash's redirections below cannot collide with fds 3 and 4 themselves.
        to_chromium, from_chromium = (self._above_nine(fd) for fd in (to_chromium, from_chromium))
        self.log = open(profile.with_name(profile.name + ".log"), "w", encoding="utf-8")
        self.process = subprocess.Popen(
            ["bash", "-c", f'exec "$@" 3<&{to_chromium} 4>&{from_chromium} {to_chromium}<&- {from_chromium}>&-',
             "bash", chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--remote-debugging-pipe", f"--user-data-dir={profile}", "--window-size=1000,1400", "about:blank"],
            pass_fds=(to_chromium, from_chromium), stdout=self.log, stderr=subprocess.STDOUT)
        os.close(to_chromium)
        os.close(from_chromium)
        self.buffer = b""
        self.last_id = 0

    @staticmethod
    def _above_nine(fd: int) -> int:
        high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
        os.close(fd)
        return high

    def call(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30) -> dict:
        """Send one command and return its result; events that arrive meanwhile are dropped."""
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode("utf-8") + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self.buffer:
                text, _, self.buffer = self.buffer.partition(b"\0")
                answer = json.loads(text)
                if answer.get("id") == self.last_id:
                    if "error" in answer:
                        raise DevToolsError(f"{method}: {answer['error']}")
                    return answer["result"]
            left = deadline - time.monotonic()
            assert left > 0, f"Chromium did not answer {method} within {timeout} s"
            ready, _, _ = select.select([self.answers], [], [], left)
            if ready:
                chunk = os.read(self.answers, 1 << 16)
                assert chunk, f"Chromium closed the pipe (exit {self.process.poll()}); see {self.log.name}"
                self.buffer += chunk

    def open(self, url: str) -> Tab:
        # A blank page first, then the URL: createTarget with the URL itself may not answer until the
        # page has loaded, which on a loaded 2-core machine (the suite's other worker rendering) can
        # take longer than a command's timeout. Chromium's first start is the slow part: a longer wait.
        target = self.call("Target.createTarget", {"url": "about:blank"}, timeout=90)["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.navigate", {"url": url}, session, timeout=90)
        return Tab(self, session)

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.call("Browser.close", timeout=10)
                self.process.wait(timeout=10)
            except (AssertionError, DevToolsError, OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        for fd in (self.commands, self.answers):
            os.close(fd)
        self.log.close()


class Tab:
    """One page of the browser: only read, never navigated or reloaded by the test."""

    def __init__(self, browser: Browser, session: str):
        self.browser = browser
        self.session = session

    def evaluate(self, expression: str):
        result = self.browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                                   self.session)
        if "exceptionDetails" in result:
            raise DevToolsError(result["exceptionDetails"].get("text", "exception"))
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 15):
        """The expression's value once it is truthy; the page may be loading or reloading meanwhile."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except DevToolsError:  # no document while a reload is under way
                value = None
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"{expression} still {value!r} after {timeout} s")
