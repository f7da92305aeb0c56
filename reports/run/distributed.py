"""The Celery engine: render jobs on workers on other machines, with Redis as broker and result store.

Imported only by ``reports worker`` and ``--engine celery``: the local engine needs neither Celery
nor Redis. What goes where in Redis (every key under ``reports:``):

- ``reports:snapshot:<sha256>``: a content snapshot (snapshot.py), stored once per version;
- the Celery queue ``reports``: one message per job, plain JSON (the job, its key, the snapshot's
  name and the digest of the submitter's built-in templates and styles);
- ``reports:result:<key>``: a job's result, the PDF's or HTML's bytes and what it says about
  them (pages, warnings, or the seeds' located problems), keyed by the snapshot and the job: a job
  submitted twice, or redelivered after its worker was lost, renders once;
- ``reports:claim:<key>``: the task under way for a key, so that identical submissions wait for
  one task; ``reports:renders:<key>``: how many times the key was rendered (1, once all is well);
  ``reports:done:<key>``: pushed when the result is stored, so that a waiting caller wakes at once;
  ``reports:starts:<task id>``: how many times a task was started (at most MAX_STARTS), and
  ``reports:started:<task id>``: its last start (which worker, and that worker's --redeliver-after);
- ``celery-task-meta-<id>``: Celery's own record of a task's state (started, failed, time limit);
- Celery's control exchange ``reports.pidbox``: a caller asks whether any reports worker answers.

Every key is named by the content (a snapshot's hash, a result's key) or by a task: two projects on
one broker share a result only when their inputs are the same bytes, which is then the same
document. The weekly scheduler's lock and mark are the one thing kept per project (schedule.py).

A worker is Celery's prefork pool with one child process per render slot. Not the solo pool:
only prefork enforces a hard time limit (it kills the child) and replaces a child that died,
and WeasyPrint is never forked, because the parent never imports it: the children are forked
first and each warms up (imports, fonts: jobs.warm_up) in ``worker_process_init``, before it
takes a job. Acknowledged late, rejected back to the queue when a child is lost: a job whose
child was killed mid-render is given to the next free child, here or on another machine; a job
whose whole worker vanished is given again after the visibility timeout (``--redeliver-after``).

The caller follows its job rather than a clock started when it submitted (``CeleryEngine.wait``):
a job waits in the queue as long as a reports worker answers (Celery's ping, asked after a second
untaken and every ASK_EVERY seconds after); once started it is given the time of a render and, if
its worker is lost, of the redelivery, counted from its last start, so a job redelivered after its
worker died completes. No worker answering is said within seconds, naming the broker.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reports.content.project import tool_digest
from reports.content.settings import broker_url_problem, shown_url
from reports.errors import Failure, ReportError
from reports.run.jobs import Job, error_from_data, problems_as_data, problems_from_data, run_job

QUEUE = "reports"
TASK = "reports.render"
PREFIX = "reports:"
CONNECT_TIMEOUT = 3.0  # seconds to reach Redis: an unreachable broker is an error at once, not a hang
SOCKET_TIMEOUT = 30.0  # seconds for one command (a snapshot of a few MB is one SET)
SNAPSHOT_TTL = 7 * 86400  # a snapshot unused this long is dropped; the next job of that version uploads it again
RESULT_TTL = 86400  # results kept for identical jobs
DONE_TTL = 60  # the signal that a result is stored, for a caller that waits on it
WAKE_EVERY = 0.25  # seconds a caller waits for that signal before it looks at the task's state again
DEFAULT_TIME_LIMIT = 300.0
MAX_STARTS = 3  # a task whose rendering process is lost this many times fails instead of being given again
GRACE = 60.0  # the default --redeliver-after is the time limit plus this; a caller's slack beyond a redelivery
ASK_AFTER = 1.0  # seconds a job waits untaken before the caller asks whether any reports worker is there
ASK_EVERY = 10.0  # while a job is not done, how often the caller asks again (one answer serves every waiting job)
ASK_TIMEOUT = 2.0  # seconds the workers have to answer: a live one answers in milliseconds, even while rendering
CONTROL_EXCHANGE = "reports"  # Celery's control messages (ping) of reports workers only, not of other Celery apps

log = logging.getLogger("reports.worker")


# ---------------------------------------------------------------------------------------------
# Redis and Celery, configured once.


def redis_client(broker: str):
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # No retries: an unreachable broker is reported at once, the caller decides what to do.
    return redis.Redis.from_url(broker, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=SOCKET_TIMEOUT,
                                retry=Retry(NoBackoff(), 0), retry_on_error=[])


class BrokerUnreachable(ReportError):
    """Redis does not answer: a user's setting or an outage, reported with the broker's URL, never a traceback."""


def unreachable(broker: str, error: Exception) -> ReportError:
    reason = str(error).split("\n")[0][:160].rstrip(".") or type(error).__name__
    return BrokerUnreachable(f"cannot reach the broker {shown_url(broker)}: {reason}; start Redis there, or give the "
                       "right one with --broker, REPORTS_BROKER or broker: in seeds/project.yaml")


def broker_errors() -> tuple[type[Exception], ...]:
    """What a lost broker raises: through redis-py, or through kombu when a job is published."""
    import redis
    from kombu.exceptions import OperationalError

    return redis.RedisError, OperationalError, OSError


def check_broker(broker: str) -> None:
    """Raise a ``ReportError`` naming the broker when its URL is wrong or Redis does not answer."""
    problem = broker_url_problem(broker)
    if problem:
        raise ReportError(f"broker: {problem}")
    import redis

    try:
        redis_client(broker).ping()
    except (redis.RedisError, OSError) as error:
        raise unreachable(broker, error) from None


def celery_app(broker: str, redeliver_after: float = DEFAULT_TIME_LIMIT + GRACE):
    from celery import Celery

    app = Celery("reports", broker=broker, backend=broker, set_as_current=False)
    connection = {"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": SOCKET_TIMEOUT}
    app.conf.update(
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_default_queue=QUEUE,
        # After completion, not on receipt; back to the queue when the child rendering it is lost.
        task_acks_late=True, task_reject_on_worker_lost=True, task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,  # a worker holds only the job it renders: the others stay for free workers
        task_track_started=True,  # the caller sees "started" (and where): submit-to-start is measurable
        result_expires=RESULT_TTL,
        # A message taken by a worker that vanished is given again after this long (must exceed the time
        # limit: a job still rendering would be given twice); swept every few seconds by the live workers.
        broker_transport_options={**connection, "visibility_timeout": redeliver_after,
                                  "unacked_restore_interval": max(1, min(10, redeliver_after / 5)),
                                  "unacked_restore_throttle": 1},
        result_backend_transport_options=connection, redis_socket_connect_timeout=CONNECT_TIMEOUT,
        redis_socket_timeout=SOCKET_TIMEOUT, broker_connection_timeout=CONNECT_TIMEOUT,
        broker_connection_retry_on_startup=False,  # checked before, with a clear message
        task_publish_retry=False,
        worker_proc_alive_timeout=120,  # a child warms up (fonts) before it reports alive; the default is 4 s
        worker_hijack_root_logger=False, worker_redirect_stdouts=False,
        control_exchange=CONTROL_EXCHANGE,  # a ping is answered by reports workers, the consumers of QUEUE
    )
    app.task(name=TASK, acks_late=True, reject_on_worker_lost=True)(render_task)
    return app



def result_key(snapshot_id: str, job: Job, builtin: str) -> str:
    """A result's name: the inputs (snapshot), the job, and the tool's version with its built-in templates."""
    return hashlib.sha256(f"{snapshot_id}\n{job.canonical()}\n{builtin}".encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Results as bytes and plain JSON.


def encode_result(value, folder: Path) -> tuple[dict, bytes]:
    from reports.documents.base import Rendered

    def local(text: str) -> str:  # the worker's cache folder is no business of the caller's
        return text.replace(f"{folder}/", "").replace(str(folder), ".")

    def problems(items) -> list[dict]:
        return [{**item, "path": local(item["path"]), "message": local(item["message"])}
                for item in problems_as_data(items)]

    if isinstance(value, ReportError):
        return {"type": "problems", "problems": problems(value.problems)}, b""
    if isinstance(value, Rendered):
        return {"type": "pdf", "pages": value.pages, "warnings": problems(value.warnings)}, value.pdf
    if isinstance(value, str):
        return {"type": "html"}, value.encode("utf-8")
    if isinstance(value, dict):
        return {"type": "json"}, json.dumps(value, ensure_ascii=False).encode("utf-8")
    return {"type": "week", "week": None if value is None else str(value)}, b""


def decode_result(meta: dict, body: bytes):
    from reports.documents.base import Rendered

    kind = meta["type"]
    if kind == "problems":
        raise error_from_data(meta["problems"])
    if kind == "pdf":
        return Rendered(body, meta["pages"], problems_from_data(meta["warnings"]))
    if kind == "html":
        return body.decode("utf-8")
    if kind == "json":
        return json.loads(body)
    from reports.documents.weekly import IsoWeek

    return IsoWeek.parse(meta["week"]) if meta["week"] else None


# ---------------------------------------------------------------------------------------------
# The worker's side: one task, run in a warmed-up child process.


class WorkerSetup:
    """What the worker's children need, set by ``run_worker`` before they are forked."""

    broker: str = ""
    cache: Path = Path()
    name: str = ""
    redeliver_after: float = DEFAULT_TIME_LIMIT + GRACE  # told to callers at each start: how long a loss may take


