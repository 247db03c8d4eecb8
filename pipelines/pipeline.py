"""One source's pages as a pipeline: discovery -> fetch workers -> parse -> writer.

    discovery ─▶ state lookup (chunks, read thread) ─▶ [skip: lastmod before our last
        fetch, pipelines/unchanged.py] ─▶ bounded queue
        ─▶ N fetch workers (the Fetcher enforces per-host politeness)
        ─▶ parse (inline, or a worker process: pipelines/parse_pool.py)
        ─▶ bounded queue ─▶ writer: archive + records + page rows, ONE
           transaction per batch, in the write thread, while fetching goes on
           (pipelines/pipeline_store.py)

Crash safety is the batch runs' contract: a page's fetched_pages row and its
record commit in the same transaction; nothing is marked fetched before its
record is stored; the WARC archive is synced before the commit that points at
it. Stop (SIGINT/SIGTERM): discovery and fetches still waiting for an answer are
dropped, untouched (the next run fetches them); every page already answered is
parsed, committed and counted, then the source ends.

Stats are only changed on the event loop thread; the threads get copies.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from harvester.errors import FetchError
from harvester.http import Fetcher, NotModified
from harvester.normalize.identifiers import normalize_url
from harvester.types import Page

from .config import SourceSettings
from .discover import Listed
from .outcomes import Outcome, fetched_row, known_row
from .pipeline_store import (
    Plumbing,
    Progress,
    StoreHook,
    Target,
    archive_outcomes,
    store_batch,
    write_loop,
)
from .state import PageState, get_page_states
from .stats import SourceStats
from .unchanged import Skipper

__all__ = ["Plumbing", "Progress", "SourcePipeline", "StoreHook", "fetch_workers"]

POOL_AFTER = 32  # pages discovered before parsing moves to worker processes
MAX_OPEN_SECONDS = 2.0  # a batch is committed at least this often on a slow site
ARCHIVE_EVERY = 64  # bodies archived (and let go) this many at a time while a batch fills
_END = object()

Fetched = Page | NotModified | FetchError


def fetch_workers(source: SourceSettings) -> int:
    """Enough tasks to fill the per-host concurrency, twice over for sources on several hosts."""
    return max(2, min(256, 2 * source.politeness.concurrency))


class SourcePipeline:
    def __init__(self, source: SourceSettings, source_id: int, fetcher: Fetcher,
                 stats: SourceStats, plumbing: Plumbing, *, batch: int,
                 stop: asyncio.Event | None = None, on_store: StoreHook | None = None) -> None:
        self.source, self.source_id, self.fetcher, self.stats = source, source_id, fetcher, stats
        self.on_store = on_store
        self.p = plumbing
        self.batch = batch
        self.stop = stop
        self.lookup = min(batch, 500)
        self._fetch_q: asyncio.Queue[tuple[str, PageState | None] | None] = asyncio.Queue(
            self.lookup)
        self._write_q: asyncio.Queue[Any] = asyncio.Queue(min(batch, 128))
        self._cancellable: set[asyncio.Task[Any]] = set()
        self._workers = fetch_workers(source)
        self._skipper = Skipper(source)
        self._unsettled = 0  # pages queued to fetch and not handed to the writer yet
        self._produced = False  # discovery is over: no more pages will be queued

    def _stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    async def run(self, urls: AsyncIterator[str | Listed]) -> None:
        writer = asyncio.create_task(self._write_loop())
        producer = asyncio.create_task(self._produce(urls))
        workers = [asyncio.create_task(self._work()) for _ in range(self._workers)]
        feeders: set[asyncio.Task[Any]] = {producer, *workers}
        stopper = asyncio.create_task(self.stop.wait()) if self.stop is not None else None
        failure: BaseException | None = None
        try:
            pending: set[asyncio.Future[Any]] = {*feeders, writer}
            if stopper is not None:
                pending.add(stopper)
            while feeders & pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                if stopper in done:
                    self._halt(producer)
                for task in done - {stopper}:
                    if not task.cancelled() and task.exception() is not None:
                        raise task.exception()  # type: ignore[misc]
        except BaseException as exc:
            failure = exc
            for task in feeders:
                task.cancel()
            await asyncio.gather(*feeders, return_exceptions=True)
        finally:
            if stopper is not None:
                stopper.cancel()
        # Whatever was answered is committed, on success, stop and failure alike.
        if not writer.done():
            await self._write_q.put(_END)
        try:
            await writer
        except BaseException:
            if failure is None:
                raise
        if failure is not None:
            raise failure

    def _halt(self, producer: asyncio.Task[Any]) -> None:
        """Stop: drop discovery and every fetch not answered yet; answered pages go on."""
        producer.cancel()
        for task in self._cancellable:
            task.cancel()

    # -- discovery and page state ------------------------------------------------------

    async def _produce(self, urls: AsyncIterator[str | Listed]) -> None:
        chunk: list[Listed] = []
        async for item in urls:
            if self._stopping():
                break
            self.stats.discovered += 1
            # discovery's URLs are normalised already; the worker's plain ones may not be
            chunk.append(Listed(normalize_url(item)) if isinstance(item, str) else item)
            if len(chunk) >= self.lookup:
                await self._enqueue(chunk)
                chunk = []
        if chunk and not self._stopping():
            await self._enqueue(chunk)
        self._produced = True
        for _ in range(self._workers):
            await self._fetch_q.put(None)

    async def _enqueue(self, found: list[Listed]) -> None:
        loop = asyncio.get_running_loop()
        states = await loop.run_in_executor(self.p.reads, self._lookup, [f.url for f in found])
        now, unchanged = self.p.now(), self._skipper.unchanged
        for url, lastmod in found:
            state = states.get(url)
            if unchanged(state, lastmod, now):
                self.stats.skipped_unchanged += 1  # seen (listed), not asked: nothing written
                continue
            self._unsettled += 1
            await self._fetch_q.put((url, state))

    def _lookup(self, urls: Sequence[str]) -> dict[str, PageState]:
        with self.p.engine.connect() as conn:
            return get_page_states(conn, urls)

    # -- fetch and parse -----------------------------------------------------------------

    async def _work(self) -> None:
        me = asyncio.current_task()
        assert me is not None
        while not self._stopping():
            # Cancellable while waiting for work or for an answer: nothing is counted yet.
            self._cancellable.add(me)
            item = await self._fetch_q.get()
            if item is None:
                return
            url, state = item
            answer = await self._fetch(url, state)
            self._cancellable.discard(me)
            outcome = await self._settle(url, state, answer)
            self._unsettled -= 1
            await self._write_q.put(outcome)

    async def _fetch(self, url: str, state: PageState | None) -> Fetched:
        known = state is not None and state.source_key is not None
        try:
            return await self.fetcher.fetch(
                url,
                politeness=self.source.politeness,
                etag=state.etag if known and state else None,
                last_modified=state.last_modified if known and state else None,
                on_retry=self.stats.count_retry,
            )
        except FetchError as exc:
            return exc

    async def _settle(self, url: str, state: PageState | None, answer: Fetched) -> Outcome:
        stats, now = self.stats, self.p.now
        if isinstance(answer, FetchError):
            stats.count_problem(answer.reason, url, str(answer))
            status = getattr(answer, "status", None)
            return Outcome(url, known_row(url, state, now(), status=status,
                                          reason=answer.reason, message=str(answer)))
        if isinstance(answer, NotModified):
            stats.not_modified += 1
            return Outcome(url, known_row(url, state, now(), status=304))
        stats.fetched += 1
        stats.bytes += len(answer.body)
        known = state.source_key if state is not None else None
        archive = self.p.archive
        parsed = await self.p.parser.parse(
            answer, self.source.platform, pooled=stats.discovered > POOL_AFTER,
            known_sha=state.sha256 if state is not None and known else None,
            archive_level=archive.compresslevel if archive is not None else None)
        # a body rendered for the archive already need not be kept
        page = answer if parsed.warc is None else None
        if parsed.same:
            # Same bytes as last time: nothing to parse, nothing to load.
            stats.same_content += 1
            return Outcome(url, fetched_row(answer, parsed.sha256, known, now(), url=url),
                           page=page, warc=parsed.warc)
        if parsed.record is None:
            reason = parsed.reason or "not-a-record"
            stats.count_problem(reason, url, parsed.message)
            row = fetched_row(answer, parsed.sha256, None, now(), reason=reason,
                              message=parsed.message, url=url)
            return Outcome(url, row, page=page, warc=parsed.warc)
        row = fetched_row(answer, parsed.sha256, parsed.record.source_key, now(), url=url)
        return Outcome(url, row, parsed.record, page, parsed.warc)

    # -- writing -------------------------------------------------------------------------

    async def _write_loop(self) -> None:
        loop, p, writer = asyncio.get_running_loop(), self.p, self.p.archive
        archive = None
        if writer is not None:
            async def archive(outcomes: list[Outcome]) -> list[Outcome]:
                # in the write thread: the bodies not archived yet (synced at the commit)
                return await loop.run_in_executor(p.writes, archive_outcomes, writer, outcomes)
        await write_loop(self._write_q, self._commit, archive, size=self.batch,
                         max_open=MAX_OPEN_SECONDS, archive_every=ARCHIVE_EVERY, end=_END,
                         last=lambda n: self._produced and n + self._unsettled
                         + self._write_q.qsize() <= self.batch)

    async def _commit(self, batch: list[Outcome]) -> None:
        """In the write thread: archive the new bodies, then one transaction."""
        loop = asyncio.get_running_loop()
        target = Target(self.source_id, self.source.gone_after, self.on_store)
        loaded, gone = await loop.run_in_executor(self.p.writes, store_batch, self.p, target,
                                                  batch, self.p.now())
        self.stats.gone_confirmed += gone
        self.stats.new += loaded.new
        self.stats.changed += loaded.changed
        self.stats.unchanged += loaded.unchanged
        if self.p.progress:
            self.p.progress(self.stats)
