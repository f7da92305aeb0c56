"""How long the test suite takes, measured against the machine's speed at the time.

Run it from the project folder, on demand (a benchmark that prints figures; it never fails):

    .venv/bin/python benchmarks/suite.py                  # pytest -n (cores + 1), as make test runs it
    .venv/bin/python benchmarks/suite.py -- -n 2 -m "not mutation"   # other pytest arguments after --

A virtual machine's speed is not steady: on this project's 2-core machine nearly the same code took
3 min 43 s and 4 min 41 s an hour apart, while a warm render of the seed briefing took 2.6 to 3.0 s
in the first hour and 3.5 s in the second. So the suite's time alone says little about a change. This
script renders the seed briefing in a warm process before and after the run (the reference: WeasyPrint
layout and our own code, most of what the suite does), and prints the suite's wall and CPU time with
the reference's, their ratios (how many reference renders the suite lasts), and the wall time
scaled to a reference render of REFERENCE_SECONDS, the speed at which the 4-minute target of
issue 27 was measured.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_SECONDS = 2.8  # a warm render of the seed briefing when the suite took 3 min 43 s (1507 tests)
TARGET_SECONDS = 240

RENDER = """
import datetime as dt, statistics, sys, time
from pathlib import Path
from reports.documents.briefing import BriefingOptions, render_briefing
from reports.run.jobs import warm_up
warm_up()
options = BriefingOptions(build_date=dt.date(2026, 12, 1))
render_briefing(Path(sys.argv[1]), options)  # the first render loads what the others reuse
times = []
for _ in range(3):
    started = time.process_time()
    render_briefing(Path(sys.argv[1]), options)
    times.append(time.process_time() - started)
print(statistics.median(times))
"""


def reference_render() -> float:
    """CPU seconds of a warm render of the seed briefing (median of three, in a process of its own)."""
    result = subprocess.run([sys.executable, "-c", RENDER, str(ROOT)], capture_output=True, text=True, check=True,
                            cwd=ROOT)
    return float(result.stdout.strip().splitlines()[-1])


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_suite(arguments: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (the suite and every process it started) and pytest's exit status."""
    before = children_cpu()
    started = time.monotonic()
    status = subprocess.run([sys.executable, "-m", "pytest", "-q", *arguments], cwd=ROOT, check=False).returncode
    return time.monotonic() - started, children_cpu() - before, status


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def main(argv: list[str]) -> int:
    arguments = argv[argv.index("--") + 1:] if "--" in argv else ["-n", str((os.cpu_count() or 1) + 1)]
    first = reference_render()
    wall, cpu, status = run_suite(arguments)
    # Measured the same way after the run; the run itself is not counted (children_cpu is read around it).
    last = reference_render()
    reference = statistics.mean([first, last])
    print()
    print(f"pytest {' '.join(arguments)}: exit status {status}")
    print(f"  wall {minutes(wall)} ({wall:.0f} s), CPU {cpu:.0f} s on {os.cpu_count()} cores")
    print(f"  reference: a warm render of the seed briefing took {first:.2f} s before the run, {last:.2f} s after")
    print(f"  the suite lasts as long as {wall / reference:.0f} reference renders; "
          f"its CPU time is that of {cpu / reference:.0f}")
    scaled = wall * REFERENCE_SECONDS / reference
    verdict = "met" if scaled <= TARGET_SECONDS else "not met"
    print(f"  at {REFERENCE_SECONDS} s a reference render, roughly: {minutes(scaled)} "
          f"(target {minutes(TARGET_SECONDS)}: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
