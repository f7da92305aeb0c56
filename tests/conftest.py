"""Fixtures: tiny projects written into tmp_path, the real seed documents built once per session, and
the real servers; the plain helpers they use are in tests/helpers/."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import purity, scheduling
from helpers.projects import FIXED_DATE, ROOT, write_project
from helpers.servers import CeleryCluster, start_redis_server, start_worker, stop_group
from helpers.shared import shared

from reports.documents.briefing import BriefingOptions, build_briefing

pytest_plugins = ["pytester"]  # tests/test_markers.py runs the marker check on a session of its own


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(purity, "reports-purity")
    scheduling.name_the_file(config)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """pytest -n: a module's tests on one worker, the Celery cluster's on one, the heaviest first
    (tests/helpers/scheduling.py); only for the default --dist load, not for a --dist asked for."""
    if config.getvalue("dist") == "load":
        return scheduling.make_scheduler(config, log)
    return None


# The markers a test gets from the fixtures it uses, directly or through other fixtures (pyproject.toml
# says what each marker means). A module whose tests all need one says so with ``pytestmark``; a
# test that renders by itself carries ``@pytest.mark.render``. tests/helpers/purity.py fails a test
# marked with none of them that uses WeasyPrint.
NEEDS = {
    # the shared renders of the seeds, below
    "seed_briefing": {"render"}, "seed_pdfa": {"render"}, "seed_pdfua": {"render"}, "long_briefing": {"render"},
    "seed_full_text": {"render"},
    "seed_handouts": {"render"}, "seed_weeks": {"render"}, "seed_weekly": {"render"}, "seed_batch": {"render"},
    # documents a module renders for its tests
    "stress_pdf": {"render"},  # text/test_typography.py
    "converted": {"render"},  # documents/test_script_option.py
    "built": {"render"},  # documents/test_appendix.py
    "tiny_violations": {"render"},  # render/test_layout.py
    "trials_handouts": {"render"},  # documents/test_handout.py
    # real servers and processes
    "celery_cluster": {"server", "redis"},
    "server": {"server"},  # run/test_service_requests.py: reports serve
    "served": {"server"},  # run/test_service.py: reports serve
    "spawn": {"server"},  # run/test_schedule.py: reports schedule processes
    "smtp": {"server"}, "hooks": {"server"},  # run/test_delivery.py: an SMTP server and a webhook server on loopback
    "feed_server": {"server"},  # run/test_feed.py: reports serve
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        needs = set().union(*(NEEDS.get(name, ()) for name in item.fixturenames))
        params = getattr(item, "callspec", None)
        if params is not None and params.params.get("engine") == "celery":  # run/test_service.py
            needs |= {"server", "redis"}
        for name in sorted(needs):
            item.add_marker(name)
    scheduling.write_scopes(config, items)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project")


def seed_briefing_pdf(tmp_path_factory, name: str, **options) -> Path:
    return shared(tmp_path_factory, name, lambda folder: build_briefing(ROOT, BriefingOptions(
        output=folder / "briefing.pdf", build_date=dt.date.fromisoformat(FIXED_DATE), **options)).pdf)


@pytest.fixture(scope="session")
def seed_briefing(tmp_path_factory) -> Path:
    """The real briefing from the shipped seeds, built once with a fixed date (and its HTML)."""
    return seed_briefing_pdf(tmp_path_factory, "briefing", write_html=True)


@pytest.fixture(scope="session")
def seed_full_text(tmp_path_factory) -> Path:
    """The seed briefing with the articles reprinted in full (reports build --full-text), and its HTML."""
    return seed_briefing_pdf(tmp_path_factory, "full-text", full_text=True, write_html=True)


@pytest.fixture(scope="session")
def seed_pdfa(tmp_path_factory) -> Path:
    """The seed briefing as PDF/A-3b with its sources attached (reports build --pdfa), built once."""
    return seed_briefing_pdf(tmp_path_factory, "pdfa", pdfa=True)


@pytest.fixture(scope="session")
def seed_pdfua(tmp_path_factory) -> Path:
    """The seed briefing as tagged PDF/UA-1 (reports build --pdfua), built once."""
    return seed_briefing_pdf(tmp_path_factory, "pdfua", pdfua=True)


@pytest.fixture(scope="session")
def long_briefing(tmp_path_factory):
    """The seed briefing with every study 5 times (67 pages, 30 rated-down footnotes in the CAR-T
    table), as benchmarks/compare.py scales it: the layout at a length no seed reaches. Its BuildResult
    (pdf, pages, warnings)."""

    def make(folder: Path):
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from compare import replicate_evidence

        shutil.copytree(ROOT / "seeds", folder / "seeds")
        replicate_evidence(folder / "seeds", 5)
        return build_briefing(folder, BriefingOptions(output=folder / "briefing.pdf",
                                                      build_date=dt.date.fromisoformat(FIXED_DATE)))

    return shared(tmp_path_factory, "long", make)


@pytest.fixture(scope="session")
def seed_handouts(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """reports handout --all for each paper, from the shipped seeds, built once: {paper: {class: pdf}}."""
    from reports.documents.handout import PAPERS, HandoutOptions, build_handouts

    def make(folder: Path) -> dict[str, dict[str, Path]]:
        built = {}
        for paper in PAPERS:
            options = HandoutOptions(paper=paper, output=folder / paper, build_date=dt.date.fromisoformat(FIXED_DATE))
            results = build_handouts(ROOT, None, options).handouts
            built[paper] = {result.pdf.name.removesuffix(f"-{paper}.pdf"): result.pdf for result in results}
        return built

    return shared(tmp_path_factory, "handouts", make)


@pytest.fixture(scope="session")
def seed_batch(tmp_path_factory) -> dict[str, Path]:
    """reports batch on two processes, from a copy of the shipped seeds (nothing else in it), built
    once with a fixed date: {file name: pdf}, a briefing and an A4 handout of each class."""
    from reports.run.batch import BatchOptions, build_batch

    def make(folder: Path) -> dict[str, Path]:
        shutil.copytree(ROOT / "seeds", folder / "project/seeds")
        results = build_batch(folder / "project", BatchOptions(
            jobs=2, output=folder / "out", build_date=dt.date.fromisoformat(FIXED_DATE)))
        return {result.pdf.name: result.pdf for result in results}

    return shared(tmp_path_factory, "batch", make)


WEEKLY_BUILD_DATE = dt.date(2026, 12, 1)  # after every week of the seeds


@pytest.fixture(scope="session")
def seed_weeks(tmp_path_factory) -> Callable[[str], object]:
    """A week's weekly briefing from a copy of the shipped seeds (nothing built before it), built
    once per week asked for, on 2026-12-01: ``seed_weeks("2026-W47")`` is its WeeklyResult."""
    from reports.documents.weekly import IsoWeek, WeeklyOptions, build_weekly

    def week(name: str):
        def make(folder: Path):
            shutil.copytree(ROOT / "seeds", folder / "seeds")
            return build_weekly(folder, WeeklyOptions(week=IsoWeek.parse(name), build_date=WEEKLY_BUILD_DATE))

        return shared(tmp_path_factory, f"weekly-{name}", make)

    return week


@pytest.fixture(scope="session")
def seed_weekly(seed_weeks) -> Path:
    """The 2026-W47 weekly of the shipped seeds: its evidence overview has the five columns of every class."""
    return seed_weeks("2026-W47").pdf


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
            # Given again after 400 s if lost: past the callers' default time limit (300 s), which travels with each job.
            start_worker(cluster, f"test{number}@loopback", "--time-limit", "60", "--redeliver-after", "400")
        cluster.wait_until_ready(2)
        yield cluster
    finally:
        for process in [*reversed(cluster.workers), server]:
            stop_group(process)
