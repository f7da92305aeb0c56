"""Reading the project settings: seeds/project.yaml -> ``ProjectSettings`` (all optional).

Read first, before any other seed file: its size limits apply to the articles and tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)

from reports.content.model import Id, ProjectSettings, YamlModel
from reports.content.sources import Positions, SizeLimit, validate_model
from reports.errors import FieldError, Problems

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


# ---------------------------------------------------------------------------------------------
# Delivery: where the weekly goes once it is built, and where a failed week is told (issue 25).

# One address, as a mailto: target names it: no display name, no list (each recipient is a target of
# its own, delivered and recorded once).
ADDRESS = re.compile(r"[^@\s<>,;:\"']+@[^@\s<>,;:\"'/]+\.[^@\s<>,;:\"'/]+")
WebhookFormat = Literal["json", "wecom", "dingtalk"]
WEBHOOK_FORMATS: tuple[str, ...] = ("json", "wecom", "dingtalk")
# The group robots' hosts: a webhook there speaks its robot's format unless one is given.
ROBOT_HOSTS = {"qyapi.weixin.qq.com": "wecom", "oapi.dingtalk.com": "dingtalk"}


def target_problem(text: str) -> str | None:
    """What is wrong with a delivery target, or None: mailto:ADDRESS, or an http(s):// webhook URL."""
    if text.startswith("mailto:"):
        address = text.removeprefix("mailto:")
        if not ADDRESS.fullmatch(address):
            return (f"'{shown_target(text)}' is not one e-mail address; write one recipient per target, like "
                    "mailto:team@example.org")
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (a bad port raises)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return (f"'{shown_target(text)}' is not a delivery target; write mailto:ADDRESS or a webhook "
                "https:// URL")
    if parts.username or parts.password:
        return "a webhook URL carries no user or password; the group robots' URLs hold their key in the query"
    return None


def shown_target(text: str) -> str:
    """A target as messages and logs show it: a webhook's query (a robot's key) hidden, cut to 80 characters."""
    if not text.startswith("mailto:"):
        try:
            parts = urlsplit(text)
            if parts.query:
                text = parts._replace(query="***", fragment="").geturl()
        except ValueError:
            pass
    return text if len(text) <= 80 else text[:80] + "..."


def webhook_format(url: str, given: str | None = None) -> str:
    """A webhook's message format: the one given, else its robot's by host (WeCom, DingTalk), else json."""
    if given:
        return given
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        host = ""
    return ROBOT_HOSTS.get(host, "json")


def _check_target(text: str) -> str:
    problem = target_problem(text)
    if problem:
        raise ValueError(problem)
    return text


TARGET_JSON = {"type": "string", "pattern": r"^(mailto:|https?://)",
               "description": "mailto:ADDRESS or a webhook's https:// URL"}


@dataclass(frozen=True)
class Destination:
    """A delivery target: a mail recipient (mailto:) or a webhook, with its message format if one was given."""

    url: str
    format: str | None = None  # a webhook's: json, wecom or dingtalk; None: by its host (webhook_format)

    @property
    def is_mail(self) -> bool:
        return self.url.startswith("mailto:")

    @property
    def address(self) -> str:
        return self.url.removeprefix("mailto:")

    def __str__(self) -> str:
        return shown_target(self.url)


def parse_target(value: Any) -> Destination:
    """A target as written: a text (mailto:ADDRESS or a webhook URL) or {url: ..., format: ...}.

    One validator for both shapes, so that a mistake gets one message at the item, not one per shape.
    """
    if isinstance(value, Destination):
        return value
    if isinstance(value, str):
        return Destination(_check_target(value.strip()))
    if isinstance(value, dict):
        unknown = [str(key) for key in value if key not in ("url", "format")]
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r}; a webhook with its format is {{url: ..., format: "
                             f"{'|'.join(WEBHOOK_FORMATS)}}}")
        url, given = value.get("url"), value.get("format")
        if not isinstance(url, str):
            raise ValueError("give url: https://... (the webhook)")  # noqa: TRY004 (pydantic reports ValueError)
        url = _check_target(url.strip())
        if url.startswith("mailto:"):
            raise ValueError("a mail target takes no format; write it as a plain mailto:ADDRESS item")
        if given not in WEBHOOK_FORMATS:
            raise ValueError(f"format: write one of {', '.join(WEBHOOK_FORMATS)}")
        return Destination(url, given)
    raise ValueError("a target is mailto:ADDRESS, a webhook URL (https://...), or {url: ..., format: json|wecom|dingtalk}")


TARGET_SCHEMA = {"anyOf": [TARGET_JSON, {
    "type": "object", "additionalProperties": False, "required": ["url", "format"],
    "properties": {"url": {"type": "string", "pattern": r"^https?://"}, "format": {"enum": list(WEBHOOK_FORMATS)}}}]}
Target = Annotated[Destination, PlainValidator(parse_target), PlainSerializer(lambda target: target.url),
                   WithJsonSchema(TARGET_SCHEMA)]


def _check_smtp(url: str) -> str:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a bad port raises)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("smtp", "smtps") or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"'{shown_url(url)}' is not the URL of a mail server; write smtp://HOST:587 (STARTTLS when the "
                         "server offers it) or smtps://HOST:465 (TLS from the start)")
    if parts.username or parts.password:
        raise ValueError("the user and password of the mail server are never written in seeds/project.yaml; set "
                         "REPORTS_SMTP_USER and REPORTS_SMTP_PASSWORD, or name a file holding USER:PASSWORD in "
                         "delivery.credentials_file")
    return url


