"""A content snapshot: the project's inputs packed into one archive, named by its SHA-256.

What a worker on another machine renders from. The submitting side packs the project's own
``seeds/``, ``templates/`` and ``styles/`` (and, for a weekly briefing, the record it is compared
with: ``build/weekly/*/manifest.json`` of the weeks up to it and that week's PDF) into a gzipped
tar; its SHA-256 is its name. The same inputs make the same archive, so the broker holds each
version once, and a changed file makes a new name: a worker never renders a stale version.

The worker trusts nothing it takes off the broker (anyone who can write to Redis could have put
it there): the archive must hash to its name, be under the size limits, and hold only regular
files and folders at plain relative paths under those folders, no links, no devices, no ``..``.
It is unpacked into a new folder beside the cache's others and renamed into place, so a worker
process never sees a half-unpacked snapshot. The built-in templates and styles are not packed:
every machine has its own, and the job carries their digest so that a worker with other ones
refuses the job instead of rendering something else (see distributed.py).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from reports.content.project import Project, tree_files
from reports.content.sources import refuse_outside_links
from reports.errors import Problems, ReportError

TOP_FOLDERS = ("seeds", "templates", "styles", "build")
MAX_FILES = 20_000
MAX_BYTES = 256 * 2**20  # unpacked; every seed file is under its own limit, far smaller (settings)
KEEP = 16  # snapshots kept in a worker's cache; older ones are removed as new ones arrive


@dataclass(frozen=True)
class Snapshot:
    id: str  # SHA-256 of ``data``
    data: bytes  # a gzipped tar
    files: int
    unpacked_bytes: int


def snapshot_files(project: Project, weekly_record: list[Path] | None = None) -> dict[str, Path]:
    """The files packed, by their name in the archive: the project's own inputs, and a weekly record if given.

    Symbolic links that lead out of the project are refused here, with their place and the seeds'
    other problems, exactly as every command that reads the seeds refuses them: nothing outside the
    project is ever packed.
    """
    problems = Problems(project.root)
    for folder in project.own_folders:
        refuse_outside_links(folder, problems)
    if problems.errors:
        # Read here, as a local render would: the links and every other problem of the seeds, reported together.
        from reports.content.load import load_content

        load_content(project)
        problems.raise_if_any()
    files = {}
    for folder in project.own_folders:  # not the built-in templates and styles: the worker has its own
        for path in tree_files(folder, project.root):
            if path.is_file():  # a pipe or device is not packed; the seeds' reader refuses it where it stands
                files[path.relative_to(project.root).as_posix()] = path
    for path in weekly_record or []:
        if path.is_file() and not path.is_symlink():
            files[path.relative_to(project.root).as_posix()] = path
    return files


def weekly_record(project: Project, week: str) -> list[Path]:
    """What a week's briefing is compared with or served as: the manifests up to it, and its own PDF."""
    from reports.documents.weekly import MANIFEST, PDF, weekly_root

    root = weekly_root(project)
    if not root.is_dir():
        return []
    manifests = [path for path in sorted(root.glob(f"*/{MANIFEST}")) if path.parent.name <= week]
    return manifests + [root / week / PDF]


def pack(files: dict[str, Path]) -> Snapshot:
    """A deterministic archive of ``files``: sorted, no times, owners or modes, so the same files give the same id."""
    buffer = io.BytesIO()
    total = 0
    # gzip's own header carries a time: written as 0. Level 6: seeds are text, a few hundred KB.
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6, mtime=0) as compressed:
        with tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as archive:
            for name in sorted(files):
                data = files[name].read_bytes()
                total += len(data)
                if total > MAX_BYTES or len(files) > MAX_FILES:
                    raise ReportError(f"the project's inputs are over {MAX_BYTES // 2**20} MB or {MAX_FILES} files; "
                                      "a snapshot for the workers holds at most that: move other files out of seeds/")
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = len(data), 0o644, 0
                archive.addfile(info, io.BytesIO(data))
    data = buffer.getvalue()
    return Snapshot(hashlib.sha256(data).hexdigest(), data, len(files), total)


class UnsafeSnapshot(Exception):
    """A snapshot that does not hash to its name, or holds something other than plain files."""


def checked_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members, total = [], 0
    for member in archive:
        parts = member.name.split("/")
        if (member.name.startswith("/") or "\\" in member.name or any(part in ("", ".", "..") for part in parts)
                or parts[0] not in TOP_FOLDERS):
            raise UnsafeSnapshot(f"refused: a member named {member.name[:80]!r}")
        if not (member.isreg() or member.isdir()):
            raise UnsafeSnapshot(f"refused: {member.name[:80]!r} is not a regular file or folder (a link or device)")
        total += member.size
        members.append(member)
        if total > MAX_BYTES or len(members) > MAX_FILES:
            raise UnsafeSnapshot(f"refused: over {MAX_BYTES // 2**20} MB or {MAX_FILES} files unpacked")
    return members


def write_members(archive: tarfile.TarFile, members: list[tarfile.TarInfo], folder: Path) -> None:
    """Plain folders and files with their bytes only: no mode, owner or time from the archive.
    Written here rather than by ``extractall(filter="data")``, which Python 3.11 has only from
    3.11.4 (Debian 12's python3 is 3.11.2)."""
    for member in members:
        target = folder / member.name
        try:
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            assert source is not None  # a regular file (checked_members)
            target.write_bytes(source.read())
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            raise UnsafeSnapshot(f"refused: {member.name[:80]!r} is both a file and a folder") from None


def unpack(snapshot_id: str, data: bytes, cache: Path) -> Path:
    """The snapshot's folder in ``cache``, unpacked now unless it is there already."""
    folder = cache / snapshot_id
    if folder.is_dir():
        os.utime(folder)  # recently used: kept longest
        return folder
    if hashlib.sha256(data).hexdigest() != snapshot_id:
        raise UnsafeSnapshot(f"refused: the snapshot's bytes do not hash to its name {snapshot_id[:16]}")
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=cache))
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            write_members(archive, checked_members(archive), staging)
        (staging / "seeds").mkdir(exist_ok=True)
        try:
            staging.rename(folder)
        except OSError:  # another process of this worker unpacked it meanwhile: theirs is the same
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    forget_old(cache)
    return folder


def forget_old(cache: Path, keep: int = KEEP) -> None:
    """Remove all but the ``keep`` most recently used snapshots (and leftovers of interrupted unpacking)."""
    import time

    folders = [path for path in cache.iterdir() if path.is_dir() and not path.name.startswith(".")]
    for left in cache.glob(".unpacking-*"):  # a process killed while unpacking left it
        if left.stat().st_mtime < time.time() - 600:
            shutil.rmtree(left, ignore_errors=True)
    folders.sort(key=lambda path: path.stat().st_mtime, reverse=True)
    for old in folders[keep:]:
        shutil.rmtree(old, ignore_errors=True)
