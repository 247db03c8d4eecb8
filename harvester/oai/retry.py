"""Retry timing for OAI requests: Retry-After in both its forms, jittered backoff.

Kept apart from the client so the schedule is testable without any I/O. The
run-wide fetcher (harvester/http.py) has the same rules; merge when both settle.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

#: statuses worth retrying: overload, rate limit and transient server failures
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

_RNG = random.Random()


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date.

    Returns None when the header is absent or unreadable (the caller then
    backs off on its own schedule); a date in the past means "now" (0.0).
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
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def backoff(
    attempt: int,
    *,
    base: float,
    cap: float,
    rng: random.Random | None = None,
) -> float:
    """"Equal jitter" exponential backoff for retry number `attempt` (1-based):
    half of min(cap, base * 2**(attempt-1)) fixed, the other half random, so a
    crowd of harvesters hit by the same outage does not return in lockstep."""
    ceiling = min(cap, base * 2.0 ** max(0, attempt - 1))
    jitter: float = (rng or _RNG).uniform(0, ceiling / 2)
    return ceiling / 2 + jitter
