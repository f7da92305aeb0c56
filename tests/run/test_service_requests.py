"""reports serve: HEAD, and requests too large or with parameters no endpoint takes, over real sockets.

What plain uvicorn (h11, as ``reports serve`` runs it) did before the limits: a 100 KB URL or
header that arrived in one read was parsed whole and served (404 or 200: no limit at all); the
same request arriving in pieces, as it does over a network, overflowed h11's 16 KiB buffer and got
a text/plain 400 "Invalid HTTP request received." with the connection closed while the client was
still sending (a broken pipe; with 1 MB, a reset). Unknown or repeated query parameters were ignored.
"""

from __future__ import annotations

import json
import socket
import time

import pytest
from helpers.projects import write_project
from test_service import Server

pytestmark = pytest.mark.server

MAX_URL, MAX_HEADER, MAX_HEADERS, MAX_HEAD = 2048, 4096, 8192, 16384  # as the README states them


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(write_project(tmp_path_factory.mktemp("requests") / "project"), "--workers", "1")
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
