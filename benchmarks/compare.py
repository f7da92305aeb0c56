"""Side by side on one machine: ``reports`` against headless Chromium, warm, cached, scaled, batched.

Run it from the project folder, on demand (it is a benchmark that prints figures, not a test; it
never fails on a target it misses):

    .venv/bin/python benchmarks/compare.py                 # 3 timed runs of everything (about 3 min)
    .venv/bin/python benchmarks/compare.py --quick         # 1 run each, no 16x scaling (about 1 min)
    .venv/bin/python benchmarks/compare.py --runs 5 --project /path/to/project

Options: --runs N (timed runs per measurement, medians are printed; default 3), --quick (1 run,
and the scaling stops at 4x), --project DIR (the content folder whose seeds/ are built; default:
this repository).

What it measures, each as the median (min-max) of the timed runs:

1. cold build: ``reports build --force`` of the full seed briefing in a new process (Python start,
   imports, reading and verifying the seeds, layout, font subsetting, writing the PDF);
2. Chromium: the same HTML (``reports build --html``, styles inline) printed by
   ``chromium --headless --print-to-pdf``, a new browser with a new profile each time; and
   ``about:blank`` printed the same way, to show how much of that is the browser's start-up;
3. warm render: ``reports.documents.briefing.render_briefing`` called again and again in one long-lived
   process (fonts, CSS and templates already loaded), in pages per second; the process's own
   peak memory (VmHWM) is reported, and one first and one warm render are split into their steps
   (seeds, HTML, layout, PDF writing) with the process's peak memory after each: where the time
   and the memory go (this part follows the internals of reports.build; if they change, it says
   so and the rest is unaffected);
4. cache hit: ``reports build`` again with unchanged inputs, which renders nothing, both as a new
   CLI process (beside a bare ``python -c pass``, the floor of any new Python process) and as
   ``build_briefing`` called again inside the long-lived process of 3;
5. scaling: temporary copies of seeds/ whose studies (with their excerpts) are replicated 1x, 4x
   and 16x, each checked with ``reports check`` and then built cold: time, memory and seconds per
   page against pages;
6. the weekly batch (every class as a briefing and an A4 handout): ``reports batch --jobs 1``
   (serial) against ``reports batch`` (one process per core), into a fresh folder each run.

Then, for every PDF produced: pages, size, whether its fonts are embedded and subset (pdffonts)
and whether its text is extractable (``pdftotext`` finds "CAR-T 细胞疗法", whitespace ignored; in
the batch's one-class documents, that class's name, e.g. "CAR-NK 细胞疗法").
Last, the targets of the issue, each said to be met or not met with the measured figure.

Memory: "peak RSS" of a command is the largest resident set of any one of its processes, exact,
from ``wait4`` (the kernel's ru_maxrss of the child and the children it waited for). The resident
memory of the command's whole process tree is also sampled every 0.1 s, which matters for the
commands made of several processes (Chromium, the batch): the peak of the sum of VmRSS (which
counts pages the processes share, such as libraries and fonts, once per process, so it
overstates) and the peak of the sum of Pss (shared pages divided among their users: the fairer
total). Samples can miss a short peak; "processes" is the most seen at once (a cold ``reports``
process briefly runs a helper: fc-list, for the glyph coverage).

Caveats:
- On a 2-core machine, timings vary by several percent between runs and with anything else that
  runs meanwhile (the load average is printed at the start and the end); the tree sampler itself
  runs beside every command, for Chromium and ``reports`` alike.
- Chromium's wall time includes starting the browser (a few hundred milliseconds) and creating a
  fresh profile, as it does for a user who runs it from the command line; the HTML it prints is
  made beforehand and is not counted. ``reports`` is likewise timed from a new process, imports
  included. One untimed run of each comes first, so the file cache is warm for both.
- Chromium's PDF draws its Chinese text with Type 3 fonts (glyph procedures, one font per few
  hundred glyphs): pdffonts lists them as embedded but not subset; the flag does not apply to
  them. The target's "fonts subset" is asked of the reports PDF only.
- Everything is written under a temporary folder, which is removed at the end; nothing in the
  project folder is written. Only the standard library and PyYAML are used.
"""

from __future__ import annotations

import argparse
import copy
import ctypes
import importlib.metadata
import json
import os
import platform
import shutil
import signal
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SOURCE_DATE_EPOCH = "1796083200"  # 2026-12-01 00:00 UTC: reproducible dates and metadata, not before the seeds' dates
BUILD_DATE = "2026-12-01"
PHRASE = "CAR-T细胞疗法"  # "CAR-T 细胞疗法" with the whitespace removed, as in the extracted text
SCALES = (1, 4, 16)
QUICK_SCALES = (1, 4)
CACHE_HITS_IN_PROCESS = 20  # in-process cache hits take milliseconds: many, for a stable median
SAMPLE_INTERVAL_S = 0.1
RUN_TIMEOUT_S = 900  # the 16x build takes about 13 s; anything near this is stuck
MB = 1024  # the kernel reports memory in KiB

# The targets of the issue.
COLD_VS_CHROMIUM_MAX = 0.6
WARM_PAGES_PER_S_MIN = 40.0
CACHE_HIT_MAX_S = 0.050
PEAK_MEMORY_MAX_MB = 250.0
LINEARITY_MAX = 1.5  # seconds per page at 4x and 16x, at most this times the 1x figure

DEFAULT_PROJECT = Path(__file__).resolve().parent.parent


class BenchmarkError(Exception):
    """A command failed or printed something unexpected: that item is reported as not measured."""


