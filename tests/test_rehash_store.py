"""A batch of 304s costs the write side no archive work (pipelines/pipeline_store.py):
no trip to the write thread while it fills, no fsync at its commit; a batch with a
new page still syncs the archive before the rows that point at it commit."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from harvester.types import Page
from harvester.warc import ArchiveRef, WarcWriter, read_page
from pipelines.load import ensure_source
from pipelines.models import fetched_pages
from pipelines.outcomes import Outcome, fetched_row, known_row
from pipelines.parse_pool import ParsePool
from pipelines.pipeline_store import Plumbing, Target, store_batch, write_loop
from pipelines.state import record_fetches

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
URL = "https://r.test/"


class CountingWriter(WarcWriter):
    syncs = 0

    def sync(self) -> None:
        self.syncs += 1
        super().sync()


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """The write path's fsync decisions are the same on both databases: conftest's
    `engine` on SQLite alone."""
    return sqlite_url


def _page(n: int) -> Page:
    return Page(url=f"{URL}{n}", body=b"<html>page</html>" * 200, status=200,
                headers={"etag": f'"{n}"'}, fetched_at=T0, requested_url=f"{URL}{n}")


def _not_modified(n: int) -> Outcome:
    return Outcome(f"{URL}{n}", known_row(f"{URL}{n}", None, T0, status=304))


def _new_page(n: int) -> Outcome:
    return Outcome(f"{URL}{n}", fetched_row(_page(n), "ab" * 32, None, T0), page=_page(n))


@pytest.mark.parametrize(("outcomes", "syncs"), [
    ([_not_modified(1), _not_modified(2)], 0),
    ([_not_modified(1), _new_page(2)], 1),
], ids=["only-304s", "a-new-page"])
def test_the_archive_is_synced_only_when_a_stored_row_points_into_it(
        engine: Engine, tmp_path: Path, outcomes: list[Outcome], syncs: int) -> None:
    writer = CountingWriter(tmp_path)
    with engine.begin() as conn:
        source_id = ensure_source(conn, "repo", "pure", None, now=T0)
        record_fetches(conn, source_id, [o.row for o in outcomes if o.row is not None])
    with ThreadPoolExecutor(1) as pool:
        plumbing = Plumbing(engine, pool, pool, ParsePool(0), writer, lambda: T0)
        store_batch(plumbing, Target(source_id, 3), outcomes, T0)
    assert writer.syncs == syncs
    with engine.connect() as conn:
        refs = [ArchiveRef(r.warc_file, r.warc_offset) for r in conn.execute(
            select(fetched_pages).where(fetched_pages.c.warc_file.is_not(None)))]
    assert [read_page(tmp_path, ref).url for ref in refs] == [
        o.url for o in outcomes if o.page is not None]


@pytest.mark.parametrize(("outcomes", "trips"), [
    ([_not_modified(n) for n in range(8)], []),
    # in fours: the first four are 304s, the second four hold the page
    ([_not_modified(n) for n in range(7)] + [_new_page(7)], [slice(4, 8)]),
], ids=["only-304s", "a-new-page"])
def test_bodies_go_to_the_write_thread_while_a_batch_fills_but_304s_do_not(
        outcomes: list[Outcome], trips: list[slice]) -> None:
    sent: list[list[Outcome]] = []
    committed: list[list[Outcome]] = []

    async def archive(batch: list[Outcome]) -> list[Outcome]:
        sent.append(list(batch))
        return batch

    async def commit(batch: list[Outcome]) -> None:
        committed.append(list(batch))

    async def run() -> None:
        queue: asyncio.Queue[Any] = asyncio.Queue()
        end = object()
        for o in outcomes:
            queue.put_nowait(o)
        queue.put_nowait(end)
        await write_loop(queue, commit, archive, size=100, max_open=60, archive_every=4,
                         end=end)

    asyncio.run(run())
    assert sent == [outcomes[s] for s in trips]
    assert committed == [outcomes]
