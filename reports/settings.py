"""Reading the project settings: seeds/project.yaml -> ``ProjectSettings`` (all optional).

Read first, before any other seed file: its size limits apply to the articles and tables.
"""

from __future__ import annotations

from pathlib import Path

from reports.errors import Problems
from reports.model import ProjectSettings
from reports.sources import SizeLimit, validate_model

SETTINGS_FILE = "project.yaml"
# A fixed bound: this file sets the others' limits. The shipped one is under 1 KB.
SETTINGS_LIMIT = SizeLimit(100_000, "the project settings")
SHAPE = "project settings must be a mapping of keys to values (title: ..., timezone: ...)"


def promotional_words_in(text: str, settings: ProjectSettings) -> list[str]:
    """The words of ``settings.promotional_words`` that ``text`` uses, in the list's order."""
    return [word for word in settings.promotional_words if word and word in text]


def promotional_warning(words: list[str]) -> str:
    shown = "、".join(f"“{word}”" for word in words)
    return (f"promotional wording {shown} in the curator's own text; state what was found instead (a non-promotional "
            "briefing reports results, not their value), or edit promotional_words in seeds/project.yaml")


def read_settings(seeds: Path, problems: Problems) -> ProjectSettings:
    """The settings in seeds/project.yaml, or the defaults when there is no such file.

    Problems are collected like any seed file's; the defaults stand in so that reading goes on.
    """
    path = seeds / SETTINGS_FILE
    if not path.exists() and not path.is_symlink():
        return ProjectSettings()
    loaded = validate_model(ProjectSettings, path, problems, SETTINGS_LIMIT, SHAPE, allow_empty=True)
    return loaded[0] if loaded else ProjectSettings()
