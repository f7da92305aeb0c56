"""Real servers that receive what reports deliver sends: an SMTP server (aiosmtpd) and an HTTP server
for webhooks, both on loopback, each keeping what it accepted; failures injected by the test."""

from __future__ import annotations

import email
import email.policy
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


@dataclass
class MailInbox:
    """What the SMTP server accepted, and the answers it is told to give to the next messages' DATA."""

    messages: list[EmailMessage] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # e.g. "451 4.3.0 try again later"; popped one per message
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            if self.answers:
                return self.answers.pop(0)
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(message)
        return "250 OK queued"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [message for message in self.messages if message["To"] == address]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.answers.clear()


def start_smtp() -> tuple[Controller, MailInbox]:
    inbox = MailInbox()
    from helpers.servers import loopback_port

    controller = Controller(inbox, hostname="127.0.0.1", port=loopback_port())
    controller.start()
    return controller, inbox


@dataclass
class Hooks:
    """What the webhook server was sent, by path; a path's behaviour is chosen by its first segment:
    /ok/..., /robot/... (answers errcode 0), /robot-error/... (errcode 93000), /status-CODE/...,
    /flaky-N/... (503 for the first N requests, then 200), /slow/... (answers after 3 s),
    /redirect/... (302 to another host)."""

    received: dict[str, list[dict]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self, path: str) -> list[dict]:
        with self.lock:
            return list(self.received.get(path, []))


class HookServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A caller that stopped waiting (the slow hook's, on purpose) is no error of this server's."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def start_hooks() -> tuple[ThreadingHTTPServer, Hooks]:
    hooks = Hooks()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            path = self.path.partition("?")[0]
            kind = path.strip("/").partition("/")[0]
            with hooks.lock:
                hooks.counts[path] = hooks.counts.get(path, 0) + 1
                count = hooks.counts[path]
            if kind == "slow":
                time.sleep(3)
            if kind.startswith("status-"):
                return self.answer(int(kind.removeprefix("status-")), {})
            if kind.startswith("flaky-") and count <= int(kind.removeprefix("flaky-")):
                return self.answer(503, {})
            if kind == "redirect":
                self.send_response(302)
                self.send_header("Location", "https://elsewhere.example.org/hook")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with hooks.lock:
                hooks.received.setdefault(path, []).append(json.loads(body))
            if kind == "robot-error":
                return self.answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
            self.answer(200, {"errcode": 0, "errmsg": "ok"})

        def answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = HookServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, hooks
