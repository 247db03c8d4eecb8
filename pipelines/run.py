"""One harvest run: discovery -> fetch -> parse -> load, per source, with stats.

Pages move in batches. For each batch the known page state (ETag,
Last-Modified, content hash) is read in one query, the pages are fetched
concurrently (the fetcher enforces per-host politeness), parsed, and the
records and the page state are written in ONE transaction, so a crash never
leaves a fetched page recorded without its record or the other way round.
A failed page or source is counted and never stops the others.

A run holds a lock per source (pipelines/lock.py) so two runs never harvest the
same source at once. Setting `stop` (the CLI does on SIGINT/SIGTERM) ends each
source after the batch in hand: pages already fetched are committed, requests
still in flight are dropped (the next run fetches them), and the run is closed
as 'stopped'.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from harvester.errors import FetchError, HarvestError, ParseError
from harvester.http import Fetcher, NotModified
from harvester.normalize.identifiers import normalize_url
from harvester.parsers import parse_page
from harvester.types import Page, Record
from harvester.warc import WarcWriter

from .config import Settings, SourceSettings
from .discover import discover
from .fillrates import record_fill_rates
from .load import ensure_source, upsert_records
from .lock import hold_sources
from .oai_run import harvest_oai_source
from .state import (
    FetchRow,
    PageState,
    finish_run,
    get_page_states,
    record_fetches,
    record_run_source,
    start_run,
)
from .stats import RunReport, SourceStats

log = logging.getLogger(__name__)

BATCH = 200  # pages per transaction; HARVESTER_BATCH_SIZE overrides (crash tests use tiny ones)


def batch_size() -> int:
    value = os.environ.get("HARVESTER_BATCH_SIZE", "")
    return int(value) if value.isdigit() and int(value) > 0 else BATCH
Progress = Callable[[SourceStats], None]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Outcome:
    url: str
    row: FetchRow | None
    record: Record | None = None
    page: Page | None = None  # a new body, to archive


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
) -> RunReport:
    """Harvest the named sources (all when empty) into the database behind `engine`.
    `full`: OAI-PMH sources re-enumerate from their earliest record.
    A source another run is harvesting raises SourceBusy, or is waited for (`wait`)."""
    sources = [settings.source(n) for n in source_names] if source_names else list(settings.sources)
    async with hold_sources(engine, [s.name for s in sources], wait=wait,
                            on_wait=on_wait) as locks:
        with engine.begin() as conn:
            run_id = start_run(conn, [s.name for s in sources], now())
        locks.annotate(run_id)
        return await _run(settings, engine, sources, run_id, client=client, sleep=sleep,
                          now=now, progress=progress, full=full, stop=stop)


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
) -> RunReport:
    kwargs: dict[str, object] = {"client": client, "now": now}
    if sleep is not None:
        kwargs["sleep"] = sleep
    archive = (WarcWriter(settings.archive.directory, max_bytes=settings.archive.max_file_bytes)
               if settings.archive else None)
    async with Fetcher(settings.fetch, **kwargs) as fetcher:  # type: ignore[arg-type]
        try:
            stats = await asyncio.gather(
                *(
                    harvest_oai_source(s, settings, fetcher, engine, run_id, now=now,
                                       progress=progress, client=client, sleep=sleep, full=full)
                    if s.oai
                    else _harvest_source(s, fetcher, engine, run_id, now, progress, stop, archive)
                    for s in sources
                )
            )
        finally:
            if archive is not None:
                archive.close()
    report = RunReport(run_id, tuple(stats))
    with engine.begin() as conn:
        finish_run(conn, run_id, report.status, {s.name: s.to_json() for s in stats}, now())
        record_fill_rates(conn, run_id)  # for the run report's drop flags
    return report


async def _harvest_source(
    source: SourceSettings,
    fetcher: Fetcher,
    engine: Engine,
    run_id: int,
    now: Callable[[], datetime],
    progress: Progress | None,
    stop: asyncio.Event | None = None,
    archive: WarcWriter | None = None,
) -> SourceStats:
    stats = SourceStats(source.name)
    started = time.monotonic()
    with engine.begin() as conn:
        source_id = ensure_source(conn, source.name, source.platform, _base_url(source))

    discovery_errors: list[str] = []

    def on_discovery_error(where: str, exc: HarvestError) -> None:
        discovery_errors.append(f"{where}: {exc}")
        stats.count_problem(f"discovery-{exc.reason}", where, str(exc))

    try:
        batch: list[str] = []
        size = batch_size()
        async for url in discover(source, fetcher, on_discovery_error):
            if stop is not None and stop.is_set():
                break
            stats.discovered += 1
            batch.append(normalize_url(url))
            if len(batch) >= size:
                await _process_batch(source, source_id, batch, fetcher, engine, stats, now, stop,
                                     archive)
                batch = []
                if progress:
                    progress(stats)
        if stop is not None and stop.is_set():
            stats.stopped = "stopped on request after committing the pages fetched"
        elif batch:
            await _process_batch(source, source_id, batch, fetcher, engine, stats, now, stop,
                                     archive)
        if stats.discovered == 0 and discovery_errors:
            stats.fatal = "discovery failed: " + "; ".join(discovery_errors)
    except HarvestError as exc:
        log.error("source %s stopped: %s", source.name, exc)
        stats.fatal = str(exc)
    finally:
        stats.seconds = time.monotonic() - started
        with engine.begin() as conn:
            record_run_source(conn, run_id, source_id, stats.to_json())
        if progress:
            progress(stats)
    return stats


async def _process_batch(
    source: SourceSettings,
    source_id: int,
    urls: list[str],
    fetcher: Fetcher,
    engine: Engine,
    stats: SourceStats,
    now: Callable[[], datetime],
    stop: asyncio.Event | None = None,
    archive: WarcWriter | None = None,
) -> None:
    with engine.connect() as conn:
        states = get_page_states(conn, urls)
    tasks = [asyncio.ensure_future(_fetch_one(source, u, states.get(u), fetcher, stats, now))
             for u in urls]
    outcomes = await _until_stopped(tasks, stop)
    if archive is not None:
        outcomes = [_archived(o, archive) for o in outcomes]
        archive.sync()  # on disk before the rows that point at it commit
    records = [o.record for o in outcomes if o.record is not None]
    rows = [o.row for o in outcomes if o.row is not None]
    with engine.begin() as conn:
        if records:
            loaded = upsert_records(conn, source_id, records, now=now())
            stats.new += loaded.new
            stats.changed += loaded.changed
            stats.unchanged += loaded.unchanged
        if rows:
            record_fetches(conn, source_id, rows)


def _archived(outcome: _Outcome, archive: WarcWriter) -> _Outcome:
    if outcome.page is None or outcome.row is None:
        return outcome
    ref = archive.write(outcome.page)
    row = dataclasses.replace(outcome.row, warc_file=ref.file, warc_offset=ref.offset)
    return dataclasses.replace(outcome, row=row, page=None)


async def _until_stopped(tasks: Sequence[asyncio.Future[_Outcome]], stop: asyncio.Event | None
                         ) -> list[_Outcome]:
    """The tasks' results; once `stop` is set, those not done yet are cancelled and left out.

    A page's task completes without an await after its answer arrives, so a page
    is either fully counted and returned here or not touched at all.
    """
    if stop is None:
        return list(await asyncio.gather(*tasks))
    everything = asyncio.gather(*tasks)
    stopper = asyncio.ensure_future(stop.wait())
    either: list[asyncio.Future[Any]] = [everything, stopper]
    try:
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        finished = everything.done()
        if not finished:
            everything.cancel()
        await asyncio.gather(everything, stopper, return_exceptions=True)
    if finished:
        return list(everything.result())  # re-raises what a task raised
    return [t.result() for t in tasks if not t.cancelled()]


async def _fetch_one(
    source: SourceSettings,
    url: str,
    state: PageState | None,
    fetcher: Fetcher,
    stats: SourceStats,
    now: Callable[[], datetime],
) -> _Outcome:
    try:
        result = await fetcher.fetch(
            url,
            politeness=source.politeness,
            etag=state.etag if state and state.source_key else None,
            last_modified=state.last_modified if state and state.source_key else None,
        )
    except FetchError as exc:
        log.warning("fetch failed %s: %s", url, exc)
        stats.count_problem(exc.reason, url, str(exc))
        status = getattr(exc, "status", None)
        return _Outcome(url, _row(url, state, now(), status=status, error=exc))

    if isinstance(result, NotModified):
        stats.not_modified += 1
        return _Outcome(url, _row(url, state, now(), status=304))

    stats.fetched += 1
    stats.bytes += len(result.body)
    if state and state.source_key and state.sha256 == result.sha256:
        # Same bytes as last time: nothing to parse, nothing to load.
        stats.same_content += 1
        return _Outcome(url, _fetched_row(result, state.source_key, now()), page=result)
    try:
        record, _parser = parse_page(result, source.platform)
    except ParseError as exc:
        log.info("no record from %s: %s", url, exc)
        stats.count_problem(exc.reason, url, str(exc))
        return _Outcome(url, _fetched_row(result, None, now(), error=exc), page=result)
    return _Outcome(url, _fetched_row(result, record.source_key, now()), record, result)


def _fetched_row(
    page: Page, source_key: str | None, at: datetime, error: HarvestError | None = None
) -> FetchRow:
    return FetchRow(
        url=normalize_url(page.requested_url or page.url),
        status=page.status,
        etag=page.headers.get("etag"),
        last_modified=page.headers.get("last-modified"),
        sha256=page.sha256,
        fetched_at=page.fetched_at or at,
        checked_at=at,
        source_key=source_key,
        error_reason=error.reason if error else None,
        error_message=str(error)[:500] if error else None,
    )


def _row(
    url: str,
    state: PageState | None,
    at: datetime,
    *,
    status: int | None = None,
    error: HarvestError | None = None,
) -> FetchRow:
    """A page-state row for an answer without a new body: keep what we knew."""
    return FetchRow(
        url=url,
        status=status if status is not None else (state.status if state else None),
        etag=state.etag if state else None,
        last_modified=state.last_modified if state else None,
        sha256=state.sha256 if state else None,
        fetched_at=None,
        checked_at=at,
        source_key=state.source_key if state else None,
        error_reason=error.reason if error else None,
        error_message=str(error)[:500] if error else None,
    )


def _base_url(source: SourceSettings) -> str | None:
    for url in (*source.listing, *source.sitemap, *source.urls):
        parts = httpx.URL(url)
        return f"{parts.scheme}://{parts.host}" + (f":{parts.port}" if parts.port else "")
    return None