@lru_cache(maxsize=1)
def _worker_redis():
    return redis_client(WorkerSetup.broker)


class WrongVersion(Exception):
    """The job was submitted with other built-in templates and styles than this worker has."""


class MissingSnapshot(Exception):
    """The job's snapshot is not in Redis (expired, or the broker was emptied)."""


class LimitPastRedelivery(Exception):
    """The job may render longer than this worker's --redeliver-after: it would be given to a second worker."""


class LostTooOften(Exception):
    """The task was started MAX_STARTS times and its rendering process was lost each time."""


def count_start(store, task_id: str | None) -> None:
    """Count a task's starts and record this one; refuse one that has lost its process MAX_STARTS times.

    A job that kills whatever renders it (a document that exhausts memory) would otherwise go
    back to the queue for ever, taking a process down each time. Counted per task, not per job:
    a job submitted again later (after a time limit, say) starts from zero. The record tells the
    caller that the job started again (its wait counts from there) and how long this worker's
    loss would take to be noticed (its --redeliver-after).
    """
    if not task_id:
        return
    starts = store.incr(PREFIX + "starts:" + task_id)
    store.expire(PREFIX + "starts:" + task_id, RESULT_TTL)
    store.set(PREFIX + "started:" + task_id, json.dumps({
        "starts": starts, "worker": WorkerSetup.name, "host": socket.gethostname(), "pid": os.getpid(),
        "redeliver_after": WorkerSetup.redeliver_after}), ex=RESULT_TTL)
    if starts > MAX_STARTS:
        raise LostTooOften(f"the job was started {MAX_STARTS} times and its rendering process was lost each time "
                           "(killed, or out of memory); it is not given again: render it locally to see why")


