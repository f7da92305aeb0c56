"""The weekly scheduler: ``reports weekly`` on the project's schedule, caught up after downtime.

The schedule is the crontab line ``schedule`` of seeds/project.yaml (default ``0 8 * * mon``) in
the project's ``timezone``. A run due at a fire time produces the week that had last ended then
(``IsoWeek.last_complete``). On start, the week due at the latest fire up to now is produced
unless it was (catch-up). Several missed fires collapse into that latest one: the older missed
weeks are only logged, with the command that produces them by hand.

Every run calls ``build_weekly`` with ``only_if_missing``, and build_weekly holds a per-week lock
across processes: a week is produced once, however many schedulers run or restart. Each run is
appended to build/weekly/runs.jsonl and logged in one line.

With a broker (Redis), the week is also locked there, and marked produced there once made, so
that schedulers on several machines, each with its own copy of the project, still produce each
week once: the one that takes the lock first builds it, the others find it produced. The
project's schedulers are known to each other by its identity on the broker (``broker_identity``):
``project_id`` of seeds/project.yaml; without one, a title that is not the default; else this
folder on this machine only, so that two projects that kept the default title never share a week.

seeds/project.yaml is watched while the scheduler runs: an edited schedule or time zone takes
effect at once (the next fire is logged); an invalid edit is logged with its place and the
schedule in force is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import signal
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from reports.content.model import ProjectSettings
from reports.content.project import Project
from reports.content.settings import read_settings, read_settings_at
from reports.documents.weekly import (
    MANIFEST,
    IsoWeek,
    WeeklyOptions,
    WeeklyResult,
    build_weekly,
    week_folder,
    weekly_root,
)
from reports.errors import Problems, ReportError

RUN_LOG = "runs.jsonl"
WATCH_SECONDS = 1.0  # how often seeds/project.yaml is looked at (a stat) for an edited schedule
LOCK_SECONDS = 3600  # a Redis week lock held longer than this (a scheduler that died) is released
LOOKBACK = dt.timedelta(weeks=53)  # how far back catch-up looks: a yearly schedule still fires in it
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}

log = logging.getLogger("reports.schedule")  # its name before the move: what operators filter on


@dataclass(frozen=True)
class BrokerIdentity:
    """A project's name on a shared broker: every key the scheduler writes there is under ``key``."""

    key: str  # 16 hex digits
    described: str  # for the log: what the name was taken from


