"""Progress on long work: shown on a terminal, never anywhere else.

``reports build`` shows its stage (and the page being laid out) as one line rewritten in place,
``reports batch`` a line per document rendered; both only when stderr is a terminal. Here the
terminal is a real one, a pseudo-terminal from the ``pty`` module, with stdout a pipe as when a
person redirects it; without a terminal (the tests' pipes) stderr holds no progress at all.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.cli import reports
from helpers.projects import EVIDENCE, FIXED_DATE, write_project

ERASE = "\r\x1b[K"  # back to the start of the line, and erase it


def on_a_terminal(*args: str, timeout: float = 120) -> tuple[int, str, str]:
    """``reports ARGS`` with stderr on a pseudo-terminal: its exit status, its stdout, what the terminal showed."""
    terminal, child_end = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "reports", *args], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=child_end)
    os.close(child_end)
    shown, out = b"", b""
    streams = [terminal, process.stdout.fileno()]
    try:
        while streams:
            ready, _, _ = select.select(streams, [], [], timeout)
            assert ready, f"reports {' '.join(args)} said nothing for {timeout} s"
            for fd in ready:
                try:
                    chunk = os.read(fd, 1 << 16)
                except OSError:  # EIO: the terminal's other end closed, as the process exited
                    chunk = b""
                if not chunk:
                    streams.remove(fd)
                elif fd == terminal:
                    shown += chunk
                else:
                    out += chunk
        process.wait(timeout)
    finally:
        os.close(terminal)
        process.stdout.close()
    # The terminal turns each line end into CR LF.
    return process.returncode, out.decode("utf-8"), shown.decode("utf-8").replace("\r\n", "\n")


@pytest.mark.render
def test_a_build_shows_its_stage_and_page_on_a_terminal_then_erases_the_line(project: Path, tmp_path: Path):
    status, out, shown = on_a_terminal("--project", str(project), "build", "--full-text",
                                       "-o", str(tmp_path / "briefing.pdf"), "--date", FIXED_DATE)
    assert status == 0, shown
    assert out.startswith(f"wrote {tmp_path / 'briefing.pdf'} (")
    stages = [part for part in shown.split(ERASE) if part]
    assert stages[0] == "reading and verifying seeds/"
    # Page by page, and again while the page numbers of the contents settle ("round 2").
    pages = re.findall(r"^laying out page (\d+)( \(round \d\))?$", "\n".join(stages), flags=re.M)
    assert pages[0] == ("1", "") and max(int(page) for page, _ in pages) >= 2, stages
    assert stages.index("laying out") < stages.index("laying out page 1") < stages.index("writing the PDF")
    assert shown.endswith(ERASE), repr(shown[-80:])  # the line is gone before "wrote ..." is read

    # The same build without a terminal (and so with --force): not a character of progress.
    quiet = reports("--project", str(project), "build", "--full-text", "--force",
                    "-o", str(tmp_path / "briefing.pdf"), "--date", FIXED_DATE, real=True)
    assert quiet.returncode == 0, quiet.stderr
    assert "\x1b" not in quiet.stderr and "\r" not in quiet.stderr and "laying out" not in quiet.stderr


def test_a_failed_build_on_a_terminal_erases_its_line_before_the_problems(tmp_path: Path):
    project = write_project(tmp_path / "project", {
        "seeds/evidence/car-x.yaml": EVIDENCE.replace("phase: phase-1", "phase: phase-9")})
    status, out, shown = on_a_terminal("--project", str(project), "build")
    assert status == 1 and out == ""
    assert shown.startswith(f"{ERASE}reading and verifying seeds/{ERASE}seeds/evidence/car-x.yaml:"), repr(shown[:120])


@pytest.mark.render
def test_a_batch_tells_each_document_on_a_terminal(project: Path, tmp_path: Path):
    status, out, shown = on_a_terminal("--project", str(project), "batch", "--jobs", "2", "-o", str(tmp_path / "batch"),
                                       "--date", FIXED_DATE)
    assert status == 0, shown
    told = re.findall(r"^\[(\d)/2\] (\S+)$", shown, flags=re.M)
    assert [done for done, _ in told] == ["1", "2"], shown
    assert sorted(name for _, name in told) == ["car-x-briefing.pdf", "car-x-handout-a4.pdf"]
    assert out.splitlines()[-1].endswith(" s on 2 processes")
