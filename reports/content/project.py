"""A project folder: seeds/, optional templates/ and styles/, build/; and the hashes of its inputs.

Reading and verifying the folder is ``load.load_content``; reading one file safely is ``sources``.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from reports.content.sources import outside_link, real_path
from reports.errors import ReportError

BUILTIN_FOLDERS = ("templates", "styles")


def builtin_root() -> Path:
    """The folder that holds the built-in templates/ and styles/.

    They are the repository's top-level folders; a wheel maps them into the package
    (pyproject.toml), so an installed package has them inside it, found through importlib.resources
    wherever it is installed. In the repository (an editable install, or PYTHONPATH=.) the package
    has no such folders and they are beside it.
    """
    package = resources.files("reports")
    if package.joinpath("templates").is_dir():
        return package.resolve() if isinstance(package, Path) else _copied_out(package)
    return Path(os.fspath(package)).resolve().parent


def _copied_out(package: Traversable) -> Path:
    """The built-in folders of a package imported from a zip, copied into a temporary folder once per
    process (and removed at its end): Jinja and WeasyPrint read templates and stylesheets by path, and
    rendering may read only files under the readable folders."""
    target = Path(tempfile.mkdtemp(prefix="reports-builtin-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)

    def copy(source: Traversable, destination: Path) -> None:
        destination.mkdir()
        for entry in source.iterdir():
            if entry.is_dir():
                copy(entry, destination / entry.name)
            else:
                (destination / entry.name).write_bytes(entry.read_bytes())

    for name in BUILTIN_FOLDERS:
        copy(package.joinpath(name), target / name)
    return target.resolve()


# Read once per process; the built-in folders do not change while it runs.
BUILTIN_ROOT = builtin_root()


def tool_digest(hash_of: Callable[[Path], str] | None = None) -> str:
    """What this installation of the tool is: its version, its code and its built-in templates and
    styles, hashed. A build's up-to-date stamp, the service's ETags and the workers' stored results
    carry it, so none made by other code is reused: a changed template or module changes the
    documents, whether or not the version number was raised. The templates and styles are read at
    each call, as rendering reads them (a running service or worker sees an edit at once), with
    ``hash_of`` (the service's hashes kept by file signature), else read whole; the code once per
    process, which runs the code it imported."""
    hash_of = hash_of or sha256_of
    files: dict[str, str] = {}
    for name in BUILTIN_FOLDERS:
        folder = BUILTIN_ROOT / name
        for path in tree_files(folder, folder):
            if path.is_file():
                files[f"{name}/{path.relative_to(folder).as_posix()}"] = hash_of(path)
    canonical = json.dumps([code_digest(), files], sort_keys=True).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


@cache
def code_digest() -> str:
    """The version and a hash of the package's own files (modules and their data), once per process."""
    from reports import __version__

    package = Path(__file__).resolve().parents[1]
    files: dict[str, str] = {}
    if package.is_dir():
        for path in tree_files(package, package):
            if path.suffix in (".py", ".yaml", ".json") and "__pycache__" not in path.parts:
                files[f"reports/{path.relative_to(package).as_posix()}"] = sha256_of(path)
    else:  # imported from an archive (a zipped wheel): the archive is the code
        archive = next((parent for parent in package.parents if parent.is_file()), None)
        files["archive"] = sha256_of(archive) if archive else ""
    return hashlib.sha256(json.dumps([__version__, files], sort_keys=True).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def at(cls, folder: Path | str) -> "Project":
        root = Path(folder).resolve()
        if not (root / "seeds").is_dir():
            raise ReportError(
                f"{root} has no seeds/ folder; run reports in a project folder or pass --project DIR"
            )
        return cls(root)

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def template_dirs(self) -> list[Path]:
        """The project's own templates first, then the built-in ones."""
        dirs = [self.root / "templates", BUILTIN_ROOT / "templates"]
        return [d for i, d in enumerate(dirs) if d.is_dir() and d not in dirs[:i]]

    @property
    def style_dirs(self) -> list[Path]:
        dirs = [self.root / "styles", BUILTIN_ROOT / "styles"]
        return [d for i, d in enumerate(dirs) if d.is_dir() and d not in dirs[:i]]

    @property
    def own_folders(self) -> list[Path]:
        """The project's own input folders, which must not link outside it: its seeds, and its
        templates and styles unless they are the built-in ones (a project in the tool's own folder)."""
        own = [self.root / "templates", self.root / "styles"]
        return [self.seeds, *(folder for folder in own
                              if (folder.exists() or folder.is_symlink()) and folder.parent != BUILTIN_ROOT)]

    @property
    def readable_roots(self) -> list[Path]:
        """The only folders rendering may read from."""
        return [self.seeds, *self.template_dirs, *self.style_dirs]


def sha256_of(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


# Files larger than this are listed by size and time, not read, when the inputs are hashed: every
# size limit of the settings is at most this (ProjectSettings), so such a seed is refused anyway.
HASHED_BYTES = 100_000_000


def tree_files(folder: Path, root: Path) -> list[Path]:
    """Every file under ``folder``, through linked folders that stay inside ``root`` (each folder once).

    Written by hand rather than with ``rglob``, which does not enter linked folders (their files
    would be missing from the inputs) and would, if it did, follow a link out to anywhere.
    """
    if outside_link(folder, root) is not None:
        return []
    found: list[Path] = []
    seen: set[Path] = set()
    for directory, folders, names in os.walk(folder, followlinks=True):
        here = Path(directory)
        real = real_path(here)
        if real is None or real in seen:
            folders[:] = []
            continue
        seen.add(real)
        folders[:] = [name for name in folders
                      if not (here / name).is_symlink() or outside_link(here / name, root) is None]
        found += [here / name for name in names if (here / name).is_file() or (here / name).is_symlink()]
    return sorted(found)


def input_files(project: Project, hash_of: Callable[[Path], str] = sha256_of) -> dict[str, str]:
    """Every file a briefing depends on (seeds, templates, styles), by name, with its content hash.

    This runs before ``load_content`` (to skip an up-to-date build), so it reads no file that
    ``load_content`` would refuse unread: one linked from outside the project is listed as such,
    one larger than any size limit by its size and time.
    """
    def hashed(path: Path, tree: Path) -> str:
        if outside_link(path, tree) is not None:
            return "outside the project: not read"
        if not path.is_file():
            return "not a regular file: not read"
        status = path.stat()
        if status.st_size > HASHED_BYTES:
            return f"{status.st_size} bytes, modified {status.st_mtime_ns}: not read"
        return hash_of(path)

    files: dict[str, str] = {}
    for path in tree_files(project.seeds, project.root):
        files[path.relative_to(project.root).as_posix()] = hashed(path, project.root)
    for folder in [*project.template_dirs, *project.style_dirs]:
        # The built-in folders are named so wherever the project is (the tool's own folder too): a
        # worker that unpacks this project's snapshot elsewhere computes the same names.
        own = folder in project.own_folders
        label = folder.relative_to(project.root).as_posix() if own else f"(built-in)/{folder.name}"
        tree = project.root if own else folder
        for path in tree_files(folder, tree):
            files[f"{label}/{path.relative_to(folder).as_posix()}"] = hashed(path, tree)
    return files
