"""What one HTTP answer means to the fetcher, and its copy for the raw archive.

    2xx ─▶ Page (body read under the size cap)       304 ─▶ NotModified
    3xx with Location ─▶ the URL to go to next       404/410 ─▶ GoneError
    429/5xx ─▶ Transient (retried)                   other ─▶ HTTPStatusError

With a recorder, every answer is handed to it once as a Page: the body of a
redirect or an error is read only then, and only up to ERROR_BODY_CAP. A 2xx
page the caller archives itself (`keep`) is not recorded, so no page is
written twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from harvester.errors import FetchError, GoneError, HTTPStatusError, ResponseTooLarge
from harvester.politeness import FetchSettings
from harvester.types import Page

from .body import Response, read_body, read_prefix
from .gate import Gate
from .retry import RETRY_STATUSES, Transient, parse_retry_after
from .stats import FetchStats
from .urls import redirect_target

# bytes of a redirect's or an error's body kept for the archive; the status is the answer
ERROR_BODY_CAP = 64 * 1024


class Recorder(Protocol):
    """Told every HTTP answer once: url, status, headers, body (decoded) and time as a
    Page; `truncated` is the WARC-Truncated reason when the body is not whole
    ("length", "disconnect", "unspecified")."""

    def __call__(self, response: Page, /, *, truncated: str | None = None) -> None: ...


@dataclass(frozen=True, slots=True)
class NotModified:
    """A 304 answer to a conditional GET: the stored copy is still current."""

    url: str


class Answers:
    """Turns responses into results for one Fetcher (shared by its views)."""

    def __init__(self, settings: FetchSettings, stats: FetchStats, gate: Gate,
                 now: Callable[[], datetime], recorder: Recorder | None) -> None:
        self.settings, self.stats, self.gate, self.now = settings, stats, gate, now
        self.recorder = recorder

    async def __call__(self, resp: Response, url: str, key: str, requested: str, *,
                       keep: bool) -> Page | NotModified | str:
        status = resp.status_code
        if 200 <= status < 300:
            page = await self._page(resp, url, requested)
            if self.recorder is not None and not keep:
                self.recorder(page)
            return page
        if self.recorder is not None:
            # a 304 has no body (RFC 9110 §15.4.5): not even an empty read for it
            body, truncated = ((b"", None) if status == 304
                               else await read_prefix(resp, cap=ERROR_BODY_CAP))
            self.recorder(_as_page(resp, url, requested, body, self.now()), truncated=truncated)
        if status == 304:
            self.stats.not_modified += 1
            return NotModified(requested)
        target = redirect_target(resp)
        if target is not None:
            return target
        if status in (404, 410):
            raise GoneError(f"HTTP {status}", status=status, url=url)
        if status in RETRY_STATUSES:
            wait = parse_retry_after(resp.headers.get("retry-after"), self.now())
            if wait is not None:
                if wait > self.settings.backoff_max:
                    raise HTTPStatusError(
                        f"HTTP {status} with Retry-After {wait:.0f}s, more than backoff_max "
                        f"{self.settings.backoff_max:.0f}s: giving up",
                        status=status,
                        url=url,
                    )
                self.gate.hold_off(key, wait)
            raise Transient("status", url, f"HTTP {status}", status=status, retry_after=wait)
        raise HTTPStatusError(f"HTTP {status}", status=status, url=url)

    async def _page(self, resp: Response, url: str, requested: str) -> Page:
        try:
            body = await read_body(resp, url=url, max_bytes=self.settings.max_bytes)
        except (Transient, FetchError) as exc:
            # still an answer: its status and headers go to the archive, marked cut off
            if self.recorder is not None:
                why = ("length" if isinstance(exc, ResponseTooLarge)
                       else "disconnect" if isinstance(exc, Transient) else "unspecified")
                self.recorder(_as_page(resp, url, requested, b"", self.now()), truncated=why)
            raise
        self.stats.bytes += len(body)
        return _as_page(resp, url, requested, body, self.now())


def _as_page(resp: Response, url: str, requested: str, body: bytes,
             at: datetime) -> Page:
    headers = dict(resp.headers.items())  # lower-case names: httpx's items() and ours
    return Page(url, body, resp.status_code, headers, at, requested)
