"""A bounded load run against the real ``reports serve``: throughput, latency, back-pressure, memory.

Run it from the project folder, on demand (it is a benchmark that prints figures, not a test):

    .venv/bin/python benchmarks/load.py                      # both phases, 16 clients, 30 s each
    .venv/bin/python benchmarks/load.py --clients 10 --seconds 15
    .venv/bin/python benchmarks/load.py --mode render --clients 4 --seconds 10

Options: --clients N (concurrent clients), --seconds T (length of each phase), --workers and
--queue (passed to ``reports serve``), --project DIR (the project folder served; default: this
one), --mode cached|render|both (default both).

Each phase starts its own server as a subprocess on a free loopback port, waits for /healthz, and
stops it by its process id at the end (SIGTERM, SIGKILL after 20 s), on errors and Ctrl-C too.

Phase "cached": the server keeps its default in-memory cache. Every URL of a fixed list
(briefings of each class and ``all``, A4 and A5 handouts of each class, the HTML previews) is
first requested once, one at a time: those are the cold render times. Then N clients loop over
the list for T seconds; nearly every answer should be ``X-Cache: hit``. This measures the HTTP
layer and the cache.

Phase "render": a server started with ``--cache-mb 0``. N clients request a mix of distinct
documents (single classes in the default script, zh-Hans and zh-Hant; pairs of classes; handouts
on three papers) for T seconds, so every request renders (except identical concurrent ones, which
share a render: ``X-Cache: shared``). When more renders are asked for than ``--workers + --queue`` the server
answers 503 at once; those are counted as "refused (503)" and the client pauses only 0.2 s, so the
back-pressure shows. This measures the rendering pool.

Printed per phase: requests, throughput, latency p50/p95/max of the successful (200/304)
answers, counts by status and by X-Cache, errors (connection errors and 5xx other than 503), and
the resident memory (VmRSS) of the server and all its descendants (the render workers), sampled
every 0.2 s: the peak of the sum and the peak of the largest single process. The sum counts the
pages the processes share (mapped fonts, libraries) once per process, so the peak of the sum of
the anonymous part (RssAnon) is printed as well. In the cached phase the memory peak includes the
warm-up renders. Only the standard library is used.

The clients run on the same machine as the server and compete with it for the CPUs, so the
cached figures are a lower bound of what the server alone could do.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import itertools
import json
import math
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

HOST = "127.0.0.1"
READY_TIMEOUT_S = 90  # the first start imports WeasyPrint and spawns the workers
STOP_GRACE_S = 20  # after SIGTERM, before SIGKILL
REQUEST_TIMEOUT_S = 180  # longer than the server's own 120 s render timeout
BUSY_PAUSE_S = 0.2  # after a 503 or a connection error; Retry-After is deliberately not honoured
SAMPLE_INTERVAL_S = 0.2
MB = 1024 * 1024


# ---------------------------------------------------------------------------------------------
# Command line and machine facts.


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--clients", type=int, default=16,
                        help="concurrent clients (threads); more than --workers + --queue shows the 503s")
    parser.add_argument("--seconds", type=float, default=30, help="length of each phase")
    parser.add_argument("--workers", type=int, default=2, help="reports serve --workers")
    parser.add_argument("--queue", type=int, default=8, help="reports serve --queue")
    parser.add_argument("--project", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the project folder to serve")
    parser.add_argument("--mode", choices=("cached", "render", "both"), default="both")
    arguments = parser.parse_args(argv)
    if arguments.clients < 1 or arguments.seconds <= 0:
        parser.error("--clients must be at least 1 and --seconds positive")
    arguments.project = arguments.project.resolve()
    return arguments


def print_machine_facts(arguments: argparse.Namespace) -> None:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print("reports serve load benchmark")
    print(f"  machine   {os.cpu_count()} CPUs ({usable} usable), {memory_total_mb():.0f} MB RAM, "
          f"load average {load}")
    print(f"  python    {platform.python_implementation()} {platform.python_version()} on {platform.platform()}")
    print(f"  options   --clients {arguments.clients} --seconds {arguments.seconds:g} --workers {arguments.workers} "
          f"--queue {arguments.queue} --mode {arguments.mode}")
    print(f"  project   {arguments.project}")
    print(f"  server    {' '.join(server_command_prefix())} serve ...")


def memory_total_mb() -> float:
    for line in read_text(Path("/proc/meminfo")).splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ---------------------------------------------------------------------------------------------
# The server under test: a subprocess, always stopped by its process id.


def server_command_prefix() -> list[str]:
    """The ``reports`` console script of this virtualenv, or ``python -m reports`` without one."""
    script = Path(sys.executable).parent / "reports"
    return [str(script)] if script.exists() else [sys.executable, "-m", "reports"]


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """``reports serve`` on a free port; use it as a context manager so it is stopped in any case."""

    def __init__(self, project: Path, workers: int, queue: int, cache_mb: int | None, log_dir: Path):
        self.project = project
        self.workers = workers
        self.queue = queue
        self.cache_mb = cache_mb  # None: the server's default
        self.port = free_loopback_port()
        self.log_path = log_dir / f"server-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self.stop_seconds: float | None = None
        self.killed = False
        self.leftovers: list[int] = []  # descendants still running after the server exited

    def command(self) -> list[str]:
        command = [*server_command_prefix(), "--project", str(self.project), "serve", "--host", HOST,
                   "--port", str(self.port), "--workers", str(self.workers), "--queue", str(self.queue)]
        if self.cache_mb is not None:
            command += ["--cache-mb", str(self.cache_mb)]
        return command

    def __enter__(self) -> Self:
        with open(self.log_path, "wb") as log:
            # A session of its own: Ctrl-C reaches only the benchmark, which then stops the server.
            self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self.wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with code {self.process.returncode} while starting:\n"
                                   f"{self.log_tail()}")
            try:
                status, _, _ = get(self.port, "/healthz", timeout=2)
                if status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer /healthz within {READY_TIMEOUT_S} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM, wait up to 20 s, then SIGKILL; then stop any descendant it left behind, by pid."""
        if self.process is None or self.process.poll() is not None:
            return
        descendants = {pid: start_time(pid) for pid in process_tree(self.pid) if pid != self.pid}
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            self.killed = True
            self.process.kill()
            self.process.wait()
        self.stop_seconds = time.monotonic() - started
        self.leftovers = stop_leftovers(descendants)

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(read_text(self.log_path).splitlines()[-lines:])

    def log_notes(self) -> list[str]:
        """What in the server's log deserves a look: tracebacks and answers 500 or 504."""
        notes = []
        for line in read_text(self.log_path).splitlines():
            if "Traceback" in line or " 500 cache=" in line or " 504 cache=" in line or "error" in line.lower():
                notes.append(line.strip())
        return notes


