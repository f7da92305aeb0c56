"""The service's connections: what is answered before a request reaches the app (``reports serve``).

uvicorn reads HTTP with its h11 protocol and hands each whole request to the app (service.py). What
a client can do before a request exists is decided here, on the connection:

- **A request head must arrive whole within ``head_timeout`` seconds** of the connection (or of the
  previous response, on a connection kept alive). A client that trickles it, or sends part of it
  and waits, is answered 408 and closed; one that sent nothing is closed. uvicorn has no such
  setting: its keep-alive timeout counts the idle time between requests and stops at the first
  byte, so a client sending one byte a second held a connection for minutes (uvicorn issue #157
  asks for a request-start timeout).
- **At most ``max_connections`` connections are open.** At the cap, a new connection takes the
  place of the one that has waited longest for its request head, if that one has waited over
  ``REPLACE_AFTER`` seconds; otherwise the new one is answered 503 with Retry-After. A connection
  with a request under way is never touched. uvicorn's ``limit_concurrency`` answers 503 only once
  a head has arrived, as text, so half-sent requests still piled up to the file limit and then
  /healthz stopped answering. The default cap is what the file limit leaves (``connection_cap``).
- **A head larger than uvicorn buffers** (``h11_max_incomplete_event_size``) is answered 414 or 431,
  and a malformed one 400 naming what is wrong, in JSON like every other error; uvicorn answers
  both with a text 400 and closes while the client may still be sending (it then reads a reset).
- **An accept() that fails for lack of file descriptors** (EMFILE) is logged when it starts and,
  with a count, when it ends: asyncio logs every attempt with a traceback, and retries up to the
  listen backlog per turn of the loop (400,000 tracebacks in 40 s were seen).

All of it is one subclass of uvicorn's h11 protocol (``GuardedH11Protocol``, given to uvicorn as
its ``http`` protocol class, which ``uvicorn.Config`` accepts), because uvicorn offers no hook for a
connection before its first request. It uses uvicorn's set of open connections (to leave out of
a graceful shutdown the connections answered here), its request cycle
(``cycle``: a new one means a whole head arrived), its ``on_response_complete`` and
``send_400_response`` hooks, and the bytes h11 holds (``trailing_data``); each behaviour has a test
over real sockets (tests/run/test_service_requests.py). In production a proxy
in front (nginx: contrib/nginx/reports.conf) is the right place for client timeouts and connection
limits; these are the service's own floor, for when it is reached directly.

What can happen thousands of times a second (a refusal, a timeout, a failed accept) is logged as an
``Incident``: one line when it starts, its count once a minute while it lasts and when it ends.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import re
import resource
import socket
from collections import Counter
from dataclasses import dataclass, field
from http import HTTPStatus

from uvicorn.protocols.http.h11_impl import H11Protocol

from reports.errors import ReportError

log = logging.getLogger("reports.service")

# Request limits, in bytes as sent. Every real URL here is under 200 bytes; browsers send about 1 KB of headers.
MAX_URL = 2048  # path and query string: 414 URI Too Long
MAX_HEADER = 4096  # one header, name and value: 431 Request Header Fields Too Large
MAX_HEADERS = 8192  # all headers together: 431
# What the server buffers of an incomplete request head (h11's own default): a head that does not fit
# is answered here; one that fits reaches the limits of service.py (RequestLimits), which answer first.
MAX_HEAD = 16384
LINGER_SECONDS = 5.0  # after refusing an oversized head: how long what the client still sends is read and dropped
REFUSAL_LINGER_SECONDS = 1.0  # the same after a 408 or 503: the client has sent at most a head
REPLACE_AFTER = 1.0  # at the cap, a connection waiting this long for its head makes way for a new one
LOGGED_TARGET = 200  # characters of a path logged; a longer one is cut and its length given

DEFAULT_MAX_CONNECTIONS = 1000
# Files the service keeps open besides its connections: the listening socket, the event loop, logs,
# a seed file being hashed (64); and per render admitted (--workers + --queue), a worker's pipes or
# a Redis connection (4 each).
FILES_RESERVED = 64
FILES_PER_RENDER = 4

QUIET_SECONDS = 2.0  # an incident with nothing new for this long has ended
REPORT_EVERY_SECONDS = 60.0  # an incident that goes on is counted in the log this often


def connection_cap(requested: int | None, renders: int) -> tuple[int, int]:
    """The connection cap, and how many connections the file limit leaves room for.

    None asks for the default: DEFAULT_MAX_CONNECTIONS, or fewer if the file limit (ulimit -n) is
    lower, so that connections alone never exhaust it. A cap asked for is kept as given.
    """
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    room = (soft if soft != resource.RLIM_INFINITY else 1 << 20) - FILES_RESERVED - FILES_PER_RENDER * renders
    if requested is None:
        return max(1, min(DEFAULT_MAX_CONNECTIONS, room)), room
    return requested, room


# ---------------------------------------------------------------------------------------------
# Answers given before the app: JSON, as the app's own errors are.


def error_body(status: int, message: str, **details) -> dict:
    """Every error the service answers, here or in the app: its status, reason and message as JSON."""
    return {"status": status, "error": HTTPStatus(status).phrase, "message": message, **details}


def json_bytes(status: int, message: str) -> bytes:
    return json.dumps(error_body(status, message), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def response_bytes(status: int, message: str, *headers: str) -> bytes:
    """A whole response, written to the socket as is: there is no request for h11 to answer."""
    body = json_bytes(status, message)
    head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", "content-type: application/json",
            f"content-length: {len(body)}", "connection: close", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def shown_target(target: bytes) -> str:
    """A request target as logged: as sent, any byte but printable ASCII percent-encoded (a forged
    line end or a NUL cannot reach the log), cut with its length past LOGGED_TARGET."""
    text = re.sub(rb"[^\x21-\x7e]", lambda byte: b"%%%02X" % byte.group()[0], target).decode("ascii")
    return text if len(text) <= LOGGED_TARGET else f"{text[:LOGGED_TARGET]}...({len(text)} characters)"


def log_refusal(method: bytes, target: bytes, status: int) -> None:
    """The request log's line (service.py) for a request answered here."""
    log.info("%s %s %d cache=- render_ms=- total_ms=0", shown_target(method[:16]) or "-",
             shown_target(target) or "-", status)


