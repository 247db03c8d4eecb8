"""Landing-page enrichment of stored OAI records, after their pages are committed.

The queue is `oai_records.enrich_state = 'pending'`, written in the same
transaction as the OAI page, so a crash loses no enrichment: the next run
drains what is left. It runs between date windows, never between resumption
requests (tokens expire while a polite fetcher waits on landing pages). Pages
go through the run's Fetcher (per-host politeness, robots, retries); every
failure is counted and the record keeps its OAI data. Stop (SIGINT/SIGTERM)
drops the landing-page fetches not answered yet and commits the answered ones.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from harvester.errors import HarvestError
from harvester.http import Fetcher, NotModified
from harvester.parsers import parse_page
from harvester.politeness import Politeness
from harvester.types import Record

from .load import upsert_records
from .merge import merge_page
from .oai_enrich_queue import DONE, FAILED, Pending, pending_enrichment, set_enrich_state
from .stats import NOT_FAILURES, SourceStats

log = logging.getLogger(__name__)
BATCH = 100


async def drain(
    source_id: int,
    engine: Engine,
    fetcher: Fetcher,
    *,
    platform: str,
    politeness: Politeness,
    stats: SourceStats,
    now: Callable[[], datetime],
    stop: asyncio.Event | None = None,
) -> None:
    """Enrich every pending record of the source, a batch per transaction. Once `stop`
    is set, return after the batch in hand is committed: the rest stays pending."""
    while stop is None or not stop.is_set():
        with engine.connect() as conn:
            batch = pending_enrichment(conn, source_id, BATCH)
        if not batch:
            return
        tasks = [asyncio.create_task(_enrich_one(p, fetcher, platform, politeness, stats))
                 for p in batch]
        await _answered(tasks, stop)
        # a fetch cut short by stop is neither merged nor failed: it stays pending
        done = [(p, t.result()) for p, t in zip(batch, tasks, strict=True) if not t.cancelled()]
        merged = [r for _, r in done if r is not None]
        failed = [p.key for p, r in done if r is None]
        with engine.begin() as conn:
            if merged:
                upsert_records(conn, source_id, merged, now=now())
            set_enrich_state(conn, source_id, [r.source_key for r in merged], DONE)
            set_enrich_state(conn, source_id, failed, FAILED)
        stats.enriched += len(merged)


async def _answered(tasks: list[asyncio.Task[Record | None]], stop: asyncio.Event | None) -> None:
    """Wait for every task, or until `stop` is set: then cancel those not answered yet."""
    everything = asyncio.gather(*tasks, return_exceptions=True)
    waiters: set[asyncio.Future[Any]] = {everything}
    if stop is not None:
        waiters.add(asyncio.ensure_future(stop.wait()))
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for waiter in waiters:
            waiter.cancel()


async def _enrich_one(
    item: Pending, fetcher: Fetcher, platform: str, politeness: Politeness, stats: SourceStats
) -> Record | None:
    try:
        page = await fetcher.fetch(item.url, politeness=politeness)
        if isinstance(page, NotModified):  # no validators were sent: not expected
            return None
        stats.fetched += 1
        stats.bytes += len(page.body)
        parsed, parser = parse_page(page, platform)
    except HarvestError as exc:
        reason = exc.reason if exc.reason in NOT_FAILURES else f"enrich-{exc.reason}"
        log.info("no enrichment for %s from %s: %s", item.key, item.url, exc)
        stats.count_problem(reason, item.url, str(exc))
        return None
    return merge_page(item.record, parsed, parser)
