"""reports serve: HEAD, requests too large, malformed or with parameters no endpoint takes, slow
and many clients, and redirects, over real sockets.

What plain uvicorn (h11, as ``reports serve`` runs it) did before the limits: a 100 KB URL or
header that arrived in one read was parsed whole and served (404 or 200: no limit at all); the
same request arriving in pieces, as it does over a network, overflowed h11's 16 KiB buffer and got
a text/plain 400 "Invalid HTTP request received." with the connection closed while the client was
still sending (a broken pipe; with 1 MB, a reset). Unknown or repeated query parameters were ignored.

And before issue 26: a client sending one byte a second stayed connected for minutes; half-sent
requests piled up to the file limit, then /healthz stopped answering and every failed accept()
wrote a traceback (thousands a second); a redirect was built from the request's Host header.
"""

from __future__ import annotations

import json
import os
import re
import resource
import select
import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from helpers.projects import write_project
from test_service import Server

pytestmark = pytest.mark.server

MAX_URL, MAX_HEADER, MAX_HEADERS, MAX_HEAD = 2048, 4096, 8192, 16384  # as the README states them
HEAD_TIMEOUT = 2.0  # the module's server: --head-timeout (the default is 10 s)
CAP = 60  # and --max-connections (the default is 1000, or what the file limit leaves)
REPLACE_AFTER = 1.0  # at the cap, a connection waiting this long for its head makes way (docs/commands.md)
QUIET = 2.0  # an incident is counted in the log once nothing new has happened for this long
SLACK = 3.0  # what a loaded machine may add to a deadline the server keeps


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(write_project(tmp_path_factory.mktemp("requests") / "project"), "--workers", "1",
                     "--head-timeout", str(HEAD_TIMEOUT), "--max-connections", str(CAP))
    yield running
    running.stop()


class Raw:
    """A reply read from the socket as sent: status line, headers and the bytes after them."""

    def __init__(self, data: bytes):
        head, _, self.body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}

    def json(self) -> dict:
        assert self.headers["content-type"] == "application/json", self.body[:200]
        assert int(self.headers["content-length"]) == len(self.body)
        return json.loads(self.body)


