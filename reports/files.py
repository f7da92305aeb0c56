"""Writing a file, or a folder of files, whole or not at all: what every command that writes uses.

A reader never sees half a PDF, half a table or half a draft: the bytes go to a hidden temporary
file beside the target (``.NAME.XXXXXXXX.tmp``), which is then renamed over it (atomic on one file
system). A batch's folder is written the same way one level up (``write_folder``): every document
into a hidden temporary folder beside it (``.FOLDER.XXXXXXXX.tmp/``), which then takes the folder's
place in one step, so that a reader of the folder sees the previous documents or the new ones,
never some of each, and a failure (a full disk, a killed process) leaves the previous ones as they
were.

A write that is killed (SIGKILL, a power cut) leaves its temporary behind; the next write of the
same target removes it (``remove_leftovers``), but never one that a live writer is still writing.
The writer holds an exclusive lock (``flock``) on its temporary from creating it until it is
renamed; the kernel drops the lock when the process ends, however it ends. So a temporary of our
pattern that no one holds is a leftover, removable at once. Chosen over an age (a killed write's
file would stay for minutes, and a slow writer's could be taken) and over a pid in the name (a
pid is reused, and means nothing to another machine that shares the folder).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

# Any temporary as tempfile names ours: a dot, a name, 8 characters of this alphabet, .tmp.
LEFTOVER = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def leftover_pattern(target: Path) -> re.Pattern[str]:
    """The names of ``target``'s temporaries: ``.NAME.*.tmp`` beside it (tempfile puts 8 random
    characters in the middle; any middle is taken, since no one else names files so)."""
    return re.compile(rf"\.{re.escape(target.name)}\..+\.tmp")


def staged_file(target: Path, data: bytes | str) -> Path:
    """``data`` written whole to a hidden temporary file beside ``target`` (no reader lists hidden
    files), with the usual permissions: ready to be renamed into place, by a command that writes
    more than one file and renames them only when all are written (reports add-article). Its lock
    ends here: rename it at once (a write of the same target could take it for a leftover)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target)
    temporary, handle = _locked_temporary(target)
    try:
        _write(handle, data)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        os.close(handle)
    return temporary


def write_atomically(target: Path, data: bytes | str) -> None:
    """Write to a temporary file beside ``target``, then rename it into place.

    An error names ``target``, not the temporary (a folder in the way: "Is a directory").
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target)
    temporary, handle = _locked_temporary(target)
    try:
        _write(handle, data)
        _rename(temporary, target)  # with the lock still held: never taken for a leftover
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        os.close(handle)


def write_folder(folder: Path, files: dict[str, bytes]) -> None:
    """``files`` (name: bytes) written into ``folder`` all or nothing (a batch's documents).

    Every file is first written into a temporary folder beside ``folder``, with the rest of the
    folder's files carried over (hard links: no bytes copied); then the two folders are exchanged
    in one step (Linux's renameat2 with RENAME_EXCHANGE) and the previous one is removed. Until
    that step nothing in ``folder`` has changed; after it, every new file is there at once.

    Where the folder cannot be swapped (it is a mount point or the working folder, it holds
    subfolders, its parent is not writable), every file is first staged beside its target in the folder, then each is
    renamed into place: a failure while writing (a full disk) still changes nothing, but a reader
    may see the files change one after another within a few milliseconds.
    """
    folder = folder.resolve()  # a symlink to the folder: the folder it names is the one replaced
    folder.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(folder)  # a killed batch's temporary folder, beside the folder
    if folder.is_dir():
        remove_leftovers(*(folder / name for name in files))  # a killed per-file write's, inside it
    if not _swappable(folder):
        _write_in_place(folder, files)
        return
    try:
        staging, handle = _locked_temporary(folder, directory=True)
    except PermissionError:  # the parent is not ours to write in: the folder's own files are
        _write_in_place(folder, files)
        return
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)  # a new file in a new folder: the umask's permissions
        if folder.is_dir():
            _carry_over(folder, staging, set(files))
            previous = folder.stat()  # the folder's permissions and owner go on with it
            os.chmod(staging, stat.S_IMODE(previous.st_mode))
            with contextlib.suppress(OSError):  # (only root may give a folder away)
                os.chown(staging, previous.st_uid, previous.st_gid)
            _swap(staging, folder)
            # ``staging`` is now the previous folder: what was added to it since it was carried over
            # moves on, then it goes. The batch is written: nothing here may fail it.
            with contextlib.suppress(OSError):
                _carry_over(staging, folder, set(os.listdir(folder)), move=True)
            shutil.rmtree(staging, ignore_errors=True)
        else:
            os.chmod(staging, 0o777 & ~_umask())
            os.rename(staging, folder)
    except BaseException:
        if _is(staging, handle):  # not swapped: the new files go, the folder is as it was
            shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        os.close(handle)


def _write_in_place(folder: Path, files: dict[str, bytes]) -> None:
    """Every file staged beside its target first, then each renamed into place."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in files:  # a folder in a file's way would stop the renames halfway: refused before any
        if (folder / name).is_dir() and not (folder / name).is_symlink():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(folder / name))
    staged: list[tuple[Path, int, Path]] = []
    try:
        for name, data in files.items():
            temporary, handle = _locked_temporary(folder / name)
            staged.append((temporary, handle, folder / name))
            _write(handle, data)
        for temporary, _, target in staged:
            _rename(temporary, target)
    finally:
        for temporary, handle, _ in staged:
            if _is(temporary, handle):  # not renamed: a failure before every file was written
                temporary.unlink(missing_ok=True)
            os.close(handle)


def remove_leftovers(*targets: Path) -> list[Path]:
    """The temporaries beside ``targets`` that killed writes left (``.NAME.XXXXXXXX.tmp``, files or
    folders), removed; those a live writer holds are left. The paths removed."""
    removed = []
    for target in targets:
        pattern = leftover_pattern(target)
        try:
            names = [name for name in os.listdir(target.parent) if pattern.fullmatch(name)]
        except OSError:
            continue  # no folder (yet), or not ours to read: nothing of ours is left there
        for name in names:
            if _remove_unheld(target.parent / name):
                removed.append(target.parent / name)
    return removed


def _locked_temporary(target: Path, directory: bool = False) -> tuple[Path, int]:
    """A new hidden temporary file (or folder) beside ``target`` and a descriptor holding its lock."""
    prefix = f".{target.name}."
    while True:
        if directory:
            path = Path(tempfile.mkdtemp(suffix=".tmp", prefix=prefix, dir=target.parent))
            try:
                handle = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                continue  # taken for a leftover already (see below)
        else:
            handle, name = tempfile.mkstemp(suffix=".tmp", prefix=prefix, dir=target.parent)
            path = Path(name)
        fcntl.flock(handle, fcntl.LOCK_EX)
        # Between its creation and the lock, another write's clean-up may have taken it for a
        # leftover and removed it: then make another.
        if _is(path, handle):
            return path, handle
        os.close(handle)


def _remove_unheld(path: Path) -> bool:
    try:
        # Not following a symlink (it is no temporary of ours), not waiting on a pipe.
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False  # gone meanwhile, or not ours to open
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # a live writer holds it
        if not _is(path, handle):
            return False  # renamed into place meanwhile
        mode = os.fstat(handle).st_mode
        if stat.S_ISDIR(mode):
            shutil.rmtree(path)
        elif stat.S_ISREG(mode):
            path.unlink()
        else:
            return False
        return True
    except OSError:
        return False  # not ours to remove (the folder is read-only to us): it stays, and harms nothing
    finally:
        os.close(handle)


def _is(path: Path, handle: int) -> bool:
    """Whether ``path`` still names the file that ``handle`` is open on."""
    try:
        named, opened = os.stat(path, follow_symlinks=False), os.fstat(handle)
    except OSError:
        return False
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def _write(handle: int, data: bytes | str) -> None:
    # A duplicate descriptor: closing the stream keeps the lock, which ``handle`` holds.
    with os.fdopen(os.dup(handle), "wb") as stream:
        stream.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    # mkstemp creates the file readable by its owner only; give it the usual permissions.
    os.fchmod(handle, 0o666 & ~_umask())


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _rename(temporary: Path, target: Path) -> None:
    try:
        os.replace(temporary, target)
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(target)) from None


