"""The weekly scheduler: due weeks from the project's schedule, catch-up exactly once after
downtime, missed weeks logged, failed runs retried, two schedulers on one project, SIGTERM."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers.pdf import pdftotext
from helpers.projects import EVIDENCE, write_project

from reports.documents.weekly import IsoWeek
from reports.run.schedule import WeeklyScheduler

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str, zone: ZoneInfo = SHANGHAI) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


class Clock:
    """A clock the test sets by hand."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def runs(project: Path) -> list[tuple[str, str, str]]:
    lines = (project / "build/weekly/runs.jsonl").read_text(encoding="utf-8").splitlines()
    return [(record["trigger"], record["week"], record["outcome"]) for record in map(json.loads, lines)]


def produced_weeks(project: Path) -> list[str]:
    return sorted(path.parent.name for path in (project / "build/weekly").glob("*/briefing.pdf"))


def pdf_state(project: Path, week: str) -> tuple[int, bytes]:
    pdf = project / "build/weekly" / week / "briefing.pdf"
    return pdf.stat().st_mtime_ns, pdf.read_bytes()


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The scheduler's log lines, as ``log.messages``."""
    caplog.set_level(logging.INFO, logger="reports.schedule")
    return caplog


# ---------------------------------------------------------------------------------------------
# Which week is due


def test_the_default_schedule_is_monday_8_in_shanghai_for_the_week_that_ended(project: Path):
    scheduler = WeeklyScheduler(project)
    assert scheduler.due_week(at("2026-11-23 07:59")) == IsoWeek.parse("2026-W46")
    assert scheduler.due_week(at("2026-11-23 08:00")) == IsoWeek.parse("2026-W47")
    assert scheduler.due_week(at("2026-11-23 00:00", ZoneInfo("UTC"))) == IsoWeek.parse("2026-W47")  # 08:00 in Shanghai


def test_the_schedule_and_time_zone_come_from_the_project_settings(tmp_path: Path):
    project = write_project(tmp_path / "p", {"seeds/project.yaml": "schedule: '30 6 * * fri'\ntimezone: Europe/Berlin\n"})
    berlin = ZoneInfo("Europe/Berlin")
    scheduler = WeeklyScheduler(project)
    assert scheduler.due_week(at("2026-11-27 06:29", berlin)) == IsoWeek.parse("2026-W46")
    assert scheduler.due_week(at("2026-11-27 06:30", berlin)) == IsoWeek.parse("2026-W47")


# ---------------------------------------------------------------------------------------------
# Catch-up and no duplicates, with a clock set by hand


@pytest.mark.render
def test_a_start_after_a_missed_monday_produces_that_week_once(project: Path, log: pytest.LogCaptureFixture):
    clock = Clock(at("2026-11-24 10:00"))  # Tuesday: Monday 08:00's run was missed
    first = WeeklyScheduler(project, clock).run_due("catch-up")
    assert (first.week, first.outcome) == (IsoWeek.parse("2026-W47"), "built")
    assert re.search(r"^2026-11-24T10:00:00\+08:00 catch-up 2026-W47: built build/weekly/2026-W47/briefing\.pdf "
                     r"\(\d+ pages?\)$", log.messages[-1], re.M), log.messages
    before = pdf_state(project, "2026-W47")

    clock.now = at("2026-11-25 09:00")  # restarted the next day
    again = WeeklyScheduler(project, clock).run_due("catch-up")
    assert again.outcome == "already-produced"
    assert pdf_state(project, "2026-W47") == before
    assert runs(project) == [("catch-up", "2026-W47", "built"), ("catch-up", "2026-W47", "already-produced")]
    assert produced_weeks(project) == ["2026-W47"]
    assert "catch-up 2026-W47: already produced: build/weekly/2026-W47/briefing.pdf, left alone" in log.messages[-1]


