"""Fixtures: tiny projects written into tmp_path, the real seed documents built once per session, and
the real servers; the plain helpers they use are in tests/helpers/."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from reports.documents.briefing import BriefingOptions, build_briefing

from helpers.projects import FIXED_DATE, ROOT, write_project
from helpers.servers import CeleryCluster, start_redis_server, start_worker, stop_group


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project")


@pytest.fixture(scope="session")
def seed_briefing(tmp_path_factory) -> Path:
    """The real briefing from the shipped seeds, built once with a fixed date."""
    import datetime as dt

    out = tmp_path_factory.mktemp("briefing") / "briefing.pdf"
    build_briefing(ROOT, BriefingOptions(output=out, write_html=True, build_date=dt.date.fromisoformat(FIXED_DATE)))
    return out


@pytest.fixture(scope="session")
def seed_pdfa(tmp_path_factory) -> Path:
    """The seed briefing as PDF/A-3b with its sources attached (reports build --pdfa), built once."""
    import datetime as dt

    out = tmp_path_factory.mktemp("pdfa") / "briefing.pdf"
    build_briefing(ROOT, BriefingOptions(output=out, pdfa=True, build_date=dt.date.fromisoformat(FIXED_DATE)))
    return out


@pytest.fixture(scope="session")
def seed_pdfua(tmp_path_factory) -> Path:
    """The seed briefing as tagged PDF/UA-1 (reports build --pdfua), built once."""
    import datetime as dt

    out = tmp_path_factory.mktemp("pdfua") / "briefing.pdf"
    build_briefing(ROOT, BriefingOptions(output=out, pdfua=True, build_date=dt.date.fromisoformat(FIXED_DATE)))
    return out


@pytest.fixture(scope="session")
def long_briefing(tmp_path_factory):
    """The seed briefing with every study 16 times (about 110 pages), as benchmarks/compare.py
    scales it: the layout at a length no seed reaches. Its BuildResult (pdf, pages, warnings)."""
    import datetime as dt
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from compare import replicate_evidence

    folder = tmp_path_factory.mktemp("long")
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    replicate_evidence(folder / "seeds", 16)
    return build_briefing(folder, BriefingOptions(output=folder / "briefing.pdf",
                                                  build_date=dt.date.fromisoformat(FIXED_DATE)))


@pytest.fixture(scope="session")
def celery_cluster(tmp_path_factory):
    """A real redis-server on a free loopback port (its own folder, nothing saved) and two real
    `reports worker` processes on it, each with its own snapshot cache; stopped, process groups and
    all, when the session ends, whatever happened."""
    folder = tmp_path_factory.mktemp("celery")
    server, broker = start_redis_server(folder)
    cluster = CeleryCluster(broker, folder, [], [])
    try:
        for number in (1, 2):
            start_worker(cluster, f"test{number}@loopback", "--time-limit", "60")
        cluster.wait_until_ready(2)
        yield cluster
    finally:
        for process in [*reversed(cluster.workers), server]:
            stop_group(process)
