"""One OAI source's harvest, page by page: each ListRecords page is mapped and
committed with its checkpoint in one transaction (pipelines/oai_run.py has the
whole story). Stopping and the WARC archive of answers live here too: both act
between a page's arrival and its commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from concurrent.futures import Executor
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from harvester.errors import ParseError
from harvester.http import Fetcher
from harvester.oai.client import OAIClient
from harvester.oai.formats import Mapper, choose_prefix, mapper_for
from harvester.oai.protocol import BadResumptionToken, ListPage
from harvester.types import Page
from harvester.warc import WarcWriter

from .config import SourceSettings
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
from .stats import SourceStats

log = logging.getLogger("pipelines.oai_run")  # the name the harvest always logged under

#: how often one window may start over after badResumptionToken in one run
MAX_WINDOW_RESTARTS = 3
Progress = Callable[[SourceStats], None]


class Stopped(Exception):
    """`stop` was set: the harvest ends with what is committed."""


class AnswerArchive:
    """Every answer (Identify, ListMetadataFormats, ListRecords, errors) kept until the
    next commit, then written and synced before it."""

    def __init__(self, writer: WarcWriter, writes: Executor | None) -> None:
        self.writer, self.writes = writer, writes
        self.kept: list[Page] = []

    def keep(self, params: Mapping[str, str], page: Page) -> None:
        self.kept.append(page)

    async def flush(self) -> None:
        if self.kept:
            pages, self.kept = self.kept, []
            # the run's write thread: the writer is shared with the web pipelines
            await asyncio.get_running_loop().run_in_executor(self.writes, self._write, pages)

    def _write(self, pages: list[Page]) -> None:
        for page in pages:
            self.writer.write(page)
        self.writer.sync()  # on disk before the commit that stores its records


class HarvestJob:
    def __init__(self, source: SourceSettings, source_id: int, run_id: int, oai: OAIClient,
                 fetcher: Fetcher, engine: Engine, stats: SourceStats,
                 now: Callable[[], datetime], progress: Progress | None, full: bool) -> None:
        self.source, self.source_id, self.run_id = source, source_id, run_id
        self.oai, self.fetcher, self.engine = oai, fetcher, engine
        self.stats, self.now, self.progress, self.full = stats, now, progress, full
        self.checkpoint = Checkpoint()
        self.mapper: Mapper | None = None
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
        self.mapper = mapper_for(prefix, namespace)
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
        assert self.mapper is not None
        pages = self.oai.list_records(
            self.checkpoint.metadata_prefix or "", from_=window.from_, until=window.until,
            set_=self.source.set_spec, resumption_token=token)
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
        if not finished:  # noRecordsMatch, or a list that ended without a final page
            await self._flush_archive()
            with self.engine.begin() as conn:
                self._advance(conn, following)

    async def _next(self, pages: AsyncIterator[ListPage]) -> ListPage | None:
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

    def _items(self, page: ListPage) -> list[Listed]:
        assert self.mapper is not None
        if page.warnings:
            self.stats.count_problem("oai-xml-recovered", self.oai.base_url,
                                     "; ".join(page.warnings[:3]))
        items: list[Listed] = []
        for rec in page.records:
            if not rec.identifier:
                self.stats.count_problem("oai-no-identifier", self.oai.base_url)
                continue
            if rec.deleted:
                items.append(Listed(rec.identifier, rec.datestamp, None))
                continue
            try:
                record = self.mapper(rec, source_url=self.oai.base_url)
            except ParseError as exc:
                self.stats.count_problem(exc.reason, rec.identifier, str(exc))
                continue
            items.append(Listed(rec.identifier, rec.datestamp, record))
        return items

    async def _enrich(self) -> None:
        if self.source.enrich:
            await drain(self.source_id, self.engine, self.fetcher, platform=self.source.platform,
                        politeness=self.source.politeness, stats=self.stats, now=self.now,
                        stop=self.stop)