def raw(port: int, request: bytes, piece: int | None = None) -> Raw:
    """Sends ``request`` (at once, or ``piece`` bytes at a time as a slow network would) and reads to the close.

    Every byte must be sent and the answer read in full: a broken pipe or a reset fails the test.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        for start in range(0, len(request), piece or len(request)):
            connection.sendall(request[start:start + (piece or len(request))])
            if piece:
                time.sleep(0.002)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return Raw(received)


def request(method: str, target: str, *headers: str) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", *headers, "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


# ---------------------------------------------------------------------------------------------
# HEAD.

VARYING = {"date", "x-cache"}  # the time, and whether the body came from the cache


@pytest.mark.parametrize("path", [
    "/handouts/car-x.pdf?paper=a5", "/preview/briefings/car-x.html", "/briefings/car-x.pdf?script=zh-Hant",
    "/weekly/2025-W09.pdf", "/api/classes", "/", "/docs", "/openapi.json",
    "/briefings/car-y.pdf", "/handouts/car-x.pdf?paper=b5", "/weekly/2099-W01.pdf", "/no-such-page",
])
def test_head_answers_like_get_without_a_body(server, path):
    head = raw(server.port, request("HEAD", path))
    assert head.body == b"", head.body[:200]
    get = raw(server.port, request("GET", path))
    assert head.status == get.status != 405
    assert {k: v for k, v in head.headers.items() if k not in VARYING} == \
           {k: v for k, v in get.headers.items() if k not in VARYING}
    assert int(head.headers["content-length"]) == len(get.body) > 0


def test_head_renders_once_for_the_get_that_follows_and_revalidates(server):
    path = "/handouts/car-x.pdf?paper=letter&marks=true"
    head = raw(server.port, request("HEAD", path))
    assert (head.status, head.headers["x-cache"], head.body) == (200, "miss", b"")
    get = server.get(path)
    assert (get.status, get.headers["x-cache"], get.headers["etag"]) == (200, "hit", head.headers["etag"])
    unchanged = raw(server.port, request("HEAD", path, f"If-None-Match: {head.headers['etag']}"))
    assert (unchanged.status, unchanged.headers["etag"], unchanged.body) == (304, head.headers["etag"], b"")
    assert f"HEAD {path} 200 cache=miss" in server.logged()
    assert f"HEAD {path} 304 cache=not-modified" in server.logged()


def test_head_of_the_health_check_and_methods_that_are_not_served(server):
    health = raw(server.port, request("HEAD", "/healthz"))
    assert (health.status, health.headers["content-type"], health.body) == (200, "application/json", b"")
    post = raw(server.port, request("POST", "/healthz", "Content-Length: 0"))
    assert post.status == 405 and post.headers["allow"] == "GET, HEAD"
    assert post.json()["status"] == 405


# ---------------------------------------------------------------------------------------------
# Oversized requests.


@pytest.mark.parametrize("piece", [None, 4096], ids=["at-once", "in-pieces"])
@pytest.mark.parametrize("size", [100_000, 1_000_000], ids=["100KB", "1MB"])
def test_an_oversized_url_is_414_and_an_oversized_header_431_however_it_arrives(server, size, piece):
    if size > 100_000 and piece:
        piece = 65536  # 1 MB in 4 KB pieces would take seconds
    long_url = raw(server.port, request("GET", "/briefings/" + "a" * size + ".pdf"), piece)
    assert long_url.status == 414
    assert long_url.json() == {"status": 414, "error": "Request-URI Too Long", "message": long_url.json()["message"]}
    assert f"at most {MAX_URL}" in long_url.json()["message"]

    long_header = raw(server.port, request("GET", "/healthz", "X-Padding: " + "b" * size), piece)
    assert long_header.status == 431
    assert long_header.json()["error"] == "Request Header Fields Too Large"

    assert server.get("/healthz").status == 200  # and the server goes on


@pytest.mark.parametrize("target, headers, status", [
    ("/healthz?" + "q" * (MAX_URL - len("/healthz?")), [], 422),  # exactly the limit: let through
    ("/healthz?" + "q" * (MAX_URL - len("/healthz?") + 1), [], 414),
    ("/healthz", ["X-One: " + "h" * (MAX_HEADER - len("x-one"))], 200),
    ("/healthz", ["X-One: " + "h" * (MAX_HEADER - len("x-one") + 1)], 431),
    ("/healthz", [f"X-Part-{n}: " + "h" * 900 for n in range(10)], 431),  # each small, together over 8 KB
])
def test_the_limits_are_where_the_readme_says(server, target, headers, status):
    reply = raw(server.port, request("GET", target, *headers))
    assert reply.status == status, reply.body[:300]
    assert reply.json()["status"] == (status if status != 200 else "ok")


def test_a_refused_request_is_logged_with_its_path_cut(server):
    raw(server.port, request("GET", "/preview/" + "z" * 50_000))
    line = next(line for line in server.logged().splitlines() if "/preview/zzzz" in line)
    assert " 414 " in line and len(line) < 400, line


# ---------------------------------------------------------------------------------------------
# Query parameters: only the endpoint's own, each once.


@pytest.mark.parametrize("path, parameter, status", [
    ("/handouts/car-x.pdf?papr=a5", "query.papr", 422),
    ("/handouts/car-x.pdf?paper=a4&paper=a5", "query.paper", 422),
    ("/briefings/car-x.pdf?script=zh-Hans&script=zh-Hant", "query.script", 422),
    ("/healthz?verbose=1", "query.verbose", 422),
    ("/api/classes?x=", "query.x", 422),
    ("/?utm_source=mail", "query.utm_source", 422),
    ("/handouts/car-x.pdf?%ZZ=1", "query.%ZZ", 422),
    ("/handouts/car-x.pdf?paper=" + "a" * 1500, "query.paper", 422),
    ("/handouts/car-x.pdf?paper=" + "a" * 3000, None, 414),
    ("/handouts/car-x.pdf?" + "k" * 3000 + "=1", None, 414),
])
def test_unknown_repeated_or_overlong_query_parameters_are_refused_as_json(server, path, parameter, status):
    reply = server.get(path)
    assert reply.status == status
    body = reply.json()
    assert body["status"] == status
    if parameter:
        assert body["problems"][0]["parameter"] == parameter
        assert body["message"].startswith(f"bad parameters: {parameter}")


def test_the_declared_parameters_still_work(server):
    assert server.get("/handouts/car-x.pdf?paper=a5&marks=false").status == 200
    assert server.get("/briefings/car-x.pdf?script=zh-Hans").status == 200


# ---------------------------------------------------------------------------------------------
# Malformed requests.


@pytest.mark.parametrize("head, message", [
    (b"GET /briefings/\xe7\xbb\x86.pdf HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "the request line has a byte HTTP does not allow"),
    (b"GET /briefings/\x00.pdf HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "the request line has a byte HTTP does not allow"),
    (b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Nul: a\x00b\r\n\r\n", "a header line is not NAME: VALUE"),
    (b"GET /healthz HTTP/1.1\r\n\r\n", "the request has no Host header; HTTP/1.1 requires one"),
    (b"HELLO\r\n\r\n", "the request line is not METHOD URL HTTP/1.1"),
], ids=["non-ASCII-URL", "NUL-in-URL", "NUL-in-header", "no-Host", "not-HTTP"])
def test_a_malformed_request_is_a_400_in_json_saying_which_part_is_wrong(server, head, message):
    reply = raw(server.port, head)
    assert reply.status == 400
    assert reply.json()["message"].startswith(message)
    assert server.get("/healthz").status == 200


def test_a_malformed_request_is_one_line_of_the_request_log_with_its_bytes_encoded(server):
    raw(server.port, b"GET /briefings/\xe7\xbb\x86\x00.pdf HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert "GET /briefings/%E7%BB%86%00.pdf 400 cache=-" in server.logged()
    assert "Invalid HTTP request received" not in server.logged()  # uvicorn's own line, without the request


# ---------------------------------------------------------------------------------------------
# Slow and many clients.


def opened(port: int, sent: bytes = b"") -> socket.socket:
    """A connection that sends ``sent`` (part of a request head, or nothing) and then waits."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=HEAD_TIMEOUT + 2 * SLACK)
    if sent:
        connection.sendall(sent)
    return connection