def stop_leftovers(descendants: dict[int, str | None]) -> list[int]:
    """Descendants of a stopped server that do not exit by themselves within 5 s: SIGTERM, then SIGKILL.

    A pid counts only while its start time is the one recorded: a pid reused by another process
    is never signalled.
    """
    def still_running() -> list[int]:
        return [pid for pid, started in descendants.items() if started and start_time(pid) == started]

    deadline = time.monotonic() + 5
    while still_running() and time.monotonic() < deadline:
        time.sleep(0.1)
    leftovers = still_running()
    for signal_number in (signal.SIGTERM, signal.SIGKILL):
        survivors = still_running()
        if not survivors:
            break
        for pid in survivors:
            try:
                os.kill(pid, signal_number)
            except ProcessLookupError:
                pass
        time.sleep(2)
    return leftovers


def get(port: int, path: str, timeout: float = REQUEST_TIMEOUT_S) -> tuple[int, dict, bytes]:
    """One GET on a new connection: status, headers (lower-case names), body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        return response.status, {name.lower(): value for name, value in response.getheaders()}, body
    finally:
        connection.close()


def get_json(port: int, path: str) -> dict:
    status, _, body = get(port, path)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
    return json.loads(body)


# ---------------------------------------------------------------------------------------------
# Memory: VmRSS of the server and all its descendants, from /proc.


def read_text(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def stat_fields(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after "(comm)": state, ppid, ...; [] for a process that is gone."""
    stat = read_text(Path(f"/proc/{pid}/stat"))
    return stat.rsplit(")", 1)[1].split() if stat else []


