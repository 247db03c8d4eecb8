"""Counters a Fetcher keeps for the run summary (Scrapy-style stats)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(slots=True)
class FetchStats:
    """Run counters; `by_status` counts every response status, redirects and robots included;
    `retried` counts retries by what failed ("http-503", "timeout", "connection", ...)."""

    requests: int = 0
    retries: int = 0
    bytes: int = 0
    robots_refused: int = 0
    not_modified: int = 0
    by_status: Counter[int] = field(default_factory=Counter)
    retried: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        return {
            "requests": self.requests,
            "retries": self.retries,
            "bytes": self.bytes,
            "robots_refused": self.robots_refused,
            "not_modified": self.not_modified,
            "by_status": dict(sorted(self.by_status.items())),
            "retried": dict(sorted(self.retried.items())),
        }
