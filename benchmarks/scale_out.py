"""The Celery engine against the local pool: documents per minute, the broker's overhead, a projection.

Run it from the project folder, on demand (a benchmark that prints figures, not a test):

    .venv/bin/python benchmarks/scale_out.py              # 3 timed runs of each (about 2 minutes)
    .venv/bin/python benchmarks/scale_out.py --quick      # 1 run each (under a minute)
    .venv/bin/python benchmarks/scale_out.py --runs 5 --project /path/to/project

It starts its own redis-server on a free loopback port (nothing saved, its own temporary folder)
and its own ``reports worker`` processes (one rendering process each), and stops them at the end.
Everything is written under a temporary folder; the project folder is only read.

What it measures, each as the median (min-max) of the timed runs:

1. the weekly batch (every class as a briefing and an A4 handout, as ``reports batch`` makes it),
   as a new ``reports batch`` process: on the local pool (one process per core), and with
   ``--engine celery`` on 1 and on 2 warm workers. Each run prints another build date, so no run
   finds the results of another in Redis (a repeated job renders once: that is measured apart);
2. a stream of documents (three batches' worth, submitted at once, in one process): the local
   pool's warm processes against 1 and 2 workers, the steady rate without process start-up;
3. the broker's overhead per job, from jobs sent one at a time to an idle worker (a handout):
   submit to start (the job's message through Redis to a worker, the snapshot already cached
   there) and result to caller (stored in Redis by the worker, read by the caller), with the
   bytes moved per job (the job's message, the result) and per version (the snapshot, once);
4. the same batch submitted again with the results in Redis: nothing is rendered;
5. from 2 and 3, a projection for 4, 16 and 64 workers, stated as a projection: workers on
   machines of their own, each rendering one document at a time at the measured rate, plus the
   measured overhead, against the Redis traffic a 1 Gbit/s link carries.

Caveat: on a 2-core machine, two workers are as many processes as cores, so they show the
engine's overhead against the local pool, not more throughput: that is what more machines give,
and only the projection speaks of it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PROJECT = Path(__file__).resolve().parent.parent
BASE_DATE = 739_951  # an ordinal date (2026-12-01, the seeds' latest date): each run prints its own date, after it
STREAM_BATCHES = 3
OVERHEAD_JOBS = 12
LINK_BYTES_PER_S = 125_000_000  # 1 Gbit/s
PROJECTED = (4, 16, 64)


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per measurement (medians are printed)")
    parser.add_argument("--quick", action="store_true", help="1 run each")
    parser.add_argument("--project", type=Path, default=DEFAULT_PROJECT, help="the project folder (with seeds/)")
    arguments = parser.parse_args(argv)
    if arguments.quick:
        arguments.runs = 1
    arguments.project = arguments.project.resolve()
    return arguments


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def spread(values: list[float], scale: float = 1.0, digits: int = 1, unit: str = "") -> str:
    values = [value * scale for value in values]
    middle = statistics.median(values)
    if len(values) == 1:
        return f"{middle:.{digits}f}{unit}"
    return f"{middle:.{digits}f}{unit} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    for row in [headers, ["-" * width for width in widths], *rows]:
        print("  " + "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))


class Dates:
    """A new build date for every run: no run is answered from another's results in Redis."""

    def __init__(self):
        self.next = BASE_DATE

    def __call__(self) -> str:
        import datetime as dt

        self.next += 1
        return dt.date.fromordinal(self.next).isoformat()


