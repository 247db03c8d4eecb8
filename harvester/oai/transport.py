"""The HTTP side of the OAI-PMH client: one GET with retries, politeness and caps.

OAI servers put protocol errors in 400/422 bodies, so the transport hands back any
response that may carry an OAI answer and retries only what the fetcher's policy
calls transient (harvester/_fetch/retry.py): 429/503 with Retry-After, dropped
connections, bodies cut off. The verbs live in harvester.oai.client.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from harvester._fetch.body import read_body, read_prefix
from harvester._fetch.netsafety import AddressGuard, Resolver, system_resolve

# one retry policy for every request the harvester makes (harvester/_fetch/retry.py)
from harvester._fetch.retry import RETRY_STATUSES, Transient, backoff, parse_retry_after
from harvester.errors import GoneError, HTTPStatusError, NetworkError, UnsafeURL
from harvester.oai.protocol import Identify
from harvester.types import Page

# (request params, the answer) for every HTTP answer: OAI ones whole, others (a 503,
# an HTML error page) with a body prefix, so the archive holds every response
OnResponse = Callable[[Mapping[str, str], Page], None]
_PORTS = {"http": 80, "https": 443}
ERROR_BODY_CAP = 64 * 1024  # of an answer kept only for the archive


class _Retryable(Exception):
    def __init__(self, status: int | None, retry_after: float | None, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.retry_after = retry_after


class OAITransport:
    """GETs against one OAI-PMH base URL. Time is injected (`sleep`, `now`) for tests.

    `allow_private=False` refuses (UnsafeURL, before any request) a base URL whose host
    has a private, loopback or link-local address, as the Fetcher does for pages.
    `on_response` sees each answer before it is parsed (the run archives them)."""

    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.AsyncClient,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_retries: int = 4,
        backoff_base: float = 1.0,
        backoff_max: float = 120.0,
        max_retry_after: float = 900.0,
        user_agent: str | None = None,
        granularity: str | None = None,
        recover: bool = True,
        delay: float = 0.0,
        allow_private: bool = True,
        resolve: Resolver = system_resolve,
        on_response: OnResponse | None = None,
        max_bytes: int = 50 * 1024 * 1024,
    ) -> None:
        self.base_url = base_url
        # cap on a response body after decompression (ResponseTooLarge past it)
        self.max_bytes = max_bytes
        self._client = client
        self._sleep = sleep
        self._now = now
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        # a server asking for a longer pause than this is treated as down
        self.max_retry_after = max_retry_after
        self._headers = {"User-Agent": user_agent} if user_agent else {}
        # the verbs' settings (OAIClient), kept here so one constructor takes every option
        self.granularity = granularity
        self.recover = recover
        self._identify: Identify | None = None
        # politeness: pause between consecutive requests (Politeness.delay)
        self.delay = delay
        self._requests = 0
        self.allow_private = allow_private
        self._resolve = resolve
        self._address_checked = False
        self.on_response = on_response
        self._rng = random.Random()

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return exc.retry_after
        return backoff(state.attempt_number, base=self.backoff_base, cap=self.backoff_max,
                       rng=self._rng)

    async def _get(self, params: Mapping[str, str]) -> tuple[bytes, str]:
        """GET base_url?params with retries; returns (body, final url) of any response
        that may carry an OAI answer (2xx, or an error status with an OAI body)."""
        if not self._address_checked:
            await self._check_address()
        if self.delay and self._requests:
            await self._sleep(self.delay)
        self._requests += 1
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(params)
        except _Retryable as exc:
            url = str(httpx.URL(self.base_url, params=params))
            if exc.status is None:
                raise NetworkError(f"{exc} (retries spent)", url=url) from exc
            raise HTTPStatusError(
                f"HTTP {exc.status} after {self.max_retries} retries", status=exc.status, url=url
            ) from exc
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _check_address(self) -> None:
        """UnsafeURL unless the base URL's host may be connected to; once per client
        (responses are not followed elsewhere: the run's client does not redirect)."""
        if not self.allow_private:
            try:
                url = httpx.URL(self.base_url)
            except httpx.InvalidURL as exc:
                raise UnsafeURL(f"not a valid URL: {exc}", url=self.base_url) from exc
            if url.scheme not in _PORTS or not url.host:
                raise UnsafeURL("only http and https URLs with a host are fetched",
                                url=self.base_url)
            guard = AddressGuard(resolve=self._resolve, clock=time.monotonic)
            try:
                await guard.check(self.base_url, url.host, url.port or _PORTS[url.scheme])
            except Transient as exc:  # the host does not resolve
                raise exc.final(1) from exc
        self._address_checked = True

    async def _attempt(self, params: Mapping[str, str]) -> tuple[bytes, str]:
        try:
            # streamed through the fetcher's capped reader: a plain get() inflated a
            # gzip bomb without limit
            async with self._client.stream(
                "GET", self.base_url, params=params, headers=self._headers
            ) as resp:
                url, status = str(resp.url), resp.status_code
                if status in RETRY_STATUSES:
                    body = b""
                    if self.on_response is not None:
                        body, _ = await read_prefix(resp, cap=ERROR_BODY_CAP)
                else:
                    body = await read_body(resp, url=url, max_bytes=self.max_bytes)
        except httpx.TransportError as exc:
            raise _Retryable(None, None, f"{type(exc).__name__}: {exc}") from exc
        except Transient as exc:  # a body cut off or dropped mid-read
            raise _Retryable(None, None, str(exc)) from exc
        if self.on_response is not None:
            self.on_response(params, Page(
                url=url, body=body, status=status,
                headers={k.lower(): v for k, v in resp.headers.items()},
                fetched_at=self._now(), requested_url=str(httpx.URL(self.base_url, params=params))))
        if status in RETRY_STATUSES:
            after = parse_retry_after(resp.headers.get("retry-after"), self._now())
            if after is not None and after > self.max_retry_after:
                raise HTTPStatusError(
                    f"HTTP {status} with Retry-After {after:.0f}s", status=status, url=url
                )
            raise _Retryable(status, after, f"HTTP {status}")
        if status < 300 or b"OAI-PMH" in body[:4096]:
            return body, url
        cls = GoneError if status in (404, 410) else HTTPStatusError
        raise cls(f"HTTP {status}", status=status, url=url)
