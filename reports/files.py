"""Writing a file whole or not at all: what every command that writes into a project uses.

A reader never sees half a PDF, half a table or half a draft: the bytes go to a temporary file
beside the target, which is then renamed over it (atomic on one file system).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def staged_file(target: Path, data: bytes | str) -> Path:
    """``data`` written whole to a hidden temporary file beside ``target`` (no reader lists hidden
    files), with the usual permissions: ready to be renamed into place, by a command that writes
    more than one file and renames them only when all are written (reports add-article)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": "\n"})) as stream:
            stream.write(data)
        # mkstemp creates the file readable by its owner only; give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def write_atomically(target: Path, data: bytes | str) -> None:
    """Write to a temporary file beside ``target``, then rename it into place."""
    temporary = staged_file(target, data)
    try:
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