# ---------------------------------------------------------------------------------------------
# Command line and machine facts.


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per measurement (medians are printed)")
    parser.add_argument("--quick", action="store_true", help="1 run each and no 16x scaling")
    parser.add_argument("--project", type=Path, default=DEFAULT_PROJECT, help="the project folder (with seeds/)")
    parser.add_argument("--child-warm", help=argparse.SUPPRESS)  # internal: the long-lived process of item 3
    arguments = parser.parse_args(argv)
    if arguments.runs < 1:
        parser.error("--runs must be at least 1")
    if arguments.quick:
        arguments.runs = 1
    arguments.project = arguments.project.resolve()
    return arguments


def reports_executable() -> str:
    beside_python = Path(sys.executable).parent / "reports"
    found = str(beside_python) if beside_python.is_file() else shutil.which("reports")
    if not found:
        sys.exit("reports is not installed beside this Python; run .venv/bin/python benchmarks/compare.py")
    return found


def library_version(soname: str, function: str) -> str:
    """The version string a C library reports about itself, or why it could not be asked."""
    try:
        library = ctypes.CDLL(soname)
        getter = getattr(library, function)
        getter.restype = ctypes.c_char_p
        return getter().decode()
    except (OSError, AttributeError) as error:
        return f"unknown ({error})"


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total_mb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / MB
    except OSError:
        pass
    return float("nan")


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def chromium_version() -> str:
    try:
        result = subprocess.run(["chromium", "--version"], capture_output=True, text=True, timeout=60,
                                check=False)
        return result.stdout.strip() or result.stderr.strip().splitlines()[-1]
    except (OSError, subprocess.TimeoutExpired, IndexError) as error:
        return f"not available ({error})"


def print_machine_facts(project: Path, reports: str) -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print("== Machine")
    print(f"CPUs:        {cores} usable of {os.cpu_count()} ({cpu_model()})")
    print(f"memory:      {memory_total_mb():.0f} MB")
    print(f"system:      {platform.platform()}")
    print(f"Python:      {platform.python_version()} ({sys.executable})")
    print(f"reports:     {package_version('reports')} ({reports}); project {project}")
    print(f"WeasyPrint:  {package_version('weasyprint')}, pydyf {package_version('pydyf')}")
    print(f"HarfBuzz:    {library_version('libharfbuzz.so.0', 'hb_version_string')}, subsetting library "
          f"{'found' if library_present('libharfbuzz-subset.so.0') else 'MISSING (fontTools fallback, slow)'}")
    print(f"Pango:       {library_version('libpango-1.0.so.0', 'pango_version_string')}")
    print(f"Chromium:    {chromium_version()}")
    print(f"load avg:    {load_average()} (1, 5, 15 min) at the start")
    print()


def library_present(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
        return True
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------
# Running a command: wall time, exact peak RSS from wait4, and the process tree sampled.


@dataclass
class Run:
    command: list[str]
    seconds: float
    peak_rss_kb: int  # the largest single process (ru_maxrss of the child and its reaped children)
    tree_rss_kb: int  # the peak of the sum of VmRSS over the process tree, sampled
    tree_pss_kb: int  # the peak of the sum of Pss over the process tree, sampled
    processes: int  # the most processes seen at once in the tree
    stdout: str
    stderr: str
    leftovers_killed: int = 0


def process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, session id) of every live process now (zombies have ended: left out)."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            if fields[0] != b"Z":
                table[int(entry.name)] = (int(fields[1]), int(fields[3]))
        except (OSError, IndexError, ValueError):
            continue  # it ended meanwhile
    return table


def process_tree(root: int, table: dict[int, tuple[int, int]]) -> set[int]:
    """The root and its descendants, and whatever is still in the root's session (orphans)."""
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    tree, pending = set(), [root]
    while pending:
        pid = pending.pop()
        if pid in table and pid not in tree:
            tree.add(pid)
            pending.extend(children.get(pid, []))
    return tree | {pid for pid, (_, session) in table.items() if session == root}


def resident_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, Pss) of one process in KiB; zeros when it has ended."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
                break
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
                break
    except (OSError, ValueError, IndexError):
        pass
    return rss, pss


class TreeSampler(threading.Thread):
    """Samples the resident memory of a process tree every 0.1 s; kills the tree after a deadline."""

    def __init__(self, root: int, timeout_s: float):
        super().__init__(daemon=True)
        self.root = root
        self.deadline = time.monotonic() + timeout_s
        self.stopped = threading.Event()
        self.peak_rss = self.peak_pss = self.most_processes = 0
        self.timed_out = False

    def run(self) -> None:
        while True:
            tree = process_tree(self.root, process_table())
            totals = [resident_kb(pid) for pid in tree]
            self.peak_rss = max(self.peak_rss, sum(rss for rss, _ in totals))
            self.peak_pss = max(self.peak_pss, sum(pss for _, pss in totals))
            self.most_processes = max(self.most_processes, len(tree))
            if time.monotonic() > self.deadline and not self.timed_out:
                self.timed_out = True
                kill_group(self.root)  # the group leader is not reaped yet: the group id is ours
            if self.stopped.wait(SAMPLE_INTERVAL_S):
                return


def kill_group(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def end_leftovers(session: int) -> int:
    """Processes of the command's own session still running after it exited: ended by their ids."""
    leftovers = [pid for pid, (_, sid) in process_table().items() if sid == session]
    for pid in leftovers:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(pid in process_table() for pid in leftovers):
        time.sleep(0.1)
    alive = process_table()
    for pid in leftovers:
        if pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return len(leftovers)


def run_measured(command: list[str], env: dict[str, str], logs: Path, timeout_s: float = RUN_TIMEOUT_S) -> Run:
    """Run a command in its own session; wall time, exact peak RSS (wait4) and the tree's memory."""
    logs.mkdir(parents=True, exist_ok=True)
    out_path, err_path = logs / "stdout.txt", logs / "stderr.txt"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                   start_new_session=True)
        sampler = TreeSampler(process.pid, timeout_s)
        sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # Ctrl-C: end the command, reap it, and pass the interruption on
            kill_group(process.pid)
            os.wait4(process.pid, 0)
            process.returncode = -signal.SIGKILL
            sampler.stopped.set()
            raise
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        sampler.stopped.set()
        sampler.join()
    leftovers = end_leftovers(process.pid)
    run = Run(command, seconds, usage.ru_maxrss, sampler.peak_rss, sampler.peak_pss, sampler.most_processes,
              out_path.read_text(errors="replace"), err_path.read_text(errors="replace"), leftovers)
    if sampler.timed_out:
        raise BenchmarkError(f"{' '.join(command)} took more than {timeout_s:.0f} s and was killed")
    if process.returncode != 0:
        tail = "\n".join((run.stderr or run.stdout).strip().splitlines()[-15:])
        raise BenchmarkError(f"{' '.join(command)} exited with {process.returncode}:\n{tail}")
    return run