def render_task(payload: dict) -> dict:
    """Render one job from its snapshot and store the result under its key; return the timings."""
    from reports.run.snapshot import unpack

    started = time.time()
    job = Job.from_dict(payload.get("job"))
    key, snapshot_id = str(payload["key"]), str(payload["snapshot"])
    # Read at every job, as the templates themselves are: an update on disk is seen at once.
    if payload.get("builtin") != tool_digest():
        raise WrongVersion(f"the worker {socket.gethostname()} has other built-in templates or another version of "
                           "reports than the submitter; install the same version on every machine")
    store = _worker_redis()
    done = {"host": socket.gethostname(), "pid": os.getpid(), "started": started}
    if store.exists(PREFIX + "result:" + key):  # rendered already (a redelivered or repeated job)
        store.rpush(PREFIX + "done:" + key, 1)
        store.expire(PREFIX + "done:" + key, DONE_TTL)
        return {**done, "rendered": False, "finished": time.time()}
    from celery import current_task

    limit = (current_task.request.timelimit or (None,))[0] if current_task else None
    if limit and float(limit) >= WorkerSetup.redeliver_after:
        # Checked here, not only at the worker's start: the caller's --time-limit travels with each job.
        raise LimitPastRedelivery(
            f"the job may render for {float(limit):g} s, but the broker gives a job to another worker after "
            f"{WorkerSetup.redeliver_after:g} s (this worker's --redeliver-after): it would be rendered twice; "
            "give it a shorter time limit, or start the workers with a longer --redeliver-after")
    count_start(store, current_task.request.id if current_task else None)
    folder = WorkerSetup.cache / snapshot_id
    if not folder.is_dir():
        data = store.get(PREFIX + "snapshot:" + snapshot_id)
        if data is None:
            raise MissingSnapshot(f"snapshot {snapshot_id[:16]} is not in the broker; submit the job again")
        folder = unpack(snapshot_id, data, WorkerSetup.cache)
    else:
        os.utime(folder)
    store.expire(PREFIX + "snapshot:" + snapshot_id, SNAPSHOT_TTL)
    try:
        meta, body = encode_result(run_job(folder, job), folder)
    except ReportError as error:
        meta, body = encode_result(error, folder)
    finished = time.time()
    meta |= {"host": done["host"], "worker": WorkerSetup.name, "pid": done["pid"], "started": started,
             "finished": finished}
    with store.pipeline() as pipe:
        pipe.hset(PREFIX + "result:" + key, mapping={"meta": json.dumps(meta), "body": body})
        pipe.expire(PREFIX + "result:" + key, RESULT_TTL)
        pipe.incr(PREFIX + "renders:" + key)
        pipe.expire(PREFIX + "renders:" + key, RESULT_TTL)
        pipe.rpush(PREFIX + "done:" + key, 1)  # wakes the caller waiting on it (BLPOP)
        pipe.expire(PREFIX + "done:" + key, DONE_TTL)
        pipe.execute()
    what = " ".join(filter(None, [job.kind, job.class_id or "+".join(job.classes) or job.week]))
    log.info("rendered %s in %.2f s", what, finished - started)
    return {**done, "rendered": True, "finished": finished}


