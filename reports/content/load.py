"""Loading a project: the whole read-and-validate phase, into one ``Content``.

``load_content`` reads every article and evidence table, checks them against each other, and
raises one ``ReportError`` listing every problem. Nothing is written here: output starts only
after everything has been read (see documents/briefing.py). It first refuses symbolic links that
lead out of the project (in seeds/, templates/, styles/), so that no later step (templates,
stylesheets, hashing) reads a file from elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.content.articles import Article, article_files, read_articles
from reports.content.evidence import EvidenceFile, read_evidence
from reports.content.glossary import read_glossary
from reports.content.model import Glossary, ProjectSettings
from reports.content.project import Project
from reports.content.settings import read_settings
from reports.content.sources import refuse_outside_links
from reports.content.verify.editorial import (
    refuse_promotional_wording,
    warn_missing_apparatus,
    warn_unknown_abbreviations,
)
from reports.content.verify.evidence import verify_evidence
from reports.content.verify.table import Verification
from reports.errors import Problem, Problems


@dataclass
class Content:
    """Everything a briefing is made from, read and verified."""

    project: Project
    articles: dict[str, Article]
    tables: list[EvidenceFile]
    verification: Verification
    settings: ProjectSettings = field(default_factory=ProjectSettings)
    warnings: list[Problem] = field(default_factory=list)
    glossary: Glossary | None = None  # seeds/glossary.yaml, when the project has one

    @property
    def excerpts_verified(self) -> int:
        return self.verification.excerpts

    @property
    def study_count(self) -> int:
        return sum(len(f.table.studies) for f in self.tables)


def load_content(project: Project, classes: list[str] | None = None) -> Content:
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
