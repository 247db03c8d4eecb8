"""Retry policy: which failures are transient, how long to wait, and Retry-After parsing."""

from __future__ import annotations

import random
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from harvester.errors import FetchError, HTTPStatusError, NetworkError, TruncatedBody
from harvester.politeness import FetchSettings

from .stats import FetchStats

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class Transient(Exception):
    """One failed attempt that may succeed if tried again.

    Internal control flow for tenacity; `final()` turns it into the public
    error once the retries are spent.
    """

    def __init__(
        self,
        kind: str,
        url: str,
        detail: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        fault: str | None = None,
    ) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind  # "status" | "network" | "truncated"
        # what went wrong, finer than `kind`, for the retry counters: "http-503",
        # "timeout", "connection", "truncated", "dns"
        self.fault = fault or (
            f"http-{status}" if kind == "status" and status is not None
            else "connection" if kind == "network" else kind)
        self.url = url
        self.detail = detail
        self.status = status
        self.retry_after = retry_after

    def final(self, attempts: int) -> FetchError:
        msg = f"{self.detail} (after {attempts} attempt{'s' if attempts != 1 else ''})"
        if self.kind == "status" and self.status is not None:
            return HTTPStatusError(msg, status=self.status, url=self.url)
        if self.kind == "truncated":
            return TruncatedBody(msg, url=self.url)
        return NetworkError(msg, url=self.url)


def transport_fault(exc: BaseException) -> str:
    """"timeout" or "connection" for a transport error.

    httpx_aiohttp maps every aiohttp connection error (a server hanging up
    included) to httpx.ConnectTimeout, so the aiohttp original decides when there is one.
    """
    cause = exc.__cause__
    original = cause if isinstance(cause, aiohttp_errors("ClientError")) else exc
    if isinstance(original, (TimeoutError, httpx.TimeoutException)):
        return "timeout"
    return "connection"


def aiohttp_errors(*names: str, besides: tuple[type[BaseException], ...] = ()
                   ) -> tuple[type[BaseException], ...]:
    """`besides` and aiohttp's exception classes of these names, the latter only once
    aiohttp was imported: in a run over wire.py nothing can have raised them, and
    importing aiohttp to find out would cost its start-up."""
    aiohttp = sys.modules.get("aiohttp")
    if aiohttp is None:
        return besides
    return (*besides, *(getattr(aiohttp, name) for name in names))


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), else None.

    A date in the past means "now" (0). Garbage is ignored rather than fatal:
    the caller falls back to its own backoff.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        # RFC 9110 dates are GMT; parsedate_to_datetime leaves "-0000" naive.
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def backoff(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Equal-jitter exponential backoff before retry number `attempt` (1-based).

    Half the capped exponential is fixed, half is random, so a retry never
    comes back immediately yet a burst of failures still spreads out.
    """
    ceiling = min(cap, base * 2.0 ** (attempt - 1))
    half = ceiling / 2
    return half + rng.uniform(0, half)


def retrying(settings: FetchSettings, *, rng: random.Random,
             sleep: Callable[[float], Awaitable[None]], stats: FetchStats,
             on_retry: Callable[[str], None] | None) -> AsyncRetrying:
    """tenacity's loop for one URL: Retry-After first, else jittered backoff; each retry
    counted by what failed in `stats.retried` and told to `on_retry`."""

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Transient) and exc.retry_after is not None:
            return exc.retry_after
        return backoff(state.attempt_number, base=settings.backoff_base,
                       cap=settings.backoff_max, rng=rng)

    def count(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        fault = exc.fault if isinstance(exc, Transient) else "other"
        stats.retries += 1
        stats.retried[fault] += 1
        if on_retry is not None:
            on_retry(fault)

    return AsyncRetrying(stop=stop_after_attempt(settings.max_retries + 1), wait=wait,
                         retry=retry_if_exception_type(Transient), sleep=sleep,
                         before_sleep=count, reraise=True)