def oversized(pending: bytes) -> tuple[int, str, bytes, bytes]:
    """414 or 431 for a head over MAX_HEAD bytes, with its method and target as far as they came."""
    line, complete, _ = pending.partition(b"\n")
    method, _, rest = line.partition(b" ")
    target = rest.rpartition(b" ")[0] if complete else rest
    if not complete or len(target) > MAX_URL:
        return 414, f"the URL is over {MAX_URL} bytes; this service accepts at most {MAX_URL}", method, target
    return 431, f"the headers are over {MAX_HEAD} bytes; this service accepts at most {MAX_HEADERS}", method, target


PRINTABLE_LINE = re.compile(rb"[\x20-\x7e]*\r?")
HEADER_LINE = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\t\x20-\x7e\x80-\xff]*\r?")


def malformed(head: bytes) -> tuple[str, bytes, bytes]:
    """What is wrong with a head h11 refused (its error quotes the bytes; this names the part), and
    its method and target as far as they can be read."""
    request_line, _, rest = head.partition(b"\n")
    method, _, target = request_line.rstrip(b"\r").partition(b" ")
    target = target.rpartition(b" ")[0] or target
    if not PRINTABLE_LINE.fullmatch(request_line):
        return ("the request line has a byte HTTP does not allow (a control character, or a non-ASCII "
                "character: percent-encode it in the URL, e.g. %E7%BB%86)"), method, target
    if len(request_line.split()) != 3 or not request_line.split()[2].startswith(b"HTTP/1."):
        return "the request line is not METHOD URL HTTP/1.1", method, target
    lines = rest.split(b"\n")
    if any(line.strip(b"\r") and not HEADER_LINE.fullmatch(line) for line in lines):
        return "a header line is not NAME: VALUE (a name of letters, digits and -, a value without control characters)", \
            method, target
    if not any(line.lower().startswith(b"host:") for line in lines):
        return "the request has no Host header; HTTP/1.1 requires one", method, target
    return "the request head is not valid HTTP/1.1 (a header given twice that must be once, or a bad Content-Length)", \
        method, target


# ---------------------------------------------------------------------------------------------
# Counted in the log, not logged one by one.