def broker_identity(project: Project, settings) -> BrokerIdentity:
    """Who the project is on the broker, from the first of: its ``project_id``; its title, when it is not
    the default; this folder on this machine.

    Two copies of one project on two machines (at whatever paths) must agree, and two projects must
    not agree by accident: most leave the title at its default (the shipped seeds write it out),
    so a default title names nothing, and the folder is the only thing left that tells them apart.
    A named title keeps the key it had before project_id existed, so schedulers of an older version
    on other machines still agree during an upgrade.
    """
    if settings.project_id:
        return BrokerIdentity(_digest(f"project_id:{settings.project_id}"), f"project_id {settings.project_id}")
    if settings.title != ProjectSettings.model_fields["title"].default:
        return BrokerIdentity(_digest(settings.title),
                              f"its title {settings.title!r} (seeds/project.yaml names no project_id)")
    host, folder = socket.gethostname(), str(project.root.resolve())
    return BrokerIdentity(_digest(f"folder:{host}:{folder}"),
                          f"this folder on {host} only (seeds/project.yaml names no project_id and keeps the default "
                          "title): a scheduler of this project on another machine would produce its weeks again; "
                          "write project_id: in seeds/project.yaml to share them")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def log_to_stderr() -> None:
    """One line per event on stderr, flushed as it is written; APScheduler's own warnings too."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name, level in ((log.name, logging.INFO), ("apscheduler", logging.WARNING)):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(level)


@dataclass
class Run:
    """One run of the weekly job, as recorded in runs.jsonl."""

    trigger: str  # "catch-up" or "scheduled"
    week: IsoWeek
    started: dt.datetime
    finished: dt.datetime
    outcome: str  # "built", "up-to-date", "already-produced" or "failed"
    message: str
    problems: list[str] = field(default_factory=list)
    pid: int = field(default_factory=os.getpid)
    delivery: list[str] = field(default_factory=list)  # each target's outcome, once the week is there

    def record(self) -> dict:
        return {
            "started": self.started.isoformat(timespec="seconds"),
            "finished": self.finished.isoformat(timespec="seconds"),
            "trigger": self.trigger,
            "week": str(self.week),
            "outcome": self.outcome,
            "message": self.message,
            **({"problems": self.problems} if self.problems else {}),
            **({"delivery": self.delivery} if self.delivery else {}),
            "pid": self.pid,
        }


class WeeklyScheduler:
    """Produces a project's weekly briefing on its schedule; ``clock`` returns aware datetimes.

    The settings are read once, here: invalid ones raise ``ReportError`` before anything runs.
    """

    def __init__(self, project_dir: Path | str, clock: Callable[[], dt.datetime] = utc_now,
                 broker: str | None = None):
        self.project = Project.at(project_dir)
        problems = Problems(self.project.root)
        settings = read_settings(self.project.seeds, problems)
        problems.raise_if_any()
        self._apply(settings)
        self.settings = settings  # the last valid settings: who is alerted when an edit breaks them
        self.settings_seen = self._settings_signature()
        self.clock = clock
        self.broker = broker
        self.identity = broker_identity(self.project, settings)  # read once: an edit applies at the next start

    def _apply(self, settings) -> None:
        self.timezone = settings.timezone
        self.schedule = settings.schedule
        self.trigger = CronTrigger.from_crontab(settings.schedule, timezone=ZoneInfo(settings.timezone))

    def _settings_signature(self) -> tuple | None:
        try:
            status = (self.project.seeds / "project.yaml").stat()
        except OSError:
            return None
        return status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino

    def reload_if_edited(self, scheduler: BackgroundScheduler | None = None) -> bool:
        """Read seeds/project.yaml again if it changed; a new schedule or time zone applies at once.

        Returns whether the schedule in force changed. An invalid file is logged (every problem at
        its place) and the schedule in force is kept, so a typo never stops the weekly briefing.
        """
        signature = self._settings_signature()
        if signature == self.settings_seen:
            return False
        self.settings_seen = signature
        problems = Problems(self.project.root)
        settings = read_settings(self.project.seeds, problems)
        now = self.clock()
        if problems.errors:
            for problem in problems.errors:
                log.error("%s", problem)
            self._log(logging.ERROR, now, f"seeds/project.yaml has problems; the schedule '{self.schedule}' in "
                                          f"{self.timezone} is kept until they are fixed")
            return False
        if (settings.schedule, settings.timezone) == (self.schedule, self.timezone):
            return False
        self._apply(settings)
        if scheduler is not None:
            scheduler.reschedule_job("weekly", trigger=self.trigger)
        self._log(logging.INFO, now, f"schedule changed: '{self.schedule}' in {self.timezone}")
        self._log_next()
        return True

    @property
    def run_log(self) -> Path:
        return weekly_root(self.project) / RUN_LOG

    def due_weeks(self, now: dt.datetime) -> list[IsoWeek]:
        """The weeks due at the fires of the last ``LOOKBACK`` up to ``now``, oldest first."""
        weeks = []
        fire = self.trigger.get_next_fire_time(None, now - LOOKBACK)
        while fire is not None and fire <= now:
            weeks.append(IsoWeek.last_complete(fire, self.timezone))
            # Every fire in a week is due for the same week: one per week is enough.
            fire = self.trigger.get_next_fire_time(None, self._next_monday(fire))
        return weeks

    def due_week(self, now: dt.datetime | None = None) -> IsoWeek | None:
        """The week due at the latest fire up to ``now`` (default: the clock's now)."""
        weeks = self.due_weeks(now or self.clock())
        return weeks[-1] if weeks else None

    def next_fire(self, after: dt.datetime) -> dt.datetime | None:
        return self.trigger.get_next_fire_time(after, after)

    def run_due(self, trigger: str) -> Run | None:
        """Produce the week due at the latest fire up to now, unless it was produced before.

        Missed weeks before it (since the last week the scheduler produced) are logged, not produced.
        """
        now = self.clock()
        weeks = self.due_weeks(now)
        if not weeks:
            self._log(logging.INFO, now, f"{trigger}: nothing was due in the last {LOOKBACK.days // 7} weeks")
            return None
        self._log_missed(now, weeks[:-1])
        return self.run(weeks[-1], trigger)

    def run(self, week: IsoWeek, trigger: str) -> Run:
        """Produce ``week`` unless it was produced before; record and log the run, whatever happens."""
        started = self.clock()
        problems: list[str] = []
        error: Exception | None = None
        try:
            # One clock: the run's date in the time zone is printed in the week it produced (the
            # scheduler outlives days, and the same clock said the week was due).
            options = WeeklyOptions(week=week, timezone=self.timezone, only_if_missing=True,
                                    build_date=self._local(started).date(), date_from="the scheduler's clock")
            if self.broker:
                outcome, message, warnings = self._run_locked_in_redis(options)
            else:
                result = build_weekly(self.project.root, options)
                outcome, message = result.outcome, self._describe(result)
                warnings = [f"{w.location}: warning: {w.message}" for w in result.warnings]
        except ReportError as report_error:
            problems = [str(problem) for problem in report_error.problems]
            outcome, message, warnings = "failed", (
                f"failed with {len(problems)} problem{'s' if len(problems) != 1 else ''}; "
                "the week was not produced (the next start retries it)"), []
        except Exception as unexpected:  # a bug: recorded and logged, and the scheduler goes on
            error = unexpected
            outcome, message, warnings = "failed", f"failed: {type(unexpected).__name__}: {unexpected}", []
        delivered, undelivered = ([], []) if outcome == "failed" else self._deliver(week)
        run = Run(trigger, week, self._local(started), self._local(self.clock()), outcome, message,
                  problems + undelivered, delivery=delivered)
        self._append(run)
        self._log(logging.ERROR if outcome == "failed" else logging.INFO, started, f"{trigger} {week}: {message}",
                  exc_info=error)
        for line in problems:
            log.error("%s", line)
        for line in warnings:
            log.warning("%s", line)
        for line in delivered:
            log.info("%s", line)
        for line in undelivered:
            log.error("%s", line)
        if outcome == "failed":
            self._alert(week, "周报构建失败", [message, *problems])
        elif undelivered:
            self._alert(week, "投递失败", undelivered)
        return run

    def _current_settings(self) -> tuple[object, object]:
        """seeds/project.yaml as it is now (delivery targets apply without a restart), else the last valid."""
        problems = Problems(self.project.root)
        settings, positions = read_settings_at(self.project.seeds, problems)
        if problems.errors:
            return self.settings, None
        self.settings = settings
        return settings, positions

    def _deliver(self, week: IsoWeek) -> tuple[list[str], list[str]]:
        """The produced week to its targets (each once: reports.run.delivery); (outcomes, failures)."""
        from reports.run.delivery import DeliveryOptions, deliver_week, targets_of

        settings, positions = self._current_settings()
        try:
            targets = targets_of(self.project, settings, positions)
            if not targets:
                return [], []
            if not (week_folder(self.project, week) / MANIFEST).is_file():
                # Produced by a scheduler on another machine, into its own build/: it delivers it.
                return [f"{week}: not delivered from here: produced on another machine, whose scheduler delivers it"], []
            outcomes = deliver_week(self.project, week, settings, targets, self.identity.key,
                                    DeliveryOptions(broker=self.broker), clock=self.clock)
        except ReportError as failure:
            return [], [str(problem) for problem in failure.problems]
        return ([outcome.line(str(week)) for outcome in outcomes if outcome.status != "failed"],
                [str(outcome.problem(str(week))) for outcome in outcomes if outcome.status == "failed"])

    def _alert(self, week: IsoWeek, reason: str, lines: list[str]) -> None:
        """The editors told (alerts: in seeds/project.yaml) that the week did not go out, and why."""
        from reports.run.delivery import alert_targets, send_alerts

        settings, positions = self._current_settings()
        try:
            outcomes = send_alerts(self.project, settings, alert_targets(settings, positions), str(week), reason, lines)
        except ReportError as failure:
            for problem in failure.problems:
                log.error("alert not sent: %s", problem)
            return
        for outcome in outcomes:
            log.log(logging.ERROR if outcome.status == "failed" else logging.INFO, "alert %s", outcome.line(str(week)))

    def _week_key(self, week: IsoWeek) -> str:
        return f"reports:weekly:{self.identity.key}:{week}"

    def _run_locked_in_redis(self, options: WeeklyOptions) -> tuple[str, str, list[str]]:
        """Produce ``options.week`` under its lock in Redis, unless a scheduler (here or on another machine) did."""
        import redis

        from reports.run.distributed import redis_client, unreachable

        key = self._week_key(options.week)
        client = redis_client(self.broker)
        try:
            # Waits while another scheduler builds the week, then finds it produced.
            with client.lock(f"{key}:lock", timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS):
                produced = client.get(f"{key}:produced")
                if produced is not None:
                    by = json.loads(produced)
                    return "already-produced", (f"already produced by {by['host']} (pid {by['pid']}) at "
                                                f"{by['at']}, left alone"), []
                result = build_weekly(self.project.root, options)
                client.set(f"{key}:produced", json.dumps({
                    "host": socket.gethostname(), "pid": os.getpid(), "at": self._stamp(self.clock()),
                    "version": result.version}), ex=int(LOOKBACK.total_seconds()) + 86400)
        except (redis.RedisError, OSError) as failure:
            raise unreachable(self.broker, failure) from None
        return result.outcome, self._describe(result), [f"{w.location}: warning: {w.message}" for w in result.warnings]

    def run_forever(self) -> None:
        """Catch up, then run on the schedule until SIGTERM or SIGINT; a running build finishes first."""
        # The stop signals are blocked in every thread (the scheduler's inherit the mask) and taken
        # by sigwait here: stopping happens outside a signal handler, after the running build.
        previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        scheduler = BackgroundScheduler(timezone=ZoneInfo(self.timezone))
        try:
            self._log(logging.INFO, self.clock(),
                      f"started: schedule '{self.schedule}' in {self.timezone} for {self.project.root}; "
                      f"runs recorded in {self._relative(self.run_log)}")
            if self.broker:
                from reports.content.settings import shown_url

                self._log(logging.INFO, self.clock(),
                          f"weeks locked and marked on the broker {shown_url(self.broker)} for {self.identity.described}")
            self.run_due("catch-up")
            # Misfires have no grace limit: however late a run starts (a suspended machine), it
            # produces the week due at the latest fire, once.
            scheduler.add_job(self._scheduled_run, self.trigger, id="weekly", coalesce=True, max_instances=1,
                              misfire_grace_time=None)
            scheduler.add_job(self.reload_if_edited, "interval", seconds=WATCH_SECONDS, args=[scheduler],
                              id="settings", coalesce=True, max_instances=1)
            scheduler.start()
            self._log_next()
            received = signal.sigwait(STOP_SIGNALS)
            self._log(logging.INFO, self.clock(), f"{signal.Signals(received).name}: stopping")
            scheduler.shutdown(wait=True)
            self._log(logging.INFO, self.clock(), "stopped")
        finally:
            if scheduler.running:
                scheduler.shutdown(wait=True)
            signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)

    def _scheduled_run(self) -> None:
        self.run_due("scheduled")
        self._log_next()

    def _log_next(self) -> None:
        now = self.clock()
        fire = self.next_fire(now)
        if fire:
            week = IsoWeek.last_complete(fire, self.timezone)
            self._log(logging.INFO, now, f"next run {self._stamp(fire)} for {week}")

    def _log_missed(self, now: dt.datetime, earlier: list[IsoWeek]) -> None:
        last = self._last_produced_week()
        if last is None:
            return  # never ran here: nothing can have been missed
        for week in sorted(set(earlier)):
            if week > last and not (week_folder(self.project, week) / MANIFEST).is_file():
                self._log(logging.WARNING, now,
                          f"missed {week}: not produced, only the latest missed week is caught up; produce it with "
                          f"reports --project {self.project.root} weekly --week {week}")

    def _last_produced_week(self) -> IsoWeek | None:
        """The latest week a recorded run built or found produced."""
        weeks = []
        for record in self._records():
            try:
                if record["outcome"] != "failed":
                    weeks.append(IsoWeek.parse(record["week"]))
            except (KeyError, TypeError, ReportError):
                continue  # not a run record
        return max(weeks, default=None)

    def _records(self) -> list[dict]:
        try:
            lines = self.run_log.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        records = []
        for line in lines:
            try:
                records.append(json.loads(line))
            except ValueError:
                continue  # a damaged line does not stop the scheduler
        return records

    def _append(self, run: Run) -> None:
        line = (json.dumps(run.record(), ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self.run_log.parent.mkdir(parents=True, exist_ok=True)
            # One write() to a file opened O_APPEND: lines from several schedulers never interleave.
            handle = os.open(self.run_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(handle, line)
            finally:
                os.close(handle)
        except OSError as error:
            raise ReportError(f"{self._relative(self.run_log)}: cannot record the run: {error.strerror}") from None

    def _describe(self, result: WeeklyResult) -> str:
        pdf = self._relative(result.pdf)
        if result.outcome == "built":
            return f"built {pdf} ({result.pages} page{'s' if result.pages != 1 else ''})"
        if result.outcome == "up-to-date":
            return f"up to date: {pdf}"
        return f"already produced: {pdf}, left alone"

    def _log(self, level: int, now: dt.datetime, text: str, exc_info: Exception | None = None) -> None:
        log.log(level, "%s %s", self._stamp(now), text, exc_info=exc_info)

    def _local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(ZoneInfo(self.timezone))

    def _stamp(self, moment: dt.datetime) -> str:
        return self._local(moment).isoformat(timespec="seconds")

    def _next_monday(self, moment: dt.datetime) -> dt.datetime:
        day = self._local(moment).date()
        monday = day + dt.timedelta(days=8 - day.isoweekday())
        return dt.datetime.combine(monday, dt.time(0), tzinfo=ZoneInfo(self.timezone))

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.project.root).as_posix() if path.is_relative_to(self.project.root) else str(path)
