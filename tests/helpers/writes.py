"""Writes caught midway: a real process that has begun a write as reports/files.py writes (its
temporary made and locked, half of the bytes in it), then waits, as a long write would, until the
test kills it (SIGKILL: what a killed ``reports build`` leaves) or lets it end."""

from __future__ import annotations

import subprocess
import sys
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