def _swappable(folder: Path) -> bool:
    """Whether ``folder`` can be replaced whole: it is not there yet, or it is an ordinary folder
    (not a mount point) of files and symlinks only, which can be carried over by hard links."""
    if not folder.is_dir():
        return True
    if os.path.ismount(folder) or folder == _working_folder():  # (a shell there would stay in the old one)
        return False
    with os.scandir(folder) as entries:
        return all(entry.is_symlink() or entry.is_file(follow_symlinks=False) for entry in entries)


def _working_folder() -> Path | None:
    try:
        return Path.cwd().resolve()
    except OSError:
        return None


def _carry_over(source: Path, into: Path, skip: set[str], move: bool = False) -> None:
    """``source``'s files and symlinks that ``into`` does not get from ``skip``: hard-linked (a copy
    where the file system has no hard links), or with ``move``, renamed. Leftover temporaries stay."""
    for entry in list(os.scandir(source)):
        if entry.name in skip or LEFTOVER.fullmatch(entry.name):
            continue
        target = into / entry.name
        if move:
            os.rename(entry.path, target)
        elif entry.is_symlink():
            os.symlink(os.readlink(entry.path), target)
        elif entry.is_file(follow_symlinks=False):
            try:
                os.link(entry.path, target, follow_symlinks=False)
            except OSError:
                shutil.copy2(entry.path, target)
        else:
            raise IsADirectoryError(errno.EISDIR, "a folder inside; it cannot be replaced whole", entry.path)


def _swap(new: Path, old: Path) -> None:
    """``new`` takes ``old``'s place and ``old`` ``new``'s: in one step where the system can, else
    ``old`` is moved aside and ``new`` in (between the two, the folder is missing, never mixed)."""
    if _exchange(new, old):
        return
    aside, handle = _locked_temporary(old, directory=True)
    try:
        os.rename(old, aside)  # over the empty folder just made
        try:
            os.rename(new, old)
        except BaseException:
            os.rename(aside, old)
            raise
        try:
            os.rename(aside, new)  # the caller finds the previous folder where ``new`` was
        except OSError:
            shutil.rmtree(aside, ignore_errors=True)
    finally:
        os.close(handle)


AT_FDCWD, RENAME_EXCHANGE = -100, 2


def _exchange(first: Path, second: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): False where the C library or the file system has none.
    By hand with ctypes: Python's os module has no renameat2."""
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    renameat2.restype = ctypes.c_int
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    number = ctypes.get_errno()
    if number in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(number, os.strerror(number), str(second))
