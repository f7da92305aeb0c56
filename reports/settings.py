"""Reading the project settings: seeds/project.yaml -> ``ProjectSettings`` (all optional)."""

from __future__ import annotations

from pathlib import Path

from reports.errors import Problems
from reports.model import ProjectSettings
from reports.sources import validate_model

SETTINGS_FILE = "project.yaml"


def read_settings(seeds: Path, problems: Problems) -> ProjectSettings:
    """The settings in seeds/project.yaml, or the defaults when there is no such file.

    Problems are collected like any seed file's; the defaults stand in so that reading goes on.
    """
    path = seeds / SETTINGS_FILE
    if not path.is_file():
        return ProjectSettings()
    loaded = validate_model(ProjectSettings, path, problems)
    return loaded[0] if loaded else ProjectSettings()
