"""One harvest run: discovery -> fetch -> parse -> load, per source, with stats.

Each source's pages flow through a pipeline (pipelines/pipeline.py): discovery
feeds fetch workers, pages are parsed (in worker processes once the source is
big enough: pipelines/parse_pool.py), and a writer thread commits batches while
fetching goes on. A page's record and its page state are written in ONE
transaction, so a crash never leaves a fetched page recorded without its record
or the other way round. A failed page or source is counted and never stops the
others.

A run holds a lock per source (pipelines/lock.py) so two runs never harvest the
same source at once. Setting `stop` (the CLI does on SIGINT/SIGTERM) ends each
source once the pages already answered are committed: requests still in flight
are dropped (the next run fetches them), and the run is closed as 'stopped'.

With an archive, the pipeline archives its pages (their rows point at them) and
the fetcher's recorder every other answer: robots.txt, sitemaps, listings,
redirects, 304s, errors, retried attempts. After a complete discovery, the
record pages a source no longer lists are asked for again (gone confirmation).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
from sqlalchemy.engine import Connection, Engine

from harvester.errors import DatabaseError, HarvestError
from harvester.http import Fetcher
from harvester.warc import ArchiveRecorder

from .config import Settings, SourceSettings
from .db import in_transaction
from .discover import discover_listed, then_recheck, unlisted_pages
from .fillrates import record_fill_rates
from .load import ensure_source
from .lock import hold_sources
from .parse_pool import ParsePool
from .pipeline import Plumbing, Progress, SourcePipeline
from .search_index import refresh_after
from .state import finish_run, record_run_source, start_run
from .stats import RunReport, SourceStats

__all__ = ["BATCH", "Progress", "batch_size", "harvest"]

log = logging.getLogger(__name__)

BATCH = 500  # pages per transaction; HARVESTER_BATCH_SIZE overrides (crash tests use tiny ones)
# The archive recorder's answers wait this long for company before going to the write
# thread: 5,000 304s, 64 hand-overs instead of 151 (one an event-loop turn), each a
# wake-up that takes the GIL from the loop: 1.40 -> 1.35 s wall (median of 5).
RECORDER_LINGER = 0.05


def batch_size() -> int:
    value = os.environ.get("HARVESTER_BATCH_SIZE", "")
    return int(value) if value.isdigit() and int(value) > 0 else BATCH


def utcnow() -> datetime:
    return datetime.now(UTC)


async def harvest(
    settings: Settings,
    engine: Engine,
    source_names: Sequence[str] = (),
    *,
    client: httpx.AsyncClient | None = None,
    sleep: Callable[[float], object] | None = None,
    now: Callable[[], datetime] = utcnow,
    progress: Progress | None = None,
    full: bool = False,
    wait: bool = False,
    on_wait: Callable[[str], None] | None = None,
    stop: asyncio.Event | None = None,
    parse_workers: int | None = None,
) -> RunReport:
    """Harvest the named sources (all when empty) into the database behind `engine`.
    `full`: OAI-PMH sources re-enumerate from their earliest record.
    `parse_workers`: processes that parse pages of big sources (0: parse inline;
    default HARVESTER_PARSE_WORKERS, else 2 (0 on one core)).
    A source another run is harvesting raises SourceBusy, or is waited for (`wait`)."""
    sources = [settings.source(n) for n in source_names] if source_names else list(settings.sources)
    async with hold_sources(engine, [s.name for s in sources], wait=wait,
                            on_wait=on_wait) as locks:
        with engine.begin() as conn:
            run_id = start_run(conn, [s.name for s in sources], now())
        locks.annotate(run_id)
        return await _run(settings, engine, sources, run_id, client=client, sleep=sleep,
                          now=now, progress=progress, full=full, stop=stop,
                          parse_workers=parse_workers)




async def _run(
    settings: Settings,
    engine: Engine,
    sources: Sequence[SourceSettings],
    run_id: int,
    *,
    client: httpx.AsyncClient | None,
    sleep: Callable[[float], object] | None,
    now: Callable[[], datetime],
    progress: Progress | None,
    full: bool,
    stop: asyncio.Event | None,
    parse_workers: int | None,
) -> RunReport:
    kwargs: dict[str, object] = {"client": client, "now": now}
    if sleep is not None:
        kwargs["sleep"] = sleep
    archive = settings.archive.writer() if settings.archive else None
    reads = ThreadPoolExecutor(1, thread_name_prefix="harvest-read")
    writes = ThreadPoolExecutor(1, thread_name_prefix="harvest-write")
    # every other answer (robots, sitemaps, 304s, errors), RECORDER_LINGER s at a time;
    # the pipelines' writes flush it first, so the archive keeps the answers' order
    recorder = (ArchiveRecorder(archive, writes, linger=RECORDER_LINGER)
                if archive is not None else None)
    ordered = recorder.ahead_of(writes) if recorder is not None else writes
    parser = ParsePool(parse_workers)
    plumbing = Plumbing(engine, reads, ordered, parser, archive, now, progress)
    if any(s.oai for s in sources):  # its imports cost a run without OAI sources 45 ms
        from .oai_run import harvest_oai_source
    async with Fetcher(settings.fetch, **kwargs) as fetcher:  # type: ignore[arg-type]
        fetcher.recorder = recorder
        try:
            stats = await asyncio.gather(
                *(
                    harvest_oai_source(s, settings, fetcher, engine, run_id, now=now,
                                       progress=progress, client=client, sleep=sleep, full=full,
                                       stop=stop, archive=archive, writes=ordered,
                                       parser=parser)
                    if s.oai
                    else _harvest_source(s, fetcher, run_id, plumbing, stop)
                    for s in sources
                )
            )
        finally:
            parser.close(wait=False)  # they exit while the run is closed; joined below
            if recorder is not None:
                recorder.flush()
            reads.shutdown(wait=True)
            writes.shutdown(wait=True)
            if archive is not None:
                archive.close()
    report = RunReport(run_id, tuple(stats))

    def close_run(conn: Connection) -> None:
        finish_run(conn, run_id, report.status, {s.name: s.to_json() for s in stats}, now())
        record_fill_rates(conn, run_id)  # for the run report's drop flags

    try:
        # a database that failed mid-run fails here too: DatabaseError, the CLI reports it
        in_transaction(engine, close_run, what="closing the run failed on")
        refresh_after(engine, "the run")
    finally:
        parser.join()
    return report


async def _harvest_source(
    source: SourceSettings,
    fetcher: Fetcher,
    run_id: int,
    plumbing: Plumbing,
    stop: asyncio.Event | None = None,
) -> SourceStats:
    engine, progress = plumbing.engine, plumbing.progress
    stats = SourceStats(source.name)
    started = time.monotonic()
    with engine.begin() as conn:
        source_id = ensure_source(conn, source.name, source.platform, _base_url(source))

    discovery_errors: list[str] = []

    def on_discovery_error(where: str, exc: HarvestError) -> None:
        discovery_errors.append(f"{where}: {exc}")
        stats.count_problem(f"discovery-{exc.reason}", where, str(exc))

    try:
        # the pipeline archives its pages itself, pointed at by their rows
        pages = fetcher.keeping_pages() if plumbing.archive is not None else fetcher
        pipeline = SourcePipeline(source, source_id, pages, stats, plumbing,
                                  batch=batch_size(), stop=stop)
        rechecked: list[str] = []

        def complete() -> bool:
            return not discovery_errors and not (stop is not None and stop.is_set())

        async def unlisted(listed: set[str]) -> list[str]:
            rechecked[:] = await asyncio.get_running_loop().run_in_executor(
                plumbing.reads, _unlisted, engine, source_id, listed)
            return rechecked

        listed: set[str] = set()
        found = discover_listed(source, fetcher, on_discovery_error, listed)
        await pipeline.run(then_recheck(found, listed, complete, unlisted))
        stats.discovered -= len(rechecked)  # asked for again, not discovered
        if rechecked:
            log.info("source %s: %d pages no longer listed, checked again", source.name,
                     len(rechecked))
        if stop is not None and stop.is_set():
            stats.stopped = "stopped on request after committing the pages fetched"
        if stats.discovered == 0 and discovery_errors:
            stats.fatal = "discovery failed: " + "; ".join(discovery_errors)
    except HarvestError as exc:
        log.error("source %s stopped: %s", source.name, exc)
        stats.fatal = str(exc)
    finally:
        stats.seconds = time.monotonic() - started
        try:
            in_transaction(engine, lambda conn: record_run_source(
                conn, run_id, source_id, stats.to_json()), what="recording the source's stats")
        except DatabaseError as exc:  # keep the error that stopped the source, not this one
            log.error("source %s: %s", source.name, exc)
        if progress:
            progress(stats)
    return stats


def _unlisted(engine: Engine, source_id: int, listed: set[str]) -> list[str]:
    with engine.connect() as conn:
        return unlisted_pages(conn, source_id, listed)


def _base_url(source: SourceSettings) -> str | None:
    for url in (*source.listing, *source.sitemap, *source.urls):
        parts = httpx.URL(url)
        return f"{parts.scheme}://{parts.host}" + (f":{parts.port}" if parts.port else "")
    return None
