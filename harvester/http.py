"""Fetching pages politely: one async httpx client per run, per-host limits, robots, retries.

    Fetcher.fetch(url)
      ├── UnsafeURL                     anything but http(s)
      ├── robots.txt (cached per origin) ─▶ RobotsDisallowed, never requested
      └── tenacity: attempt ─▶ redirects (each hop: address, robots, gate, GET)
            ├── UnsafeURL  a private address (unless allowed), a redirect off the site
            ├── 2xx  ─▶ Page (body read under the size cap)
            ├── 304  ─▶ NotModified
            ├── 404/410 ─▶ GoneError          other 4xx ─▶ HTTPStatusError
            └── 429/5xx, timeouts, resets, short bodies ─▶ retried, then
                HTTPStatusError / NetworkError / TruncatedBody

Waits (backoff, Retry-After, per-host delay) go through the injected `sleep`
and `clock`, so tests assert the schedule without sleeping. Every retry is
counted by what failed (`stats.retried`, and the caller's `on_retry`).
"""

from __future__ import annotations

import asyncio
import functools
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

import aiohttp
import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from harvester._fetch.body import read_body
from harvester._fetch.client import make_client
from harvester._fetch.gate import HostGate
from harvester._fetch.netsafety import AddressGuard, Resolver, redirect_allowed, system_resolve
from harvester._fetch.retry import (
    RETRY_STATUSES,
    Transient,
    backoff,
    parse_retry_after,
    transport_fault,
)
from harvester._fetch.robots import RobotsCache
from harvester._fetch.stats import FetchStats
from harvester.errors import (
    GoneError,
    HTTPStatusError,
    NetworkError,
    RobotsDisallowed,
    TooManyRedirects,
    UnsafeURL,
)
from harvester.politeness import FetchSettings, Politeness
from harvester.types import Page

__all__ = ["FetchStats", "Fetcher", "NotModified", "OnRetry", "make_client"]

# Told the fault kind ("http-503", "timeout", "connection", "truncated", ...) of each retry.
OnRetry = Callable[[str], None]

_DEFAULT_POLITENESS = Politeness()
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PORTS = {"http": 80, "https": 443}
_RETRYABLE_TRANSPORT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True, slots=True)
class NotModified:
    """A 304 answer to a conditional GET: the stored copy is still current."""

    url: str


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _split(url: str) -> tuple[str, str]:
    """(origin, host key) of an http(s) URL, or UnsafeURL."""
    origin, key, _ = _parse(url)
    return origin, key


