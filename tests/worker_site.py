"""A loopback site of Pure-like pages for worker tests: every request logged, the most
requests in flight at once measured, each page answered after `hold` seconds so that
requests that overlap really do overlap at the server.

    with PageSite(1000, hold=0.004) as site:
        site.base_url, site.page_paths, site.page_counts(), site.max_in_flight
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from pipelines.sample_site import render_page, synthetic_records

ROBOTS = b"User-agent: *\nAllow: /\n"


class PageSite:
    def __init__(self, pages: int, *, hold: float = 0.0, seed: int = 0) -> None:
        self.hold = hold
        self.max_in_flight = 0
        self.requests: list[str] = []
        self.starts: list[tuple[float, str]] = []  # (time.monotonic(), path) on arrival
        self._in_flight = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.pages: dict[str, bytes] = {
            f"/en/publications/{r['slug']}/": render_page(r, self.base_url).encode()
            for r in synthetic_records(pages, seed=seed)}
        locs = "".join(f"<url><loc>{self.base_url}{p}</loc></url>" for p in self.pages)
        self.sitemap = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                        f'"http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>').encode()
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def page_paths(self) -> list[str]:
        return list(self.pages)

    def page_counts(self) -> Counter[str]:
        """How often each page was requested (robots.txt and the sitemap left out)."""
        with self._lock:
            return Counter(p for p in self.requests if p in self.pages)

    def __enter__(self) -> PageSite:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def answer(self, path: str) -> tuple[int, str, bytes]:
        with self._lock:
            self.requests.append(path)
            self.starts.append((time.monotonic(), path))
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            if path == "/robots.txt":
                return 200, "text/plain", ROBOTS
            if path == "/sitemap.xml":
                return 200, "application/xml", self.sitemap
            body = self.pages.get(path)
            if body is None:
                return 404, "text/plain", b"not found"
            if self.hold:
                time.sleep(self.hold)
            return 200, "text/html; charset=utf-8", body
        finally:
            with self._lock:
                self._in_flight -= 1


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a worker killed mid-request hangs up: expected here


def _handler_for(site: PageSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body leave at once, no 40 ms ACK wait

        def do_GET(self) -> None:
            status, kind, body = site.answer(self.path)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)  # a killed worker hung up

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
