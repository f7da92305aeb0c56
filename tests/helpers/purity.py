"""The honesty of the markers: a test marked neither ``render``, ``server`` nor ``redis`` (a pure test,
in the fast loop) must not use WeasyPrint. A pytest plugin (tests/conftest.py registers it); in every
run, it fails a pure test, in its setup, call or teardown, that

- renders with WeasyPrint in the test process (``weasyprint.HTML.render``, which ``write_pdf`` and
  every render of reports/render/pdf.py go through),
- imports WeasyPrint in the test process for the first time (a test run alone, or in
  ``make test-fast``, would pay for loading it), or
- starts a Python process that imports WeasyPrint (``reports build`` as a subprocess, a batch's
  spawned workers): ``tests/helpers/watch/sitecustomize.py``, put on the ``PYTHONPATH`` of every
  process the tests start, writes such an import into a file named by the environment.

The failure says which of these happened, and which marker the test needs. With
``REPORTS_TESTS_WEASYPRINT_RECORD=FILE`` in the environment the tests pass and each one that would
have failed is written into FILE (nodeid, phase, what it did): the list of tests to mark. A subprocess started
with an environment of its own, without ``PYTHONPATH``, is not watched.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

MARKERS = ("render", "server", "redis")
LOG = "REPORTS_TESTS_WEASYPRINT_LOG"  # read by tests/helpers/watch/sitecustomize.py
RECORD = "REPORTS_TESTS_WEASYPRINT_RECORD"  # a file: what pure tests did is written there, and they pass
WATCH = str(Path(__file__).resolve().parent / "watch")


class Watch:
    """What the running test did with WeasyPrint; a finder on sys.meta_path sees its first import."""

    def __init__(self) -> None:
        self.item: pytest.Item | None = None
        self.events: list[str] = []
        self.folder = Path(tempfile.mkdtemp(prefix="weasyprint-watch-"))
        self.patched = False

    # the import hook: asked only while "weasyprint" is not in sys.modules
    def find_spec(self, name, path=None, target=None):
        if name == "weasyprint" and self.item is not None:
            self.events.append("imports WeasyPrint in the test process")
        return None

    def patch(self) -> None:
        """Wraps weasyprint.HTML.render once WeasyPrint is loaded (by whatever loaded it)."""
        if self.patched or "weasyprint" not in sys.modules:
            return
        html = sys.modules["weasyprint"].HTML
        render = html.render
        watch = self

        def watched_render(self, *args, **kwargs):
            if watch.item is not None:
                watch.events.append("renders with WeasyPrint in the test process")
            return render(self, *args, **kwargs)

        html.render = watched_render
        self.patched = True

    def log(self, item: pytest.Item) -> Path:
        return self.folder / f"{abs(hash(item.nodeid))}.log"


def pure(item: pytest.Item) -> bool:
    return not any(item.get_closest_marker(name) for name in MARKERS)


def pytest_configure(config: pytest.Config) -> None:
    watch = Watch()
    config.stash[KEY] = watch
    sys.meta_path.insert(0, watch)
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if WATCH not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([WATCH, *filter(None, paths)])


def pytest_unconfigure(config: pytest.Config) -> None:
    watch = config.stash.get(KEY, None)
    if watch is not None:
        if watch in sys.meta_path:
            sys.meta_path.remove(watch)
        shutil.rmtree(watch.folder, ignore_errors=True)


def watched(item: pytest.Item, phase: str):
    """Around one phase of a pure test: what it did with WeasyPrint fails the phase."""
    watch: Watch = item.config.stash[KEY]
    if not pure(item):
        return (yield)
    watch.patch()
    watch.item, watch.events = item, []
    log = watch.log(item)
    os.environ[LOG] = str(log)
    try:
        result = yield
    finally:
        watch.item = None
        os.environ.pop(LOG, None)
        watch.patch()
        events = list(watch.events)
        if log.exists():
            events += [f"starts a process that imports WeasyPrint: {line}" for line in
                       log.read_text(encoding="utf-8").splitlines()]
            log.unlink()
    if events and os.environ.get(RECORD):  # a list of what needs a marker, not failures
        with open(os.environ[RECORD], "a", encoding="utf-8") as record:
            record.write(f"{item.nodeid}\t{phase}\t{'; '.join(dict.fromkeys(events))}\n")
    elif events:
        pytest.fail(f"a pure test (marked none of {', '.join(MARKERS)}) {'; '.join(dict.fromkeys(events))} "
                    f"in its {phase}: mark it render (or server, redis), or take the render out of it",
                    pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    return (yield from watched(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    return (yield from watched(item, "call"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    return (yield from watched(item, "teardown"))


KEY = pytest.StashKey[Watch]()