# ---------------------------------------------------------------------------------------------
# Reading a PDF: pages, fonts, extractable text.


@dataclass
class Font:
    name: str
    kind: str
    embedded: bool
    subset: bool


@dataclass
class PdfFacts:
    label: str
    path: Path
    pages: int
    size_bytes: int
    fonts: list[Font]
    text_extractable: bool
    phrase: str = PHRASE

    @property
    def kib(self) -> float:
        return self.size_bytes / 1024

    @property
    def all_embedded(self) -> bool:
        return bool(self.fonts) and all(font.embedded for font in self.fonts)

    @property
    def type3_only(self) -> bool:
        return bool(self.fonts) and all(font.kind == "Type 3" for font in self.fonts)

    @property
    def all_subset(self) -> bool:
        """Every font is an embedded subset (Type 3 fonts are not font files: they do not count as subset)."""
        return bool(self.fonts) and all(font.embedded and font.subset for font in self.fonts)


def tool_output(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, timeout=300, check=False)
    if result.returncode != 0:
        raise BenchmarkError(f"{' '.join(command)}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout.decode("utf-8", errors="replace")


def pdf_pages(path: Path) -> int:
    for line in tool_output(["pdfinfo", str(path)]).splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise BenchmarkError(f"pdfinfo gives no page count for {path}")


def pdf_fonts(path: Path) -> list[Font]:
    """pdffonts' table, read by the columns of its header (the type may contain spaces)."""
    lines = tool_output(["pdffonts", str(path)]).splitlines()
    if len(lines) < 2:
        return []
    header = lines[0]
    type_at, encoding_at, embedded_at = header.index("type"), header.index("encoding"), header.index("emb")
    fonts = []
    for line in lines[2:]:
        flags = line[embedded_at:].split()
        fonts.append(Font(line[:type_at].strip(), line[type_at:encoding_at].strip(),
                          flags[0] == "yes", flags[1] == "yes"))
    return fonts


def text_is_extractable(path: Path, phrase: str = PHRASE) -> bool:
    """pdftotext finds the phrase, all whitespace removed from both (CJK text is extracted with spaces)."""
    text = tool_output(["pdftotext", "-enc", "UTF-8", str(path), "-"])
    return "".join(phrase.split()) in "".join(text.split())


def pdf_facts(label: str, path: Path, phrase: str = PHRASE) -> PdfFacts:
    return PdfFacts(label, path, pdf_pages(path), path.stat().st_size, pdf_fonts(path),
                    text_is_extractable(path, phrase), phrase)


def class_names(project: Path) -> dict[str, str]:
    """Therapy class id -> its Chinese name (CAR-T 细胞疗法): the phrase a one-class PDF must contain."""
    names = {}
    for path in sorted((project / "seeds" / "evidence").glob("*.yaml")):
        table = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
        info = table.get("class") or {}
        if info.get("id") and info.get("name"):
            names[info["id"]] = info["name"]
    return names


def describe_fonts(facts: PdfFacts) -> str:
    """Per font type: how many, embedded, subset; Type 3 fonts are glyph procedures, not font files."""
    if not facts.fonts:
        return "no fonts"
    parts = []
    for kind in sorted({font.kind for font in facts.fonts}):
        fonts = [font for font in facts.fonts if font.kind == kind]
        embedded = sum(font.embedded for font in fonts)
        if kind == "Type 3":
            parts.append(f"{len(fonts)} Type 3 ({embedded} emb; glyph procedures, 'sub' n/a)")
        else:
            subset = sum(font.subset for font in fonts)
            parts.append(f"{len(fonts)} {kind} ({embedded} emb, {subset} sub)")
    return ", ".join(parts)


# ---------------------------------------------------------------------------------------------
# Figures and tables.


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float], scale: float = 1.0, digits: int = 2, unit: str = "") -> str:
    """'median (min-max) unit', or just the value for a single run."""
    scaled = [value * scale for value in values]
    text = f"{median(scaled):.{digits}f}"
    if len(scaled) > 1:
        text += f" ({min(scaled):.{digits}f}-{max(scaled):.{digits}f})"
    return f"{text} {unit}".rstrip()