def read_to_close(connection: socket.socket) -> bytes:
    """What the server sends until it closes the connection (a reset after the answer counts as a close)."""
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    finally:
        connection.close()
    return received


def sockets_of(port: int) -> list[tuple[int, str, int]]:
    """The server's sockets on ``port`` (IPv4 loopback, from /proc/net/tcp): (the client's port, the
    TCP state, the bytes the server has not read yet); the listening socket has client port 0."""
    found = []
    for line in Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]:
        local, remote, state, queues = line.split()[1:5]
        if int(local.split(":")[1], 16) == port:
            found.append((int(remote.split(":")[1], 16), state, int(queues.split(":")[1], 16)))
    return found


def held(port: int) -> dict[int, int]:
    """The connections the server on ``port`` holds open (established, or closed by the client only):
    the client's port -> the bytes not read yet."""
    return {client: unread for client, state, unread in sockets_of(port) if state in ("01", "08")}


def wait_until(condition, what, timeout: float = 10) -> None:
    """Polls ``condition``; ``what`` (or what it returns, then) says what did not happen."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what() if callable(what) else what} within {timeout} s"
        time.sleep(0.01)


def wait_until_read(port: int, connections: list[socket.socket]) -> None:
    """Until the server has accepted each of ``connections`` and read all it sent."""
    ports = [connection.getsockname()[1] for connection in connections]
    wait_until(lambda: all(held(port).get(client) == 0 for client in ports),
               lambda: f"the server accepted and read every connection (its sockets: {sockets_of(port)}; "
                       f"the clients': {ports})")


def log_since(server: Server, start: int, line: str, timeout: float = QUIET + SLACK + 2) -> str:
    """The server's log written since ``start``, once it holds ``line`` (a regular expression)."""
    wait_until(lambda: re.search(line, server.logged()[start:]), f"the log says {line!r}", timeout)
    return server.logged()[start:]


