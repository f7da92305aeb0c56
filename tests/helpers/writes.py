"""Writes caught midway: a real process that has begun a write as reports/files.py writes (its
temporary made and locked, half of the bytes in it), then waits, as a long write would, until the
test kills it (SIGKILL: what a killed ``reports build`` leaves) or lets it end."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WRITER = """
import os, sys, time
from pathlib import Path
from reports import files
temporary, handle = files._locked_temporary(Path(sys.argv[1]), directory=sys.argv[2] == "folder")
if sys.argv[2] == "file":
    os.write(handle, b"%PDF-1.7 half of a PDF")
print(temporary, flush=True)
time.sleep(120)
"""


def begin_write(target: Path, kind: str = "file") -> tuple[subprocess.Popen, Path]:
    """A live writer of ``target`` (a file, or with ``kind="folder"`` a batch's folder) and its temporary."""
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target), kind], stdout=subprocess.PIPE, text=True)
    return writer, Path(writer.stdout.readline().strip())


def end(writer: subprocess.Popen) -> None:
    writer.kill()
    writer.wait()
    writer.stdout.close()


def killed_midway(target: Path, kind: str = "file") -> Path:
    """What a write of ``target`` killed with SIGKILL midway leaves: its temporary."""
    writer, temporary = begin_write(target, kind)
    end(writer)
    return temporary


@contextmanager
def small_disk(folder: Path, size: int) -> Iterator[Path]:
    """A real file system of ``size`` bytes (tmpfs, in pages of 4096) mounted on ``folder``, for a
    real ENOSPC; unmounted afterwards. Skips the test where mounting is not allowed (not root, or
    a container without CAP_SYS_ADMIN)."""
    import pytest

    if os.geteuid() != 0:
        pytest.skip("mounting a small file system (tmpfs) needs root")
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def pages_on_tmpfs(size: int) -> int:
    """The bytes a file of ``size`` bytes takes on tmpfs: whole pages of 4096."""
    return -(-size // 4096) * 4096
