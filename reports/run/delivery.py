"""Delivery: a produced week sent to each of its targets exactly once, and alerts when a week fails.

The story of a delivery: the week's record is read and checked (build/weekly/YYYY-Www/, the PDF
against its manifest) and its message composed, before anything is sent; then, target by target,
under the week's delivery lock: a target the ledger (build/delivery.sqlite) or the broker records as
delivered is skipped and said to be; any other is sent, tried again after 1, 2, 4 ... s
(``delivery.backoff_seconds``) while its failure is a passing one, at most ``delivery.attempts``
times, and recorded the moment its server has accepted it. A target that fails is reported with
its place and its reason; the others still get theirs.

Exactly once, and where it is not: the record is written after the server accepts the message, so
a process killed between the two repeats that one message at the next run (with the same
Message-ID, which lets mail systems drop the copy); never more than one, because targets are sent
one at a time and each is recorded before the next is sent.

The ledger is keyed by the project's identity (as the scheduler's, ``project_id`` ...), the week
and the target. With a broker (Redis), a target is also locked there around its send and marked
there once accepted, so schedulers on several machines, each with its own build/, deliver it once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import socket
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from filelock import FileLock

from reports.content.project import Project
from reports.content.settings import Destination, Settings, webhook_format
from reports.documents.weekly import IsoWeek, weekly_root
from reports.errors import Location, Problem, ReportError
from reports.run import mail, webhooks
from reports.run.message import SendFailure, WeekMessage, compose, read_week

LEDGER = "delivery.sqlite"
LOCK_SECONDS = 900  # a Redis target lock held longer than this (a process that died) is released
MARK_SECONDS = 60 * 60 * 24 * 400  # how long the broker remembers a delivery: over a year of weeks

log = logging.getLogger("reports.delivery")

Status = Literal["delivered", "already-delivered", "failed", "dry-run"]


@dataclass(frozen=True)
class Placed:
    """A target and where it was given: its line in seeds/project.yaml, the recipients file, or --to."""

    target: Destination
    location: Location

    @property
    def key(self) -> str:
        """The ledger's name for the target: a hash, so that a robot's key is not kept in build/."""
        return hashlib.sha256(self.target.url.encode("utf-8")).hexdigest()[:24]


@dataclass
class Outcome:
    placed: Placed
    status: Status
    detail: str
    attempts: int = 0

    def line(self, week: str) -> str:
        return f"{week} {self.placed.target}: {self.detail}"

    def problem(self, week: str) -> Problem:
        return Problem(self.placed.location, f"{week} to {self.placed.target}: {self.detail}")


@dataclass
class DeliveryOptions:
    smtp: str | None = None  # --smtp: before delivery.smtp
    sender: str | None = None  # --from: before delivery.sender
    base_url: str | None = None  # --base-url: before base_url
    format: str | None = None  # --format: the webhooks' body, before each target's own
    dry_run: bool = False
    broker: str | None = None


# ---------------------------------------------------------------------------------------------
# The ledger.


class Ledger:
    """build/delivery.sqlite: one row per (project, week, target) delivered, written after acceptance.

    A connection per call: several processes (schedulers, a deliver by hand) share the file, and
    SQLite locks it for each write.
    """

    def __init__(self, path: Path):
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30)
        connection.execute("""CREATE TABLE IF NOT EXISTS deliveries (
            project TEXT NOT NULL, week TEXT NOT NULL, target TEXT NOT NULL, shown TEXT NOT NULL,
            message_id TEXT NOT NULL, delivered TEXT NOT NULL, answer TEXT NOT NULL, host TEXT NOT NULL,
            pid INTEGER NOT NULL, PRIMARY KEY (project, week, target))""")
        return connection

    def find(self, project: str, week: str, target: str) -> dict | None:
        if not self.path.exists():
            return None  # nothing delivered yet (and a dry run creates nothing)
        with self._closing() as connection:
            row = connection.execute(
                "SELECT delivered, message_id, host, pid FROM deliveries WHERE project=? AND week=? AND target=?",
                (project, week, target)).fetchone()
        return None if row is None else {"at": row[0], "message_id": row[1], "host": row[2], "pid": row[3]}

    def record(self, project: str, week: str, placed: Placed, message_id: str, at: str, answer: str) -> None:
        with self._closing() as connection, connection:
            connection.execute("INSERT OR IGNORE INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               (project, week, placed.key, str(placed.target), message_id, at, answer,
                                socket.gethostname(), os.getpid()))

    def weeks(self, project: str) -> dict[str, int]:
        with self._closing() as connection:
            rows = connection.execute("SELECT week, COUNT(*) FROM deliveries WHERE project=? GROUP BY week",
                                      (project,)).fetchall()
        return dict(rows)

    def _closing(self):
        from contextlib import closing

        try:
            return closing(self._connect())
        except sqlite3.Error as error:
            raise ReportError(f"{self.path}: cannot open the delivery record: {error}") from None


def ledger_of(project: Project) -> Ledger:
    return Ledger(project.build / LEDGER)


# ---------------------------------------------------------------------------------------------
# The targets.


def targets_of(project: Project, settings: Settings, positions, given: list[str] | None = None,
               format: str | None = None) -> list[Placed]:
    """The targets: ``given`` (--to) if any, else delivery.to and the recipients file, each with its place."""
    from reports.content.settings import parse_target

    if given:
        placed = []
        for text in given:
            try:
                target = parse_target(text)
            except ValueError as error:
                raise ReportError(Problem(Location("--to"), str(error))) from None
            placed.append(Placed(target if target.is_mail or not format else Destination(target.url, format),
                                 Location("--to")))
        return placed
    shown = "seeds/project.yaml"
    placed = [Placed(target if target.is_mail or not format else Destination(target.url, format),
                     Location(shown, *(positions.of(("delivery", "to", index)) if positions else (0, 0))))
              for index, target in enumerate(settings.delivery.to)]
    if settings.delivery.recipients_file:
        found, problems = mail.read_recipients(project, settings.delivery.recipients_file)
        if problems:
            raise ReportError(problems)
        placed += [Placed(Destination(text), location) for text, location in found]
    unique = {}
    for item in placed:
        unique.setdefault(item.target.url, item)  # a recipient listed twice is one target
    return list(unique.values())


def alert_targets(settings: Settings, positions) -> list[Placed]:
    return [Placed(target, Location("seeds/project.yaml", *(positions.of(("alerts", index)) if positions else (0, 0))))
            for index, target in enumerate(settings.alerts)]


def message_id(identity: str, week: str, placed: Placed, sender: str | None) -> str:
    """Stable per week and recipient: a repeat (after a crash) carries the same one."""
    digest = hashlib.sha256(f"{identity}\n{week}\n{placed.target.url}".encode()).hexdigest()[:20]
    return f"<weekly.{week}.{digest}@{mail.sender_domain(sender) if sender else 'reports.invalid'}>"


# ---------------------------------------------------------------------------------------------
# Sending, with retries.


def with_retries(send: Callable[[], str], settings: Settings, what: str,
                 sleep: Callable[[float], None] = time.sleep) -> tuple[str, int]:
    """``send()`` tried until it succeeds, its failure is permanent, or the attempts are spent; returns
    its answer and the attempts made, or raises ``SendFailure`` saying how many were made."""
    attempts, wait = settings.delivery.attempts, settings.delivery.backoff_seconds
    for attempt in range(1, attempts + 1):
        try:
            return send(), attempt
        except SendFailure as failure:
            if not failure.transient:
                raise SendFailure(f"refused, not retried: {failure.reason}", False) from None
            if attempt == attempts:
                raise SendFailure(f"not delivered after {attempts} attempt{'s' if attempts != 1 else ''}: "
                                  f"{failure.reason}", True) from None
            log.warning("%s: attempt %d of %d failed: %s; again in %g s", what, attempt, attempts, failure.reason,
                        wait)
            sleep(wait)
            wait *= 2
    raise AssertionError("unreachable")


class Channels:
    """The ways out, opened as needed: one mail session for the run, webhooks one request each."""

    def __init__(self, project: Project, settings: Settings, options: DeliveryOptions):
        self.project, self.settings, self.options = project, settings, options
        self.session: mail.MailSession | None = None

    @property
    def sender(self) -> str | None:
        return self.options.sender or self.settings.delivery.sender

    def mail_session(self) -> mail.MailSession:
        if self.session is None:
            url = self.options.smtp or self.settings.delivery.smtp
            if url is None or self.sender is None:
                raise SendFailure("no mail server: give --smtp and --from, or delivery.smtp and delivery.sender in "
                                  "seeds/project.yaml", transient=False)
            self.session = mail.MailSession(mail.mail_server(url, self.settings.delivery, self.project))
        return self.session

    def close(self) -> None:
        if self.session is not None:
            self.session.close()

    def send_week(self, message: WeekMessage, placed: Placed, identity: str) -> str:
        target = placed.target
        mid = message_id(identity, message.week, placed, self.sender)
        if target.is_mail:
            session = self.mail_session()
            email = mail.week_mail(message, self.sender, target.address, mid, self.settings.delivery.unsubscribe)
            return f"{session.send(email)}, Message-ID {mid}"
        format = webhook_format(target.url, target.format)
        return webhooks.post(webhooks.signed(target.url, format), webhooks.week_body(message, format, mid),
                             self.settings.delivery.timeout_seconds, robot=format != "json")

    def send_alert(self, placed: Placed, subject: str, text: str, week: str, lines: list[str]) -> str:
        target = placed.target
        if target.is_mail:
            return self.mail_session().send(mail.alert_mail(subject, text, self.sender, target.address))
        format = webhook_format(target.url, target.format)
        return webhooks.post(webhooks.signed(target.url, format), webhooks.alert_body(format, subject, text, week, lines),
                             self.settings.delivery.timeout_seconds, robot=format != "json")


# ---------------------------------------------------------------------------------------------
# A week to its targets.


def deliver_week(project: Project, week: IsoWeek, settings: Settings, targets: list[Placed], identity: str,
                 options: DeliveryOptions | None = None, clock: Callable[[], dt.datetime] | None = None) -> list[Outcome]:
    """Send ``week`` to each target not yet delivered; every target's outcome, in order.

    Raises ``ReportError`` only when nothing can be sent (the week not produced, its PDF altered).
    """
    options = options or DeliveryOptions()
    clock = clock or (lambda: dt.datetime.now(dt.UTC))
    record = read_week(project, week)
    message = compose(project, record, settings, options.base_url)
    if message.note:
        log.warning("%s: %s", week, message.note)
    name = str(week)
    ledger = ledger_of(project)
    channels = Channels(project, settings, options)
    outcomes = []
    # One deliverer of a week at a time on this machine; the broker's locks serve other machines.
    lock = FileLock(weekly_root(project) / f".{week}.delivery.lock")
    try:
        with lock:
            for placed in targets:
                outcomes.append(_deliver_one(placed, message, name, identity, ledger, channels, settings, options,
                                             clock))
    finally:
        channels.close()
    return outcomes


def _deliver_one(placed: Placed, message: WeekMessage, week: str, identity: str, ledger: Ledger, channels: Channels,
                 settings: Settings, options: DeliveryOptions, clock) -> Outcome:
    def attempt() -> Outcome:
        done = ledger.find(identity, week, placed.key)
        if done is None and options.broker:
            done = _marked(options.broker, identity, week, placed)
        if done is not None:
            by = f" by {done['host']} (pid {done['pid']})" if done.get("host") else ""
            return Outcome(placed, "already-delivered", f"already delivered{by} at {done['at']} "
                                                        f"(Message-ID {done['message_id']}); nothing sent")
        if options.dry_run:
            how = ("attached" if message.attached else f"linked: {message.link}" if message.link else
                   "neither attached nor linked") if placed.target.is_mail else \
                f"{webhook_format(placed.target.url, placed.target.format)} body"
            return Outcome(placed, "dry-run", f"would send “{message.subject}” (the PDF {how}); nothing sent")
        try:
            answer, tries = with_retries(lambda: channels.send_week(message, placed, identity), settings,
                                         f"{week} {placed.target}")
        except SendFailure as failure:
            return Outcome(placed, "failed", f"{failure.reason} (the next run tries again)", settings.delivery.attempts)
        # Accepted: recorded at once, before anything else is sent (a crash here repeats this one only).
        at = clock().astimezone(ZoneInfo(settings.timezone)).isoformat(timespec="seconds")
        mid = message_id(identity, week, placed, channels.sender)
        ledger.record(identity, week, placed, mid, at, answer)
        if options.broker:
            _mark(options.broker, identity, week, placed, {"at": at, "message_id": mid, "host": socket.gethostname(),
                                                           "pid": os.getpid()})
        return Outcome(placed, "delivered", f"delivered: {answer}", tries)

    if not options.broker:
        return attempt()
    import redis

    from reports.run.distributed import redis_client, unreachable

    key = _broker_key(identity, week, placed)
    try:
        with redis_client(options.broker).lock(f"{key}:lock", timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS):
            return attempt()
    except (redis.RedisError, OSError) as failure:
        problem = unreachable(options.broker, failure).problems[0].message
        return Outcome(placed, "failed", f"not sent: {problem}")


def _broker_key(identity: str, week: str, placed: Placed) -> str:
    return f"reports:delivery:{identity}:{week}:{placed.key}"


def _marked(broker: str, identity: str, week: str, placed: Placed) -> dict | None:
    from reports.run.distributed import redis_client

    found = redis_client(broker).get(f"{_broker_key(identity, week, placed)}:delivered")
    return None if found is None else json.loads(found)


def _mark(broker: str, identity: str, week: str, placed: Placed, facts: dict) -> None:
    from reports.run.distributed import redis_client

    redis_client(broker).set(f"{_broker_key(identity, week, placed)}:delivered", json.dumps(facts), ex=MARK_SECONDS)


# ---------------------------------------------------------------------------------------------
# Alerts.


def send_alerts(project: Project, settings: Settings, targets: list[Placed], week: str, reason: str,
                lines: list[str]) -> list[Outcome]:
    """Tell the editors that ``week`` did not go out, with the located problems; each alert retried like
    a delivery, never recorded (a failure that happens again is told again)."""
    if not targets:
        return []
    host = socket.gethostname()
    subject = f"{settings.weekly_title} {week} 未能发出：{reason}"
    text = "\n".join([
        f"{settings.weekly_title} {week} 未能发出：{reason}。", "",
        *lines, "",
        f"主机：{host}；项目：{project.root}；记录：build/weekly/runs.jsonl",
        (f"修正后：reports --project {project.root} weekly --week {week}（构建），"
         f"reports --project {project.root} deliver --week {week}（投递）；调度器下次启动时也会重试。"),
    ]) + "\n"
    channels = Channels(project, settings, DeliveryOptions())
    outcomes = []
    try:
        for placed in targets:
            try:
                answer, tries = with_retries(lambda placed=placed: channels.send_alert(placed, subject, text, week, lines),
                                             settings,
                                             f"alert {week} {placed.target}")
                outcomes.append(Outcome(placed, "delivered", f"alert sent: {answer}", tries))
            except SendFailure as failure:
                outcomes.append(Outcome(placed, "failed", f"alert not sent: {failure.reason}"))
    finally:
        channels.close()
    return outcomes
