"""One worker's life as a harvest run: pick the sources, open a run row, work the
rounds (pipelines/worker.py), hand back what is left, close the run.

The run row, the per-source counters and the field fill rates are the ones
`harvester harvest` writes (pipelines/state.py, pipelines/fillrates.py), so
`harvester runs` and `harvester report` show worker runs beside harvest runs; a
worker's counters cover only the pages it fetched itself, its fill rates the whole
source as it stood when the worker finished.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import httpx
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from harvester.errors import ConfigError, DatabaseError

from .config import Settings, SourceSettings
from .db import in_transaction
from .fillrates import record_fill_rates
from .frontier import release_rows, require_postgres
from .frontier_hosts import release_slots
from .search_index import refresh_after
from .state import finish_run, record_run_source, start_run
from .stats import RunReport
from .worker import WorkerOptions, new_owner, work_rounds
from .worker_kit import open_kit

log = logging.getLogger(__name__)

STOPPED = "stopped on request after committing the pages fetched; the rest handed back"


def utcnow() -> datetime:
    return datetime.now(UTC)


def worker_sources(settings: Settings, names: Sequence[str] = ()) -> list[SourceSettings]:
    """The named sources (default: every source the frontier can hold, i.e. not OAI-PMH)."""
    if names:
        picked = [settings.source(n) for n in names]
        for source in picked:
            if source.oai:
                raise ConfigError(f"source {source.name} is harvested over OAI-PMH: use "
                                  "`harvester harvest`, workers fetch page URLs")
        return picked
    picked = [s for s in settings.sources if not s.oai]
    if not picked:
        raise ConfigError("no source with page URLs (sitemap, listing or urls) to work on")
    return picked


async def run_worker(
    settings: Settings,
    engine: Engine,
    source_names: Sequence[str] = (),
    *,
    options: WorkerOptions | None = None,
    stop: asyncio.Event | None = None,
    client: httpx.AsyncClient | None = None,
    owner: str | None = None,
    now: Callable[[], datetime] = utcnow,
) -> RunReport:
    """Work the frontier of these sources until `stop` is set (or, with
    `options.until_empty`, until nothing is queued or leased)."""
    require_postgres(engine, "worker")
    options = options or WorkerOptions()
    sources = worker_sources(settings, source_names)
    stop = stop if stop is not None else asyncio.Event()
    owner = owner or new_owner()
    signalled = False
    # SourceBusy here, before a run row exists, while a harvest holds a source
    async with open_kit(settings, engine, sources, owner, client=client,
                        parse_workers=options.parse_workers, now=now) as kit:
        with engine.begin() as conn:
            run_id = start_run(conn, [s.name for s in sources], now())
        log.info("worker %s started run %d", owner, run_id)
        seconds = 0.0
        try:
            seconds = await work_rounds(kit, options, stop)
            # set by a signal, not by a source's database failure
            signalled = stop.is_set() and not any(s.fatal for s in kit.stats.values())
        finally:
            _hand_back(engine, owner)
        for st in kit.stats.values():
            st.seconds = seconds
            if signalled and st.fatal is None:
                st.stopped = STOPPED
        by_id = dict(kit.stats)

    def record(conn: Connection) -> None:
        for source_id, st in by_id.items():
            record_run_source(conn, run_id, source_id, st.to_json())

    try:
        in_transaction(engine, record, what="recording the sources' stats failed on")
    except DatabaseError as exc:  # keep the error that stopped a source, if one did
        log.error("%s", exc)
    stats = list(by_id.values())
    report = RunReport(run_id, tuple(stats))

    def close_run(conn: Connection) -> None:
        finish_run(conn, run_id, report.status, {s.name: s.to_json() for s in stats}, now())
        record_fill_rates(conn, run_id, list(by_id))  # for the report's drop flags

    in_transaction(engine, close_run, what="closing the worker's run failed on")
    refresh_after(engine, "the worker's run")
    return report


def _hand_back(engine: Engine, owner: str) -> None:
    """Free every slot and row `owner` still holds; if the database is gone, the leases
    simply run out."""
    def work(conn: Connection) -> None:
        release_rows(conn, owner)
        release_slots(conn, owner)

    try:
        in_transaction(engine, work, what="handing back the worker's leases failed on")
    except DatabaseError as exc:
        log.error("%s", exc)
