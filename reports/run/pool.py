"""Rendering off the event loop: a bounded pool of worker processes, shared by identical requests.

WeasyPrint is not thread-safe, and threads would not run layout in parallel anyway; forked
workers have crashed it (Celery and uWSGI reports). So renders run in processes started with
``spawn``, through Pebble's ``ProcessPool`` rather than ``concurrent.futures``: Pebble stops a
worker that overruns its timeout and replaces one that dies, failing only that one task, where
a ``ProcessPoolExecutor`` would mark the whole pool broken. Workers are replaced after a number
of renders, which bounds the memory a long-lived process accumulates.

Back-pressure: at most ``workers + queue`` distinct renders are admitted; the next one is
refused at once with ``Busy`` (the service answers 503 with Retry-After) instead of queueing
without bound. A request for a render already under way waits for that one.

Two engines admit the same way and run the same jobs (reports.jobs): ``RenderPool`` in local
processes, ``CeleryPool`` on the reports workers of a broker (reports.distributed, imported only
when that engine starts).
"""

from __future__ import annotations

import asyncio
import logging
import math
import multiprocessing
import statistics
import time
from collections import Counter, deque
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from pebble import ProcessExpired, ProcessPool

from reports.content.project import Project
from reports.content.settings import shown_url
from reports.errors import Failure, ReportError
from reports.run.jobs import Job, run_job, warm_up

log = logging.getLogger("reports.service")


class Busy(Exception):
    """Every worker is busy and the queue is full."""

    def __init__(self, retry_after: int):
        super().__init__(f"busy; retry after {retry_after} s")
        self.retry_after = retry_after


class RenderFailed(Failure):
    """A render that crashed, timed out or hit a programming error: only its request fails."""


@dataclass
class Outcome:
    value: Any
    shared: bool  # True when this request waited for a render another request had started
    milliseconds: float  # from admission to result, queueing included


class Admission:
    """What both engines share: at most ``capacity`` distinct renders admitted, identical ones shared."""

    engine = ""  # local or celery, as /healthz reports it

    def __init__(self, workers: int, queue: int, timeout: float):
        self.workers = workers
        self.capacity = workers + queue
        self.timeout = timeout
        self.pending: dict[Hashable, asyncio.Future] = {}
        self.completed: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.durations: deque[float] = deque(maxlen=32)

    def retry_after(self) -> int:
        """Seconds until a slot is likely free: the typical render time, times the queue's depth."""
        typical = statistics.median(self.durations) if self.durations else 5.0
        return max(1, math.ceil(typical * len(self.pending) / max(1, self.workers)))

    def stats(self) -> dict:
        return {"engine": self.engine, "workers": self.workers, "capacity": self.capacity,
                "in_flight": len(self.pending), "completed": dict(self.completed), "failed": dict(self.failed),
                "timeout_s": self.timeout}

    async def admit(self, key: Hashable, kind: str, start: Callable[[], asyncio.Future],
                    timeout: float | None) -> Outcome:
        """The result of ``start()``'s render, or of the identical render under way; ``Busy`` when full."""
        started = time.perf_counter()
        future = self.pending.get(key)
        shared = future is not None
        if future is None:
            if len(self.pending) >= self.capacity:
                raise Busy(self.retry_after())
            future = start()
            self.pending[key] = future
            future.add_done_callback(lambda done: self._finished(key, kind, done, started))
        # Shielded: a client that goes away must not cancel a render others may be waiting for.
        try:
            value = await asyncio.shield(future)
        except (ReportError, RenderFailed):
            raise
        except Exception as error:
            raise self.failure(error, timeout or self.timeout, key) from None
        return Outcome(value, shared, (time.perf_counter() - started) * 1000)

    def failure(self, error: Exception, timeout: float, key: Hashable) -> RenderFailed:
        log.error("render %s failed:\n%s", key, getattr(error, "traceback", repr(error)))
        return RenderFailed(500, "internal error while rendering; the server's log has the details")

    def _finished(self, key: Hashable, kind: str, future: asyncio.Future, started: float) -> None:
        self.pending.pop(key, None)
        if future.cancelled() or future.exception() is not None:
            self.failed[kind] += 1
            return
        self.completed[kind] += 1
        self.durations.append(time.perf_counter() - started)