def print_table(headers: list[str], rows: list[list[str]], indent: str = "") -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    print(indent + "  ".join(header.ljust(width) for header, width in zip(headers, widths)).rstrip())
    print(indent + "  ".join("-" * width for width in widths))
    for row in rows:
        print(indent + "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
    print()


def heading(text: str) -> None:
    print(f"== {text}", flush=True)


def megabytes(kb: float) -> float:
    return kb / MB


def yes_no(value: bool) -> str:
    return "yes" if value else "NO"


@dataclass
class Target:
    name: str
    goal: str
    measured: str
    met: bool | None  # None: not measured


@dataclass
class Results:
    """What later sections need from earlier ones."""

    pdfs: list[PdfFacts] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    cold_seconds: list[float] = field(default_factory=list)
    cold_pdf: PdfFacts | None = None
    cold_output: Path | None = None  # the last cold build's PDF: the cache hits rebuild it
    cold_peak_kb: list[int] = field(default_factory=list)
    chromium_seconds: list[float] = field(default_factory=list)
    chromium_pdf: PdfFacts | None = None
    peaks_mb: dict[str, float] = field(default_factory=dict)  # every WeasyPrint process measured


# ---------------------------------------------------------------------------------------------
# The benchmark's environment: a temporary folder, the reports command, the HTML for Chromium.


@dataclass
class Bench:
    project: Path
    reports: str
    work: Path
    runs: int
    env: dict[str, str]
    results: Results = field(default_factory=Results)
    counter: int = 0

    def folder(self, name: str) -> Path:
        """A fresh folder under the temporary one, never used before."""
        self.counter += 1
        path = self.work / f"{self.counter:03d}-{name}"
        path.mkdir(parents=True)
        return path

    def reports_command(self, project: Path, *arguments: str) -> list[str]:
        return [self.reports, "--project", str(project), *arguments]

    def build_command(self, project: Path, output: Path, *extra: str) -> list[str]:
        return self.reports_command(project, "build", "-o", str(output), "--date", BUILD_DATE, *extra)


def reports_help(bench: Bench, command: str) -> str | None:
    result = subprocess.run(bench.reports_command(bench.project, command, "--help"), capture_output=True,
                            text=True, env=bench.env, timeout=120, check=False)
    return result.stdout if result.returncode == 0 else None


def prepare_html(bench: Bench, force: list[str]) -> Path:
    """The briefing's HTML with its styles inline (untimed); also warms the file cache for Python."""
    folder = bench.folder("html")
    run_measured(bench.build_command(bench.project, folder / "briefing.pdf", "--html", *force), bench.env,
                 folder / "log")
    html = folder / "briefing.html"
    if not html.is_file():
        raise BenchmarkError(f"reports build --html wrote no {html}")
    return html


# ---------------------------------------------------------------------------------------------
# 1 and 2: cold build against Chromium.


def memory_cells(runs: list[Run]) -> list[str]:
    return [spread([run.peak_rss_kb for run in runs], 1 / MB, 0, "MB"),
            spread([run.tree_rss_kb for run in runs], 1 / MB, 0, "MB"),
            spread([run.tree_pss_kb for run in runs], 1 / MB, 0, "MB"),
            str(max(run.processes for run in runs))]


MEMORY_HEADERS = ["peak RSS (largest process)", "tree RSS sum", "tree PSS sum", "processes"]


def measure_cold_build(bench: Bench, force: list[str]) -> None:
    heading(f"1. Cold CLI build of the full seed briefing (new process, {bench.runs} run(s), 1 untimed first)")
    runs, output = [], None
    for index in range(bench.runs + 1):
        folder = bench.folder("cold")
        output = folder / "briefing.pdf"
        run = run_measured(bench.build_command(bench.project, output, *force), bench.env, folder / "log")
        if index:
            runs.append(run)
    facts = pdf_facts("cold CLI build (reports)", output)
    bench.results.pdfs.append(facts)
    bench.results.cold_pdf = facts
    bench.results.cold_output = output
    bench.results.cold_seconds = [run.seconds for run in runs]
    bench.results.cold_peak_kb = [run.peak_rss_kb for run in runs]
    bench.results.peaks_mb["cold full briefing"] = megabytes(max(run.peak_rss_kb for run in runs))
    print_table(["wall", "pages", "pages/s", *MEMORY_HEADERS, "PDF"],
                [[spread([run.seconds for run in runs], unit="s"), str(facts.pages),
                  spread([facts.pages / run.seconds for run in runs], digits=1),
                  *memory_cells(runs), f"{facts.kib:.0f} KiB"]])


def chromium_command(profile: Path, output: Path, url: str) -> list[str]:
    return ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
            f"--user-data-dir={profile}", f"--print-to-pdf={output}", url]


def chromium_runs(bench: Bench, url: str, untimed: int) -> tuple[list[Run], Path]:
    """Chromium printing one URL, a new browser and profile each run; the PDF of the last run."""
    runs, output = [], None
    for index in range(untimed + bench.runs):
        folder = bench.folder("chromium")
        output = folder / "chromium.pdf"
        run = run_measured(chromium_command(folder / "profile", output, url), bench.env, folder / "log")
        if not output.is_file():
            raise BenchmarkError(f"Chromium wrote no PDF; its output:\n{run.stderr[-2000:]}")
        if run.leftovers_killed:
            print(f"   note: {run.leftovers_killed} Chromium process(es) were still running after it exited; ended")
        if index >= untimed:
            runs.append(run)
    return runs, output


def measure_chromium(bench: Bench, html: Path) -> None:
    heading(f"2. The same HTML printed by headless Chromium (new browser and profile each run, "
            f"{bench.runs} run(s), 1 untimed first)")
    runs, output = chromium_runs(bench, html.as_uri(), untimed=1)
    blank_runs, blank_output = chromium_runs(bench, "about:blank", untimed=0)
    facts = pdf_facts("Chromium --print-to-pdf", output)
    bench.results.pdfs.append(facts)
    bench.results.chromium_pdf = facts
    bench.results.chromium_seconds = [run.seconds for run in runs]
    blank_pages = pdf_pages(blank_output)
    print_table(["printed", "wall", "pages", "pages/s", *MEMORY_HEADERS, "PDF"],
                [["the briefing's HTML", spread([run.seconds for run in runs], unit="s"), str(facts.pages),
                  spread([facts.pages / run.seconds for run in runs], digits=1),
                  *memory_cells(runs), f"{facts.kib:.0f} KiB"],
                 ["about:blank (start-up and exit only)", spread([run.seconds for run in blank_runs], unit="s"),
                  str(blank_pages), "", *memory_cells(blank_runs),
                  f"{blank_output.stat().st_size / 1024:.0f} KiB"]])
    print_cold_against_chromium(bench.results, runs)