@dataclass
class Cluster:
    folder: Path
    broker: str
    redis: subprocess.Popen
    workers: list[subprocess.Popen]

    def start_worker(self) -> None:
        number = len(self.workers) + 1
        log = open(self.folder / f"worker{number}.log", "w")
        self.workers.append(subprocess.Popen(
            [sys.executable, "-m", "reports", "worker", "--broker", self.broker, "--name", f"bench{number}@loopback",
             "--cache", str(self.folder / f"cache{number}")],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        from reports.run.distributed import redis_client

        client = redis_client(self.broker)
        deadline = time.monotonic() + 120
        while not client.keys(f"reports:worker:bench{number}@loopback:*"):
            if self.workers[-1].poll() is not None or time.monotonic() > deadline:
                sys.exit(f"worker {number} did not start:\n" + (self.folder / f"worker{number}.log").read_text())
            time.sleep(0.1)

    def stop(self) -> None:
        for process in [*self.workers, self.redis]:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def start_redis(folder: Path) -> Cluster:
    server = shutil.which("redis-server")
    if not server:
        sys.exit("redis-server is missing: bash scripts/setup.sh --test installs it")
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--dir", str(folder)], stdout=subprocess.DEVNULL, start_new_session=True)
    broker = f"redis://127.0.0.1:{port}/0"
    from reports.run.distributed import redis_client

    deadline = time.monotonic() + 30
    while True:
        try:
            redis_client(broker).ping()
            return Cluster(folder, broker, process, [])
        except Exception:
            if time.monotonic() > deadline:
                sys.exit("redis-server did not answer")
            time.sleep(0.05)


def timed_batch(project: Path, output: Path, date: str, *options: str) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "reports", "--project", str(project), "batch", "-o", str(output),
                             "--date", date, *options], capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        sys.exit(f"reports batch {' '.join(options)} failed:\n{result.stderr}")
    return time.perf_counter() - started


def batch_jobs(project: Path, date: str):
    import datetime as dt

    from reports.content.load import load_content
    from reports.content.project import Project
    from reports.run.batch import BatchOptions, documents_of

    options = BatchOptions(build_date=dt.date.fromisoformat(date))
    return [document.job(options) for document in documents_of(load_content(Project.at(project)))]


def stream_on_workers(engine, project, jobs, renders: list[float]) -> float:
    started = time.perf_counter()
    tickets = [engine.submit(project, job) for job in jobs]
    for ticket in tickets:
        delivery = engine.wait(ticket)
        renders.append(delivery.finished - delivery.started)
    return time.perf_counter() - started


def stream_on_local_pool(pool, root: str, jobs) -> float:
    from reports.run.jobs import run_job

    started = time.perf_counter()
    list(pool.map(run_job, [root] * len(jobs), jobs))
    return time.perf_counter() - started


def print_rates(times_by_engine: dict[str, list[float]], documents: int, cores: int) -> None:
    """Wall times and documents per minute per engine, against the local pool's."""
    local = statistics.median([documents / seconds * 60 for seconds in times_by_engine["local"]])
    print_table(["engine", "wall time", "documents/minute", "vs local"], [
        [f"local pool ({cores} processes)" if name == "local" else f"celery, {name}",
         spread(times, unit=" s", digits=2), spread([documents / t * 60 for t in times], digits=0),
         f"{statistics.median([documents / t * 60 for t in times]) / local:.2f}x"]
        for name, times in times_by_engine.items()])


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    sys.path.insert(0, str(DEFAULT_PROJECT))
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from reports.content.project import Project
    from reports.run.batch import available_cores
    from reports.run.distributed import CeleryEngine
    from reports.run.jobs import Job, warm_up

    cores = available_cores()
    print(f"benchmarks/scale_out.py: {cores} cores, Python {sys.version.split()[0]}, project {arguments.project}, "
          f"{arguments.runs} run(s) each; load average {os.getloadavg()[0]:.2f}")
    dates = Dates()
    with tempfile.TemporaryDirectory(prefix="reports-celery-bench-") as temporary:
        folder = Path(temporary)
        project_dir = folder / "project"
        project_dir.mkdir()
        for name in ("seeds", "templates", "styles"):
            if (arguments.project / name).is_dir():
                shutil.copytree(arguments.project / name, project_dir / name)
        project = Project.at(project_dir)
        documents = len(batch_jobs(project_dir, dates()))
        cluster = start_redis(folder)
        try:
            # 1. The batch as a new process, three ways.
            batch: dict[str, list[float]] = {"local": [], "1 worker": [], "2 workers": []}
            timed_batch(project_dir, folder / "out", dates())  # untimed: the file cache warm
            for _ in range(arguments.runs):
                batch["local"].append(timed_batch(project_dir, folder / "out", dates()))
            celery = ("--engine", "celery", "--broker", cluster.broker)
            cluster.start_worker()
            timed_batch(project_dir, folder / "out", dates(), *celery)  # untimed: the snapshot into the cache
            for _ in range(arguments.runs):
                batch["1 worker"].append(timed_batch(project_dir, folder / "out", dates(), *celery))
            engine = CeleryEngine(cluster.broker)
            renders: list[float] = []  # seconds each document took on a worker, in the 1-worker stream
            stream: dict[str, list[float]] = {"local": [], "1 worker": [], "2 workers": []}
            for _ in range(arguments.runs):
                jobs = [job for _ in range(STREAM_BATCHES) for job in batch_jobs(project_dir, dates())]
                stream["1 worker"].append(stream_on_workers(engine, project, jobs, renders))

            # 3. Overhead, with one idle worker (the second is not started yet: every job goes to the same one).
            overheads = []
            for _ in range(OVERHEAD_JOBS):
                delivery = engine.run(project, Job("handout", class_id=batch_jobs(project_dir, "2026-12-01")[-1].class_id,
                                                   build_date=dates()))
                overheads.append(delivery)
            from reports.run.snapshot import pack, snapshot_files

            snapshot_bytes = len(pack(snapshot_files(project)).data)

            cluster.start_worker()
            timed_batch(project_dir, folder / "out", dates(), *celery)
            for _ in range(arguments.runs):
                batch["2 workers"].append(timed_batch(project_dir, folder / "out", dates(), *celery))
            for _ in range(arguments.runs):
                jobs = [job for _ in range(STREAM_BATCHES) for job in batch_jobs(project_dir, dates())]
                stream["2 workers"].append(stream_on_workers(engine, project, jobs, []))

            # 4. Submitted again: the results are in Redis.
            again_date = dates()
            timed_batch(project_dir, folder / "out", again_date, *celery)
            again = [timed_batch(project_dir, folder / "out", again_date, *celery) for _ in range(arguments.runs)]

            # 2, local: the pool's processes started and warm before the clock starts.
            with ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("spawn"),
                                     initializer=warm_up) as pool:
                list(pool.map(int, range(cores)))
                for _ in range(arguments.runs):
                    jobs = [job for _ in range(STREAM_BATCHES) for job in batch_jobs(project_dir, dates())]
                    stream["local"].append(stream_on_local_pool(pool, str(project_dir), jobs))
        finally:
            cluster.stop()

    streamed = STREAM_BATCHES * documents
    print(f"\n1. The weekly batch ({documents} documents) as a new `reports batch` process")
    print_rates(batch, documents, cores)
    print(f"\n2. A stream of {streamed} documents submitted at once, warm processes (no process start-up)")
    print_rates(stream, streamed, cores)

    to_start = [d.started - d.submitted for d in overheads]
    to_caller = [d.received - d.finished for d in overheads]
    render = [d.finished - d.started for d in overheads]
    message = min(d.bytes_sent for d in overheads)  # the snapshot was in Redis already: the job's message alone
    result = statistics.median([d.bytes_received for d in overheads])
    print(f"\n3. The broker's overhead per job ({OVERHEAD_JOBS} handouts one at a time, one idle worker)")
    print_table(["", "median (min-max)"], [
        ["submit -> start on the worker", spread(to_start, 1000, 0, " ms")],
        ["result stored -> in the caller", spread(to_caller, 1000, 0, " ms")],
        ["the render itself (for scale)", spread(render, 1000, 0, " ms")],
        ["bytes per job: message sent", f"{message:,.0f} B"],
        ["bytes per job: result received", f"{result / 1024:,.0f} KiB"],
        ["bytes per version: the snapshot, once", f"{snapshot_bytes / 1024:,.0f} KiB (each worker fetches it once)"],
    ])

    print(f"\n4. The same batch submitted again (results in Redis): {spread(again, unit=' s', digits=2)} "
          "for the whole command, nothing rendered")

    per_worker = statistics.median([streamed / t * 60 for t in stream["1 worker"]])
    overhead_s = statistics.median(to_start) + statistics.median(to_caller)
    seconds_per_document = 60 / per_worker
    # Redis carries each document's result twice (worker -> Redis -> caller) and its message.
    bytes_per_document = 2 * result + message
    link_ceiling = LINK_BYTES_PER_S / bytes_per_document * 60
    print("\n5. Projection (not measured): N workers on machines of their own, one document at a time each, at the "
          f"measured rate of one worker ({per_worker:.0f}/min, {seconds_per_document:.2f} s a document, the "
          f"broker's {overhead_s * 1000:.0f} ms included), against Redis on a 1 Gbit/s link "
          f"({bytes_per_document / 1024:,.0f} KiB through Redis per document: at most {link_ceiling:,.0f}/min)")
    longest = max(renders) + overhead_s
    rows = []
    for workers in PROJECTED:
        rate = min(workers * per_worker, link_ceiling)
        # One batch: its documents spread over the workers, but never shorter than its longest document.
        one_batch = max(-(-documents // workers) * seconds_per_document, longest)
        rows.append([str(workers), f"{rate:,.0f} documents/minute",
                     "Redis link" if rate == link_ceiling else "workers", f"{one_batch:.1f} s"])
    print_table(["workers", "throughput (a steady stream)", "bound by", f"one batch of {documents}, rendering"], rows)
    print(f"  (a batch cannot use more workers than it has documents: its longest document took {longest:.1f} s)")


if __name__ == "__main__":
    main()