def _warm_up_child(**_) -> None:
    """In each new child, before its first job: the heavy imports and the fonts (never in the parent)."""
    from reports.run.jobs import warm_up

    started = time.perf_counter()
    warm_up()
    _worker_redis().set(f"{PREFIX}worker:{WorkerSetup.name}:{os.getpid()}", time.time(), ex=3600)
    log.info("process %d warmed up in %.1f s; taking jobs", os.getpid(), time.perf_counter() - started)


@dataclass
class WorkerOptions:
    broker: str
    processes: int = 1  # child processes, each rendering one job at a time
    time_limit: float = DEFAULT_TIME_LIMIT  # seconds a render may take before its child is killed
    redeliver_after: float | None = None  # default: time limit + GRACE
    max_renders: int = 25  # renders after which a child is replaced (bounds its memory)
    cache: Path | None = None  # unpacked snapshots; default: $XDG_CACHE_HOME/reports/snapshots
    name: str | None = None  # the worker's name; default reports@HOST-PID


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "reports" / "snapshots"


def run_worker(options: WorkerOptions) -> None:
    """Start a Celery worker on ``options.broker``, until SIGTERM (warm shutdown: the render under way finishes)."""
    from celery import signals

    redeliver_after = options.redeliver_after or options.time_limit + GRACE
    if redeliver_after <= options.time_limit:
        raise ReportError(f"--redeliver-after {redeliver_after:g} must be longer than --time-limit "
                          f"{options.time_limit:g}: a job still rendering would be given to a second worker")
    check_broker(options.broker)
    WorkerSetup.broker = options.broker
    WorkerSetup.redeliver_after = redeliver_after
    WorkerSetup.cache = (options.cache or default_cache()).absolute()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False  # Celery's own handler on the root logger would print each line twice
    signals.worker_process_init.connect(_warm_up_child, weak=False)
    app = celery_app(options.broker, redeliver_after)
    name = WorkerSetup.name = options.name or f"reports@{socket.gethostname()}-{os.getpid()}"
    log.info("worker %s: broker %s, %d process%s, time limit %g s, snapshots in %s", name, shown_url(options.broker),
             options.processes, "es" if options.processes != 1 else "", options.time_limit, WorkerSetup.cache)
    app.worker_main(["--quiet", "worker", "--pool=prefork", f"--concurrency={options.processes}", "--prefetch-multiplier=1",
                     f"--queues={QUEUE}", f"--hostname={name}", f"--time-limit={options.time_limit:g}",
                     f"--max-tasks-per-child={options.max_renders}", "--loglevel=WARNING",
                     "--without-gossip", "--without-mingle"])