class Incident:
    """Something that can happen thousands of times a second, logged as a count: a line when it
    starts, its count every REPORT_EVERY_SECONDS while it goes on, and its count when nothing new
    has happened for QUIET_SECONDS."""

    def __init__(self, started: str, ongoing: str, ended: str, kinds: tuple[str, ...] = ()):
        self.started, self.ongoing, self.ended, self.kinds = started, ongoing, ended, kinds
        self.counts: Counter[str] = Counter()
        self.details: dict = {}
        self.began = self.last = self.reported = 0.0
        self.timer: asyncio.TimerHandle | None = None

    def happened(self, kind: str = "", **details) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self.timer is None:
            self.counts.clear()
            self.details = details
            self.began = self.reported = now
            log.warning(self.started.format(**details))
            self.timer = loop.call_later(QUIET_SECONDS, self.check)
        self.counts[kind] += 1
        self.last = now

    def check(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        if now - self.last >= QUIET_SECONDS:
            log.warning(self.ended.format(**self.details, **self.summary(now)))
            self.timer = None
            return
        if now - self.reported >= REPORT_EVERY_SECONDS:
            log.warning(self.ongoing.format(**self.details, **self.summary(now)))
            self.reported = now
        self.timer = loop.call_at(self.last + QUIET_SECONDS, self.check)

    def summary(self, now: float) -> dict:
        return {"count": sum(self.counts.values()), "seconds": now - self.began,
                **{kind: self.counts[kind] for kind in self.kinds}}


@dataclass
class ConnectionLimits:
    """What every connection of one server shares: the limits, the connections waiting for a head
    (oldest first), and the incidents logged as counts."""

    head_timeout: float
    max_connections: int
    open: set = field(default_factory=set)  # the connections counted against the cap (not those answered here)
    waiting: dict = field(default_factory=dict)  # GuardedH11Protocol -> None, in the order they began waiting
    full: Incident = field(init=False)
    slow: Incident = field(init=False)
    accept_failed: Incident = field(init=False)

    def __post_init__(self):
        self.full = Incident(
            "{cap} connections are open, the limit (--max-connections): a new one replaces a connection "
            f"waiting over {REPLACE_AFTER:g} s for its request, or is answered 503",
            "still at the connection limit ({cap}) after {seconds:.0f} s: {replaced} waiting connections "
            "closed for new ones, {refused} new ones answered 503",
            "below the connection limit ({cap}) again: {replaced} waiting connections closed for new ones, "
            "{refused} new ones answered 503, in {seconds:.1f} s", kinds=("replaced", "refused"))
        self.slow = Incident(
            "closing connections that send no whole request head within {timeout:g} s (--head-timeout)",
            "{count} connections closed so far for a request head not sent within {timeout:g} s, in {seconds:.0f} s",
            "{count} connections closed for a request head not sent within {timeout:g} s, in {seconds:.1f} s")
        self.accept_failed = Incident(
            "cannot accept new connections: {error} (the file limit, ulimit -n, is {limit}); they wait in the "
            "listen queue",
            "still cannot accept new connections after {seconds:.0f} s: accept() failed {count} times ({error})",
            "accepting new connections again: accept() failed {count} times in {seconds:.1f} s ({error}); "
            "raise the file limit (ulimit -n, LimitNOFILE=) or lower --max-connections")

    def stats(self) -> dict:
        return {"open": len(self.open), "waiting_for_a_request": len(self.waiting), "limit": self.max_connections,
                "head_timeout_s": self.head_timeout}

    def admit(self, newcomer: GuardedH11Protocol) -> None:
        """A new connection over the cap replaces the longest-waiting one, or is refused."""
        self.open.add(newcomer)
        if len(self.open) <= self.max_connections:
            return
        oldest = next(iter(self.waiting), None)
        if oldest is not None and oldest is not newcomer and \
                newcomer.loop.time() - oldest.waiting_since >= REPLACE_AFTER:
            self.full.happened("replaced", cap=self.max_connections)
            oldest.answer(503, "this connection sent no whole request and the server is at its connection "
                               "limit; send the request at once", quiet=True)
        else:
            self.full.happened("refused", cap=self.max_connections)
            newcomer.answer(503, "the server is at its connection limit; ask again in 1 s", "retry-after: 1")

    def exception_handler(self, loop: asyncio.AbstractEventLoop, context: dict) -> None:
        """The event loop's handler: a failed accept() counted, anything else as asyncio logs it."""
        error = context.get("exception")
        if "socket" in context and isinstance(error, OSError) and \
                error.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
            self.accept_failed.happened(error=error.strerror or error,
                                        limit=resource.getrlimit(resource.RLIMIT_NOFILE)[0])
            return
        loop.default_exception_handler(context)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request head, a cap on connections, and JSON
    answers to heads too large or malformed (see the module's docstring for why each is needed)."""

    limits: ConnectionLimits  # set on the subclass made by protocol_class()
    waiting_since: float | None = None  # when this connection began waiting for a request head; None while one is served
    waiting_after = None  # uvicorn's request cycle when the wait began: a new one is a new request, whose head has come
    deadline: asyncio.TimerHandle | None = None
    head = b""  # what has arrived of the head waited for (up to MAX_HEAD bytes): a malformed one is described from it
    refused = False

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self.start_waiting()
        self.limits.admit(self)

    def connection_lost(self, exc) -> None:
        self.stop_waiting()
        self.limits.open.discard(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.refused:  # answered here: what the client still sends is dropped unread
            return
        if self.waiting_since is not None and len(self.head) <= MAX_HEAD:
            self.head += data[:MAX_HEAD + 1 - len(self.head)]
        super().data_received(data)
        if self.waiting_since is not None and self.cycle is not self.waiting_after:
            self.stop_waiting()  # a whole head arrived: uvicorn began a request

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Kept alive, and no next request already begun (pipelined): the next head has its own deadline.
        # Not "h11 is idle": a client still sending a body nobody reads (h11: SEND_BODY) must send its
        # next request in time too, or a body sent a byte a second would hold the connection for good.
        if not self.refused and not self.transport.is_closing() and self.cycle.response_complete:
            self.start_waiting()

    def start_waiting(self) -> None:
        self.stop_waiting()
        self.waiting_since = self.loop.time()
        self.waiting_after = self.cycle
        self.head = bytes(self.conn.trailing_data[0][:MAX_HEAD + 1])
        self.limits.waiting[self] = None
        self.deadline = self.loop.call_at(self.waiting_since + self.limits.head_timeout, self.head_timed_out)

    def stop_waiting(self) -> None:
        self.waiting_since = None
        self.limits.waiting.pop(self, None)
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def head_timed_out(self) -> None:
        self.deadline = None
        if self.waiting_since is None or self.cycle is not self.waiting_after or self.transport.is_closing():
            return  # a request is under way after all
        timeout = self.limits.head_timeout
        self.limits.slow.happened(timeout=timeout)
        self.answer(408, f"the request head did not arrive whole within {timeout:g} s; send the request line "
                         "and headers at once", quiet=True)

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a head h11 cannot read, given in JSON: 414 or 431 for one larger than is
        buffered, else 400 naming the part that is wrong."""
        pending, _ = self.conn.trailing_data
        if len(pending) > MAX_HEAD:
            status, message, method, target = oversized(bytes(pending))
            linger = LINGER_SECONDS  # the client may still be sending a large head: let it finish and read the answer
        else:
            status = 400
            message, method, target = malformed(self.head)
            linger = REFUSAL_LINGER_SECONDS
        log_refusal(method, target, status)
        self.answer(status, message, linger=linger)

    def answer(self, status: int, message: str, *headers: str, quiet: bool = False,
               linger: float = REFUSAL_LINGER_SECONDS) -> None:
        """Answers in place of the app and closes. ``quiet``: a connection that has sent nothing of its
        head is closed without an answer (an idle browser connection would take it for the answer to
        its next request). The server stops writing (FIN), then reads and drops what the client still
        sends for ``linger`` seconds, so that the client reads the answer rather than a reset."""
        self.stop_waiting()
        self.refused = True
        self.limits.open.discard(self)  # no longer counted against the cap,
        self.connections.discard(self)  # nor waited for by uvicorn at shutdown
        if quiet and not self.head and not self.conn.trailing_data[0]:
            self.transport.close()
            return
        self.transport.write(response_bytes(status, message, *headers))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(linger, self.transport.close)


def protocol_class(limits: ConnectionLimits) -> type[GuardedH11Protocol]:
    """The protocol class for one server: uvicorn makes one instance per connection, with its own arguments."""
    return type("ServiceH11Protocol", (GuardedH11Protocol,), {"limits": limits})


def listening_socket(host: str, port: int) -> socket.socket:
    """The address bound before the server starts, so that a port in use (or an address that is not
    this machine's) is a one-line error before anything is loaded, not uvicorn's log line and exit 3."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, protocol, _, address = infos[0]
    listening = socket.socket(family, kind, protocol)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: a restart reuses the port
    try:
        listening.bind(address)
    except OSError as error:
        listening.close()
        advice = ("another server listens there; stop it or choose another port with --port"
                  if error.errno == errno.EADDRINUSE else "choose another address with --host or port with --port")
        raise ReportError(f"cannot listen on {host}:{port}: {error.strerror}; {advice}") from None
    listening.set_inheritable(True)
    return listening
