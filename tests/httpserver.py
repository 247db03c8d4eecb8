"""A tiny scripted HTTP server on 127.0.0.1 for tests of network code, plus fake time.

    with ScriptedServer() as srv:
        srv.route("/robots.txt", Reply(404))
        srv.route("/flaky", Reply(503, headers={"Retry-After": "0"}), Reply(200, b"ok"))
        ... fetch srv.url("/flaky") ...
        assert srv.paths() == ["/robots.txt", "/flaky", "/flaky"]

A route holds one reply (repeated), several (used in turn, the last repeated),
or a function of the Request. Unknown paths answer 404. The server records
every request and the highest number it was handling at once.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import httpx

from harvester.http import Fetcher
from harvester.politeness import FetchSettings


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # hold the request this long before answering
    content_length: int | None = None  # announce this instead of len(body): a short body
    close: bool = False  # close the connection after answering


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    started: float  # time.monotonic() when the request line arrived


Responder = Callable[[Request], Reply]


class ScriptedServer:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.max_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        self._routes: dict[str, Responder] = {}
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, *replies: Reply | Responder) -> None:
        if len(replies) == 1 and callable(replies[0]):
            self._routes[path] = replies[0]
            return
        queue = [r for r in replies if isinstance(r, Reply)]
        if len(queue) != len(replies) or not queue:
            raise ValueError("route() takes one function or one or more Reply values")

        def next_reply(_: Request) -> Reply:
            with self._lock:
                return queue.pop(0) if len(queue) > 1 else queue[0]

        self._routes[path] = next_reply

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _answer(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            responder = self._routes.get(request.path) or self._routes.get(
                request.path.split("?", 1)[0]
            )
            reply = responder(request) if responder else Reply(404, b"not found")
            if reply.delay:
                time.sleep(reply.delay)
            return reply
        finally:
            with self._lock:
                self._in_flight -= 1


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up early (size cap, truncation tests) are expected here


def _handler_for(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body leave at once, no 40 ms ACK wait

        def do_GET(self) -> None:
            request = Request(
                "GET", self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic()
            )
            reply = server._answer(request)
            self.send_response(reply.status)
            length = reply.content_length if reply.content_length is not None else len(reply.body)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(length))
            if reply.close or reply.content_length is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            try:
                self.wfile.write(reply.body)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first (size cap): that is its right
            if reply.close or reply.content_length is not None:
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass  # the request log lives in ScriptedServer.requests

    return Handler


class FakeTime:
    """A clock that only moves when something sleeps: pass `clock` and `sleep` to a Fetcher.

    Sleeping returns at once, so for concurrent tasks the moved clock is shared
    and misleading: use `advance=False` there and assert on `sleeps`.
    """

    def __init__(self, start: float = 1000.0, *, advance: bool = True) -> None:
        self.now = start
        self.advance = advance
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.advance:
            self.now += seconds


MockHandler = Callable[[httpx.Request], httpx.Response]


def scripted(*answers: httpx.Response | Exception) -> tuple[MockHandler, list[httpx.Request]]:
    """A MockTransport handler giving `answers` in turn (the last repeats) and its request log."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers[min(len(seen), len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, seen


class EdgeRng(random.Random):
    """uniform() returns its lower or upper bound, pinning backoff jitter in tests."""

    def __init__(self, top: bool = True) -> None:
        super().__init__(0)
        self.top = top

    def uniform(self, a: float, b: float) -> float:
        return b if self.top else a


MOCK_NOW = datetime(2024, 1, 1, 0, 0, 0, tzinfo=UTC)


def mock_fetcher(
    handler: MockHandler,
    fake: FakeTime,
    *,
    rng: random.Random | None = None,
    now: datetime = MOCK_NOW,
    **settings: Any,
) -> Fetcher:
    """A Fetcher over httpx.MockTransport and fake time (such a client holds no sockets)."""
    return Fetcher(
        FetchSettings(**settings),
        client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        sleep=fake.sleep,
        clock=fake.clock,
        now=lambda: now,
        rng=rng or EdgeRng(),
    )
