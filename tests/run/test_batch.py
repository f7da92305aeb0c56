"""reports batch: every class as a briefing and a handout, rendered side by side on several processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers.pdf import pdftotext
from helpers.projects import EVIDENCE, write_project

pytestmark = pytest.mark.render


def reports(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reports", "--project", str(project), *args],
                          capture_output=True, text=True, timeout=300)


def test_a_batch_on_two_processes_writes_the_same_documents_as_one_process(project: Path, tmp_path: Path):
    side_by_side = reports(project, "batch", "--jobs", "2", "-o", str(tmp_path / "two"), "--date", "2026-12-01")
    assert side_by_side.returncode == 0, side_by_side.stderr
    assert side_by_side.stdout.splitlines()[-1].startswith("2 documents in ")
    assert side_by_side.stdout.splitlines()[-1].endswith(" s on 2 processes")
    assert "[1/2]" not in side_by_side.stderr  # progress is for a terminal (tests/test_progress.py), not a pipe
    one = reports(project, "batch", "--jobs", "1", "-o", str(tmp_path / "one"), "--date", "2026-12-01", "--paper", "a5")
    assert one.returncode == 0, one.stderr
    assert one.stdout.splitlines()[-1].endswith(" s on 1 process")

    briefing = tmp_path / "two" / "car-x-briefing.pdf"
    assert "CAR-X 细胞疗法" in pdftotext(briefing)
    assert "证据速览" in pdftotext(tmp_path / "two" / "car-x-handout-a4.pdf").replace(" ", "")
    assert briefing.read_bytes() == (tmp_path / "one" / "car-x-briefing.pdf").read_bytes()
    assert (tmp_path / "one" / "car-x-handout-a5.pdf").is_file()


def test_a_batch_with_a_problem_in_the_seeds_writes_nothing(tmp_path: Path):
    project = write_project(tmp_path / "project", {
        "seeds/evidence/car-x.yaml": EVIDENCE.replace("phase: phase-1", "phase: phase-9")})
    result = reports(project, "batch", "--jobs", "2")
    assert result.returncode == 1
    assert "seeds/evidence/car-x.yaml:" in result.stderr and "'phase-9' is not allowed" in result.stderr
    assert not (project / "build").exists()
