"""reports batch: every class as a briefing and a handout, rendered side by side on several processes,
and written all at once or not at all."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.cli import reports as reports_here
from helpers.pdf import pdftotext
from helpers.projects import EVIDENCE, write_project
from helpers.writes import pages_on_tmpfs, small_disk

pytestmark = pytest.mark.render


def reports(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reports", "--project", str(project), *args],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The tiny project's batch on two processes, dated 2026-12-01, in two/ beside the project."""
    folder = tmp_path_factory.mktemp("batch")
    project = write_project(folder / "project")
    return project, reports(project, "batch", "--jobs", "2", "-o", str(folder / "two"), "--date", "2026-12-01")


def test_a_batch_on_two_processes_writes_the_same_documents_as_one_process(two_processes, tmp_path: Path):
    project, side_by_side = two_processes
    assert side_by_side.returncode == 0, side_by_side.stderr
    assert side_by_side.stdout.splitlines()[-1].startswith("2 documents in ")
    assert side_by_side.stdout.splitlines()[-1].endswith(" s on 2 processes")
    assert "[1/2]" not in side_by_side.stderr  # progress is for a terminal (tests/test_progress.py), not a pipe
    one = reports(project, "batch", "--jobs", "1", "-o", str(tmp_path / "one"), "--date", "2026-12-01", "--paper", "a5")
    assert one.returncode == 0, one.stderr
    assert one.stdout.splitlines()[-1].endswith(" s on 1 process")

    briefing = project.parent / "two" / "car-x-briefing.pdf"
    assert "CAR-X 细胞疗法" in pdftotext(briefing)
    assert "证据速览" in pdftotext(project.parent / "two" / "car-x-handout-a4.pdf").replace(" ", "")
    assert briefing.read_bytes() == (tmp_path / "one" / "car-x-briefing.pdf").read_bytes()
    assert (tmp_path / "one" / "car-x-handout-a5.pdf").is_file()


def test_a_batch_with_a_problem_in_the_seeds_writes_nothing(tmp_path: Path):
    project = write_project(tmp_path / "project", {
        "seeds/evidence/car-x.yaml": EVIDENCE.replace("phase: phase-1", "phase: phase-9")})
    result = reports(project, "batch", "--jobs", "2")
    assert result.returncode == 1
    assert "seeds/evidence/car-x.yaml:" in result.stderr and "'phase-9' is not allowed" in result.stderr
    assert not (project / "build").exists()


def test_a_batch_that_runs_out_of_disk_midway_leaves_the_folder_as_it_was(two_processes, tmp_path: Path):
    """A small file system (tmpfs) holds the folder with an older batch's handout, and room for the
    new briefing but not for the new handout after it: a real ENOSPC, midway through the writing.
    (Written one by one, the new briefing was left beside the older handout, and the batch said
    nothing was written.)"""
    project, _ = two_processes
    older = project.parent / "two"
    briefing, handout = (pages_on_tmpfs((older / name).stat().st_size)
                         for name in ("car-x-briefing.pdf", "car-x-handout-a4.pdf"))
    with small_disk(tmp_path / "disk", handout + briefing + handout // 8192 * 4096) as disk:
        folder = disk / "batch"
        folder.mkdir()
        shutil.copy(older / "car-x-handout-a4.pdf", folder)

        result = reports_here("--project", str(project), "batch", "--jobs", "1", "-o", str(folder),
                              "--date", "2026-12-02")
        assert result.returncode == 1
        assert result.stderr.splitlines() == [
            (f"reports: {folder}: cannot write the batch: No space left on device; nothing in {folder} has changed "
             "(the documents there are the previous batch's); free some space or choose another folder with -o"),
            "1 problem found; nothing was written."]
        assert os.listdir(folder) == ["car-x-handout-a4.pdf"]  # no new briefing beside the older handout
        assert (folder / "car-x-handout-a4.pdf").read_bytes() == (older / "car-x-handout-a4.pdf").read_bytes()
        assert os.listdir(disk) == ["batch"]  # and nothing half-written beside it