def print_cold_against_chromium(results: Results, chromium_runs: list[Run]) -> None:
    if not results.cold_seconds or results.cold_pdf is None:
        return
    cold, chromium = median(results.cold_seconds), median(results.chromium_seconds)
    chromium_pss = median([run.tree_pss_kb for run in chromium_runs])
    chromium_rss = median([run.tree_rss_kb for run in chromium_runs])
    cold_peak = median(results.cold_peak_kb)
    print("   reports against Chromium (medians):")
    print(f"   wall time      {cold:.2f} s / {chromium:.2f} s = {cold / chromium:.2f}x")
    print(f"   PDF size       {results.cold_pdf.kib:.0f} KiB / {results.chromium_pdf.kib:.0f} KiB = "
          f"{results.cold_pdf.size_bytes / results.chromium_pdf.size_bytes:.2f}x")
    print(f"   memory         {megabytes(cold_peak):.0f} MB (one process) / {megabytes(chromium_pss):.0f} MB "
          f"(Chromium's tree, PSS sum; RSS sum {megabytes(chromium_rss):.0f} MB) = {cold_peak / chromium_pss:.2f}x")
    print(f"   pages          {results.cold_pdf.pages} / {results.chromium_pdf.pages}")
    print()


# ---------------------------------------------------------------------------------------------
# 3 and 4: the long-lived process (warm renders, in-process cache hits) and the CLI cache hit.


def warm_child(spec_json: str) -> None:
    """Run in its own process: warm renders, then in-process cache hits; prints one JSON line."""
    import datetime as dt

    import weasyprint  # noqa: F401  (imported first, so that the memory of the imports alone is known)

    from reports.documents.briefing import BriefingOptions, build_briefing, render_briefing

    spec = json.loads(spec_json)
    project, date = spec["project"], dt.date.fromisoformat(spec["date"])
    after_imports_kb = own_memory_kb("VmRSS")
    started = time.perf_counter()
    first_phases = render_phases(project, BriefingOptions(build_date=date))  # the untimed first render
    if not isinstance(first_phases, dict):
        render_briefing(project, BriefingOptions(build_date=date))
    first = time.perf_counter() - started
    after_first_kb = own_memory_kb("VmHWM")
    warm = []
    for _ in range(spec["runs"]):
        started = time.perf_counter()
        rendered = render_briefing(project, BriefingOptions(build_date=date))
        warm.append(time.perf_counter() - started)
    high_water_kb = own_memory_kb("VmHWM")
    Path(spec["pdf"]).write_bytes(rendered.pdf)
    phases = render_phases(project, BriefingOptions(build_date=date))  # one more warm render, by steps
    hits, up_to_date = [], []
    options = BriefingOptions(output=Path(spec["cache_output"]), build_date=date)
    for _ in range(spec["hits"]):
        started = time.perf_counter()
        result = build_briefing(project, options)
        hits.append(time.perf_counter() - started)
        up_to_date.append(result.up_to_date)
    print(json.dumps({"first": first, "warm": warm, "pages": rendered.pages, "vmhwm_kb": high_water_kb,
                      "after_imports_kb": after_imports_kb, "after_first_kb": after_first_kb,
                      "first_phases": first_phases, "phases": phases, "hits": hits, "up_to_date": up_to_date}))


def render_phases(project_dir: str, options) -> dict[str, list[float]] | str:
    """One render split into its steps, as ``reports.documents.briefing.render_briefing`` takes them:
    step -> [seconds, this process's peak memory (VmHWM, KiB) at the end of the step].

    Informational, and tied to the internals of reports.build and reports.pdf: when they change,
    the reason it failed is returned instead of the figures.
    """
    try:
        from reports.documents.briefing import STYLESHEET, Project, briefing_html, prepare_briefing
        from reports.render.html import read_stylesheets
        from reports.render.pdf import (
            ProjectURLFetcher,
            pdf_variant,
            render_pdf,
            tidy_attachments,
        )

        times, started = {}, time.perf_counter()
        project = Project.at(project_dir)
        _, context = prepare_briefing(project, options)
        times["read and verify seeds, context"] = [time.perf_counter() - started, own_memory_kb("VmHWM")]
        started = time.perf_counter()
        stylesheets = read_stylesheets(project.style_dirs, STYLESHEET)
        fetcher = ProjectURLFetcher(project.readable_roots)
        variant = pdf_variant(False, False)
        html = briefing_html(project, context)
        times["HTML (templates, typesetting)"] = [time.perf_counter() - started, own_memory_kb("VmHWM")]
        started = time.perf_counter()
        document = render_pdf(html, project.template_dirs[0], stylesheets, fetcher, variant)
        times["layout (WeasyPrint render)"] = [time.perf_counter() - started, own_memory_kb("VmHWM")]
        started = time.perf_counter()
        document.write_pdf(pdf_variant=variant, finisher=tidy_attachments)
        times["write PDF (fonts subset)"] = [time.perf_counter() - started, own_memory_kb("VmHWM")]
        return times
    except Exception as error:  # noqa: BLE001 - any change of the internals: say so, measure the rest
        return f"{type(error).__name__}: {error}"


def own_memory_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return 0


