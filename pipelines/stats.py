"""Counters for one source in one run, in the spirit of Scrapy's stats collector.

A page that fails is counted by reason, with a few example URLs, and the run
goes on. Which counts make a source "failed" is decided here, once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

EXAMPLES_PER_REASON = 5
# Outcomes that are a fact about the site, not a failure of the harvest.
NOT_FAILURES = frozenset({"robots", "gone", "not-a-record"})


@dataclass
class SourceStats:
    name: str
    discovered: int = 0
    fetched: int = 0
    not_modified: int = 0
    same_content: int = 0
    # listed pages not requested: their sitemap lastmod is older than our last fetch
    skipped_unchanged: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0  # OAI-PMH tombstones written
    enriched: int = 0  # OAI records merged with their landing page
    missing: int = 0  # records a full OAI run did not list (marked, not deleted)
    gone_confirmed: int = 0  # records marked deleted after gone_after 404/410 answers
    bytes: int = 0
    seconds: float = 0.0
    skipped: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    # requests tried again, by fault ("http-503", "timeout", "truncated", ...): the
    # site's flakiness, which the page counts alone hide when the retries succeed
    retried: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    fatal: str | None = None
    stopped: str | None = None  # set when a signal ended the source early (pipelines/run.py)

    def count_problem(self, reason: str, url: str, message: str = "") -> None:
        bucket = self.skipped if reason in NOT_FAILURES else self.failed
        bucket[reason] += 1
        urls = self.examples.setdefault(reason, [])
        if len(urls) < EXAMPLES_PER_REASON:
            urls.append(f"{url} {message}".strip())

    def count_retry(self, fault: str) -> None:
        self.retried[fault] += 1

    @property
    def failures(self) -> int:
        return sum(self.failed.values())

    @property
    def status(self) -> str:
        if self.fatal:
            return "failed"
        if self.stopped:
            return "stopped"
        return "partial" if self.failures else "ok"

    def summary_line(self) -> str:
        parts = [
            f"{self.name}: {self.status}",
            f"discovered={self.discovered}",
            f"fetched={self.fetched}",
            f"not_modified={self.not_modified + self.same_content}",
            f"new={self.new}",
            f"changed={self.changed}",
            f"unchanged={self.unchanged}",
            f"failed={self.failures}",
        ]
        if self.deleted or self.enriched or self.missing:
            parts[-1:-1] = [f"deleted={self.deleted}", f"enriched={self.enriched}",
                            f"missing={self.missing}"]
        if self.skipped_unchanged:
            parts.insert(4, f"skipped_unchanged={self.skipped_unchanged}")
        if self.gone_confirmed:
            parts.insert(-1, f"gone_confirmed={self.gone_confirmed}")
        if self.skipped:
            parts.append("skipped=" + ",".join(f"{k}:{v}" for k, v in sorted(self.skipped.items())))
        if self.failed:
            parts.append("reasons=" + ",".join(f"{k}:{v}" for k, v in sorted(self.failed.items())))
        if self.retried:
            parts.append("retried=" + ",".join(f"{k}:{v}" for k, v in sorted(self.retried.items())))
        if self.fatal:
            parts.append(f"error={self.fatal!r}")
        if self.stopped:
            parts.append(f"stopped={self.stopped!r}")
        parts.append(f"{self.seconds:.1f}s")
        return " ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "discovered": self.discovered,
            "fetched": self.fetched,
            "not_modified": self.not_modified,
            "same_content": self.same_content,
            "skipped_unchanged": self.skipped_unchanged,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "enriched": self.enriched,
            "missing": self.missing,
            "gone_confirmed": self.gone_confirmed,
            "failed": self.failures,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "skipped": dict(self.skipped),
            "failures": {
                reason: {"count": n, "examples": self.examples.get(reason, [])}
                for reason, n in self.failed.items()
            },
            "fatal": self.fatal,
            "stopped": self.stopped,
            "retried": dict(sorted(self.retried.items())),
        }


@dataclass(frozen=True)
class RunReport:
    run_id: int
    sources: tuple[SourceStats, ...]

    @property
    def ok(self) -> bool:
        return all(s.status == "ok" for s in self.sources)

    @property
    def status(self) -> str:
        if any(s.status == "stopped" for s in self.sources):
            return "stopped"
        if all(s.status == "ok" for s in self.sources):
            return "ok"
        if all(s.status == "failed" for s in self.sources):
            return "failed"
        return "partial"
