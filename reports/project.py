"""A project folder (seeds/, optional templates/ and styles/, build/) and reading all of it.

``load_content`` is the whole read-and-validate phase: it reads every article and evidence
table, checks them against each other, and raises one ``ReportError`` listing every problem.
Nothing is written here: output starts only after everything has been read (see build.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reports.errors import Problem, Problems, ReportError

if TYPE_CHECKING:
    from reports.articles import Article
    from reports.evidence import EvidenceFile
    from reports.model import ProjectSettings

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
    def readable_roots(self) -> list[Path]:
        """The only folders rendering may read from."""
        return [self.seeds, *self.template_dirs, *self.style_dirs]


@dataclass
class Content:
    """Everything a briefing is made from, read and verified."""

    project: Project
    articles: dict[str, Article]
    tables: list[EvidenceFile]
    excerpts_verified: int
    settings: ProjectSettings = field(default_factory=lambda: default_settings())
    warnings: list[Problem] = field(default_factory=list)

    @property
    def study_count(self) -> int:
        return sum(len(f.table.studies) for f in self.tables)


def default_settings() -> ProjectSettings:
    from reports.model import ProjectSettings

    return ProjectSettings()


def load_content(project: Project, classes: list[str] | None = None) -> Content:
    # Imported here: a project's paths and input hashes are needed without them (an up-to-date build).
    from reports.articles import read_articles
    from reports.evidence import read_evidence
    from reports.settings import read_settings
    from reports.verify import verify_evidence

    problems = Problems(project.root)
    settings = read_settings(project.seeds, problems)
    articles = read_articles(project.seeds, problems)
    tables = read_evidence(project.seeds, problems, classes)
    verified = verify_evidence(tables, articles, problems)
    problems.raise_if_any()
    return Content(project, articles, tables, verified, settings, problems.warnings)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_files(project: Project, hash_of: Callable[[Path], str] = sha256_of) -> dict[str, str]:
    """Every file a briefing depends on (seeds, templates, styles), by name, with its content hash."""
    files: dict[str, str] = {}
    for path in sorted(p for p in project.seeds.rglob("*") if p.is_file()):
        files[path.relative_to(project.root).as_posix()] = hash_of(path)
    for folder in [*project.template_dirs, *project.style_dirs]:
        label = folder.relative_to(project.root).as_posix() if folder.is_relative_to(project.root) \
            else f"(built-in)/{folder.name}"
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            files[f"{label}/{path.relative_to(folder).as_posix()}"] = hash_of(path)
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