def start_time(pid: int) -> str | None:
    """When the process started (clock ticks since boot), None once it is gone or a zombie.

    With the pid it identifies a process: pids are reused."""
    fields = stat_fields(pid)
    return fields[19] if fields and fields[0] != "Z" else None


def command_line(pid: int) -> str:
    return read_text(Path(f"/proc/{pid}/cmdline")).replace("\0", " ").strip()


@functools.cache
def kernel_lists_children() -> bool:
    """Whether /proc/<pid>/task/<tid>/children exists (CONFIG_PROC_CHILDREN; some kernels lack it)."""
    return any(Path("/proc/self/task").glob("*/children"))


def children_from_task_files(pid: int) -> list[int]:
    children = []
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        children += [int(child) for child in read_text(listing).split()]
    return children


def children_by_parent() -> dict[int, list[int]]:
    """Every process's children, from the parent pid in /proc/<pid>/stat (the fallback)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            fields = stat_fields(int(entry.name))
            if fields:
                children[int(fields[1])].append(int(entry.name))
    return children


def process_tree(root: int) -> dict[int, int | None]:
    """The root pid and all its descendants, each with its parent's pid (None for the root)."""
    if kernel_lists_children():
        children_of = children_from_task_files
    else:
        children_of = children_by_parent().get
    found: dict[int, int | None] = {}
    waiting: list[tuple[int, int | None]] = [(root, None)]
    while waiting:
        pid, parent = waiting.pop()
        if pid not in found:
            found[pid] = parent
            waiting += [(child, pid) for child in children_of(pid) or []]
    return found


def is_unexecuted_fork(pid: int, parent: int | None) -> bool:
    """A child forked to run a helper (fc-match, gcc...) that has not exec'd yet shares its parent's
    pages and shows the parent's command line and RSS: counting it would count the parent twice."""
    return parent is not None and command_line(pid) == command_line(parent)


def resident_bytes(pid: int) -> tuple[int, int]:
    """VmRSS and its anonymous part (RssAnon: the process's own heap, not shared files), in bytes."""
    fields = {}
    for line in read_text(Path(f"/proc/{pid}/status")).splitlines():
        if line.startswith(("VmRSS:", "RssAnon:")):
            name, value = line.split(":")
            fields[name] = int(value.split()[0]) * 1024
    return fields.get("VmRSS", 0), fields.get("RssAnon", 0)  # 0, 0: gone, or a zombie


def role_of(pid: int, server_pid: int) -> str:
    if pid == server_pid:
        return "server"
    command = command_line(pid)
    if "spawn_main" in command:
        return "render worker"
    if "resource_tracker" in command:
        return "resource tracker"
    return command[:40] or "?"


@dataclass
class MemoryPeaks:
    first_total: int = 0
    last_total: int = 0
    peak_total: int = 0
    peak_anonymous: int = 0  # the sum of RssAnon: what the processes do not share (fonts, libraries)
    peak_single: int = 0
    peak_single_role: str = ""
    most_processes: int = 0
    samples: int = 0


class MemorySampler(threading.Thread):
    """Samples the server's process tree every 0.2 s until stopped; keeps the peaks."""

    def __init__(self, server: Server):
        super().__init__(name="memory-sampler", daemon=True)
        self.server = server
        self.peaks = MemoryPeaks()
        self.stopped = threading.Event()

    def run(self) -> None:
        while True:
            self.sample()
            if self.stopped.wait(SAMPLE_INTERVAL_S):
                return

    def sample(self) -> None:
        tree = process_tree(self.server.pid)
        measured = {pid: resident_bytes(pid) for pid, parent in tree.items() if not is_unexecuted_fork(pid, parent)}
        sizes = {pid: rss for pid, (rss, _) in measured.items()}
        total = sum(sizes.values())
        peaks = self.peaks
        if peaks.samples == 0:
            peaks.first_total = total
        peaks.samples += 1
        peaks.last_total = total
        peaks.peak_total = max(peaks.peak_total, total)
        peaks.peak_anonymous = max(peaks.peak_anonymous, sum(anonymous for _, anonymous in measured.values()))
        peaks.most_processes = max(peaks.most_processes, sum(1 for size in sizes.values() if size))
        largest = max(sizes, key=sizes.get)
        if sizes[largest] > peaks.peak_single:
            peaks.peak_single = sizes[largest]
            peaks.peak_single_role = role_of(largest, self.server.pid)

    def finish(self) -> MemoryPeaks:
        self.stopped.set()
        self.join()
        return self.peaks


