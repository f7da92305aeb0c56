"""The Celery engine's real parts: a redis-server and `reports worker` processes on loopback ports."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class CeleryCluster:
    broker: str
    folder: Path
    workers: list[subprocess.Popen]
    names: list[str]

    def engine(self):
        from reports.run.distributed import CeleryEngine

        return CeleryEngine(self.broker)

    def redis(self):
        from reports.run.distributed import redis_client

        return redis_client(self.broker)

    def rendering_processes(self) -> dict[int, str]:
        """The warmed-up rendering processes (pid -> worker name) that are alive now."""
        found = {}
        for key in self.redis().keys("reports:worker:*"):
            name, _, pid = key.decode().removeprefix("reports:worker:").rpartition(":")
            try:  # a process that has exited but is not reaped yet (a zombie, State: Z) is not alive
                alive = "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
            except OSError:
                alive = False
            if alive:
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
    from reports.run.distributed import redis_client

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
