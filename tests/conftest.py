"""Fixtures: tiny projects written into tmp_path, and the real seed briefing built once."""

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

from reports.build import BriefingOptions, build_briefing

ROOT = Path(__file__).resolve().parent.parent
FIXED_DATE = "2026-01-15"

ARTICLE = """\
---
title: "示例：CAR-X 细胞疗法一期试验结果公布"
date: "2025-03-01"
lang: zh-CN
---

研究团队在 *Example Journal* 上发表了一项 I 期[临床试验](https://example.org/trial)结果。

在 12 名接受治疗的患者中，未观察到剂量限制性毒性（DLT）。5 名患者（42%）达到部分缓解。

![](https://example.org/figure.png)
"""

INDEX = """\
articles:
  - file: demo.md
    outlet: 示例新闻网
    url: https://example.org/news/1
"""

EVIDENCE = """\
class:
  id: car-x
  name: CAR-X 细胞疗法
  name_en: CAR-X cell therapy
overview:
  mechanism: 示例机制。
  status: 示例现状。
studies:
  - id: demo-phase-1
    title: 示例 I 期试验
    product: DEMO-1
    targets: [CD19]
    cell_source: autologous
    indication: 淋巴瘤
    population: 接受治疗的患者
    design:
      study_type: interventional
      allocation: not-reported
      intervention_model: not-reported
      masking: not-reported
      summary: I 期临床试验
    phase: phase-1
    registry_ids: [NCT01234567]
    intervention: 单次静脉输注
    enrollment:
      treated: 12
      excerpts: [demo-safety]
    outcomes:
      - name: 部分缓解（PR）
        measure: proportion
        unit: "%"
        value: 42
        n: 5
        of: 12
        excerpts: [demo-safety]
    adverse_events:
      - term: 剂量限制性毒性（DLT）
        kind: dlt
        grading: {system: not-reported}
        patients: 0
        of: 12
        summary: 未观察到
        excerpts: [demo-safety]
    source:
      journal: Example Journal
      doi: 10.1234/example.5678
      published: 2025-02-28
      # The demo article names the journal only: the rest is declared (printed with ‡).
      supplied:
        - {field: doi, value: 10.1234/example.5678, record: "the journal's page (a made-up record)", checked: 2026-01-10}
        - {field: published, value: 2025-02-28, record: "the journal's page (a made-up record)", checked: 2026-01-10}
        - {field: registry_ids, value: NCT01234567, record: "ClinicalTrials.gov (a made-up record)", checked: 2026-01-10}
    certainty:
      cebm_level: 4
      grade: very-low
      rated_down:
        - domain: imprecision
          levels: 2
          reason: 样本量小
    excerpts:
      - id: demo-design
        article: demo
        text: 发表了一项 I 期临床试验结果。
      - id: demo-safety
        article: demo
        text: 在 12 名接受治疗的患者中，未观察到剂量限制性毒性（DLT）。5 名患者（42%）达到部分缓解。
        key: true
    added: 2026-11-21
"""


def write_project(folder: Path, files: dict[str, str | bytes | None] | None = None) -> Path:
    """A minimal valid project; ``files`` replaces (or with None, removes) files by relative path."""
    contents: dict[str, str | bytes | None] = {
        "seeds/articles/demo.md": ARTICLE,
        "seeds/articles.yaml": INDEX,
        "seeds/evidence/car-x.yaml": EVIDENCE,
    }
    contents.update(files or {})
    for relative, text in contents.items():
        path = folder / relative
        if text is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text) if text.startswith(" ") else text, encoding="utf-8")
    return folder


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


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def run_tool(tool: str, pdf: Path) -> str:
    assert shutil.which(tool), f"{tool} missing: the test command installs poppler-utils"
    return subprocess.run([tool, str(pdf)], capture_output=True, text=True, check=True).stdout


XHTML = "{http://www.w3.org/1999/xhtml}"


