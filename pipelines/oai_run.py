"""Harvest one OAI-PMH source: complete, incremental, resumable, with tombstones.

    Identify -> metadata prefix -> date windows from `from` to now
      for each window: ListRecords, and for EACH response page ONE transaction:
        records upserted, tombstones written, checkpoint (window + next token)
      between windows: landing-page enrichment of the records just stored

`from` is the responseDate of the first response of the last completed
harvest (or earliestDatestamp on a first or `full` run). A crash resumes at
the next page: the stored token is tried first, and if the server refuses it
(badResumptionToken) only that window starts over. The harvest's last page
stores the new `from` in its own transaction; a full harvest also marks the
records it did not list with missing_since.

Setting `stop` (SIGINT/SIGTERM) ends the harvest after the page in hand is
committed with its checkpoint; a request still unanswered is dropped, so the
next run resumes from the stored token (a request sent ahead while page N was
read, harvester/oai/prefetch.py, is dropped the same way: nothing of page N+1 is
committed before page N). Pages are read and mapped in parse worker processes
(`parser`, the run's ParsePool; else the job's own for a long list) while the next
one is fetched. With an archive, every ListRecords response is written to the
WARC files, and synced, before the transaction that stores its records commits.
A base URL on a private address is refused before any request unless the source
allows private addresses.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from harvester._fetch.netsafety import system_resolve
from harvester._fetch.resolver import CheckedResolver
from harvester.errors import HarvestError, UnsafeURL
from harvester.http import Fetcher, make_client
from harvester.oai.client import OAIClient
from harvester.oai.protocol import OAIError
from harvester.warc import WarcWriter

from .config import Settings, SourceSettings
from .load import ensure_source
from .oai_job import MAX_WINDOW_RESTARTS, AnswerArchive, HarvestJob, Progress, Stopped
from .parse_pool import ParsePool
from .state import record_run_source
from .stats import SourceStats

__all__ = ["MAX_WINDOW_RESTARTS", "Progress", "Sleep", "harvest_oai_source"]

log = logging.getLogger(__name__)

# run.harvest's sleep type; the OAI client awaits what it returns
Sleep = Callable[[float], Any]


async def harvest_oai_source(
    source: SourceSettings,
    settings: Settings,
    fetcher: Fetcher,
    engine: Engine,
    run_id: int,
    *,
    now: Callable[[], datetime],
    progress: Progress | None = None,
    client: httpx.AsyncClient | None = None,
    sleep: Sleep | None = None,
    full: bool = False,
    stop: asyncio.Event | None = None,
    archive: WarcWriter | None = None,
    writes: Executor | None = None,
    parser: ParsePool | None = None,
) -> SourceStats:
    """Harvest `source` (which has `oai:`); every failure is counted in the stats.
    `writes`: the thread that writes `archive` (the run shares one writer).
    `parser`: the run's parse workers, which read and map the pages; without it a
    long harvest starts its own (HarvestJob._process)."""
    if not source.oai:
        raise ValueError(f"source {source.name!r} has no oai: URL")
    stats = SourceStats(source.name)
    started = time.monotonic()
    with engine.begin() as conn:
        source_id = ensure_source(conn, source.name, source.platform, source.oai, now=now())
    # its own client: the connection resolves through the same check as the base URL's,
    # so a DNS answer that changes after the check cannot reach a private address
    http = client or make_client(settings.fetch, resolver=CheckedResolver(
        system_resolve, lambda host: source.politeness.allow_private))
    fs = settings.fetch
    oai = OAIClient(source.oai, client=http, sleep=sleep or asyncio.sleep, now=now,
                    max_retries=fs.max_retries, backoff_base=fs.backoff_base,
                    backoff_max=fs.backoff_max, user_agent=fs.user_agent,
                    delay=source.politeness.delay,
                    allow_private=source.politeness.allow_private, max_bytes=fs.max_bytes)
    job = HarvestJob(source, source_id, run_id, oai, fetcher, engine, stats, now, progress, full)
    job.stop, job.parser = stop, parser
    if archive is not None:
        job.archive = AnswerArchive(archive, writes)
        oai.on_response = job.archive.keep
    try:
        await job.run()
    except Stopped:
        stats.stopped = "stopped on request after committing the OAI pages listed"
    except UnsafeURL as exc:
        log.error("source %s refused: %s", source.name, exc)
        stats.count_problem(exc.reason, exc.url or source.oai, str(exc))
        stats.fatal = str(exc)
    except OAIError as exc:
        log.error("source %s stopped: %s", source.name, exc)
        stats.count_problem(f"oai-{exc.code}", exc.url or source.oai, exc.message)
        stats.fatal = str(exc)
    except HarvestError as exc:
        log.error("source %s stopped: %s", source.name, exc)
        stats.fatal = str(exc)
    finally:
        job.close()
        if job.archive is not None:  # answers no commit pointed at yet (errors)
            await job.archive.flush()
        if client is None:
            await http.aclose()
        stats.seconds = time.monotonic() - started
        with engine.begin() as conn:
            record_run_source(conn, run_id, source_id, stats.to_json())
        if progress:
            progress(stats)
    return stats