def measure_warm_and_in_process_hits(bench: Bench, cache_output: Path | None) -> dict | None:
    heading(f"3. Warm render in a long-lived process (1 untimed render first, then {bench.runs} timed)")
    folder = bench.folder("warm")
    pdf = folder / "warm.pdf"
    spec = {"project": str(bench.project), "date": BUILD_DATE, "runs": bench.runs, "pdf": str(pdf),
            "hits": CACHE_HITS_IN_PROCESS if cache_output else 0,
            "cache_output": str(cache_output or folder / "unused.pdf")}
    run = run_measured([sys.executable, str(Path(__file__).resolve()), "--child-warm", json.dumps(spec)],
                       bench.env, folder / "log")
    child = json.loads(run.stdout.strip().splitlines()[-1])
    pages = child["pages"]
    facts = pdf_facts("warm render (in memory)", pdf)
    bench.results.pdfs.append(facts)
    bench.results.peaks_mb["warm process (VmHWM)"] = megabytes(child["vmhwm_kb"])
    same = bench.results.cold_pdf is not None and pdf.read_bytes() == bench.results.cold_pdf.path.read_bytes()
    print_table(["first render (imports, fonts)", "warm render", "pages", "pages/s (warm)", "VmHWM of the process",
                 "PDF"],
                [[f"{child['first']:.2f} s", spread(child["warm"], unit="s"), str(pages),
                  spread([pages / seconds for seconds in child["warm"]], digits=1),
                  f"{megabytes(child['vmhwm_kb']):.0f} MB", f"{facts.kib:.0f} KiB"]])
    print(f"   the warm PDF is byte-identical to the cold CLI build's: {yes_no(same)}")
    print(f"   memory of the process: {megabytes(child['after_imports_kb']):.0f} MB after importing WeasyPrint, "
          f"peak {megabytes(child['after_first_kb']):.0f} MB after the first render, "
          f"{megabytes(child['vmhwm_kb']):.0f} MB after the warm ones")
    print_phases(child["first_phases"], child["phases"])
    print()
    child["warm_pages_per_s"] = pages / median(child["warm"])
    return child


def print_phases(first: dict | str, warm: dict | str) -> None:
    """The first and a warm render step by step: where the time and the memory go."""
    if not isinstance(first, dict) or not isinstance(warm, dict):
        print(f"   the step-by-step timing failed ({first if isinstance(first, str) else warm}); "
              "the figures above are unaffected")
        return
    print("   step by step (first render in the process; one more warm render):")
    rows = [[name, f"{first[name][0]:.2f} s", f"{megabytes(first[name][1]):.0f} MB",
             f"{warm[name][0]:.2f} s", f"{warm[name][0] / sum(step[0] for step in warm.values()) * 100:.0f}%"]
            for name in first]
    print_table(["step", "first", "peak memory after it", "warm", "share of warm"], rows, indent="   ")


def measure_cache_hits(bench: Bench, cache_output: Path, child: dict | None) -> None:
    cli_runs = max(bench.runs, 5)
    heading(f"4. Rebuild with unchanged inputs (cache hit): {cli_runs} new CLI processes, "
            f"{CACHE_HITS_IN_PROCESS} calls in the long-lived process")
    runs = []
    for _ in range(cli_runs):
        folder = bench.folder("hit")
        run = run_measured(bench.build_command(bench.project, cache_output), bench.env, folder / "log")
        if "up to date" not in run.stdout:
            raise BenchmarkError(f"the second identical build rendered again: {run.stdout.strip()}")
        runs.append(run)
    bare = [run_measured([sys.executable, "-c", "pass"], bench.env, bench.folder("python") / "log")
            for _ in range(cli_runs)]
    rows = [["new CLI process (reports build)", spread([run.seconds for run in runs], 1000, 1, "ms"),
             spread([run.peak_rss_kb for run in runs], 1 / MB, 0, "MB"), "yes"],
            ["for scale: bare Python start (python -c pass)", spread([run.seconds for run in bare], 1000, 1, "ms"),
             spread([run.peak_rss_kb for run in bare], 1 / MB, 0, "MB"), ""]]
    if child and child["hits"]:
        all_hits = all(child["up_to_date"])
        rows.append(["in-process (build_briefing again)", spread(child["hits"], 1000, 2, "ms"), "(see 3)",
                     "yes" if all_hits else f"NO ({child['up_to_date'].count(False)} rendered)"])
    print_table(["measured as", "time", "peak RSS", "nothing rendered"], rows)
    bench.results.targets.append(Target(
        "cache hit, new CLI process", f"< {CACHE_HIT_MAX_S * 1000:.0f} ms",
        f"{median([run.seconds for run in runs]) * 1000:.1f} ms",
        median([run.seconds for run in runs]) < CACHE_HIT_MAX_S))
    if child and child["hits"]:
        bench.results.targets.append(Target(
            "cache hit, in-process", f"< {CACHE_HIT_MAX_S * 1000:.0f} ms", f"{median(child['hits']) * 1000:.2f} ms",
            median(child["hits"]) < CACHE_HIT_MAX_S and all(child["up_to_date"])))


# ---------------------------------------------------------------------------------------------
# 5: scaling. Copies of seeds/ with every study (and its excerpts) replicated k times.


class NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:
        return True


def rename_excerpt_references(node, renamed: dict[str, str]) -> None:
    """Every list of excerpt ids (under a key named 'excerpts') refers to the copies' new ids."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "excerpts" and isinstance(value, list) and all(isinstance(item, str) for item in value):
                node[key] = [renamed.get(item, item) for item in value]
            else:
                rename_excerpt_references(value, renamed)
    elif isinstance(node, list):
        for item in node:
            rename_excerpt_references(item, renamed)


def study_copy(study: dict, number: int) -> dict:
    """Copy number 2, 3, ...: new id, distinct title, its excerpts renamed (texts unchanged)."""
    suffix = f"-x{number}"
    copied = copy.deepcopy(study)
    renamed = {excerpt["id"]: excerpt["id"] + suffix for excerpt in copied.get("excerpts", [])}
    for excerpt in copied.get("excerpts", []):
        excerpt["id"] = renamed[excerpt["id"]]
    copied["id"] = study["id"] + suffix
    # A letter, not a number: a number in a title must be stated in an excerpt (reports check).
    copied["title"] = f"{study['title']}（副本 {string.ascii_lowercase[number - 1]}）"
    rename_excerpt_references({key: value for key, value in copied.items() if key != "excerpts"}, renamed)
    return copied


def replicate_evidence(seeds: Path, factor: int) -> None:
    """Each evidence table's studies, each followed by its copies; the landscape is left alone."""
    for path in sorted((seeds / "evidence").glob("*.yaml")):
        table = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        studies = table.get("studies") or []
        table["studies"] = [study if number == 1 else study_copy(study, number)
                            for study in studies for number in range(1, factor + 1)]
        path.write_text(yaml.dump(table, Dumper=NoAliasDumper, allow_unicode=True, sort_keys=False, width=4096),
                        encoding="utf-8")


