"""Reading the project settings: seeds/project.yaml -> ``ProjectSettings`` (all optional).

Read first, before any other seed file: its size limits apply to the articles and tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, WithJsonSchema

from reports.content.model import Id, ProjectSettings
from reports.content.sources import SizeLimit, validate_model
from reports.errors import Problems

SETTINGS_FILE = "project.yaml"
# A fixed bound: this file sets the others' limits. The shipped one is under 1 KB.
SETTINGS_LIMIT = SizeLimit(100_000, "the project settings")
SHAPE = "project settings must be a mapping of keys to values (title: ..., timezone: ...)"


def shown_url(url: str) -> str:
    """A broker URL as messages show it: the password hidden, cut to 60 characters."""
    try:
        parts = urlsplit(url)
        if parts.password:
            url = url.replace(f":{parts.password}@", ":***@", 1)
    except ValueError:
        pass
    return url if len(url) <= 60 else url[:60] + "..."


def broker_url_problem(url: str) -> str | None:
    """What is wrong with a broker URL, or None: the Celery engine's broker is Redis, redis://HOST:PORT/N."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, None
    database = parts.path.lstrip("/") if parts else ""
    if (parts is None or parts.scheme not in ("redis", "rediss") or not parts.hostname
            or (database and not database.isdigit()) or (port is None and ":" in parts.netloc.rpartition("@")[2])):
        return (f"'{shown_url(url)}' is not a Redis URL; write it like redis://HOST:6379/0 "
                "(rediss:// for TLS, redis://:PASSWORD@HOST:6379/0 with a password)")
    return None


def _check_broker(url: str) -> str:
    problem = broker_url_problem(url)
    if problem:
        raise ValueError(problem)
    return url


BROKER_JSON = {"type": "string", "pattern": r"^rediss?://", "description": "a Redis URL: redis://HOST:6379/0"}
BrokerUrl = Annotated[str, AfterValidator(_check_broker), WithJsonSchema(BROKER_JSON)]


class Settings(ProjectSettings):
    """The project settings, and the Celery engine's: read from the same file, validated the same way."""

    broker: BrokerUrl | None = Field(
        None, description="the Redis broker of reports worker, --engine celery and the scheduler's weekly lock "
                          "(redis://HOST:6379/0); REPORTS_BROKER and --broker are used before it",
    )
    project_id: Id | None = Field(
        None, description="the project's name on a shared broker: schedulers with the same project_id (the same "
                          "project on several machines) produce each week once; default: the title, if it is not "
                          "the default one, else this folder on this machine",
    )


def promotional_words_in(text: str, settings: ProjectSettings) -> list[str]:
    """The words of ``settings.promotional_words`` that ``text`` uses, in the list's order."""
    return [word for word in settings.promotional_words if word and word in text]


def promotional_warning(words: list[str]) -> str:
    shown = "、".join(f"“{word}”" for word in words)
    return (f"promotional wording {shown} in the curator's own text; state what was found instead (a non-promotional "
            "briefing reports results, not their value), quote the source if it says so, or edit promotional_words "
            "in seeds/project.yaml")


def read_settings(seeds: Path, problems: Problems) -> Settings:
    """The settings in seeds/project.yaml, or the defaults when there is no such file.

    Problems are collected like any seed file's; the defaults stand in so that reading goes on.
    """
    path = seeds / SETTINGS_FILE
    if not path.exists() and not path.is_symlink():
        return Settings()
    loaded = validate_model(Settings, path, problems, SETTINGS_LIMIT, SHAPE, allow_empty=True)
    return loaded[0] if loaded else Settings()
