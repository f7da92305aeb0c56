"""Made once per test session, whichever xdist worker asks first: the shared renders of
tests/conftest.py and the claim mutants' outcomes."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path
from typing import Callable, TypeVar

from filelock import FileLock

T = TypeVar("T")


def shared(tmp_path_factory, name: str, make: Callable[[Path], T]) -> T:
    """``make(folder)``, called once per test session whichever xdist worker asks first: the
    others wait for it (a file lock) and get its result (pickled) and its files, in the session's
    temporary folder. Only for what the tests read and never change."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the session's folder, above each worker's popen-gwN
    folder = base / "shared" / name
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{folder}.lock"):
        made = folder / ".result.pickle"
        if made.exists():
            return pickle.loads(made.read_bytes())
        shutil.rmtree(folder, ignore_errors=True)  # left by a worker whose make failed
        folder.mkdir()
        result = make(folder)
        made.write_bytes(pickle.dumps(result))
        return result
