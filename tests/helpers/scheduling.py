"""How ``pytest -n`` shares the tests out between its workers (tests/conftest.py installs it for the
default ``--dist load``).

A module's tests go to one worker together, so that what a module sets up once (a server, a
render of its own: ``served``, ``stress_pdf``, ``converted``, ``built``) is set up once, not once on
each worker; and every test that uses the session's Celery cluster (``celery_cluster``: redis-server
and two ``reports worker`` processes) goes to one worker, so that one cluster is started, not two.
The heaviest groups start first, the Celery tests before all (the longest chain of the run, full of
real timeouts): on two workers a long group started last would leave the other worker idle at the
end. How heavy a test is, is guessed from its markers (what it needs), not measured.

The groups are made where the tests are collected, on the workers: each writes them into the file
named by ``REPORTS_TESTS_SCOPES`` (set by the controller), and the controller reads it once every
worker has collected. Without the file (a test collected nowhere) a test is grouped by its module.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

SCOPES = "REPORTS_TESTS_SCOPES"
CELERY = "celery_cluster"
# A rough weight of a test by what it needs, in seconds: only to start the heavy groups first.
WEIGHTS = {"redis": 6.0, "server": 3.0, "mutation": 8.0, "corpus": 1.0, "render": 1.5}


def scope_of(item: pytest.Item) -> str:
    # the redis marker: the test needs the cluster, though it may ask for it only as it runs (test_service's engine)
    if CELERY in item.fixturenames or item.get_closest_marker("redis"):
        return CELERY
    return item.nodeid.split("::", 1)[0]


def weight_of(item: pytest.Item) -> float:
    return 0.05 + sum(weight for name, weight in WEIGHTS.items() if item.get_closest_marker(name))


def name_the_file(config: pytest.Config) -> None:
    """On the controller of ``pytest -n``, before the workers start: where they write the groups."""
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    folder = Path(tempfile.mkdtemp(prefix="reports-scopes-"))
    os.environ[SCOPES] = str(folder / "scopes.json")
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def write_scopes(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a worker, after collection: every test's group and weight, for the controller."""
    target = os.environ.get(SCOPES)
    if not target or not hasattr(config, "workerinput"):
        return
    scopes = {item.nodeid: [scope_of(item), weight_of(item)] for item in items}
    partial = Path(f"{target}.{os.environ['PYTEST_XDIST_WORKER']}")
    partial.write_text(json.dumps(scopes), encoding="utf-8")
    partial.replace(target)  # every worker writes the same: whichever lands last


def read_scopes() -> dict[str, list]:
    target = os.environ.get(SCOPES)
    try:
        return json.loads(Path(target).read_text(encoding="utf-8")) if target else {}
    except (OSError, ValueError):
        return {}


def make_scheduler(config: pytest.Config, log):
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        """LoadScopeScheduling with the groups above, the heaviest first."""

        def __init__(self, config: pytest.Config, log=None) -> None:
            super().__init__(config, log)
            self.scopes: dict[str, list] = {}

        def _split_scope(self, nodeid: str) -> str:
            return self.scopes.get(nodeid, [nodeid.split("::", 1)[0]])[0]

        def schedule(self) -> None:
            """LoadScopeScheduling.schedule, with the queue in the order of the groups' weights."""
            assert self.collection_is_completed
            if self.collection is not None:  # the first distribution is done: more work for each node
                for node in self.nodes:
                    self._reschedule(node)
                return
            if not self._check_nodes_have_same_collection():
                self.log("**Different tests collected, aborting run**")
                return
            self.collection = list(next(iter(self.registered_collections.values())))
            if not self.collection:
                return
            self.scopes = read_scopes()
            units: dict[str, dict[str, bool]] = {}
            weights: dict[str, float] = {}
            for nodeid in self.collection:
                scope = self._split_scope(nodeid)
                units.setdefault(scope, {})[nodeid] = False
                weights[scope] = weights.get(scope, 0.0) + self.scopes.get(nodeid, [None, 0.05])[1]
            for scope in sorted(units, key=lambda scope: (scope != CELERY, -weights[scope])):
                self.workqueue[scope] = units[scope]
            for _ in range(len(self.nodes) - len(self.workqueue)):  # more workers than groups
                unused, _ = self.assigned_work.popitem()
                unused.shutdown()
            for node in self.nodes:
                self._assign_work_unit(node)
            for node in self.nodes:
                self._reschedule(node)
            if not self.workqueue:
                for node in self.nodes:
                    node.shutdown()

    return GroupScheduling(config, log)