# ---------------------------------------------------------------------------------------------
# The clients.


@dataclass
class Result:
    path: str
    status: int | None  # None: no answer (connection error, timeout)
    cache: str | None  # the X-Cache header
    seconds: float
    error: str | None = None
    size: int = 0

    @property
    def succeeded(self) -> bool:
        return self.status in (200, 304)

    @property
    def is_error(self) -> bool:
        return self.status is None or (self.status >= 500 and self.status != 503)


def request_once(connection: http.client.HTTPConnection, path: str) -> tuple[Result, bool]:
    """One GET on a kept-alive connection; the result and whether the connection is still usable."""
    started = time.perf_counter()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as error:
        return Result(path, None, None, time.perf_counter() - started, f"{type(error).__name__}: {error}"), False
    result = Result(path, response.status, response.getheader("X-Cache"), time.perf_counter() - started,
                    size=len(body))
    return result, not response.will_close


def client_loop(port: int, paths: list[str], deadline: float, results: list[Result], stop: threading.Event) -> None:
    """Requests ``paths`` in turn, over and over, until the deadline; one request at a time."""
    connection = None
    for path in itertools.cycle(paths):
        if time.monotonic() >= deadline or stop.is_set():
            break
        if connection is None:
            connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
        result, reusable = request_once(connection, path)
        results.append(result)
        if not reusable:
            connection.close()
            connection = None
        if result.status == 503 or result.status is None:
            time.sleep(BUSY_PAUSE_S)  # short on purpose: the refusals should show, not be avoided
    if connection is not None:
        connection.close()