def scaled_project(bench: Bench, factor: int) -> tuple[Path, str]:
    """A temporary project whose seeds have every study k times; checked by reports check."""
    root = bench.folder(f"scaled-{factor}x")
    shutil.copytree(bench.project / "seeds", root / "seeds")
    replicate_evidence(root / "seeds", factor)
    check = run_measured(bench.reports_command(root, "check"), bench.env, root / "check-log")
    summary = check.stdout.strip().splitlines()[-1] if check.stdout.strip() else ""
    if not summary.startswith("ok"):
        raise BenchmarkError(f"reports check of the {factor}x copy: {check.stdout}{check.stderr}")
    return root, summary


def measure_scaling(bench: Bench, factors: tuple[int, ...], force: list[str]) -> None:
    heading(f"5. Scaling: evidence and excerpts replicated {', '.join(f'{k}x' for k in factors)} "
            f"(cold CLI builds, {bench.runs} run(s) each)")
    rows, per_page = [], {}
    for factor in factors:
        try:
            root, summary = scaled_project(bench, factor)
            runs, output = [], None
            for _ in range(bench.runs):
                folder = bench.folder(f"scaled-{factor}x-build")
                output = folder / "briefing.pdf"
                runs.append(run_measured(bench.build_command(root, output, *force), bench.env, folder / "log"))
        except BenchmarkError as error:
            rows.append([f"{factor}x", "failed", str(error).splitlines()[0][:100]])
            continue
        facts = pdf_facts(f"scaling {factor}x", output)
        bench.results.pdfs.append(facts)
        seconds = median([run.seconds for run in runs])
        per_page[factor] = seconds / facts.pages
        peak = max(run.peak_rss_kb for run in runs)
        bench.results.peaks_mb[f"scaling {factor}x"] = megabytes(peak)
        relative = per_page[factor] / per_page[1] if 1 in per_page else float("nan")
        rows.append([f"{factor}x", summary.removeprefix("ok: "), str(facts.pages),
                     spread([run.seconds for run in runs], unit="s"), f"{per_page[factor]:.3f}",
                     f"{relative:.2f}x", spread([run.peak_rss_kb for run in runs], 1 / MB, 0, "MB"),
                     f"{facts.kib:.0f} KiB", yes_no(facts.text_extractable)])
    print_table(["scale", "content (reports check)", "pages", "wall", "s/page", "s/page vs 1x", "peak RSS",
                 "PDF", "text"], rows)
    if 1 in per_page and len(per_page) > 1:
        worst_factor = max((k for k in per_page if k != 1), key=lambda k: per_page[k])
        worst = per_page[worst_factor] / per_page[1]
        bench.results.targets.append(Target(
            "cost linear in pages", f"s/page within {LINEARITY_MAX}x of 1x",
            ", ".join(f"{k}x: {per_page[k]:.3f} s/page" for k in sorted(per_page)) + f" (worst {worst:.2f}x)",
            worst <= LINEARITY_MAX))
    else:
        bench.results.targets.append(Target("cost linear in pages", f"s/page within {LINEARITY_MAX}x of 1x",
                                            "not measured", None))


# ---------------------------------------------------------------------------------------------
# 6: the weekly batch, serial against all cores.


def batch_pages_and_size(folder: Path) -> tuple[int, int, list[Path]]:
    pdfs = sorted(folder.glob("*.pdf"))
    return sum(pdf_pages(pdf) for pdf in pdfs), sum(pdf.stat().st_size for pdf in pdfs), pdfs


def measure_batch(bench: Bench) -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    heading(f"6. Weekly batch (every class as briefing and A4 handout): serial against {cores} cores, "
            f"{bench.runs} run(s) each, alternating, fresh output folder each run")
    runs: dict[str, list[Run]] = {"serial (--jobs 1)": [], f"all cores (default, {cores})": []}
    last_folder: dict[str, Path] = {}
    for _ in range(bench.runs):
        for label, jobs in zip(runs, (["--jobs", "1"], []), strict=True):
            folder = bench.folder("batch")
            output = folder / "out"
            runs[label].append(run_measured(
                bench.reports_command(bench.project, "batch", *jobs, "-o", str(output), "--date", BUILD_DATE),
                bench.env, folder / "log"))
            last_folder[label] = output
    rows, medians = [], {}
    for label, label_runs in runs.items():
        pages, size, pdfs = batch_pages_and_size(last_folder[label])
        medians[label] = median([run.seconds for run in label_runs])
        rows.append([label, str(len(pdfs)), str(pages), spread([run.seconds for run in label_runs], unit="s"),
                     spread([pages / run.seconds for run in label_runs], digits=1),
                     *memory_cells(label_runs), f"{size / 1024:.0f} KiB"])
        bench.results.peaks_mb[f"batch {label}"] = megabytes(max(run.peak_rss_kb for run in label_runs))
    print_table(["batch", "documents", "pages", "wall", "pages/s", *MEMORY_HEADERS, "PDFs"], rows)
    serial, parallel = medians.values()
    print(f"   speed-up {serial / parallel:.2f}x on {cores} cores (parallel efficiency "
          f"{serial / parallel / cores * 100:.0f}%)")
    print()
    parallel_folder = last_folder[list(runs)[1]]
    names = class_names(bench.project)
    for pdf in sorted(parallel_folder.glob("*.pdf")):
        class_id = pdf.name.split("-briefing")[0].split("-handout")[0]
        bench.results.pdfs.append(pdf_facts(f"batch {pdf.name}", pdf, names.get(class_id, PHRASE)))