# ---------------------------------------------------------------------------------------------
# The submitting side: snapshot, submit, wait.


class JobFailed(Failure):
    """A job that produced no result: over its time limit (``status`` 504), or failed on the worker (500).

    Not a ``pool.RenderFailed``: the service turns it into one with a hint of its own (CeleryPool.failure).
    """


@dataclass
class Ticket:
    key: str
    task_id: str
    submitted: float  # time.time() when submitted (or when found under way)
    time_limit: float
    submitted_here: bool
    bytes_sent: int = 0


@dataclass
class Delivery:
    value: object
    key: str
    rendered_here: bool  # this call submitted the task that rendered it (not a stored or shared result)
    submitted: float = 0.0
    started: float = 0.0  # on the worker
    finished: float = 0.0  # on the worker
    received: float = 0.0
    bytes_sent: int = 0  # snapshot (when uploaded) and job message
    bytes_received: int = 0
    host: str = ""
    worker: str = ""  # the name of the reports worker that rendered it
    pid: int = 0  # and its rendering process


@dataclass
class Watch:
    """What a caller has seen of its job while it waits."""

    since: float  # time.monotonic() when the wait began, or when the last start was seen
    starts: int = 0  # the job's starts seen (reports:started:<task id>)
    worker: str = ""  # the worker of the last start
    bound: float | None = None  # seconds after ``since`` past which a started job is given up
    unanswered: int = 0  # asks in a row that no worker answered


