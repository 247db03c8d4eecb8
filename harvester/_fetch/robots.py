"""robots.txt rules per origin, fetched once per run and cached (failures included).

RFC 9309 §2.3.1: a 4xx robots.txt means "no rules" (allow all); a 5xx or an
unreachable server means "assume complete disallow" — for this run, since
the cache is never refreshed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from protego import Protego

from harvester.errors import FetchError, HTTPStatusError


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """The rules for one origin; `parser` None with `allow_all` False means "disallow all"."""

    parser: Protego | None
    allow_all: bool
    note: str = ""

    def can_fetch(self, url: str, user_agent: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay is not None else None


ALLOW_ALL = RobotsRules(None, True, "no robots.txt")

# Reads robots.txt bytes for an origin URL; raises FetchError subclasses on failure.
Loader = Callable[[str], Awaitable[bytes]]


def rules_from_failure(exc: FetchError) -> RobotsRules:
    if isinstance(exc, HTTPStatusError) and 400 <= exc.status < 500:
        return RobotsRules(None, True, f"robots.txt answered {exc.status}: allow all")
    return RobotsRules(None, False, f"robots.txt unreachable ({exc.reason}): disallow all")


def rules_from_body(body: bytes) -> RobotsRules:
    text = body.decode("utf-8", errors="replace")
    return RobotsRules(Protego.parse(text), True)


class RobotsCache:
    """One RobotsRules per origin, loaded at most once even under concurrent callers."""

    def __init__(self) -> None:
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def peek(self, origin: str) -> RobotsRules | None:
        return self._rules.get(origin)

    async def rules(self, origin: str, load: Loader) -> RobotsRules:
        cached = self._rules.get(origin)
        if cached is not None:
            return cached
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._rules.get(origin)
            if cached is not None:
                return cached
            try:
                rules = rules_from_body(await load(origin + "/robots.txt"))
            except FetchError as exc:
                rules = rules_from_failure(exc)
            self._rules[origin] = rules
            return rules