def pdf_lines(pdf: Path) -> list[tuple[int, str]]:
    """Every printed line of the PDF as (page, text), as a reader sees it.

    Poppler may split a printed line into pieces (where glyphs overlap or the face changes), so
    pieces on one baseline that touch are joined again.
    Pieces farther apart are separate lines: table cells side by side stay apart.
    """
    import xml.etree.ElementTree as ET

    root = ET.fromstring(subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"],
                                        capture_output=True, check=True).stdout)
    lines: list[list] = []
    for number, page in enumerate(root.iter(XHTML + "page"), 1):
        previous = None
        for line in page.iter(XHTML + "line"):
            left, top, right = (float(line.get(key)) for key in ("xMin", "yMin", "xMax"))
            text = " ".join(word.text or "" for word in line.iter(XHTML + "word"))
            if previous and abs(top - previous[1]) < 1.5 and previous[0] < left and -12 < left - previous[2] < 4:
                previous[2] = right
                previous[3] += text
            else:
                previous = [left, top, right, text, number]
                lines.append(previous)
    return [(line[4], line[3]) for line in lines]


# ---------------------------------------------------------------------------------------------
# The Celery engine's real parts: a redis-server and two `reports worker` processes, once per session.


@dataclass
class CeleryCluster:
    broker: str
    folder: Path
    workers: list[subprocess.Popen]
    names: list[str]

    def engine(self):
        from reports.distributed import CeleryEngine

        return CeleryEngine(self.broker)

    def redis(self):
        from reports.distributed import redis_client

        return redis_client(self.broker)

    def rendering_processes(self) -> dict[int, str]:
        """The warmed-up rendering processes (pid -> worker name) that are alive now."""
        found = {}
        for key in self.redis().keys("reports:worker:*"):
            name, _, pid = key.decode().removeprefix("reports:worker:").rpartition(":")
            if Path(f"/proc/{pid}").exists():
                found[int(pid)] = name
        return found

    def wait_until_ready(self, count: int, timeout: float = 120) -> dict[int, str]:
        deadline = time.monotonic() + timeout
        while len(processes := self.rendering_processes()) < count:
            for worker in self.workers:
                assert worker.poll() is None, f"a worker exited:\n{self.logged()}"
            assert time.monotonic() < deadline, f"the workers did not warm up in {timeout} s:\n{self.logged()}"
            time.sleep(0.1)
        return processes

    def logged(self) -> str:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in sorted(self.folder.glob("*.log")))


def loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_group(process: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM to the process's group (a worker and its rendering children), SIGKILL if it lingers."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        except ProcessLookupError:
            pass
    try:  # children left behind by a worker killed in a test
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def start_redis_server(folder: Path) -> tuple[subprocess.Popen, str]:
    """A real redis-server on a free loopback port, nothing saved, in ``folder``; and its URL, once it answers."""
    from reports.distributed import redis_client

    server = shutil.which("redis-server")
    assert server, "redis-server missing: scripts/setup.sh --test installs it"
    port = loopback_port()
    with open(folder / "redis.log", "w") as log:
        process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                    "no", "--dir", str(folder)], stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    broker = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 30
    while True:
        try:
            redis_client(broker).ping()
            return process, broker
        except Exception:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_group(process)
                pytest.fail(f"redis-server did not answer: {(folder / 'redis.log').read_text()}")
            time.sleep(0.05)


def start_worker(cluster: CeleryCluster, name: str, *options: str) -> subprocess.Popen:
    """A real `reports worker` on the cluster's broker, in a process group of its own, logging into its folder."""
    with open(cluster.folder / f"{name.partition('@')[0]}.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "reports", "worker", "--broker", cluster.broker, "--name", name,
             "--cache", str(cluster.folder / f"cache-{name}"), *options],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=cluster.folder)
    cluster.workers.append(process)
    cluster.names.append(name)
    return process


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
