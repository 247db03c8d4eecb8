"""The harvest pipeline: parsing in worker processes gives the records inline parsing
gives, a page without a record comes back from a worker as a counted reason, and a
slow site still gets its pages committed in small, timely batches."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import text

from harvester.types import Page
from harvester.warc import ArchiveRef, read_page
from pipelines.config import parse_settings
from pipelines.db import open_database
from pipelines.parse_pool import Parsed, ParsePool, _worker_start, parse_one
from pipelines.pipeline import POOL_AFTER
from pipelines.run import harvest
from pipelines.sample_site import SampleSite

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
