"""The write side of a source's pipeline: batching, and one batch in the write thread.

`write_loop` gathers outcomes into batches (by size, or by age on a slow site)
and archives bodies while a batch fills. `store_batch` archives the bodies not
archived yet, syncs the archive, then stores records, page rows, revivals and
gone-confirmations in ONE transaction (pipelines/pipeline.py says why that
order is the crash-safety contract). `Plumbing` is what the pipelines of one
run share; pipelines.pipeline re-exports it with `Progress` and `StoreHook`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from harvester.warc import WarcWriter

from .db import in_transaction
from .load import LoadStats, upsert_records
from .outcomes import Outcome
from .parse_pool import ParsePool
from .pipeline_rows import restamp
from .state import confirm_gone, record_fetches, revive
from .stats import SourceStats
from .versions import FetchRef

Progress = Callable[[SourceStats], None]
Batch = Callable[[list[Outcome]], Awaitable[None]]
Archive = Callable[[list[Outcome]], Awaitable[list[Outcome]]]
# told each batch's outcomes inside the transaction that stores them (pipelines/worker.py)
StoreHook = Callable[[Connection, Sequence[Outcome]], None]


@dataclasses.dataclass(frozen=True)
class Plumbing:
    """What the pipelines of one run share: threads for reads and writes, the parse pool,
    the archive. One write thread keeps the archive and the commits in one order."""

    engine: Engine
    reads: Executor
    writes: Executor
    parser: ParsePool
    archive: WarcWriter | None
    now: Callable[[], datetime]
    progress: Progress | None = None


@dataclasses.dataclass(frozen=True)
class Target:
    """Where a batch goes: the source's id and how many 404/410 answers make a record gone."""

    source_id: int
    gone_after: int
    on_store: StoreHook | None = None


async def write_loop(queue: asyncio.Queue[Any], commit: Batch, archive: Archive | None, *,
                     size: int, max_open: float, archive_every: int, end: object,
                     last: Callable[[int], bool] | None = None) -> None:
    """Take outcomes off `queue` until `end`: commit every `size`, or `max_open` seconds
    after a batch opened; meanwhile archive bodies every `archive_every` outcomes, so a
    batch holds rows, not pages.

    `last(n)`: True when no more outcomes are to come than fit in a batch of n. That last
    batch is committed a quarter at a time while its pages arrive, so the source's end
    waits for a quarter of a batch, not a whole one: ~50 ms less at the end of a
    harvest, in which nothing else runs then."""
    loop = asyncio.get_running_loop()
    quarter = max(1, size // 4)
    batch: list[Outcome] = []
    archived = 0  # batch[:archived] hold no page bodies any more
    opened = 0.0
    while True:
        if not batch:
            item = await queue.get()
            opened = loop.time()
        elif not queue.empty():
            item = queue.get_nowait()
        else:
            try:
                item = await asyncio.wait_for(
                    queue.get(), max(0.0, opened + max_open - loop.time()))
            except TimeoutError:
                item = None
        if item is end:
            if batch:
                await commit(batch)
            return
        if item is not None:
            batch.append(item)
        if batch and (item is None or len(batch) >= size or (
                len(batch) >= quarter and last is not None and last(len(batch)))):
            await commit(batch)
            batch, archived = [], 0
        elif archive is not None and len(batch) - archived >= archive_every:
            if any(_has_body(o) for o in batch[archived:]):  # 304s: no trip to the thread
                batch[archived:] = await archive(batch[archived:])
            archived = len(batch)


def store_batch(p: Plumbing, target: Target, outcomes: list[Outcome],
                at: datetime) -> tuple[LoadStats, int]:
    """In the write thread: archive the new bodies, then one transaction.
    Returns what the loader did and how many records were confirmed gone."""
    if p.archive is not None:
        outcomes = archive_outcomes(p.archive, outcomes)
        if any(o.row is not None and o.row.warc_file is not None for o in outcomes):
            # on disk before the rows that point at it commit; a batch of 304s and
            # errors points at no record, and its answers' records need no sync
            # (harvester.warc.ArchiveRecorder)
            p.archive.sync()
    records = [o.record for o in outcomes if o.record is not None]
    rows = [o.row for o in outcomes if o.row is not None]
    # version history names the fetch each record came from
    fetches = {o.record.source_key: FetchRef(o.row.url, o.row.sha256)
               for o in outcomes if o.record is not None and o.row is not None}
    # pages that used to carry a record: a 404/410 is one more confirmation it is
    # gone, any answer (200, 304) brings it back
    gone = [r.url for r in rows if r.error_reason == "gone" and r.source_key]
    back = [r.source_key for r in rows if r.error_reason is None and r.source_key]
    source_id = target.source_id

    def write(conn: Connection) -> tuple[LoadStats, int]:
        loaded, confirmed = LoadStats(), 0
        if records:
            loaded = upsert_records(conn, source_id, records, now=at, fetches=fetches)
        rest = restamp(conn, source_id, rows) if rows else []
        if rest:
            record_fetches(conn, source_id, rest)
        if back:
            revive(conn, source_id, back)
        if gone:
            confirmed = confirm_gone(conn, source_id, gone, target.gone_after, at)
        if target.on_store is not None:
            target.on_store(conn, outcomes)
        return loaded, confirmed

    # a dropped connection or a racing writer's duplicate: once more; else DatabaseError
    return in_transaction(p.engine, write, what="storing a batch failed on")


def archive_outcomes(archive: WarcWriter, outcomes: list[Outcome]) -> list[Outcome]:
    """In the write thread: archive the bodies not archived yet (not synced here)."""
    return [_archived(o, archive) for o in outcomes]


def _has_body(outcome: Outcome) -> bool:
    return outcome.row is not None and (outcome.page is not None or outcome.warc is not None)


def _archived(outcome: Outcome, archive: WarcWriter) -> Outcome:
    if outcome.row is None or not _has_body(outcome):
        return outcome
    ref = (archive.append(outcome.warc) if outcome.warc is not None
           else archive.write(outcome.page))  # type: ignore[arg-type]
    row = dataclasses.replace(outcome.row, warc_file=ref.file, warc_offset=ref.offset)
    return dataclasses.replace(outcome, row=row, page=None, warc=None)
