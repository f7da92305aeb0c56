"""Mail: the week's message and an alert as MIME messages, sent over SMTP with Python's smtplib.

The standard library does it all (``email`` composes, ``smtplib`` sends): no dependency for sending.
``smtps://`` speaks TLS from the start; ``smtp://`` upgrades with STARTTLS whenever the server offers
it. The user and password come from REPORTS_SMTP_USER and REPORTS_SMTP_PASSWORD, else from the file
``delivery.credentials_file`` names (USER:PASSWORD on one line), never from seeds/project.yaml; a
password is never sent in clear, except to a server on this machine (a local relay).

A message is accepted when the server answers 250 to its data: ``send`` returns then, and only
then may the caller record it.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from urllib.parse import quote, urlsplit

from reports.content.project import Project
from reports.content.settings import Delivery
from reports.errors import Location, Problem, ReportError
from reports.run.message import SendFailure, WeekMessage

USER_VARIABLE, PASSWORD_VARIABLE = "REPORTS_SMTP_USER", "REPORTS_SMTP_PASSWORD"
LOOPBACK = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    tls: bool  # smtps://: TLS from the start
    user: str | None
    password: str | None = None
    timeout: float = 30.0

    def __str__(self) -> str:
        return f"{'smtps' if self.tls else 'smtp'}://{self.host}:{self.port}"


def mail_server(url: str, delivery: Delivery, project: Project) -> MailServer:
    """The server of ``url`` (smtp:// or smtps://, checked by the settings or by --smtp), with its
    credentials from the environment, else from the credentials file."""
    parts = urlsplit(url)
    tls = parts.scheme == "smtps"
    user, password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    if not (user and password) and delivery.credentials_file:
        user, password = _read_credentials(project, delivery.credentials_file)
    return MailServer(parts.hostname, parts.port or (465 if tls else 587), tls, user or None, password or None,
                      delivery.timeout_seconds)


def _read_credentials(project: Project, name: str) -> tuple[str, str]:
    path = (project.root / name).expanduser()
    where = Location(str(name))
    try:
        line = path.read_text(encoding="utf-8").strip().splitlines()[0]
    except (OSError, UnicodeDecodeError, IndexError) as error:
        reason = getattr(error, "strerror", None) or "empty or not UTF-8"
        raise ReportError(Problem(where, f"cannot read the mail server's credentials ({reason}); the file holds "
                                         "USER:PASSWORD on one line (delivery.credentials_file)")) from None
    user, colon, password = line.partition(":")
    if not colon or not user or not password:
        raise ReportError(Problem(Location(str(name), 1), "write USER:PASSWORD on the first line"))
    return user, password


def sender_domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def _from_header(sender: str) -> Address | str:
    name, address = parseaddr(sender)
    if not name:
        return address
    local, _, domain = address.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


def _unsubscribe(unsubscribe: str | None, sender: str, week: str) -> tuple[str, bool]:
    """The List-Unsubscribe value, and whether it allows RFC 8058's one-click POST (an https:// page)."""
    if unsubscribe and unsubscribe.startswith("https://"):
        return f"<{unsubscribe}>", True
    address = unsubscribe.removeprefix("mailto:") if unsubscribe else parseaddr(sender)[1]
    return f"<mailto:{address}?subject={quote('退订 ' + week)}>", False


def week_mail(message: WeekMessage, sender: str, recipient: str, message_id: str,
              unsubscribe: str | None) -> EmailMessage:
    """The message for one recipient: a subject in Chinese with the week, plain text and HTML, the PDF."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = _from_header(sender)
    mail["To"] = recipient
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = message_id
    value, one_click = _unsubscribe(unsubscribe, sender, message.week)
    mail["List-Unsubscribe"] = value
    if one_click:
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail["Content-Language"] = "zh-Hans"
    mail.set_content(message.text, charset="utf-8")
    mail.add_alternative(message.html, subtype="html", charset="utf-8")
    if message.attached:
        mail.add_attachment(message.pdf, maintype="application", subtype="pdf", filename=message.pdf_name)
    return mail


def alert_mail(subject: str, text: str, sender: str, recipient: str) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = _from_header(sender)
    mail["To"] = recipient
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = f"<alert.{os.urandom(8).hex()}@{sender_domain(sender)}>"
    mail.set_content(text, charset="utf-8")
    return mail


class MailSession:
    """One connection to the server, opened on the first message and reused; closed after a failure,
    so the next try starts afresh."""

    def __init__(self, server: MailServer):
        self.server = server
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> MailSession:  # noqa: PYI034
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        context = ssl.create_default_context()
        if server.tls:
            connection = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout, context=context)
        else:
            connection = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        try:
            connection.ehlo()
            if not server.tls and connection.has_extn("starttls"):
                connection.starttls(context=context)
                connection.ehlo()
            encrypted = server.tls or isinstance(connection.sock, ssl.SSLSocket)
            if server.user and server.password:
                if not encrypted and server.host not in LOOPBACK:
                    raise SendFailure(f"{server} offers no STARTTLS: the password is not sent in clear; use "
                                      "smtps:// or a server that offers STARTTLS", transient=False)
                connection.login(server.user, server.password)
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, mail: EmailMessage) -> str:
        """Send ``mail``; returns once the server has accepted it (its answer, for the record)."""
        try:
            if self.connection is None:
                self.connection = self._connect()
            refused = self.connection.send_message(mail)
        except SendFailure:
            self._drop()
            raise
        except smtplib.SMTPRecipientsRefused as error:
            self._drop()
            code, answer = next(iter(error.recipients.values()))
            raise _refusal(self.server, code, answer) from None
        except smtplib.SMTPResponseException as error:
            self._drop()
            raise _refusal(self.server, error.smtp_code, error.smtp_error) from None
        except ssl.SSLCertVerificationError as error:
            self._drop()
            raise SendFailure(f"{self.server}: its TLS certificate is not trusted ({error.verify_message})",
                              transient=False) from None
        except ConnectionRefusedError:
            self._drop()
            raise SendFailure(f"{self.server} refused the connection (no mail server listening)", True) from None
        except TimeoutError:
            self._drop()
            raise SendFailure(f"{self.server} did not answer within {self.server.timeout:g} s", True) from None
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            raise SendFailure(f"{self.server}: {type(error).__name__}: {error}", True) from None
        if refused:  # a single recipient: refused means an exception above; kept for safety
            raise SendFailure(f"{self.server} refused {', '.join(refused)}", transient=False)
        return f"accepted by {self.server}"

    def _drop(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _refusal(server: MailServer, code: int, answer: bytes | str) -> SendFailure:
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
    # SMTP's 4xx are temporary (try again later), 5xx permanent (RFC 5321, 4.2.1).
    return SendFailure(f"{server} answered {code} {text}".strip(), transient=400 <= code < 500)


def read_recipients(project: Project, name: str) -> tuple[list[tuple[str, Location]], list[Problem]]:
    """The recipients of ``delivery.recipients_file``: one address a line, # starts a comment; each
    with its line, and a problem for every line that is not one address."""
    from reports.content.settings import target_problem

    path = project.root / name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8"
        return [], [Problem(Location(name), f"cannot read the recipients ({reason}); delivery.recipients_file "
                                            "names a file of addresses, one a line")]
    found, problems = [], []
    for number, line in enumerate(lines, 1):
        address = line.partition("#")[0].strip()
        if not address:
            continue
        target = address if address.startswith("mailto:") else f"mailto:{address}"
        problem = target_problem(target)
        if problem:
            problems.append(Problem(Location(name, number, line.index(address) + 1), problem))
        else:
            found.append((target, Location(name, number, line.index(address) + 1)))
    return found, problems
