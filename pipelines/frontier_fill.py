"""`harvester enqueue`: run each source's discovery and fill the shared frontier.

Discovery is the harvest's own (pipelines/discover.py: urls, sitemaps, listing
pages, robots.txt obeyed); the URLs are normalised as the harvest does, written
a thousand at a time, and each host's politeness (concurrency, delay) is
recorded for the workers with its slot rows. A page whose sitemap <lastmod>
ends before our last good fetch of it is not queued (pipelines/unchanged.py, the
harvest's own rule: `lastmod: trust`, within `recheck_days`), so workers never
ask for it; it is counted skipped_unchanged. After a complete discovery (no
sitemap, listing or url list failed), the source's pages that carried a live record
and are no longer listed are queued again, as `harvest` asks for them again
(pipelines/discover.py `unlisted_pages`), counted rechecked: only a page asked for
can answer 404/410, and a worker counts those answers towards `gone_after` as the
harvest does (pipelines/pipeline_store.py), so a removed page's record is marked
deleted after `gone_after` nights and its data kept. After a failed discovery every
page would look unlisted: the recheck is skipped (`rechecked=skipped`). The listed
URLs are the set discovery keeps anyway to drop duplicates (measured: 46 MB for
300,000 URLs of 77 characters); the unlisted lookup adds ~40 MB at that size.
Sources harvested over OAI-PMH are not page lists and are left to `harvester harvest`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from sqlalchemy.engine import Engine

from harvester.errors import HarvestError
from harvester.http import Fetcher
from harvester.warc import ArchiveRecorder

from .config import Settings, SourceSettings
from .discover import Listed, discover_listed, unlisted_pages
from .frontier import EnqueueCounts, enqueue, host_of, require_postgres
from .frontier_hosts import HostPolicy, register_hosts
from .load import ensure_source
from .run import _base_url
from .state import get_page_states
from .unchanged import Skipper
from .worker_run import worker_sources

log = logging.getLogger(__name__)

CHUNK = 1000


@dataclass
class Enqueued:
    name: str
    discovered: int = 0
    skipped_unchanged: int = 0  # listed, lastmod before our last good fetch: not queued
    counts: EnqueueCounts = field(default_factory=EnqueueCounts)  # of the listed pages
    errors: list[str] = field(default_factory=list)
    rechecked: int | None = 0  # unlisted record pages queued again; None: skipped (errors)

    def summary_line(self) -> str:
        c = self.counts
        skipped = f" skipped_unchanged={self.skipped_unchanged}" if self.skipped_unchanged else ""
        line = (f"{self.name}: discovered={self.discovered}{skipped} new={c.new} "
                f"requeued={c.requeued} pending={c.pending}")
        if c.invalid:
            line += f" invalid={c.invalid}"
        if self.rechecked is None:
            line += " rechecked=skipped"
        elif self.rechecked:
            line += f" rechecked={self.rechecked}"
        return line + "".join(f" error={e!r}" for e in self.errors)


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def enqueue_sources(
    settings: Settings,
    engine: Engine,
    source_names: Sequence[str] = (),
    *,
    client: httpx.AsyncClient | None = None,
    now: Callable[[], datetime] = _utcnow,
) -> list[Enqueued]:
    """Discover the named sources (default: all but OAI-PMH ones) into the frontier."""
    require_postgres(engine, "enqueue")
    sources = worker_sources(settings, source_names)
    archive = settings.archive.writer() if settings.archive else None
    writes = ThreadPoolExecutor(1, thread_name_prefix="enqueue-write")
    try:
        async with Fetcher(settings.fetch, client=client, now=now) as fetcher:
            # discovery's answers (robots.txt, sitemaps, listings) go to the raw archive
            recorder = ArchiveRecorder(archive, writes) if archive is not None else None
            fetcher.recorder = recorder
            try:
                return [await _fill(source, engine, fetcher, now) for source in sources]
            finally:
                if recorder is not None:
                    recorder.flush()
    finally:
        writes.shutdown(wait=True)
        if archive is not None:
            archive.close()


async def _fill(source: SourceSettings, engine: Engine, fetcher: Fetcher,
                now: Callable[[], datetime]) -> Enqueued:
    done = Enqueued(source.name)
    with engine.begin() as conn:
        source_id = ensure_source(conn, source.name, source.platform, _base_url(source))
    policy = HostPolicy(source.politeness.concurrency, source.politeness.delay)

    def on_error(where: str, exc: HarvestError) -> None:
        done.errors.append(f"{where}: {exc}")

    skipper = Skipper(source)

    def write(found: list[Listed]) -> EnqueueCounts:
        with engine.begin() as conn:
            urls = [f.url for f in found]  # normalised by discover
            if skipper.enabled and any(f.lastmod for f in found):
                # one lookup per chunk, only when some lastmod could spare a page
                states, at = get_page_states(conn, urls), now()
                urls = [url for url, lastmod in found
                        if not skipper.unchanged(states.get(url), lastmod, at)]
                done.skipped_unchanged += len(found) - len(urls)
            hosts = {h for h in map(host_of, urls) if h is not None}
            register_hosts(conn, dict.fromkeys(sorted(hosts), policy))
            return enqueue(conn, source_id, urls, now())

    listed: set[str] = set()  # discover_listed fills it: what the recheck leaves out
    chunk: list[Listed] = []
    async for found in discover_listed(source, fetcher, on_error, listed):
        done.discovered += 1
        chunk.append(found)
        if len(chunk) >= CHUNK:
            done.counts += await asyncio.to_thread(write, chunk)
            chunk = []
    if chunk:
        done.counts += await asyncio.to_thread(write, chunk)
    if done.errors:  # a failed sitemap must not make every page it lists look removed
        done.rechecked = None
        log.warning("source %s: discovery incomplete, pages no longer listed not rechecked",
                    source.name)
        return done
    gone = await asyncio.to_thread(_unlisted, engine, source_id, listed)
    del listed
    for start in range(0, len(gone), CHUNK):
        await asyncio.to_thread(write, [Listed(url) for url in gone[start:start + CHUNK]])
    done.rechecked = len(gone)
    if gone:
        log.info("source %s: %d pages no longer listed, queued to be asked again",
                 source.name, len(gone))
    return done


def _unlisted(engine: Engine, source_id: int, listed: set[str]) -> list[str]:
    with engine.connect() as conn:
        return unlisted_pages(conn, source_id, listed)
