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


def read_settings(seeds: Path, problems: Problems) -> ProjectSettings:
    """The settings in seeds/project.yaml, or the defaults when there is no such file.

    Problems are collected like any seed file's; the defaults stand in so that reading goes on.
    """
    path = seeds / SETTINGS_FILE
    if not path.exists() and not path.is_symlink():
        return ProjectSettings()
    loaded = validate_model(ProjectSettings, path, problems, SETTINGS_LIMIT, SHAPE, allow_empty=True)
    return loaded[0] if loaded else ProjectSettings()