@pytest.mark.render
def test_a_week_is_dated_by_the_clock_that_found_it_due(project: Path, monkeypatch: pytest.MonkeyPatch):
    """One clock: the day of the run, in the project's time zone, is printed in the week it produced;
    not SOURCE_DATE_EPOCH's (a fixed date would precede every later week) nor the machine's."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796083200")  # 2026-12-01
    clock = Clock(at("2026-11-24 01:30"))  # Tuesday in Shanghai, still Monday in UTC
    assert WeeklyScheduler(project, clock).run_due("catch-up").week == IsoWeek.parse("2026-W47")
    text = re.sub(r"\s+", "", pdftotext(project / "build/weekly/2026-W47/briefing.pdf"))
    assert "发布日期：2026年11月24日" in text and "2026年12月1日" not in text


@pytest.mark.render
def test_the_next_week_is_produced_once_the_clock_passes_the_next_fire(project: Path):
    clock = Clock(at("2026-11-24 10:00"))
    scheduler = WeeklyScheduler(project, clock)
    scheduler.run_due("catch-up")
    before = pdf_state(project, "2026-W47")

    clock.now = at("2026-11-30 07:59")  # a minute before the next Monday's run
    assert scheduler.run_due("scheduled").outcome == "already-produced"
    assert produced_weeks(project) == ["2026-W47"]

    clock.now = at("2026-11-30 08:00")
    assert scheduler.run_due("scheduled").outcome == "built"
    assert produced_weeks(project) == ["2026-W47", "2026-W48"]
    assert pdf_state(project, "2026-W47") == before
    assert runs(project) == [("catch-up", "2026-W47", "built"), ("scheduled", "2026-W47", "already-produced"),
                             ("scheduled", "2026-W48", "built")]


@pytest.mark.render
def test_after_several_missed_weeks_only_the_latest_is_produced_and_the_others_are_logged(
        project: Path, log: pytest.LogCaptureFixture):
    clock = Clock(at("2026-11-17 09:00"))
    WeeklyScheduler(project, clock).run_due("catch-up")
    assert produced_weeks(project) == ["2026-W46"]

    clock.now = at("2026-12-09 12:00")  # down over three Mondays: W47, W48 and W49 were due
    WeeklyScheduler(project, clock).run_due("catch-up")
    assert produced_weeks(project) == ["2026-W46", "2026-W49"]
    missed = [m for m in log.messages if " missed " in m]
    assert [re.search(r"missed (\S+):", m).group(1) for m in missed] == ["2026-W47", "2026-W48"]
    assert f"reports --project {project.resolve()} weekly --week 2026-W47" in missed[0]

    log.clear()
    WeeklyScheduler(project, clock).run_due("catch-up")  # they were reported once
    assert not [m for m in log.messages if " missed " in m]
    assert runs(project)[-1] == ("catch-up", "2026-W49", "already-produced")


@pytest.mark.render
def test_a_failed_run_is_logged_with_its_problems_and_retried_at_the_next_start(project: Path, log: pytest.LogCaptureFixture):
    write_project(project, {"seeds/evidence/car-x.yaml": EVIDENCE.replace("treated: 12", "treated: 13")})
    clock = Clock(at("2026-11-24 10:00"))
    failed = WeeklyScheduler(project, clock).run_due("catch-up")
    assert failed.outcome == "failed" and produced_weeks(project) == []
    assert "catch-up 2026-W47: failed with 1 problem" in "\n".join(log.messages)
    assert any(re.match(r"seeds/evidence/car-x\.yaml:\d+:\d+: .*treated = 13 is not stated", m) for m in log.messages), log.messages
    record = json.loads((project / "build/weekly/runs.jsonl").read_text(encoding="utf-8"))
    assert record["outcome"] == "failed" and record["problems"][0].startswith("seeds/evidence/car-x.yaml:")

    write_project(project, {"seeds/evidence/car-x.yaml": EVIDENCE})
    assert WeeklyScheduler(project, clock).run_due("catch-up").outcome == "built"
    assert runs(project) == [("catch-up", "2026-W47", "failed"), ("catch-up", "2026-W47", "built")]


# ---------------------------------------------------------------------------------------------
# `reports schedule` processes


class ScheduleProcess:
    """A running `reports --project P schedule`, its stderr read line by line in a thread."""

    def __init__(self, project: Path, *options: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reports", "--project", str(project), "schedule", *options],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, pattern: str, timeout: float = 120) -> str:
        """The first line matching ``pattern``; fails on a timeout or when the process ends first."""
        deadline = time.monotonic() + timeout
        for line in self.lines:
            if re.search(pattern, line):
                return line
        while (line := self._next_line(deadline)) is not None:
            if re.search(pattern, line):
                return line
        pytest.fail(f"reports schedule ended before a line matching {pattern!r}; stderr:\n" + "\n".join(self.lines))

    def stop(self, timeout: float = 120) -> int:
        """SIGTERM, then the exit status once it has ended, with all of its stderr read."""
        self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout=timeout)
        deadline = time.monotonic() + 30
        while self._next_line(deadline) is not None:
            pass
        return status

    def _next_line(self, deadline: float) -> str | None:
        """The next line of stderr (kept in ``lines``), or None at its end."""
        try:
            line = self._queue.get(timeout=max(deadline - time.monotonic(), 0))
        except queue.Empty:
            pytest.fail("reports schedule is still silent after the timeout; stderr so far:\n" + "\n".join(self.lines))
        if line is not None:
            self.lines.append(line)
        return line

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture
def spawn():
    started: list[ScheduleProcess] = []

    def start(project: Path, *options: str) -> ScheduleProcess:
        started.append(ScheduleProcess(project, *options))
        return started[-1]

    yield start
    for process in started:
        process.kill()


RUN_LINE = r" catch-up \d{4}-W\d{2}: "


def test_two_schedulers_on_one_project_produce_the_due_week_once_and_stop_on_sigterm(project: Path, spawn):
    first, second = spawn(project), spawn(project)
    first.wait_for(RUN_LINE)
    second.wait_for(RUN_LINE)

    records = [json.loads(line) for line in (project / "build/weekly/runs.jsonl").read_text().splitlines()]
    assert sorted(record["outcome"] for record in records) == ["already-produced", "built"]
    assert {record["pid"] for record in records} == {first.process.pid, second.process.pid}
    assert len({record["week"] for record in records}) == 1
    assert produced_weeks(project) == [records[0]["week"]]

    for process in (first, second):
        assert process.stop() == 0, "\n".join(process.lines)
        assert re.search(r"\+08:00 stopped$", process.lines[-1]), process.lines
        assert not any("Traceback" in line for line in process.lines)


def test_sigterm_during_the_catch_up_lets_the_build_finish_then_stops(project: Path, spawn):
    scheduler = spawn(project)
    scheduler.wait_for(r" started: schedule '0 8 \* \* mon' in Asia/Shanghai")
    assert scheduler.stop() == 0, "\n".join(scheduler.lines)
    events = [re.sub(r"^\S+ ", "", line) for line in scheduler.lines]
    built = next(i for i, event in enumerate(events) if re.match(r"catch-up \S+: built ", event))
    assert events.index("SIGTERM: stopping") > built and events[-1] == "stopped"
    assert len(produced_weeks(project)) == 1


def test_an_invalid_schedule_stops_reports_schedule_before_it_starts(tmp_path: Path):
    project = write_project(tmp_path / "p", {"seeds/project.yaml": "schedule: '0 25 * * mon'\n"})
    result = subprocess.run([sys.executable, "-m", "reports", "--project", str(project), "schedule"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert re.match(r"seeds/project\.yaml:1:11: schedule: '0 25 \* \* mon' is not a valid crontab line",
                    result.stderr), result.stderr
    assert "Traceback" not in result.stderr and not (project / "build").exists()


def test_an_edited_schedule_takes_effect_without_a_restart_and_an_invalid_edit_keeps_it(project: Path, spawn):
    settings = project / "seeds/project.yaml"
    settings.write_text("schedule: '0 8 * * mon'\n", encoding="utf-8")
    scheduler = spawn(project)
    scheduler.wait_for(r" next run \S+T08:00:00\+08:00 for ")

    settings.write_text("schedule: '30 9 * * tue'\ntimezone: Europe/Berlin\n", encoding="utf-8")
    scheduler.wait_for(r"\+0[12]:00 schedule changed: '30 9 \* \* tue' in Europe/Berlin$", timeout=30)
    line = scheduler.wait_for(r" next run \S+T09:30:00\+0[12]:00 for ", timeout=30)
    fire = dt.datetime.fromisoformat(line.split(" next run ")[1].split(" ")[0])
    assert fire.isoweekday() == 2  # a Tuesday, in Berlin (+01:00 in winter, +02:00 in summer)

    settings.write_text("schedule: '0 25 * * tue'\n", encoding="utf-8")
    scheduler.wait_for(r"^seeds/project\.yaml:1:11: schedule: '0 25 \* \* tue' is not a valid crontab line", timeout=30)
    scheduler.wait_for(r"seeds/project.yaml has problems; the schedule '30 9 \* \* tue' in Europe/Berlin is kept",
                       timeout=30)
    assert scheduler.stop() == 0, "\n".join(scheduler.lines)
    assert scheduler.lines[-1].endswith(" stopped")
    assert not any("Traceback" in line for line in scheduler.lines)


def test_two_schedulers_on_two_machines_produce_the_week_once_through_the_broker(tmp_path: Path, spawn, celery_cluster):
    """Two copies of one project (two machines: no shared folder), one broker: the week is built once."""
    title = f"title: 周报测试 {tmp_path.name}\n"  # the schedulers of one project know each other by its title
    first = write_project(tmp_path / "machine-a", {"seeds/project.yaml": title})
    second = write_project(tmp_path / "machine-b", {"seeds/project.yaml": title})
    schedulers = [spawn(first, "--broker", celery_cluster.broker), spawn(second, "--broker", celery_cluster.broker)]
    lines = [scheduler.wait_for(RUN_LINE) for scheduler in schedulers]
    for scheduler in schedulers:  # each says which name it goes by on the broker
        assert scheduler.wait_for(f" weeks locked and marked on the broker {celery_cluster.broker} for its title "
                                  f"'周报测试 {tmp_path.name}' ")
    outcomes = sorted(re.sub(r"^.* catch-up \S+: ", "", line).split(" ")[0] for line in lines)
    assert outcomes == ["already", "built"], lines
    assert any(re.search(r"already produced by \S+ \(pid \d+\) at \S+, left alone$", line) for line in lines)
    weeks = [produced_weeks(project) if (project / "build/weekly").exists() else [] for project in (first, second)]
    assert sorted(len(found) for found in weeks) == [0, 1], weeks
    for scheduler in schedulers:
        assert scheduler.stop() == 0, "\n".join(scheduler.lines)

    # Started again later: still produced once, on neither machine again.
    again = spawn(second, "--broker", celery_cluster.broker)
    assert re.search(r": already produced by ", again.wait_for(RUN_LINE))
    assert again.stop() == 0


def test_a_projects_name_on_the_broker_is_its_project_id_else_a_title_of_its_own_else_its_folder(tmp_path: Path):
    """Who a project is on a shared broker (the key of its weeks' lock and mark): two copies of one
    project on two machines must agree, wherever they are mounted; two projects must not agree by accident."""
    from reports.content.model import ProjectSettings

    def identity(name: str, settings: str | None = None):
        files = {"seeds/project.yaml": settings} if settings is not None else None
        return WeeklyScheduler(write_project(tmp_path / name, files)).identity

    default_title = f"title: {ProjectSettings.model_fields['title'].default}\n"  # as the shipped seeds write it
    kept = [identity("a"), identity("b"), identity("c", default_title)]
    assert len({found.key for found in kept}) == 3  # the default title names nobody: each folder is its own
    assert kept[0].described.startswith(f"this folder on {socket.gethostname()} only (seeds/project.yaml names no "
                                        "project_id and keeps the default title)")
    assert "write project_id: in seeds/project.yaml to share them" in kept[0].described

    named = identity("d", "title: 周报测试\n"), identity("e", "title: 周报测试\n")
    assert named[0] == named[1]
    # the key schedulers of the version before project_id gave it: an upgrade does not produce a week again
    assert named[0].key == hashlib.sha256("周报测试".encode()).hexdigest()[:16]

    by_id = identity("f", "project_id: car-weekly\n"), identity("g", "project_id: car-weekly\ntitle: 另一个标题\n")
    assert by_id[0] == by_id[1] and by_id[0].described == "project_id car-weekly"
    assert by_id[0].key not in {found.key for found in (*kept, *named)}


def test_a_project_id_that_is_not_an_id_is_refused_at_its_place(tmp_path: Path):
    from helpers.cli import reports

    project = write_project(tmp_path / "p", {"seeds/project.yaml": "title: 示例\nproject_id: CAR Weekly\n"})
    result = reports("--project", str(project), "check")
    assert result.returncode == 1
    assert result.stderr.startswith("seeds/project.yaml:2:13: project_id: 'CAR Weekly' is not a valid id; use at most "
                                    "64 lower-case letters, digits and hyphens"), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.render
@pytest.mark.server  # a redis-server of its own: the weeks' marks need Redis, not the Celery workers
def test_two_projects_that_kept_the_default_title_each_get_their_week_on_one_broker(tmp_path: Path):
    """Issue 26: the weekly mark was keyed by the title, which most projects leave at its default,
    so the second project on a broker was told its week was "already produced by" the first."""
    from helpers.servers import start_redis_server, stop_group

    server, broker = start_redis_server(tmp_path)
    try:
        clock = Clock(at("2026-11-24 10:00"))
        projects = [write_project(tmp_path / "first"), write_project(tmp_path / "second")]
        outcomes = [WeeklyScheduler(project, clock, broker=broker).run_due("catch-up").outcome for project in projects]
        assert outcomes == ["built", "built"]
        assert [produced_weeks(project) for project in projects] == [["2026-W47"], ["2026-W47"]]
        # and each project still once: the first, started again, finds its own week produced
        assert WeeklyScheduler(projects[0], clock, broker=broker).run_due("catch-up").outcome == "already-produced"
    finally:
        stop_group(server)


def test_an_unreachable_broker_stops_the_scheduler_before_it_starts(project: Path):
    from helpers.servers import loopback_port

    broker = f"redis://127.0.0.1:{loopback_port()}/0"
    result = subprocess.run([sys.executable, "-m", "reports", "--project", str(project), "schedule", "--broker", broker],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith(f"reports: cannot reach the broker {broker}: ")
    assert "Traceback" not in result.stderr and not (project / "build").exists()