class RenderPool(Admission):
    """The local engine: renders in this machine's worker processes."""

    engine = "local"

    def __init__(self, workers: int, queue: int, timeout: float, max_renders: int):
        super().__init__(workers, queue, timeout)
        self.max_renders = max_renders
        self.pool: ProcessPool | None = None

    def start(self) -> None:
        self.pool = ProcessPool(max_workers=self.workers, max_tasks=self.max_renders, initializer=warm_up,
                                context=multiprocessing.get_context("spawn"))

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.stop()
            self.pool.join(timeout=10)
            self.pool = None

    def stats(self) -> dict:
        return {**super().stats(), "renders_per_worker": self.max_renders}

    async def run(self, key: Hashable, kind: str, function: Callable, *args, timeout: float | None = None) -> Outcome:
        """``function(*args)`` in a worker, or the result of the identical render under way."""
        return await self.admit(
            key, kind, lambda: asyncio.wrap_future(self.pool.submit(function, timeout or self.timeout, *args)), timeout)

    async def run_job(self, key: Hashable, kind: str, project_dir: str, job: Job,
                      timeout: float | None = None) -> Outcome:
        return await self.run(key, kind, run_job, project_dir, job, timeout=timeout)

    def failure(self, error: Exception, timeout: float, key: Hashable) -> RenderFailed:
        if isinstance(error, FutureTimeout):
            return RenderFailed(504, f"rendering took longer than {timeout:g} s and was stopped; "
                                     "the server's --timeout sets the limit")
        if isinstance(error, ProcessExpired):
            return RenderFailed(500, f"the rendering process died (exit code {error.exitcode}); "
                                     "only this request failed, ask again")
        return super().failure(error, timeout, key)  # a programming error in a worker: logged with its traceback


class CeleryPool(Admission):
    """The Celery engine: renders on the reports workers of a broker, perhaps on other machines.

    ``workers + queue`` bounds the renders this service has submitted and not yet received (the
    ``workers`` it expects rendering for it at once, ``queue`` more waiting on the broker): beyond
    it, 503 with Retry-After, as locally. Each one waits in a thread of its own (the Redis client
    blocks), so the event loop stays free.
    """

    engine = "celery"

    def __init__(self, broker: str, workers: int, queue: int, timeout: float):
        super().__init__(workers, queue, timeout)
        self.broker = broker
        self.celery: object | None = None  # the CeleryEngine, made when the service starts
        self.threads: ThreadPoolExecutor | None = None

    def start(self) -> None:
        from reports.run.distributed import CeleryEngine

        self.celery = CeleryEngine(self.broker)
        self.threads = ThreadPoolExecutor(self.capacity, thread_name_prefix="celery-job")

    def stop(self) -> None:
        if self.celery is not None:
            self.celery.close()  # the threads still waiting for a result end at their next turn (0.25 s)
        if self.threads is not None:
            self.threads.shutdown(wait=True, cancel_futures=True)
            self.threads = None

    def stats(self) -> dict:
        return {**super().stats(), "broker": shown_url(self.broker)}

    async def run_job(self, key: Hashable, kind: str, project_dir: str, job: Job,
                      timeout: float | None = None) -> Outcome:
        limit = timeout or self.timeout
        project = Project.at(project_dir)

        def render():
            from reports.run.distributed import BrokerUnreachable

            try:
                return self.celery.run(project, job, time_limit=limit).value
            except BrokerUnreachable as error:  # not the seeds' fault: the service is unavailable while it lasts
                raise RenderFailed(503, error.problems[0].message) from None

        return await self.admit(key, kind, lambda: asyncio.get_running_loop().run_in_executor(self.threads, render),
                                timeout)

    def failure(self, error: Exception, timeout: float, key: Hashable) -> RenderFailed:
        from reports.run.distributed import JobFailed

        if isinstance(error, JobFailed):
            hint = "; the server's --timeout sets the limit" if error.status == 504 else ""
            return RenderFailed(error.status, error.message + hint)
        return super().failure(error, timeout, key)