@dataclass
class CeleryEngine:
    broker: str
    snapshots: dict[tuple, str] = field(default_factory=dict)  # file signatures -> snapshot id, already in Redis

    def __post_init__(self):
        self.app = celery_app(self.broker)
        self.redis = redis_client(self.broker)
        self.closed = False  # set by close(): callers still waiting give up at their next turn
        self._asking = threading.Lock()  # one ping at a time: Celery's reply queue is not shared between threads
        self._asked: tuple[float, bool] = (float("-inf"), False)  # when the last ask ended, and whether a worker answered

    def close(self) -> None:
        """Stop waiting: a stopping service must not wait out its callers' time limits."""
        self.closed = True

    def check(self) -> None:
        check_broker(self.broker)

    def upload_snapshot(self, project, job: Job) -> tuple[str, int]:
        """The snapshot for ``job`` in Redis (uploaded unless it is there): its id, and the bytes sent."""
        from reports.run.snapshot import pack, snapshot_files, weekly_record

        files = snapshot_files(project, weekly_record(project, job.week) if job.is_weekly else None)
        signature = tuple(sorted((name, *self._stat(path)) for name, path in files.items()))
        known = self.snapshots.get(signature)
        try:
            if known is not None and self.redis.exists(PREFIX + "snapshot:" + known):
                return known, 0
        except broker_errors() as error:
            raise unreachable(self.broker, error) from None
        snapshot = pack(files)  # outside the try: a file that cannot be read is not the broker's fault
        try:
            stored = self.redis.set(PREFIX + "snapshot:" + snapshot.id, snapshot.data, ex=SNAPSHOT_TTL, nx=True)
            if not stored:
                self.redis.expire(PREFIX + "snapshot:" + snapshot.id, SNAPSHOT_TTL)
        except broker_errors() as error:
            raise unreachable(self.broker, error) from None
        self.snapshots[signature] = snapshot.id
        return snapshot.id, len(snapshot.data) if stored else 0

    @staticmethod
    def _stat(path: Path) -> tuple:
        status = path.stat()
        return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino

    def submit(self, project, job: Job, time_limit: float = DEFAULT_TIME_LIMIT) -> Ticket | Delivery:
        """Submit ``job``, or join the identical one under way; a stored result is returned at once."""
        snapshot_id, sent = self.upload_snapshot(project, job)
        builtin = tool_digest()
        key = result_key(snapshot_id, job, builtin)
        try:
            stored = self._stored(key)
            if stored is not None:
                return stored
            task_id = str(uuid.uuid4())
            claimed = self.redis.set(PREFIX + "claim:" + key, task_id, nx=True, ex=int(time_limit + 2 * GRACE))
            if not claimed:
                under_way = self.redis.get(PREFIX + "claim:" + key)
                if under_way is not None:
                    return Ticket(key, under_way.decode(), time.time(), time_limit, False, sent)
            payload = {"job": job.as_dict(), "key": key, "snapshot": snapshot_id, "builtin": builtin}
            submitted = time.time()
            self.app.send_task(TASK, args=[payload], task_id=task_id, queue=QUEUE, time_limit=time_limit)
        except broker_errors() as error:
            raise unreachable(self.broker, error) from None
        return Ticket(key, task_id, submitted, time_limit, True, sent + len(json.dumps(payload)))

    def _stored(self, key: str) -> Delivery | None:
        found = self.redis.hgetall(PREFIX + "result:" + key)
        if not found:
            return None
        meta = json.loads(found[b"meta"])
        body = found.get(b"body", b"")
        return Delivery(decode_result(meta, body), key, False, started=meta["started"], finished=meta["finished"],
                        received=time.time(), bytes_received=len(body) + len(found[b"meta"]), host=meta["host"],
                        worker=meta.get("worker", ""), pid=meta.get("pid", 0))

    def wait(self, ticket: Ticket | Delivery, timeout: float | None = None) -> Delivery:
        """The job's result; ``ReportError`` for bad seeds, ``JobFailed`` for a time limit, a worker's failure,
        no worker answering, or a job that stopped moving.

        No deadline counted from the submission (a job redelivered after its worker was lost would
        always lose that race): the job is followed. Queued, it is waited for as long as a reports
        worker answers; started, for its time limit and, should its worker be lost, for the
        redelivery that worker announced (its --redeliver-after), counted from its last start.
        ``timeout``, when given, bounds the whole wait besides.
        """
        if isinstance(ticket, Delivery):
            return ticket
        began = time.monotonic()
        watch = Watch(since=began)
        try:
            while True:
                delivery = self._stored(ticket.key)
                if delivery is not None:
                    self._release(ticket)
                    delivery.rendered_here = ticket.submitted_here
                    delivery.submitted, delivery.bytes_sent = ticket.submitted, ticket.bytes_sent
                    return delivery
                task = self.app.AsyncResult(ticket.task_id)
                if task.state == "FAILURE":
                    self._release(ticket)
                    raise self._failure(task, ticket)
                if self.closed:
                    raise JobFailed(503, "the service is stopping; ask again")
                now = time.monotonic()
                failed = (JobFailed(504, f"no worker finished the job within {timeout:g} s; is a reports worker "
                                         f"running on {shown_url(self.broker)}?")
                          if timeout is not None and now - began > timeout else self._stalled(ticket, watch, now))
                if failed is not None:
                    self._release(ticket)
                    raise failed
                # Woken at once when the worker stores the result; a failure (a time limit) is seen at the next turn.
                self.redis.blpop([PREFIX + "done:" + ticket.key], timeout=WAKE_EVERY)
        except broker_errors() as error:
            raise unreachable(self.broker, error) from None

    def _stalled(self, ticket: Ticket, watch: Watch, now: float) -> JobFailed | None:
        """Why the job will not finish, or None while it may: its last start, and whether any worker answers."""
        record = self.redis.get(PREFIX + "started:" + ticket.task_id)
        start = json.loads(record) if record else None
        if start and start["starts"] != watch.starts:  # started, or started again: the bound counts from here
            watch.starts, watch.since, watch.worker = start["starts"], now, start["worker"]
            # A live worker ends it within the time limit (a result or a failure); a lost one's job is
            # given again after that worker's redeliver-after, then waits at most a render for a free process.
            watch.bound = float(start["redeliver_after"]) + ticket.time_limit + GRACE
        if watch.bound is not None and now - watch.since > watch.bound:
            return JobFailed(504, f"the job started on {watch.worker} {now - watch.since:.0f} s ago and was neither "
                                  f"finished nor given to another worker; is a reports worker running on "
                                  f"{shown_url(self.broker)}?")
        if not watch.starts and now - watch.since < ASK_AFTER:
            return None  # a free worker takes a job within milliseconds: no need to ask yet
        if self.workers_answer():
            watch.unanswered = 0
            return None
        if not watch.starts:
            return JobFailed(503, self._no_worker())
        watch.unanswered += 1
        if watch.unanswered < 2:  # a render may be under way: asked again at the next turn before it is given up
            return None
        return JobFailed(503, f"the worker {watch.worker} that took the job no longer answers, and no other "
                              f"reports worker answers on {shown_url(self.broker)} to take it again; "
                              f"{self._start_one()}")

    def workers_answer(self) -> bool:
        """Whether a reports worker answers on the broker (Celery's ping; only reports workers listen on its
        control exchange, and each consumes the queue). One answer stands for ASK_EVERY seconds, for every job
        waiting here (the service's threads share it); no answer takes ASK_TIMEOUT seconds, and is shared by
        the threads that were waiting for it."""
        called = time.monotonic()
        with self._asking:
            asked, answered = self._asked
            if asked >= called or (answered and called - asked < ASK_EVERY):
                return answered
            answered = bool(self.app.control.ping(timeout=ASK_TIMEOUT, limit=1))
            self._asked = (time.monotonic(), answered)
            return answered

    def require_workers(self) -> None:
        """``JobFailed`` (503) naming the broker when no reports worker answers: asked before a batch submits."""
        try:
            answered = self.workers_answer()
        except broker_errors() as error:
            raise unreachable(self.broker, error) from None
        if not answered:
            raise JobFailed(503, self._no_worker())

    def _no_worker(self) -> str:
        return (f"no reports worker answers on the broker {shown_url(self.broker)} (asked for {ASK_TIMEOUT:g} s); "
                f"{self._start_one()}")

    def _start_one(self) -> str:
        return f"start one on a machine that reaches it: reports worker --broker {shown_url(self.broker)}"

    def _release(self, ticket: Ticket) -> None:
        """Let the next identical submission start a new task: this one failed or was given up."""
        if self.redis.get(PREFIX + "claim:" + ticket.key) == ticket.task_id.encode():
            self.redis.delete(PREFIX + "claim:" + ticket.key)

    def _failure(self, task, ticket: Ticket) -> JobFailed:
        error = task.result
        name = type(error).__name__ if isinstance(error, BaseException) else str(error)
        if "TimeLimitExceeded" in name or "TimeLimitExceeded" in repr(error):
            return JobFailed(504, f"rendering took longer than {ticket.time_limit:g} s and was stopped")
        return JobFailed(500, f"the worker failed: {name}: {str(error)[:300]}")

    def run(self, project, job: Job, time_limit: float = DEFAULT_TIME_LIMIT, timeout: float | None = None) -> Delivery:
        return self.wait(self.submit(project, job, time_limit), timeout)

    def renders(self, key: str) -> int:
        """How many times the job under ``key`` was rendered (stays 1 however often it is submitted)."""
        return int(self.redis.get(PREFIX + "renders:" + key) or 0)