# ---------------------------------------------------------------------------------------------
# The PDFs and the targets.


def print_pdf_facts(pdfs: list[PdfFacts]) -> None:
    heading("PDFs produced")
    print_table(["PDF", "pages", "size", "fonts (pdffonts: count, embedded, subset)", "text extractable"],
                [[facts.label, str(facts.pages), f"{facts.kib:.0f} KiB", describe_fonts(facts),
                  f"{yes_no(facts.text_extractable)} ({''.join(facts.phrase.split())})"] for facts in pdfs])


def cold_against_chromium_target(results: Results) -> Target:
    goal = f"<= {COLD_VS_CHROMIUM_MAX}x Chromium's wall time, smaller PDF, fonts subset, text extractable"
    if not results.cold_seconds or not results.chromium_seconds or not results.cold_pdf or not results.chromium_pdf:
        return Target("cold full briefing vs Chromium", goal, "not measured", None)
    ratio = median(results.cold_seconds) / median(results.chromium_seconds)
    size_ratio = results.cold_pdf.size_bytes / results.chromium_pdf.size_bytes
    cold = results.cold_pdf
    measured = (f"{ratio:.2f}x time ({median(results.cold_seconds):.2f} s / {median(results.chromium_seconds):.2f} s), "
                f"{size_ratio:.2f}x size, subset {yes_no(cold.all_subset)}, text {yes_no(cold.text_extractable)}")
    met = ratio <= COLD_VS_CHROMIUM_MAX and size_ratio < 1 and cold.all_subset and cold.text_extractable
    return Target("cold full briefing vs Chromium", goal, measured, met)


def print_targets(results: Results, warm: dict | None) -> None:
    heading("Targets")
    targets = [cold_against_chromium_target(results)]
    if warm:
        pages_per_s = warm["warm_pages_per_s"]
        targets.append(Target("warm render", f">= {WARM_PAGES_PER_S_MIN:.0f} pages/s", f"{pages_per_s:.1f} pages/s",
                              pages_per_s >= WARM_PAGES_PER_S_MIN))
    else:
        targets.append(Target("warm render", f">= {WARM_PAGES_PER_S_MIN:.0f} pages/s", "not measured", None))
    targets += results.targets
    if results.cold_peak_kb:
        peak = megabytes(max(results.cold_peak_kb))
        targets.append(Target("peak memory, cold full briefing", f"< {PEAK_MEMORY_MAX_MB:.0f} MB", f"{peak:.0f} MB",
                              peak < PEAK_MEMORY_MAX_MB))
    else:
        targets.append(Target("peak memory, cold full briefing", f"< {PEAK_MEMORY_MAX_MB:.0f} MB", "not measured",
                              None))
    if results.peaks_mb:
        where, peak = max(results.peaks_mb.items(), key=lambda item: item[1])
        targets.append(Target("peak memory, any reports process", f"< {PEAK_MEMORY_MAX_MB:.0f} MB",
                              f"{peak:.0f} MB ({where})", peak < PEAK_MEMORY_MAX_MB))
    print_table(["target", "goal", "measured", "status"],
                [[target.name, target.goal, target.measured,
                  "not measured" if target.met is None else ("met" if target.met else "NOT MET")]
                 for target in targets])


# ---------------------------------------------------------------------------------------------
# Main.


def run_item(name: str, measure, *arguments):
    """One item; a failure is printed and the other items still run."""
    try:
        return measure(*arguments)
    except (BenchmarkError, OSError, ValueError, KeyError, IndexError, subprocess.SubprocessError) as error:
        print(f"   {name} not measured: {error}")
        print()
        return None


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    if arguments.child_warm:
        warm_child(arguments.child_warm)
        return
    if not (arguments.project / "seeds").is_dir():
        sys.exit(f"{arguments.project} has no seeds/ folder; pass --project DIR")
    reports = reports_executable()
    work = Path(tempfile.mkdtemp(prefix="reports-compare-"))
    if work.resolve().is_relative_to(arguments.project):
        sys.exit(f"the temporary folder {work} is inside the project; set TMPDIR elsewhere")
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    bench = Bench(arguments.project, reports, work, arguments.runs, env)
    started = time.perf_counter()
    try:
        print_machine_facts(arguments.project, reports)
        build_help, batch_help = reports_help(bench, "build"), reports_help(bench, "batch")
        force = ["--force"] if build_help and "--force" in build_help else []
        if not force:
            print("   note: reports build has no --force yet: every build writes to a fresh path instead\n")
        print(f"{arguments.runs} timed run(s) per measurement; temporary folder {work}\n", flush=True)
        html = run_item("HTML for Chromium", prepare_html, bench, force)
        run_item("1. cold build", measure_cold_build, bench, force)
        if html:
            run_item("2. Chromium", measure_chromium, bench, html)
        cache_output = bench.results.cold_output if force else None
        warm = run_item("3. warm render", measure_warm_and_in_process_hits, bench, cache_output)
        if cache_output:
            run_item("4. cache hit", measure_cache_hits, bench, cache_output, warm)
        else:
            heading("4. Rebuild with unchanged inputs (cache hit)")
            print("   not measured: reports build has no up-to-date check (--force) yet\n")
        run_item("5. scaling", measure_scaling, bench, QUICK_SCALES if arguments.quick else SCALES, force)
        if batch_help:
            run_item("6. batch", measure_batch, bench)
        else:
            heading("6. Weekly batch")
            print("   not measured: reports batch is not available yet\n")
        print_pdf_facts(bench.results.pdfs)
        print_targets(bench.results, warm)
        print(f"load avg {load_average()} at the end; the benchmark took {time.perf_counter() - started:.0f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
