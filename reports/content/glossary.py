"""Reading the project's glossary (seeds/glossary.yaml) and finding abbreviations in a text.

The glossary is optional. When a project has one, ``reports check`` warns about every
abbreviation of the curator's own text that it lacks, at its place, so that the briefing can
expand each at its first use and list them all.
"""

from __future__ import annotations

import re
from pathlib import Path

from reports.content.model import Glossary, ProjectSettings
from reports.content.sources import Positions, SizeLimit, validate_model
from reports.errors import Problems

GLOSSARY_FILE = "glossary.yaml"
SHAPE = "the glossary must be a mapping with abbreviations: (a list of entries, each with abbr: and zh:)"
# An abbreviation is a word of capitals (CRS, LLDAS) or one that starts lower-case and has a capital
# (scFv); not a name (PubMed), not a name with digits (CD19, HER2: the antigen's own name), not a
# product code (CT-0508), not a Roman numeral (IV 期).
WORD_RE = re.compile(r"(?<![A-Za-z0-9\-.])[A-Za-z]{2,8}(?![A-Za-z0-9]|[-‐]\d)")
ROMAN_RE = re.compile(r"[IVX]+")


def read_glossary(seeds: Path, problems: Problems, settings: ProjectSettings) -> Glossary | None:
    """The glossary, or None when the project has none."""
    path = seeds / GLOSSARY_FILE
    if not path.exists() and not path.is_symlink():
        return None
    limit = SizeLimit(settings.max_yaml_bytes, "the glossary", "max_yaml_bytes")
    loaded = validate_model(Glossary, path, problems, limit, SHAPE)
    if loaded is None:
        return None
    glossary, positions = loaded
    refuse_entries_listed_twice(glossary, positions, problems)
    return glossary


def refuse_entries_listed_twice(glossary: Glossary, positions: Positions, problems: Problems) -> None:
    """Each abbreviation once: a second entry is reported at its own abbr:, naming the first's line."""
    first: dict[str, int] = {}
    for index, entry in enumerate(glossary.abbreviations):
        line, column = positions.of(("abbreviations", index, "abbr"))
        if entry.abbr in first:
            problems.error(positions.path, line, column,
                           f"abbreviations.{index}.abbr: {entry.abbr} is listed twice (first on line "
                           f"{first[entry.abbr]}); keep one entry")
        else:
            first[entry.abbr] = line


def abbreviations_in(text: str) -> list[tuple[str, int]]:
    """Each abbreviation of ``text`` with where it starts: [("CRS", 12), ...]."""
    found = []
    for match in WORD_RE.finditer(text):
        word = match.group()
        capitals = word.isupper() and not ROMAN_RE.fullmatch(word)
        if capitals or word[0].islower() and not word.islower():
            found.append((word, match.start()))
    return found
