"""SampleSite: the sample Pure portal served on 127.0.0.1 for tests, the demo and benchmarks.

A ThreadingHTTPServer on an ephemeral port in a daemon thread. Pages carry a strong
ETag (sha256 of the body) and a Last-Modified, and answer conditional GETs with 304.
Tests can change or remove pages and script failures (e.g. 503 + Retry-After), and
faults below HTTP (`misbehave_next`: a dropped connection, a truncated body, a slow
answer, a redirect loop).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import formatdate
from http.server import ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from . import documents
from .handler import handler_for
from .records import SAMPLE_RECORDS, synthetic_records
from .render import render_page
from .stored import FAULTS, Failure, Fault, StoredPage, byline, not_modified, stored_page

__all__ = ["FAULTS", "HTML", "SampleSite"]

HTML = "text/html; charset=utf-8"
_PAGE = re.compile(r"^/en/publications/([^/?]+)(/?)$")


class SampleSite:
    """Context manager: `with SampleSite() as site: httpx.get(site.base_url + "/sitemap.xml")`.

    `requests` logs (method, path-with-query) of every request, in arrival order.
    """

    def __init__(self, *, pages: Mapping[str, str] | None = None, robots: str | None = None,
                 per_page: int = 5, synthetic: int = 0, port: int = 0) -> None:
        if per_page < 1:
            raise ValueError("per_page must be at least 1")
        self._lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []
        self.per_page = per_page
        self._failures: dict[str, Failure] = {}
        self._faults: dict[str, Fault] = {}
        # (fault, path) of every request answered by misbehave_next, in arrival order
        self.faults: list[tuple[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(self))
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.robots = (robots if robots is not None
                       else documents.DEFAULT_ROBOTS.format(base_url=self.base_url))
        self._started = float(int(time.time()))
        self._pages: dict[str, StoredPage] = {}
        self._lastmod: dict[str, str] = {}
        self._bylines: dict[str, str] = {}
        if pages is None:
            records = [*SAMPLE_RECORDS.values(), *synthetic_records(synthetic, seed=0)]
            for rec in records:
                html = render_page(rec, self.base_url)
                self._pages[rec["slug"]] = stored_page(html, self._started, rec["rel"])
                self._lastmod[rec["slug"]] = rec["lastmod"]
                self._bylines[rec["slug"]] = byline(rec)
        else:
            self._pages = {slug: stored_page(html, self._started) for slug, html in pages.items()}
        self._gone: set[str] = set()
        self._thread: threading.Thread | None = None

    # lifecycle ---------------------------------------------------------------------------
    def start(self) -> SampleSite:
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            kwargs={"poll_interval": 0.05}, daemon=True,
                                            name=f"sample-site-{self.base_url}")
            self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> SampleSite:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # scripting ---------------------------------------------------------------------------
    @property
    def slugs(self) -> list[str]:
        with self._lock:
            return list(self._pages)

    def url_for(self, slug: str) -> str:
        return documents.page_url(self.base_url, slug)

    def set_page(self, slug: str, html: str) -> None:
        """Add or change a page; it gets a new ETag and a strictly later Last-Modified."""
        with self._lock:
            old = self._pages.get(slug)
            modified = float(int(time.time()))
            if old is not None:
                modified = max(modified, old.modified + 1)
            rel = old.rel if old else "ContributionToJournal"
            self._pages[slug] = stored_page(html, modified, rel)
            self._lastmod[slug] = datetime.fromtimestamp(modified, UTC).date().isoformat()
            self._gone.discard(slug)

    def remove(self, slug: str) -> None:
        """The page answers 410 from now on and leaves the listing and the sitemaps."""
        with self._lock:
            self._pages.pop(slug, None)
            self._gone.add(slug)

    def fail_next(self, path: str, status: int, headers: Mapping[str, str] | None = None,
                  times: int = 1) -> None:
        """The next `times` requests for `path` (with or without its query) get `status`."""
        with self._lock:
            self._failures[path] = Failure(status, dict(headers or {}), times)

    def misbehave_next(self, path: str, fault: str, *, seconds: float = 0.0,
                       times: int = 1) -> None:
        """The next `times` GETs of `path` (exactly as requested) misbehave:
        "drop" hangs up without an answer; "truncate" announces the whole page but sends
        half of it; "slow" waits `seconds` before answering; "loop" redirects to itself."""
        if fault not in FAULTS:
            raise ValueError(f"fault must be one of {sorted(FAULTS)}")
        with self._lock:
            self._faults[path] = Fault(fault, seconds, times)

    # serving (called from handler threads) ---------------------------------------------
    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            f = self._faults.get(path)
            if f is None:
                return None
            f.times -= 1
            if f.times <= 0:
                del self._faults[path]
            self.faults.append((f.kind, path))
            return f

    def _log(self, method: str, path: str) -> None:
        with self._lock:
            self.requests.append((method, path))

    def _take_failure(self, raw_path: str, path: str) -> Failure | None:
        with self._lock:
            for key in (raw_path, path):
                f = self._failures.get(key)
                if f is not None:
                    f.times -= 1
                    if f.times <= 0:
                        del self._failures[key]
                    return f
        return None

    def _entries(self) -> list[documents.Entry]:
        with self._lock:
            today = datetime.fromtimestamp(self._started, UTC).date().isoformat()
            return [documents.Entry(slug, p.title, p.rel, self._lastmod.get(slug, today),
                                    self._bylines.get(slug, ""))
                    for slug, p in self._pages.items()]

    def _respond(self, raw_path: str, headers: Mapping[str, str]
                 ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(raw_path)
        path = parts.path
        failure = self._take_failure(raw_path, path)
        if failure is not None:
            return failure.status, {"Content-Type": "text/plain", **failure.headers}, (
                f"scripted failure {failure.status}\n".encode())
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain; charset=utf-8"}, self.robots.encode()
        entries = self._entries()
        first, second = documents.split_for_sitemaps(entries)
        newest = max((e.lastmod for e in entries), default="2026-01-01")
        xml = {"Content-Type": "application/xml; charset=utf-8"}
        if path == "/sitemap.xml":
            return 200, xml, documents.sitemap_index(self.base_url, newest)
        if path == "/sitemap-1.xml":
            return 200, xml, documents.urlset(self.base_url, first)
        if path == "/sitemap-2.xml.gz":
            return 200, {"Content-Type": "application/gzip"}, documents.urlset(
                self.base_url, second, gz=True)
        if path == "/en/publications/":
            page = parse_qs(parts.query).get("page", ["0"])[0]
            if not page.isdigit():
                return 404, {"Content-Type": HTML}, b"<h1>Not found</h1>"
            html = documents.listing_page(self.base_url, entries, int(page), self.per_page)
            return 200, {"Content-Type": HTML}, html.encode("utf-8")
        if path.startswith("/en/private/") and len(path) > len("/en/private/"):
            return 200, {"Content-Type": HTML}, b"<html><body><h1>Internal</h1></body></html>"
        m = _PAGE.match(path)
        if m:
            return self._research_output(m.group(1), bool(m.group(2)), headers)
        return 404, {"Content-Type": HTML}, b"<html><body><h1>Not found</h1></body></html>"

    def _research_output(self, slug: str, slash: bool, headers: Mapping[str, str]
                         ) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            page = self._pages.get(slug)
            gone = slug in self._gone
        if page is None:
            status = 410 if gone else 404
            return status, {"Content-Type": HTML}, b"<html><body><h1>Gone</h1></body></html>"
        if not slash:
            return 301, {"Location": documents.page_url(self.base_url, slug)}, b""
        meta = {"ETag": page.etag, "Last-Modified": formatdate(page.modified, usegmt=True)}
        if not_modified(page, headers):
            return 304, meta, b""
        return 200, {"Content-Type": HTML, **meta}, page.body