def run_clients(port: int, clients: int, seconds: float, paths_for_client) -> tuple[list[Result], float]:
    """``clients`` threads for ``seconds``; in-flight requests finish. Results and wall time."""
    results: list[Result] = []  # list.append is atomic: the threads share it
    stop = threading.Event()
    started = time.monotonic()
    deadline = started + seconds
    threads = [threading.Thread(target=client_loop, name=f"client-{index}", daemon=True,
                                args=(port, paths_for_client(index), deadline, results, stop))
               for index in range(clients)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    finally:
        stop.set()  # on Ctrl-C: no new requests
    return results, time.monotonic() - started


# ---------------------------------------------------------------------------------------------
# The URL lists.


def class_ids(port: int) -> list[str]:
    return [entry["id"] for entry in get_json(port, "/api/classes")["classes"]]


def cached_phase_paths(classes: list[str]) -> list[str]:
    """Briefings of each class and all, A4 and A5 handouts of each class, the previews."""
    return ([f"/briefings/{name}.pdf" for name in [*classes, "all"]]
            + [f"/handouts/{name}.pdf?paper={paper}" for name in classes for paper in ("a4", "a5")]
            + [f"/preview/briefings/{name}.html" for name in [*classes, "all"]])


def render_phase_paths(classes: list[str]) -> list[str]:
    """Distinct documents: single classes in each script, pairs of classes, handouts on three papers."""
    singles = [f"/briefings/{name}.pdf{script}" for name in classes
               for script in ("", "?script=zh-Hans", "?script=zh-Hant")]
    pairs = [f"/briefings/{first}+{second}.pdf{script}" for first, second in itertools.combinations(classes, 2)
             for script in ("", "?script=zh-Hant")]
    handouts = [f"/handouts/{name}.pdf?paper={paper}" for name in classes for paper in ("a4", "a5", "letter")]
    return singles + pairs + handouts


def shuffled_for_client(paths: list[str]):
    """Each client walks the list in its own (reproducible) order, so they rarely ask for the same one."""
    def paths_for(index: int) -> list[str]:
        mine = list(paths)
        random.Random(index).shuffle(mine)
        return mine
    return paths_for


def rotated_for_client(paths: list[str]):
    """Each client walks the list from its own starting point."""
    def paths_for(index: int) -> list[str]:
        start = index % len(paths)
        return paths[start:] + paths[:start]
    return paths_for


def warm_cache(port: int, paths: list[str]) -> list[Result]:
    """Each path once, one at a time: the cold render times, and afterwards a full cache."""
    results = []
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    try:
        for path in paths:
            result, reusable = request_once(connection, path)
            results.append(result)
            if not reusable:
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    finally:
        connection.close()
    return results


# ---------------------------------------------------------------------------------------------
# Phases.


@dataclass
class PhaseReport:
    name: str
    server_flags: str
    clients: int
    wall_seconds: float
    results: list[Result]
    memory: MemoryPeaks
    health: dict
    cold: list[Result] = field(default_factory=list)
    stop_seconds: float | None = None
    killed: bool = False
    leftovers: list[int] = field(default_factory=list)
    log_notes: list[str] = field(default_factory=list)

    @property
    def successes(self) -> list[Result]:
        return [result for result in self.results if result.succeeded]

    @property
    def throughput(self) -> float:
        return len(self.successes) / self.wall_seconds if self.wall_seconds else 0.0

    def latency_ms(self, percent: float) -> float:
        return percentile([result.seconds * 1000 for result in self.successes], percent)


def run_phase(name: str, arguments: argparse.Namespace, log_dir: Path) -> PhaseReport:
    cache_mb = 0 if name == "render" else None
    server = Server(arguments.project, arguments.workers, arguments.queue, cache_mb, log_dir)
    print(f"\n[{name}] starting the server: {' '.join(server.command()[1:])}", flush=True)
    with server:
        sampler = MemorySampler(server)
        sampler.start()
        try:
            classes = class_ids(server.port)  # also renders the catalog, outside the timed part
            cold = []
            if name == "cached":
                paths = cached_phase_paths(classes)
                print(f"[{name}] warming the cache: {len(paths)} URLs, one at a time", flush=True)
                cold = warm_cache(server.port, paths)
                paths_for_client = rotated_for_client(paths)
            else:
                paths_for_client = shuffled_for_client(render_phase_paths(classes))
            print(f"[{name}] {arguments.clients} clients for {arguments.seconds:g} s", flush=True)
            results, wall_seconds = run_clients(server.port, arguments.clients, arguments.seconds, paths_for_client)
            health = get_json(server.port, "/healthz")
        finally:
            memory = sampler.finish()
    flags = f"--workers {arguments.workers} --queue {arguments.queue}" + (" --cache-mb 0" if cache_mb == 0 else "")
    return PhaseReport(name, flags, arguments.clients, wall_seconds, results, memory, health, cold,
                       server.stop_seconds, server.killed, server.leftovers, server.log_notes())


# ---------------------------------------------------------------------------------------------
# Printing.


def percentile(values: list[float], percent: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def counts(counter: Counter) -> str:
    return ", ".join(f"{key}: {value}" for key, value in sorted(counter.items(), key=lambda item: str(item[0]))) \
        or "none"


def row(label: str, value: str) -> None:
    print(f"  {label:<30} {value}")


def print_cold_times(cold: list[Result]) -> None:
    print("  cold (first request of each URL, one at a time):")
    for result in cold:
        status = result.status if result.status is not None else result.error
        print(f"    {result.path:<42} {result.seconds * 1000:7.0f} ms  {status}  {result.cache or '-'}"
              f"  {result.size / 1024:6.0f} KiB")
    total = sum(result.seconds for result in cold)
    print(f"    {'total':<42} {total * 1000:7.0f} ms")


def print_phase(report: PhaseReport) -> None:
    results = report.results
    statuses = Counter(result.status if result.status is not None else "no answer" for result in results)
    caches = Counter(result.cache or "(no header)" for result in results if result.status is not None)
    errors = [result for result in results if result.is_error]
    refused = [result for result in results if result.status == 503]
    memory = report.memory
    pool = report.health.get("pool", {})
    cache = report.health.get("cache", {})

    print(f"\n=== phase {report.name}  (reports serve {report.server_flags}; {report.clients} clients) ===")
    if report.cold:
        print_cold_times(report.cold)
    row("wall time", f"{report.wall_seconds:.1f} s (in-flight requests finish after the deadline)")
    row("requests answered", f"{len(results)} ({len(report.successes)} successful 200/304)")
    row("throughput (200/304)", f"{report.throughput:.2f} req/s")
    row("latency p50 / p95 / max", f"{report.latency_ms(50):.0f} / {report.latency_ms(95):.0f} / "
                                   f"{report.latency_ms(100):.0f} ms  (200/304 only)")
    row("status codes", counts(statuses))
    row("X-Cache", counts(caches))
    row("refused (503)", f"{len(refused)}" + (f"  (answered in p50 {percentile([r.seconds * 1000 for r in refused], 50):.0f} ms)"
                                              if refused else ""))
    capacity = report.health.get("pool", {}).get("capacity")
    if report.name == "render" and not refused and capacity and report.clients <= capacity:
        print(f"    (none expected: {report.clients} clients never ask for more than workers + queue = {capacity} "
              "renders at once; use more clients to see 503s)")
    row("errors (no answer, 5xx != 503)", f"{len(errors)}")
    for message, number in Counter(result.error or f"HTTP {result.status} on {result.path}"
                                   for result in errors).most_common(5):
        print(f"    {number} x {message}")
    row("RSS, all processes", f"peak {memory.peak_total / MB:.0f} MB (when ready {memory.first_total / MB:.0f} MB, "
                              f"at the end {memory.last_total / MB:.0f} MB; up to {memory.most_processes} processes, "
                              f"{memory.samples} samples)")
    row("RSS, anonymous part only", f"peak {memory.peak_anonymous / MB:.0f} MB (the sum above counts shared "
                                    "file pages, fonts and libraries, once per process)")
    row("RSS, largest single process", f"peak {memory.peak_single / MB:.0f} MB ({memory.peak_single_role})")
    row("pool (from /healthz)", f"completed {counts(Counter(pool.get('completed', {})))}; "
                                f"failed {counts(Counter(pool.get('failed', {})))}")
    row("cache (from /healthz)", f"{cache.get('entries', 0)} entries, {cache.get('bytes', 0) / MB:.1f} MB")
    stop = (f"{report.stop_seconds:.1f} s after SIGTERM" if report.stop_seconds is not None else "already gone")
    if report.killed:
        stop += f", SIGKILLed after {STOP_GRACE_S} s"
    if report.leftovers:
        stop += f"; still running 5 s after it exited, then stopped: pids {report.leftovers}"
    row("server stopped", stop)
    if report.log_notes:
        row("server log, notable lines", f"{len(report.log_notes)} (first 5 below)")
        for line in report.log_notes[:5]:
            print(f"    {line[:150]}")


def print_comparison(cached: PhaseReport, render: PhaseReport) -> None:
    print("\n=== comparison ===")
    if render.throughput:
        print(f"  cached vs render throughput:    {cached.throughput / render.throughput:.1f}x")
    if cached.latency_ms(50):
        print(f"  render vs cached p50 latency:   {render.latency_ms(50) / cached.latency_ms(50):.1f}x")
        print(f"  render vs cached p95 latency:   {render.latency_ms(95) / cached.latency_ms(95):.1f}x")
    if cached.memory.peak_total:
        print(f"  render vs cached peak RSS:      {render.memory.peak_total / cached.memory.peak_total:.2f}x")


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    print_machine_facts(arguments)
    phases = ["cached", "render"] if arguments.mode == "both" else [arguments.mode]
    reports = {}
    with tempfile.TemporaryDirectory(prefix="reports-load-") as log_dir:
        try:
            for name in phases:
                reports[name] = run_phase(name, arguments, Path(log_dir))
                print_phase(reports[name])
        except KeyboardInterrupt:
            print("\ninterrupted; the server has been stopped", file=sys.stderr)
            return 130
        except (RuntimeError, OSError, http.client.HTTPException) as error:
            print(f"\nthe benchmark could not run: {error}", file=sys.stderr)
            return 1
    if len(reports) == 2:
        print_comparison(reports["cached"], reports["render"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