@functools.lru_cache(maxsize=4096)
def _parse(url: str) -> tuple[str, str, httpx.URL]:
    """(origin, host key, parsed URL), or UnsafeURL. Cached: a request parsed its URL
    three times (check, gate key, client), ~30 µs each; httpx.URL is immutable."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise UnsafeURL(f"not a valid URL: {exc}", url=url) from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UnsafeURL("only http and https URLs with a host are fetched", url=url)
    netloc = parsed.netloc.decode("ascii")
    return f"{parsed.scheme}://{netloc}", netloc, parsed


def _check_redirect(url: str, target: str, politeness: Politeness) -> None:
    """UnsafeURL when a redirect from `url` leaves its site for a host not in allow_hosts."""
    if politeness.allow_hosts is None:
        return
    origin, there = httpx.URL(url).host, httpx.URL(target).host
    if not redirect_allowed(origin, there, politeness.allow_hosts):
        raise UnsafeURL(
            f"redirect to {target} leaves {origin} for a host not in allow_hosts", url=url
        )


class Fetcher:
    """Fetches URLs for one run. Use as `async with Fetcher(settings) as f:`."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utcnow,
        rng: random.Random | None = None,
        resolve: Resolver = system_resolve,
    ) -> None:
        self._settings = settings
        self._client = client
        self._owns_client = client is None
        self._sleep = sleep
        self._now = now
        self._rng = rng or random.Random()
        self._gate = HostGate(clock=clock, sleep=sleep)
        self._robots = RobotsCache()
        self._guard = AddressGuard(resolve=resolve, clock=clock)
        self.stats = FetchStats()

    async def __aenter__(self) -> Fetcher:
        self._http()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = make_client(self._settings)
        return self._client

    async def fetch(
        self,
        url: str,
        *,
        politeness: Politeness = _DEFAULT_POLITENESS,
        etag: str | None = None,
        last_modified: str | None = None,
        on_retry: OnRetry | None = None,
    ) -> Page | NotModified:
        """`on_retry` is told the fault of each retry of this URL (a source's own counter)."""
        _split(url)
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._with_retries(url, politeness, headers, check_robots=True,
                                        on_retry=on_retry)

    async def allowed(self, url: str, politeness: Politeness) -> bool:
        """Whether robots.txt lets us fetch `url` (loading it on first use of the origin)."""
        if not politeness.obey_robots:
            return True
        origin, _ = _split(url)

        async def load(robots_url: str) -> bytes:
            page = await self._with_retries(robots_url, politeness, {}, check_robots=False)
            return page.body if isinstance(page, Page) else b""

        rules = await self._robots.rules(origin, load)
        return rules.can_fetch(url, self._settings.user_agent)

    async def _with_retries(
        self, url: str, politeness: Politeness, headers: dict[str, str], *, check_robots: bool,
        on_retry: OnRetry | None = None,
    ) -> Page | NotModified:
        # Most requests succeed at once: tenacity (~40 µs to set up) only after a failure.
        try:
            return await self._follow(url, politeness, headers, check_robots)
        except Transient as exc:
            first: Transient | None = exc
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._settings.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(Transient),
            sleep=self._sleep,
            before_sleep=functools.partial(self._count_retry, on_retry),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    if first is not None:
                        # replay the first attempt's failure so that tenacity counts,
                        # waits and stops exactly as if it had made that attempt
                        failed, first = first, None
                        raise failed
                    return await self._follow(url, politeness, headers, check_robots)
        except Transient as exc:
            raise exc.final(self._settings.max_retries + 1) from exc
        raise AssertionError("tenacity ended without a result")  # pragma: no cover

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Transient) and exc.retry_after is not None:
            return exc.retry_after
        s = self._settings
        return backoff(state.attempt_number, base=s.backoff_base, cap=s.backoff_max, rng=self._rng)

    def _count_retry(self, on_retry: OnRetry | None, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        fault = exc.fault if isinstance(exc, Transient) else "other"
        self.stats.retries += 1
        self.stats.retried[fault] += 1
        if on_retry is not None:
            on_retry(fault)

    async def _follow(
        self, url: str, politeness: Politeness, headers: dict[str, str], check_robots: bool
    ) -> Page | NotModified:
        current, seen = url, {url}
        for _ in range(self._settings.max_redirects + 1):
            if not politeness.allow_private:
                # before robots.txt, so a refused host reads as unsafe, not as disallowed
                target = _parse(current)[2]
                await self._guard.check(current, target.host, target.port or _PORTS[target.scheme])
            if check_robots and not await self.allowed(current, politeness):
                self.stats.robots_refused += 1
                raise RobotsDisallowed("robots.txt disallows this URL", url=current)
            result = await self._request(current, politeness, headers, requested=url)
            if not isinstance(result, str):
                return result
            if result in seen:
                raise TooManyRedirects(f"redirect loop back to {result}", url=url)
            _check_redirect(url, result, politeness)
            seen.add(result)
            current = result
        raise TooManyRedirects(f"more than {self._settings.max_redirects} redirects", url=url)

    async def _request(
        self, url: str, politeness: Politeness, headers: dict[str, str], *, requested: str
    ) -> Page | NotModified | str:
        """One GET: a Page, NotModified, or the absolute URL a redirect points to."""
        origin, key, parsed = _parse(url)
        delay = politeness.delay
        rules = self._robots.peek(origin) if politeness.obey_robots else None
        crawl_delay = rules.crawl_delay(self._settings.user_agent) if rules else None
        if crawl_delay is not None:
            delay = max(delay, crawl_delay)
        async with self._gate.slot(key, concurrency=politeness.concurrency, delay=delay):
            self.stats.requests += 1
            try:
                async with self._http().stream("GET", parsed, headers=headers) as resp:
                    self.stats.by_status[resp.status_code] += 1
                    return await self._answer(resp, url, key, requested)
            except _RETRYABLE_TRANSPORT as exc:
                raise Transient("network", url, f"{type(exc).__name__}: {exc}",
                                fault=transport_fault(exc)) from exc
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise Transient("network", url, f"{type(exc).__name__}: {exc}",
                                fault=transport_fault(exc)) from exc
            except httpx.TransportError as exc:
                raise NetworkError(f"{type(exc).__name__}: {exc}", url=url) from exc

    async def _answer(
        self, resp: httpx.Response, url: str, key: str, requested: str
    ) -> Page | NotModified | str:
        status = resp.status_code
        if 200 <= status < 300:
            body = await read_body(resp, url=url, max_bytes=self._settings.max_bytes)
            self.stats.bytes += len(body)
            headers = {k.lower(): v for k, v in resp.headers.items()}
            return Page(url, body, status, headers, self._now(), requested)
        if status == 304:
            self.stats.not_modified += 1
            return NotModified(requested)
        location = resp.headers.get("location")
        if status in _REDIRECTS and location:
            target = str(resp.url.join(location.strip()).copy_with(fragment=None))
            _split(target)
            return target
        if status in (404, 410):
            raise GoneError(f"HTTP {status}", status=status, url=url)
        if status in RETRY_STATUSES:
            wait = parse_retry_after(resp.headers.get("retry-after"), self._now())
            if wait is not None:
                if wait > self._settings.backoff_max:
                    raise HTTPStatusError(
                        f"HTTP {status} with Retry-After {wait:.0f}s, more than backoff_max "
                        f"{self._settings.backoff_max:.0f}s: giving up",
                        status=status,
                        url=url,
                    )
                self._gate.hold_off(key, wait)
            raise Transient("status", url, f"HTTP {status}", status=status, retry_after=wait)
        raise HTTPStatusError(f"HTTP {status}", status=status, url=url)