class SlowClient(threading.Thread):
    """Sends a whole, valid request head one byte every ``interval`` seconds, and notes when the server
    answers (the time from the connection) and what."""

    def __init__(self, port: int, head: bytes, interval: float):
        super().__init__(daemon=True)
        self.head, self.interval, self.sent, self.answered_after = head, interval, 0, None
        self.started = time.monotonic()
        self.connection = opened(port)

    def run(self):
        try:
            for byte in self.head:
                self.connection.sendall(bytes([byte]))
                self.sent += 1
                if select.select([self.connection], [], [], self.interval)[0]:
                    break
        except OSError:  # the server closed while a byte was on its way
            pass
        self.answered_after = time.monotonic() - self.started
        self.received = read_to_close(self.connection)


def test_half_sent_requests_do_not_delay_the_health_check_and_are_closed_at_the_head_timeout(server):
    start = len(server.logged())
    started = time.monotonic()
    half_sent = [opened(server.port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n") for _ in range(50)]
    silent = opened(server.port)
    slow = SlowClient(server.port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"s" * 200 + b"\r\n\r\n", 0.05)
    slow.start()  # its whole head would take 12 s
    wait_until_read(server.port, half_sent)
    for _ in range(5):  # while all of them are open
        asked = time.monotonic()
        assert server.get("/healthz", timeout=5).status == 200
        assert time.monotonic() - asked < 0.5
    assert time.monotonic() - started < HEAD_TIMEOUT

    for connection in half_sent:
        reply = Raw(read_to_close(connection))
        assert reply.status == 408
        assert reply.json()["message"] == (f"the request head did not arrive whole within {HEAD_TIMEOUT:g} s; "
                                           "send the request line and headers at once")
        assert HEAD_TIMEOUT - 0.05 < time.monotonic() - started < HEAD_TIMEOUT + SLACK
    assert read_to_close(silent) == b""  # nothing sent: closed without an answer
    slow.join(HEAD_TIMEOUT + SLACK)
    assert Raw(slow.received).status == 408
    assert HEAD_TIMEOUT - 0.05 < slow.answered_after < HEAD_TIMEOUT + SLACK  # though it kept sending
    assert slow.sent < len(slow.head)
    wait_until(lambda: not held(server.port), "the server closed every connection")

    log = log_since(server, start, r"connections closed for a request head not sent within 2 s, in")
    assert log.count("closing connections that send no whole request head within 2 s (--head-timeout)") == 1
    assert "52 connections closed for a request head not sent within 2 s, in " in log  # one line for all
    assert "Traceback" not in log


def test_at_the_connection_cap_a_new_connection_replaces_one_still_waiting_or_else_is_refused(server):
    start = len(server.logged())
    refusals = 0
    # The cap filled by connections that sent part of a head: a newcomer is refused while they have
    # waited under a second, then takes the place of the one that has waited longest.
    opening = time.monotonic()
    waiting = [opened(server.port, b"GET /healthz HTTP/1.1\r\n") for _ in range(CAP)]
    wait_until_read(server.port, waiting)
    while (health := raw(server.port, request("GET", "/healthz"))).status == 503:
        assert health.headers["retry-after"] == "1"
        assert health.json()["message"] == "the server is at its connection limit; ask again in 1 s"
        refusals += 1
        assert time.monotonic() - opening < REPLACE_AFTER + SLACK
        time.sleep(0.05)
    assert health.status == 200 and time.monotonic() - opening >= REPLACE_AFTER
    replaced = Raw(read_to_close(waiting[0]))
    assert replaced.status == 503
    assert replaced.json()["message"].startswith("this connection sent no whole request and the server is at its "
                                                 "connection limit")
    for connection in waiting[1:]:
        connection.close()
    wait_until(lambda: not held(server.port), "the server closed every connection")

    # The cap filled by requests under way (one render, which they share): a newcomer is refused at
    # once, and every request under way gets its document.
    served = [opened(server.port, request("GET", "/briefings/car-x.pdf")) for _ in range(CAP)]
    wait_until_read(server.port, served)
    asked = time.monotonic()
    refused = raw(server.port, request("GET", "/healthz"))
    assert refused.status == 503 and time.monotonic() - asked < SLACK
    refusals += 1
    assert select.select(served, [], [], 0)[0] == [], "the render ended before the newcomer came: pick a slower document"
    replies = [Raw(read_to_close(connection)) for connection in served]
    assert {reply.status for reply in replies} == {200}
    assert len({reply.body for reply in replies}) == 1 and replies[0].body.startswith(b"%PDF-")

    began, ended = f"{CAP} connections are open, the limit (--max-connections)", f"below the connection limit ({CAP}) again"
    wait_until(lambda: 0 < server.logged()[start:].count(began) == server.logged()[start:].count(ended),
               "the log counted each time at the cap when it ended", QUIET + SLACK + 2)
    log = server.logged()[start:]
    counted = re.findall(rf"below the connection limit \({CAP}\) again: (\d+) waiting connections closed for new "
                         r"ones, (\d+) new ones answered 503", log)
    assert [sum(int(replaced) for replaced, _ in counted), sum(int(refused) for _, refused in counted)] == [1, refusals]
    assert "Traceback" not in log


def test_the_connection_cap_is_what_the_file_limit_leaves_room_for_and_the_log_says_so(tmp_path):
    """A file limit of 150: 64 files for the service's own, and 4 for each of the 1 + 8 renders it
    admits (--workers, --queue), leave room for 50 connections."""
    limited = Server(write_project(tmp_path / "project"), "--workers", "1", files=150)
    try:
        connections = limited.get("/healthz").json()["connections"]
        assert (connections["limit"], connections["head_timeout_s"]) == (50, 10.0) and connections["open"] >= 1
        assert ("at most 50 connections: what the file limit (ulimit -n: 150) leaves room for; raise it "
                "(LimitNOFILE= under systemd) for up to 1000") in limited.logged()
    finally:
        limited.stop()


def test_out_of_file_descriptors_the_server_logs_one_line_with_a_count_and_answers_again_once_they_close(server):
    """The server's file limit lowered under it (prlimit) to a few more than it has open: the
    connections it cannot accept wait in the listen queue; asyncio's accept() fails thousands of
    times a second, which the log counts instead of printing each with a traceback."""
    start = len(server.logged())
    pid = server.process.pid
    limit = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (len(os.listdir(f"/proc/{pid}/fd")) + 8, limit[1]))
    try:
        clients = [opened(server.port) for _ in range(16)]  # the kernel completes each connection
        log_since(server, start, r"cannot accept new connections: Too many open files \(the file limit, ulimit -n, "
                                 r"is \d+\); they wait in the listen queue")
        for connection in clients:
            connection.close()
        # Still under the lowered limit: the connections gone, the server accepts and answers again.
        deadline = time.monotonic() + 2 + SLACK
        while True:
            try:
                if server.get("/healthz", timeout=2).status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not answer again"
            time.sleep(0.1)
    finally:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, limit)
    log = log_since(server, start, r"accepting new connections again: accept\(\) failed \d+ times in [\d.]+ s "
                                   r"\(Too many open files\); raise the file limit")
    assert log.count("cannot accept new connections") == 1 and log.count("accepting new connections again") == 1
    assert len(log.splitlines()) < 10, log[:2000]
    assert "Traceback" not in log and "out of system resource" not in log


