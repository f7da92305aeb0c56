"""The curator's wording as an editor reads it: praise refused, the apparatus and abbreviations named.

Not figures: a word of praise (``promotional_words``) in the curator's own text is an error (only a
quotation may say what its source says); a statement a medical publication prints that the project
does not make (editors, interests, funding, how sources were chosen) and an abbreviation the
glossary lacks are warnings. Run by ``reports.content.load`` after the tables are verified.
"""

from __future__ import annotations

from pathlib import Path

from reports.content.evidence import EvidenceFile
from reports.content.glossary import abbreviations_in
from reports.content.model import Glossary, ProjectSettings
from reports.content.settings import promotional_warning, promotional_words_in
from reports.content.verify.curated import curated_text
from reports.errors import Problems


def warn_unknown_abbreviations(files: list[EvidenceFile], glossary: Glossary | None, problems: Problems) -> None:
    """With a glossary: a warning at the first use of each abbreviation of the curator's text it lacks."""
    if glossary is None:
        return
    warned: set[str] = set()
    for file in files:
        for piece in curated_text(file.table):
            for abbr, _ in abbreviations_in(piece.text):
                if abbr in warned or glossary.get(abbr):
                    continue
                warned.add(abbr)
                where = ".".join(map(str, piece.key))
                problems.warn(file.path, *file.positions.of(piece.key),
                              f"{where}: abbreviation {abbr} is not in seeds/glossary.yaml; add "
                              f"{{abbr: {abbr}, zh: ..., en: ...}} so that it is expanded at its first use and listed")


# What a reader of a medical publication looks for, and where a project declares it.
APPARATUS = {
    "editors": "who compiled and checked the evidence (editors: [{name: ..., role: 证据整理}])",
    "conflicts_of_interest": "the editors' and reviewers' interests in the products discussed, or that they have none",
    "funding": "who paid for the briefing, or that no company did",
    "source_selection": "how the sources were found and chosen, and what that leaves out",
}


def warn_missing_apparatus(settings: ProjectSettings, settings_path: Path, problems: Problems) -> None:
    """A warning for each statement a medical publication prints that the project does not make;
    the briefing prints 未声明 in its place, never a statement nobody made. Only for a project
    that sets any of its settings: one that sets none is a draft on the defaults throughout."""
    if not settings.model_fields_set:
        return
    for key, what in APPARATUS.items():
        if not getattr(settings, key):
            problems.warn(settings_path, 1, 1, f"no {key}: the briefing prints 未声明 where readers look for {what}; "
                                               f"add {key}: to seeds/project.yaml")


def refuse_promotional_wording(files: list[EvidenceFile], settings: ProjectSettings, problems: Problems) -> None:
    """An error at each piece of the curator's own text that uses a word of praise (promotional_words):
    only a quotation may say what its source says."""
    for file in files:
        for piece in curated_text(file.table):
            words = promotional_words_in(piece.text, settings)
            if words:
                where = ".".join(map(str, piece.key))
                problems.error(file.path, *file.positions.of(piece.key), f"{where}: {promotional_warning(words)}")
