"""One OAI source's harvest, page by page: each ListRecords page is mapped and
committed with its checkpoint in one transaction (pipelines/oai_run.py has the
whole story). Stopping and the WARC archive of answers (pipelines/oai_archive.py)
act here: both between a page's arrival and its commit. Pages are read and mapped in
a parse worker when there is one, while the next page is fetched
(harvester/oai/prefetch.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from harvester.http import Fetcher
from harvester.oai.client import OAIClient
from harvester.oai.formats import Mapper, choose_prefix, mapper_for
from harvester.oai.mapped import MappedPage, map_page, read_and_map, read_list_records
from harvester.oai.prefetch import mapped_pages
from harvester.oai.protocol import BadResumptionToken

from .config import SourceSettings
from .oai_archive import AnswerArchive
from .oai_enrich import drain
from .oai_plan import plan_harvest
from .oai_state import (
    Checkpoint,
    Listed,
    load_checkpoint,
    mark_missing,
    save_checkpoint,
    store_page,
)
from .oai_windows import Window
from .parse_pool import ParsePool
from .parse_worker import ShippedBytes
from .stats import SourceStats

__all__ = ["MAX_WINDOW_RESTARTS", "OWN_POOL_AFTER", "AnswerArchive", "HarvestJob", "Progress",
           "Stopped"]

log = logging.getLogger("pipelines.oai_run")  # the name the harvest always logged under

#: how often one window may start over after badResumptionToken in one run
MAX_WINDOW_RESTARTS = 3
#: a harvest without the run's parse pool starts its own after this many pages: worth
#: its start-up (~0.5 s of imports on the other core) only for a long list
OWN_POOL_AFTER = 8
Progress = Callable[[SourceStats], None]


class Stopped(Exception):
    """`stop` was set: the harvest ends with what is committed."""


class HarvestJob:
    def __init__(self, source: SourceSettings, source_id: int, run_id: int, oai: OAIClient,
                 fetcher: Fetcher, engine: Engine, stats: SourceStats,
                 now: Callable[[], datetime], progress: Progress | None, full: bool) -> None:
        self.source, self.source_id, self.run_id = source, source_id, run_id
        self.oai, self.fetcher, self.engine = oai, fetcher, engine
        self.stats, self.now, self.progress, self.full = stats, now, progress, full
        self.checkpoint = Checkpoint()
        self.mapper: Mapper | None = None
        self.namespace: str | None = None
        self.parser: ParsePool | None = None  # the run's; else one of our own, see _process
        self.own_parser: ParsePool | None = None
        self.pages = 0
        self.stop: asyncio.Event | None = None
        self.archive: AnswerArchive | None = None

    def _check_stop(self) -> None:
        if self.stop is not None and self.stop.is_set():
            raise Stopped

    async def run(self) -> None:
        self._check_stop()
        await self._enrich()  # what a crashed run left pending
        self._check_stop()
        ident = await self.oai.identify()
        prefix, namespace = await self._prefix()
        self.mapper, self.namespace = mapper_for(prefix, namespace), namespace
        with self.engine.connect() as conn:
            stored = load_checkpoint(conn, self.source_id)
        plan = plan_harvest(stored, ident, prefix, source=self.source, now=self.now(),
                            granularity=self.oai.granularity, full=self.full,
                            run_id=self.run_id)
        log.info("%s: %s harvest, %d window(s), prefix %s", self.source.name, plan.mode,
                 len(plan.windows), prefix)
        self.checkpoint = replace(
            stored or Checkpoint(), metadata_prefix=prefix, set_spec=self.source.set_spec,
            harvest_mode=plan.mode, harvest_started=plan.started, harvest_run=plan.harvest_run)
        for i, window in enumerate(plan.windows):
            following = plan.windows[i + 1] if i + 1 < len(plan.windows) else None
            await self._window(window, plan.token if i == 0 else None, following)
            self._check_stop()
            await self._enrich()
            self._check_stop()

    async def _prefix(self) -> tuple[str, str | None]:
        if self.source.metadata_prefix:
            return self.source.metadata_prefix, None
        formats = await self.oai.list_metadata_formats()
        prefix = choose_prefix(formats)
        return prefix, next((f.namespace for f in formats if f.prefix == prefix), None)

    async def _window(self, window: Window, token: str | None, following: Window | None) -> None:
        restarts = 0
        while True:
            try:
                await self._list(window, token, following)
                return
            except BadResumptionToken as exc:
                restarts += 1
                self.stats.skipped["oai-window-restart"] += 1
                log.warning("%s: token refused, window %s..%s starts over: %s",
                            self.source.name, window.from_, window.until, exc)
                if restarts > MAX_WINDOW_RESTARTS:
                    raise
                token = None

    async def _list(self, window: Window, token: str | None, following: Window | None) -> None:
        # the next page is asked for while this one is read and mapped (in a worker
        # process when there is one); pages still arrive and commit one by one, in order
        pages = mapped_pages(
            self.oai, self.checkpoint.metadata_prefix or "", self._process, from_=window.from_,
            until=window.until, set_=self.source.set_spec, resumption_token=token)
        try:
            finished = await self._store_pages(pages, window, following)
        finally:
            await pages.aclose()  # drops a request sent ahead for a page never committed
        if not finished:  # noRecordsMatch, or a list that ended without a final page
            await self._flush_archive()
            with self.engine.begin() as conn:
                self._advance(conn, following)

    async def _store_pages(self, pages: AsyncIterator[MappedPage], window: Window,
                           following: Window | None) -> bool:
        """Each page with its checkpoint in one transaction; True if the last page came."""
        finished = False
        while (page := await self._next(pages)) is not None:
            items = self._items(page)
            finished = page.resumption_token is None
            await self._flush_archive()
            with self.engine.begin() as conn:
                started = self.checkpoint.harvest_started or page.response_date or None
                self.checkpoint = replace(self.checkpoint, harvest_started=started)
                outcome = store_page(conn, self.source_id, items, run_id=self.run_id,
                                     enrich=self.source.enrich, now=self.now())
                if finished:
                    self._advance(conn, following)
                else:
                    self.checkpoint = replace(self.checkpoint, window_from=window.from_,
                                              window_until=window.until,
                                              resumption_token=page.resumption_token)
                    save_checkpoint(conn, self.source_id, self.checkpoint, self.now())
            s = self.stats
            s.discovered += page.count
            s.new, s.changed = s.new + outcome.new, s.changed + outcome.changed
            s.unchanged, s.deleted = s.unchanged + outcome.unchanged, s.deleted + outcome.deleted
            if self.progress:
                self.progress(s)
            self._check_stop()  # the page in hand is committed with its checkpoint
        return finished

    async def _process(self, body: bytes, url: str) -> MappedPage:
        """Read and map one page: in a parse worker when one is ready, else here. A page
        that raises is read here again, so the exception keeps its type and context."""
        assert self.mapper is not None
        prefix, base = self.checkpoint.metadata_prefix or "", self.oai.base_url
        self.pages += 1
        pool = self.parser
        if pool is None and self.pages > OWN_POOL_AFTER:
            pool = self.own_parser = self.own_parser or ParsePool()
        if pool is not None:
            mapped = await pool.call(read_and_map, ShippedBytes(body), url, prefix,
                                     self.namespace, base, recover=self.oai.recover)
            if mapped is not None:
                return mapped
        return map_page(read_list_records(body, url, prefix, recover=self.oai.recover),
                        self.mapper, base)

    def close(self) -> None:
        """Stop the parse workers this job started (not the run's)."""
        if self.own_parser is not None:
            self.own_parser.close()
            self.own_parser = None

    async def _next(self, pages: AsyncIterator[MappedPage]) -> MappedPage | None:
        """The next page, None at the end; Stopped if `stop` is set while it is awaited
        (the request is dropped: its page is not committed, the stored token stays)."""
        answer = asyncio.ensure_future(anext(pages, None))
        if self.stop is None:
            return await answer
        stopper = asyncio.ensure_future(self.stop.wait())
        try:
            await asyncio.wait({answer, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            if not answer.done():
                answer.cancel()
                await asyncio.gather(answer, return_exceptions=True)
        if answer.cancelled():
            raise Stopped
        return answer.result()  # an answer that raced the stop is still committed

    async def _flush_archive(self) -> None:
        if self.archive is not None:
            await self.archive.flush()

    def _advance(self, conn: Connection, following: Window | None) -> None:
        """Checkpoint the start of the next window, or close the harvest after the last."""
        cp = self.checkpoint
        if following is not None:
            cp = replace(cp, window_from=following.from_, window_until=following.until,
                         resumption_token=None)
        else:
            if cp.harvest_mode == "full" and cp.harvest_run is not None:
                self.stats.missing += mark_missing(conn, self.source_id, cp.harvest_run,
                                                   self.now())
            cp = replace(cp, last_response_date=cp.harvest_started or cp.last_response_date,
                         window_from=None, window_until=None, resumption_token=None,
                         harvest_mode=None, harvest_started=None, harvest_run=None)
        self.checkpoint = cp
        save_checkpoint(conn, self.source_id, cp, self.now())

    def _items(self, page: MappedPage) -> list[Listed]:
        if page.warnings:
            self.stats.count_problem("oai-xml-recovered", self.oai.base_url,
                                     "; ".join(page.warnings[:3]))
        for problem in page.problems:
            self.stats.count_problem(problem.reason, problem.where, problem.message)
        return [Listed(i.identifier, i.datestamp, i.record) for i in page.items]

    async def _enrich(self) -> None:
        if self.source.enrich:
            await drain(self.source_id, self.engine, self.fetcher, platform=self.source.platform,
                        politeness=self.source.politeness, stats=self.stats, now=self.now,
                        stop=self.stop)