# ---------------------------------------------------------------------------------------------
# Redirects and every parameter's impossible values.

VALID = {"classes": "car-x", "therapy_class": "car-x", "week": "2025-W09"}  # a value each path parameter accepts


def every_parameter(server) -> list[tuple[str, str, str]]:
    """Each route's path (its parameters filled with VALID) and each parameter, from the OpenAPI schema."""
    schema = server.get("/openapi.json").json()
    found = []
    for path, operations in schema["paths"].items():
        for parameter in operations["get"].get("parameters", []):
            found.append((path, parameter["in"], parameter["name"]))
    return found


def filled(path: str, **values: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda name: values.get(name[1], VALID[name[1]]), path)


def asked(method: str, target: str, host: str, *headers: str) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", *headers, "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


def test_no_redirect_takes_its_host_from_the_request(server):
    schema = server.get("/openapi.json").json()
    paths = [filled(path) for path in schema["paths"]] + ["/docs", "/openapi.json", "/docs/oauth2-redirect"]
    redirects = {f"{path}/": path for path in paths}  # FastAPI's trailing-slash redirects
    redirects |= {"/healthz/?a=1": "/healthz?a=1", "/static-offline-docs": "/static-offline-docs/"}
    for target, location in redirects.items():
        for method in ("GET", "HEAD"):
            reply = raw(server.port, asked(method, target, "evil.example", "X-Forwarded-Host: evil.example",
                                           "X-Forwarded-Proto: javascript"))
            assert (reply.status, reply.headers.get("location")) == (307, location), (method, target)


