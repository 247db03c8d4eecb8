"""What a worker's rounds share: sources, counters, the fetcher, the pipeline's plumbing.

`open_kit` builds it and takes it down: the harvest's own parts (ParsePool, the
read and write threads, the WARC archive: pipelines/pipeline.py's Plumbing) plus
a Fetcher whose per-host gate is the worker's (pipelines/worker_gate.py: leased
slots, start times in the database), a small thread pool for the frontier's control
queries (claims, slots, heartbeats, start times), which must not wait behind a batch
being written, and the connection that shows the worker alive to the others.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from harvester.http import Fetcher
from harvester.warc import ArchiveRecorder

from .config import Settings, SourceSettings
from .frontier import complete, release_rows
from .load import ensure_source
from .outcomes import Outcome
from .parse_pool import ParsePool
from .pipeline import Plumbing
from .run import _base_url
from .stats import SourceStats
from .worker_gate import DatabaseStarts, WorkerGate
from .worker_presence import group_of, presence
from .worker_slots import HostSlots

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerKit:
    engine: Engine
    owner: str
    by_id: Mapping[int, SourceSettings]
    stats: Mapping[int, SourceStats]
    fetcher: Fetcher
    slots: HostSlots
    plumbing: Plumbing
    control: Executor
    group: str  # workers on the same sources share slots fairly (pipelines/worker_presence.py)

    def complete(self, conn: Connection, source_id: int, outcomes: Sequence[Outcome]) -> None:
        """In the batch's transaction: its rows done, or failed with the page's reason."""
        finished = [(o.url, o.row.error_reason if o.row is not None else None)
                    for o in outcomes]
        marked = complete(conn, self.owner, source_id, finished)
        if marked < len(finished):
            # our lease ran out and another worker took the rows over: it finishes them
            log.warning("worker %s: %d rows were taken over before their batch committed",
                        self.owner, len(finished) - marked)

    def release_rows(self, conn: Connection) -> int:
        return release_rows(conn, self.owner)


@asynccontextmanager
async def open_kit(
    settings: Settings,
    engine: Engine,
    sources: Sequence[SourceSettings],
    owner: str,
    *,
    client: httpx.AsyncClient | None,
    parse_workers: int | None,
    now: Callable[[], datetime],
) -> AsyncIterator[WorkerKit]:
    group = group_of([s.name for s in sources])
    with presence(engine, group, [s.name for s in sources]):
        async with _kit(settings, engine, sources, owner, group, client=client,
                        parse_workers=parse_workers, now=now) as kit:
            yield kit


@asynccontextmanager
async def _kit(
    settings: Settings,
    engine: Engine,
    sources: Sequence[SourceSettings],
    owner: str,
    group: str,
    *,
    client: httpx.AsyncClient | None,
    parse_workers: int | None,
    now: Callable[[], datetime],
) -> AsyncIterator[WorkerKit]:
    with engine.begin() as conn:
        by_id = {ensure_source(conn, s.name, s.platform, _base_url(s)): s for s in sources}
    control = ThreadPoolExecutor(2, thread_name_prefix="worker-control")
    reads = ThreadPoolExecutor(1, thread_name_prefix="worker-read")
    writes = ThreadPoolExecutor(1, thread_name_prefix="worker-write")
    parser = ParsePool(parse_workers)
    archive = settings.archive.writer() if settings.archive else None
    slots = HostSlots()
    gate = WorkerGate(slots, DatabaseStarts(engine, control))
    recorder: ArchiveRecorder | None = None
    try:
        async with Fetcher(settings.fetch, client=client, now=now, gate=gate) as fetcher:
            # as in a harvest: the pipelines archive their pages (their rows point there),
            # the recorder every other answer (robots.txt, redirects, 304s, errors)
            recorder = ArchiveRecorder(archive, writes) if archive is not None else None
            fetcher.recorder = recorder
            yield WorkerKit(
                engine, owner, by_id, {i: SourceStats(s.name) for i, s in by_id.items()},
                fetcher.keeping_pages() if archive is not None else fetcher, slots,
                Plumbing(engine, reads, writes, parser, archive, now), control, group)
    finally:
        await gate.settle()  # the pauses seen reach the other workers
        parser.close()
        if recorder is not None:
            recorder.flush()
        for pool in (reads, writes, control):
            pool.shutdown(wait=True)
        if archive is not None:
            archive.close()
