"""The harvest pipeline: parsing in worker processes gives the records inline parsing
gives, a page without a record comes back from a worker as a counted reason, and a
slow site still gets its pages committed in small, timely batches."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import Engine, select, text

from harvester.types import Page
from harvester.warc import ArchiveRef, read_page
from pipelines.config import parse_settings
from pipelines.db import make_engine, open_database, upgrade
from pipelines.load import ensure_source
from pipelines.models import fetched_pages
from pipelines.parse_pool import Parsed, ParsePool, _worker_start, parse_one
from pipelines.pipeline import POOL_AFTER
from pipelines.pipeline_rows import restamp
from pipelines.run import harvest
from pipelines.sample_site import SampleSite
from pipelines.state import FetchRow, record_fetches

SYNTHETIC = POOL_AFTER + 8  # enough pages for the pool to be used


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with SampleSite(synthetic=SYNTHETIC) as s:
        yield s


def settings_for(site: SampleSite, db_url: str, tmp_path: Path, **politeness: Any) -> Any:
    return parse_settings({
        "database": db_url, "archive": str(tmp_path / f"warc-{abs(hash(db_url))}"),
        "user_agent": "harvester-tests (+mailto:t@example.org)",
        "sources": [{"name": "sample", "platform": "pure", "allow_private": True,
                     "politeness": {"concurrency": 8, "delay": 0, **politeness},
                     "sitemap": f"{site.base_url}/sitemap.xml"}],
    }, path=None, env={})


def stored(db_url: str) -> list[tuple[Any, ...]]:
    engine = open_database(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "select source_key, title, published, record_json, content_hash from publications "
            "order by source_key")).all()
    return [tuple(r) for r in rows]


class EagerPool(ParsePool):
    """Waits for its workers instead of parsing inline while they start, and remembers
    itself, so the test knows pages really went through worker processes."""

    made: ClassVar[list[ParsePool]] = []

    def __init__(self, workers: int | None = None) -> None:
        super().__init__(workers)
        EagerPool.made.append(self)

    async def parse(self, page: Page, platform: str, *, pooled: bool = True,
                    known_sha: str | None = None, archive_level: int | None = None) -> Parsed:
        if pooled:
            await self.started()
        return await super().parse(page, platform, pooled=pooled, known_sha=known_sha,
                                   archive_level=archive_level)


@pytest.mark.slow
def test_records_parsed_in_worker_processes_equal_records_parsed_inline(
    site: SampleSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipelines.run as run

    monkeypatch.setattr(run, "ParsePool", EagerPool)
    inline_url = f"sqlite:///{tmp_path / 'inline.db'}"
    pooled_url = f"sqlite:///{tmp_path / 'pooled.db'}"
    for url, workers in ((inline_url, 0), (pooled_url, 1)):
        settings = settings_for(site, url, tmp_path)
        report = asyncio.run(harvest(settings, open_database(url), parse_workers=workers))
        assert report.ok, report.sources[0].summary_line()
        assert report.sources[0].new > SYNTHETIC
    inline, pooled = EagerPool.made[-2:]
    assert inline.in_workers == 0 and pooled.in_workers > 0
    assert stored(pooled_url) == stored(inline_url)
    # the archive records rendered in the workers read back as the bodies they hash
    engine = open_database(pooled_url)
    with engine.connect() as conn:
        refs = conn.execute(text("select warc_file, warc_offset, sha256 from fetched_pages "
                                 "where url like '%/en/publications/%/'")).all()
    assert len(refs) > SYNTHETIC
    archive = tmp_path / f"warc-{abs(hash(pooled_url))}"
    for ref in refs:
        assert read_page(archive, ArchiveRef(ref[0], int(ref[1]))).sha256 == ref[2]


@pytest.mark.slow
async def test_a_worker_process_returns_the_reason_a_page_has_no_record() -> None:
    pool = ParsePool(1)
    try:
        assert await pool.started()
        empty = Page("https://repo.example.org/en/publications/x/", b"<html><body></body></html>")
        got = await pool.parse(empty, "pure")
        assert got.record is None and got.reason == parse_one(empty, "pure").reason
        assert got.reason
    finally:
        pool.close()


async def test_no_pool_is_started_for_inline_parsing() -> None:
    pool = ParsePool(0)
    assert not await pool.started()
    page = Page("https://repo.example.org/en/publications/x/", b"<html></html>")
    assert (await pool.parse(page, "pure")).reason == parse_one(page, "pure").reason
    pool.close()


@pytest.mark.slow
def test_a_slow_site_commits_within_seconds_not_after_a_full_batch(
    site: SampleSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipelines.pipeline as pipeline

    monkeypatch.setattr(pipeline, "MAX_OPEN_SECONDS", 0.05)
    url = f"sqlite:///{tmp_path / 'slow.db'}"
    settings = settings_for(site, url, tmp_path, concurrency=1, delay=0.01)
    engine = open_database(url)
    commits: list[int] = []
    report = asyncio.run(harvest(settings, engine, parse_workers=0,
                                 progress=lambda s: commits.append(s.new)))
    assert report.ok
    # one progress call per commit (and one at the end): far more than one batch of 500
    assert len(commits) > 3 and commits == sorted(commits)
    assert commits[-1] == len(stored(url))


def _start_then_linger(parent: int) -> None:
    _worker_start(parent)
    time.sleep(30)


def test_a_parse_worker_whose_parent_is_gone_exits_on_its_own() -> None:
    # -1 is never this child's parent: as if the harvest was SIGKILLed while the
    # worker was still starting (it would otherwise wait for work forever)
    child = multiprocessing.get_context("fork").Process(target=_start_then_linger, args=(-1,))
    child.start()
    child.join(timeout=10)
    assert child.exitcode == 0


# -- the re-harvest's page-row write (pipelines/pipeline_rows.py) -------------------------

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
T1 = T0 + timedelta(hours=1)


def _row(url: str, at: datetime = T0, **changes: Any) -> FetchRow:
    values: dict[str, Any] = {
        "url": url, "status": 200, "etag": '"v1"', "last_modified": None, "sha256": "ab" * 32,
        "fetched_at": at, "checked_at": at, "source_key": f"key-{url[-1]}",
        "warc_file": "a.warc.gz", "warc_offset": 7,
    }  # fmt: skip
    values.update(changes)
    return FetchRow(**values)


def _recheck(url: str) -> FetchRow:
    return _row(url, T1, status=304, fetched_at=None, warc_file=None, warc_offset=None)


@pytest.fixture
def rows_db(db_url: str) -> Iterator[tuple[Engine, int]]:
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.begin() as conn:
        source_id = ensure_source(conn, "repo", "pure", None, now=T0)
        record_fetches(conn, source_id, [_row("https://r.test/1"), _row("https://r.test/2",
                                         error_reason="http-500", status=500)])
    yield engine, source_id
    engine.dispose()


def _page_rows(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return {r.url: r for r in conn.execute(select(fetched_pages))}


def test_a_304_restamps_its_row_and_keeps_hash_validators_and_archive(
    rows_db: tuple[Engine, int],
) -> None:
    engine, source_id = rows_db
    with engine.begin() as conn:
        rest = restamp(conn, source_id, [_recheck("https://r.test/1"), _recheck("https://r.test/2")])
    assert rest == []
    rows = _page_rows(engine)
    for url in ("https://r.test/1", "https://r.test/2"):
        row = rows[url]
        assert (row.status, row.error_reason, row.attempts) == (304, None, 0)
        assert row.checked_at.replace(tzinfo=UTC) == T1
        assert row.fetched_at.replace(tzinfo=UTC) == T0  # the body is still the one of T0
        assert (row.etag, row.sha256, row.warc_file, row.warc_offset) == ('"v1"', "ab" * 32,
                                                                         "a.warc.gz", 7)


@pytest.mark.parametrize(
    ("batch", "left"),
    [
        # a row that is not there yet: every recheck goes to the upsert, which inserts it
        (["https://r.test/1", "https://r.test/new"], 2),
        # the same URL twice: the upsert keeps the last answer
        (["https://r.test/1", "https://r.test/1"], 2),
    ],
    ids=["missing-row", "duplicate-url"],
)
def test_rechecks_the_update_cannot_settle_are_left_for_the_upsert(
    rows_db: tuple[Engine, int], batch: list[str], left: int
) -> None:
    engine, source_id = rows_db
    with engine.begin() as conn:
        assert len(restamp(conn, source_id, [_recheck(u) for u in batch])) == left


def test_answers_with_a_body_or_an_error_are_left_for_the_upsert(
    rows_db: tuple[Engine, int],
) -> None:
    engine, source_id = rows_db
    body = _row("https://r.test/1", T1)
    failed = _row("https://r.test/2", T1, status=503, fetched_at=None, error_reason="http-503")
    with engine.begin() as conn:
        assert restamp(conn, source_id, [body, failed, _recheck("https://r.test/3")]) == [
            body, failed, _recheck("https://r.test/3")]