EDGES = {  # impossible for every parameter of the service, sent as written (percent-encoded where shown)
    "empty": "", "too long": "a" * 301, "non-ASCII": quote("细胞疗法"), "NUL": "%00", "line end": "%0D%0AX-Forged:%201",
    "bad UTF-8": "%FF%FE", "space": "%20car-x", "slash": "car-x%2Fcar-y", "dots": "..", "encoded dots": "%2E%2E",
    "upper case": "CAR-X", "trailing plus": "car-x+", "negative": "-1", "huge": "99999999999999999999",
    "overflow": "1e309", "not a number": "NaN", "week zero": "0000-W00", "last year": "9999-W52",
    "week 53 not ended": "2026-W53", "year 1": "0001-W01", "Arabic-Indic digits": quote("٢٠٢٥-W09"),
}
RAW_EDGES = {"raw non-ASCII": "细胞".encode(), "raw NUL": b"\x00"}  # not even valid HTTP: refused before the app


def test_every_parameter_of_every_route_refuses_its_impossible_values_naming_the_parameter(server):
    start = len(server.logged())
    parameters = every_parameter(server)
    assert {name for _, _, name in parameters} == {"classes", "therapy_class", "week", "script", "paper", "marks"}
    for path, where, name in parameters:
        values = [*EDGES.values(), *RAW_EDGES.values()]
        if where == "query":
            values.append(f"a4&{name}=a4")  # given twice
        for value in values:
            value = value if isinstance(value, bytes) else value.encode()
            target = (filled(path, **{name: "\x01"}) if where == "path" else f"{filled(path)}?{name}=\x01").encode()
            target = target.replace(b"\x01", value)
            reply = raw(server.port, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            body = reply.json()
            assert 400 <= reply.status < 500 and body["status"] == reply.status, (target, reply.status, body)
            if value in RAW_EDGES.values():
                assert reply.status == 400 and body["message"].startswith("the request line has a byte"), (target, body)
            else:
                assert f"{where}.{name}" in [problem["parameter"] for problem in body.get("problems", [])], (target, body)
    log = server.logged()[start:]
    assert "Traceback" not in log
    forged = [line for line in log.splitlines() if not re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d ", line)]
    assert forged == []  # every line the server's own: a line end in a parameter cannot start a line
    pool = server.get("/healthz").json()["pool"]
    assert pool["failed"] == {}, pool