SMTP_JSON = {"type": "string", "pattern": r"^smtps?://", "description": "smtp://HOST:587 or smtps://HOST:465"}
SmtpUrl = Annotated[str, AfterValidator(_check_smtp), WithJsonSchema(SMTP_JSON)]


def _check_base_url(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ValueError(f"'{shown_url(url)}' is not the public address of the service; write it like "
                         "https://briefings.example.org (the weeklies are at /weekly/2026-W47.pdf under it)")
    return url.rstrip("/")


BASE_JSON = {"type": "string", "pattern": r"^https?://", "description": "https://briefings.example.org"}
BaseUrl = Annotated[str, AfterValidator(_check_base_url), WithJsonSchema(BASE_JSON)]


def _check_sender(text: str) -> str:
    address = text.rpartition("<")[2].rstrip(">").strip() if "<" in text else text
    if not ADDRESS.fullmatch(address):
        raise ValueError(f"'{text[:60]}' is not a sender; write an address (weekly@example.org), or a name and "
                         "an address (证据周报 <weekly@example.org>)")
    return text


Sender = Annotated[str, AfterValidator(_check_sender)]


class Delivery(YamlModel):
    """Where reports deliver and reports schedule send a week once it is built, and how."""

    to: list[Target] = Field(
        default_factory=list,
        description="the targets: mailto:ADDRESS (one recipient each) or a webhook's https:// URL (WeCom's and "
                    "DingTalk's robots known by their host; else {url: ..., format: json|wecom|dingtalk})")
    recipients_file: str | None = Field(
        None, description="a file of more mail recipients, one address a line (# starts a comment), relative to "
                          "the project folder")
    smtp: SmtpUrl | None = Field(
        None, description="the mail server of delivery and alerts: smtp://HOST:587 (STARTTLS when offered) or "
                          "smtps://HOST:465; its user and password from REPORTS_SMTP_USER and REPORTS_SMTP_PASSWORD "
                          "or credentials_file, never from this file")
    sender: Sender | None = Field(None, description="the From: of the mail: weekly@example.org, or "
                                                     "证据周报 <weekly@example.org>")
    credentials_file: str | None = Field(
        None, description="a file holding the mail server's USER:PASSWORD on one line (outside the project, "
                          "readable by the scheduler's user only); REPORTS_SMTP_USER and REPORTS_SMTP_PASSWORD "
                          "are used before it")
    unsubscribe: str | None = Field(
        None, description="the List-Unsubscribe of the mail: mailto:ADDRESS or an https:// page; default: "
                          "mailto: the sender, subject 退订")
    max_attachment_mb: float = Field(
        10, ge=0, le=50, description="a PDF up to this size is attached; a larger one is linked under base_url "
                                     "(without base_url, neither: the message says so)")
    attempts: int = Field(3, ge=1, le=10, description="tries per target before a failure is reported")
    backoff_seconds: float = Field(1.0, ge=0, le=600,
                                   description="the wait before the second try, doubled before each further one")
    timeout_seconds: float = Field(30.0, gt=0, le=600,
                                   description="how long one try waits on the mail server or the webhook")

    @model_validator(mode="after")
    def _mail_needs_a_server(self) -> Delivery:
        for index, target in enumerate(self.to):
            if target.is_mail and (self.smtp is None or self.sender is None):
                missing = "smtp: and sender:" if self.smtp is None and self.sender is None else \
                    "smtp:" if self.smtp is None else "sender:"
                raise FieldError(("to", index), f"a mail target needs {missing} under delivery: (the mail server "
                                                 "and the From: address)")
        if self.recipients_file and (self.smtp is None or self.sender is None):
            raise FieldError(("recipients_file",), "mail recipients need smtp: and sender: under delivery:")
        if self.unsubscribe and target_problem(self.unsubscribe):
            raise FieldError(("unsubscribe",), "write mailto:ADDRESS or an https:// page where readers unsubscribe")
        return self


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
    base_url: BaseUrl | None = Field(
        None, description="where reports serve is reached by readers (https://briefings.example.org): the link "
                          "of a weekly too large to attach, and the Atom feed's links; default: none")
    delivery: Delivery = Field(default_factory=Delivery,
                               description="where a week goes once it is built: reports deliver, reports schedule")
    alerts: list[Target] = Field(
        default_factory=list,
        description="who is told when a scheduled week fails to build or to be delivered: mailto:ADDRESS (through "
                    "delivery.smtp) or a webhook")

    @model_validator(mode="after")
    def _alert_mail_needs_a_server(self) -> Settings:
        for index, target in enumerate(self.alerts):
            if target.is_mail and (self.delivery.smtp is None or self.delivery.sender is None):
                raise FieldError(("alerts", index), "a mail alert needs smtp: and sender: under delivery: (the mail "
                                                    "server and the From: address)")
        return self


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
    return read_settings_at(seeds, problems)[0]


def read_settings_at(seeds: Path, problems: Problems) -> tuple[Settings, Positions | None]:
    """The settings and where each value stands in seeds/project.yaml (None without the file): a
    delivery that fails is told at its target's line."""
    path = seeds / SETTINGS_FILE
    if not path.exists() and not path.is_symlink():
        return Settings(), None
    loaded = validate_model(Settings, path, problems, SETTINGS_LIMIT, SHAPE, allow_empty=True)
    return loaded if loaded else (Settings(), None)
