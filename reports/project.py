"""A project folder (seeds/, optional templates/ and styles/, build/) and reading all of it.

``load_content`` is the whole read-and-validate phase: it reads every article and evidence
table, checks them against each other, and raises one ``ReportError`` listing every problem.
Nothing is written here: output starts only after everything has been read (see build.py).
It first refuses symbolic links that lead out of the project (in seeds/, templates/, styles/),
so that no later step (templates, stylesheets, hashing) reads a file from elsewhere.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reports.errors import Problem, Problems, ReportError

if TYPE_CHECKING:
    from reports.articles import Article
    from reports.evidence import EvidenceFile
    from reports.model import Glossary, ProjectSettings
    from reports.verify import Verification

# The built-in templates and styles: the top-level folders of this repository.
BUILTIN_ROOT = Path(__file__).resolve().parent.parent


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


@dataclass
class Content:
    """Everything a briefing is made from, read and verified."""

    project: Project
    articles: dict[str, Article]
    tables: list[EvidenceFile]
    verification: Verification
    settings: ProjectSettings = field(default_factory=lambda: default_settings())
    warnings: list[Problem] = field(default_factory=list)
    glossary: Glossary | None = None  # seeds/glossary.yaml, when the project has one

    @property
    def excerpts_verified(self) -> int:
        return self.verification.excerpts

    @property
    def study_count(self) -> int:
        return sum(len(f.table.studies) for f in self.tables)


def default_settings() -> ProjectSettings:
    from reports.model import ProjectSettings

    return ProjectSettings()


def load_content(project: Project, classes: list[str] | None = None) -> Content:
    # Imported here: a project's paths and input hashes are needed without them (an up-to-date build).
    from reports.articles import article_files, read_articles
    from reports.evidence import read_evidence
    from reports.settings import read_settings
    from reports.sources import refuse_outside_links
    from reports.glossary import read_glossary
    from reports.verify import (verify_evidence, warn_missing_apparatus, refuse_promotional_wording,
                                warn_unknown_abbreviations)

    problems = Problems(project.root)
    for folder in project.own_folders:
        refuse_outside_links(folder, problems)
    # The settings first: their size limits apply to the articles and the tables.
    settings = read_settings(project.seeds, problems)
    articles = read_articles(project.seeds, problems, settings)
    tables = read_evidence(project.seeds, problems, classes, settings)
    glossary = read_glossary(project.seeds, problems, settings)
    unreadable = {path.stem for path in article_files(project.seeds)} - articles.keys()
    verified = verify_evidence(tables, articles, problems, unreadable, settings)
    refuse_promotional_wording(tables, settings, problems)
    warn_missing_apparatus(settings, project.seeds / "project.yaml", problems)
    warn_unknown_abbreviations(tables, glossary, problems)
    problems.raise_if_any()
    return Content(project, articles, tables, verified, settings, problems.warnings, glossary)


def sha256_of(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def real_path(path: Path) -> Path | None:
    """Where ``path`` really is, symbolic links followed; None for a link that loops."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):  # RuntimeError: a loop (Python 3.11)
        return None


def outside_link(path: Path, root: Path) -> Path | None:
    """The symbolic link through which ``path`` leads out of ``root`` (or loops), or None when it stays inside.

    Each step of the path is tried from ``root`` down, so a linked folder is named, not each file in it.
    """
    real_root = root.resolve()

    def leaves(step: Path) -> bool:
        real = real_path(step)
        return real is None or not real.is_relative_to(real_root)

    written = Path(os.path.abspath(path))
    for folder in (Path(os.path.abspath(root)), real_root):
        if written.is_relative_to(folder):
            step = folder
            for part in written.relative_to(folder).parts:
                step = step / part
                if step.is_symlink() and leaves(step):
                    return step
            break
    return path if leaves(path) else None


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


def catalog(project_dir: Path | str) -> dict:
    """The therapy classes and their studies as plain data (the service's /api/classes), read and verified."""
    content = load_content(Project.at(project_dir))
    return {
        "timezone": content.settings.timezone,
        "classes": [
            {
                **table.table.therapy_class.model_dump(mode="json"),
                "source": table.path.relative_to(content.project.root).as_posix(),
                "overview": table.table.overview.model_dump(mode="json"),
                "studies": [study.model_dump(mode="json") for study in table.table.studies],
                "landscape": table.table.landscape.model_dump(mode="json") if table.table.landscape else None,
            }
            for table in content.tables
        ],
        "excerpts_verified": content.excerpts_verified,
        "warnings": [str(warning) for warning in content.warnings],
    }
