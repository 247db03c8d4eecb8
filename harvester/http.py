"""Fetching pages politely: one client per run, per-host limits, robots, retries.

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

A `recorder` (the run's raw archive) is told every answer once: robots.txt,
redirect hops, 304s, errors, each retried attempt (harvester/_fetch/answer.py).
`keeping_pages()` is a view for a caller that archives the 2xx pages it gets
itself. The run's own requests go over our own HTTP/1.1 connections
(harvester/_fetch/wire.py; `transport: aiohttp` for an aiohttp session instead);
an injected httpx client is used through httpx (harvester/_fetch/send.py). Both
connect only to addresses the guard accepted (harvester/_fetch/resolver.py), so
DNS rebinding cannot slip past the check.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

import httpx

from harvester._fetch.answer import Answers, NotModified, Recorder
from harvester._fetch.client import make_client
from harvester._fetch.gate import Gate, HostGate
from harvester._fetch.netsafety import AddressGuard, Resolver, host_key, system_resolve
from harvester._fetch.resolver import CheckedResolver
from harvester._fetch.retry import Transient, aiohttp_errors, retrying, transport_fault
from harvester._fetch.robots import RobotsCache
from harvester._fetch.send import ClientSender, Sender, open_sender
from harvester._fetch.stats import FetchStats
from harvester._fetch.urls import PORTS, check_redirect, parse_url, split_url
from harvester.errors import NetworkError, RobotsDisallowed, TooManyRedirects
from harvester.politeness import FetchSettings, Politeness
from harvester.types import Page

__all__ = ["FetchStats", "Fetcher", "NotModified", "OnRetry", "Recorder", "make_client"]

# Told the fault kind ("http-503", "timeout", "connection", "truncated", ...) of each retry.
OnRetry = Callable[[str], None]

_DEFAULT_POLITENESS = Politeness()
_RETRYABLE_TRANSPORT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def _utcnow() -> datetime:
    return datetime.now(UTC)


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
        recorder: Recorder | None = None,
        gate: Gate | None = None,
    ) -> None:
        self._settings = settings
        # an injected client is used as given (tests' MockTransport); our own is aiohttp's
        self._sender: Sender | None = ClientSender(client) if client is not None else None
        self._owns_sender = client is None
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._gate: Gate = gate or HostGate(clock=clock, sleep=sleep)
        self._robots = RobotsCache()
        self._guard = AddressGuard(resolve=resolve, clock=clock)
        self._private_hosts: set[str] = set()  # hosts a source allows to be private
        self._resolver = CheckedResolver(resolve, self._private_hosts.__contains__)
        self.stats = FetchStats()
        self._answers = Answers(settings, self.stats, self._gate, now, recorder)
        self._keeps_pages = False

    @property
    def recorder(self) -> Recorder | None:
        """Told every answer once (the run's archive); shared with views."""
        return self._answers.recorder

    @recorder.setter
    def recorder(self, recorder: Recorder | None) -> None:
        self._answers.recorder = recorder

    def keeping_pages(self) -> Self:
        """A view of this fetcher (same client, hosts, robots, stats, recorder) for a
        caller that archives the 2xx pages fetch() returns itself: those are not
        recorded; everything else (redirects, 304, errors, robots.txt) still is."""
        view = copy.copy(self)
        view._sender, view._owns_sender = self._send(), False
        view._keeps_pages = True
        return view

    async def __aenter__(self) -> Fetcher:
        self._send()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_sender and self._sender is not None:
            await self._sender.aclose()
            self._sender = None

    def _send(self) -> Sender:
        if self._sender is None:
            self._sender = open_sender(self._settings, self._resolver)
        return self._sender

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
        split_url(url)
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._with_retries(url, politeness, headers, check_robots=True,
                                        on_retry=on_retry, keep=self._keeps_pages)

    async def allowed(self, url: str, politeness: Politeness) -> bool:
        """Whether robots.txt lets us fetch `url` (loading it on first use of the origin)."""
        if not politeness.obey_robots:
            return True
        origin, _ = split_url(url)

        async def load(robots_url: str) -> bytes:
            page = await self._with_retries(robots_url, politeness, {}, check_robots=False)
            return page.body if isinstance(page, Page) else b""

        rules = await self._robots.rules(origin, load)
        return rules.can_fetch(url, self._settings.user_agent)

    async def _with_retries(
        self, url: str, politeness: Politeness, headers: dict[str, str], *, check_robots: bool,
        on_retry: OnRetry | None = None, keep: bool = False,
    ) -> Page | NotModified:
        # Most requests succeed at once: tenacity (~40 µs to set up) only after a failure.
        follow = functools.partial(self._follow, url, politeness, headers, check_robots, keep)
        try:
            return await follow()
        except Transient as exc:
            first: Transient | None = exc
        loop = retrying(self._settings, rng=self._rng, sleep=self._sleep, stats=self.stats,
                        on_retry=on_retry)
        try:
            async for attempt in loop:
                with attempt:
                    if first is not None:
                        # replay the first attempt's failure so that tenacity counts,
                        # waits and stops exactly as if it had made that attempt
                        failed, first = first, None
                        raise failed
                    return await follow()
        except Transient as exc:
            raise exc.final(self._settings.max_retries + 1) from exc
        raise AssertionError("tenacity ended without a result")  # pragma: no cover

    async def _follow(
        self, url: str, politeness: Politeness, headers: dict[str, str], check_robots: bool,
        keep: bool,
    ) -> Page | NotModified:
        current, seen = url, {url}
        for _ in range(self._settings.max_redirects + 1):
            target = parse_url(current)[2]
            if politeness.allow_private:
                self._private_hosts.add(host_key(target.host))
            else:
                # before robots.txt, so a refused host reads as unsafe, not as disallowed
                await self._guard.check(current, target.host, target.port or PORTS[target.scheme])
            if check_robots and politeness.obey_robots and not await self.allowed(
                    current, politeness):
                self.stats.robots_refused += 1
                raise RobotsDisallowed("robots.txt disallows this URL", url=current)
            result = await self._request(current, politeness, headers, requested=url, keep=keep)
            if not isinstance(result, str):
                return result
            if result in seen:
                raise TooManyRedirects(f"redirect loop back to {result}", url=url)
            check_redirect(url, result, politeness)
            seen.add(result)
            current = result
        raise TooManyRedirects(f"more than {self._settings.max_redirects} redirects", url=url)

    async def _request(
        self, url: str, politeness: Politeness, headers: dict[str, str], *, requested: str,
        keep: bool,
    ) -> Page | NotModified | str:
        """One GET: a Page, NotModified, or the absolute URL a redirect points to."""
        origin, key, parsed = parse_url(url)
        delay = politeness.delay
        rules = self._robots.peek(origin) if politeness.obey_robots else None
        crawl_delay = rules.crawl_delay(self._settings.user_agent) if rules else None
        if crawl_delay is not None:
            delay = max(delay, crawl_delay)
        async with self._gate.slot(key, concurrency=politeness.concurrency, delay=delay):
            self.stats.requests += 1
            try:
                async with self._send().get(parsed, headers) as resp:
                    self.stats.by_status[resp.status_code] += 1
                    return await self._answers(resp, url, key, requested, keep=keep)
            except _RETRYABLE_TRANSPORT as exc:
                raise Transient("network", url, f"{type(exc).__name__}: {exc}",
                                fault=transport_fault(exc)) from exc
            except aiohttp_errors("InvalidURL", "ClientHttpProxyError") as exc:
                # what httpx_aiohttp turned into final httpx errors
                raise NetworkError(f"{type(exc).__name__}: {exc}", url=url) from exc
            except aiohttp_errors("ClientError", besides=(TimeoutError,)) as exc:
                raise Transient("network", url, f"{type(exc).__name__}: {exc}",
                                fault=transport_fault(exc)) from exc
            except httpx.TransportError as exc:
                raise NetworkError(f"{type(exc).__name__}: {exc}", url=url) from exc
