"""A whole harvest of a loopback Pure-like site, on SQLite and on PostgreSQL.

The site is the project's own sample (pipelines/sample_site), served on
127.0.0.1 by the test. Sleeps are injected and recorded, never slept.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from pipelines.config import parse_settings
from pipelines.db import open_database
from pipelines.run import harvest
from pipelines.sample_site import SAMPLE_RECORDS, SampleSite, expected_for
from pipelines.stats import RunReport

pytestmark = pytest.mark.slow


@pytest.fixture
def site() -> Iterator[SampleSite]:
    with SampleSite() as s:
        yield s


class Sleeps:
    """Stands in for asyncio.sleep: records what the harvester asked to wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        await asyncio.sleep(0)


def settings_for(site: SampleSite, db_url: str, **source: Any) -> Any:
    src = {
        "name": "sample",
        "platform": "pure",
        "politeness": {"concurrency": 4, "delay": 0},
        "allow_private": True,
        **source,
    }
    return parse_settings(
        {"database": db_url, "user_agent": "harvester-tests (+mailto:t@example.org)",
         "sources": [src]},
        path=None,
        env={},
    )


def run(settings: Any, engine: Engine, sleeps: Sleeps | None = None) -> RunReport:
    return asyncio.run(harvest(settings, engine, sleep=sleeps or Sleeps()))


def page_gets(site: SampleSite) -> list[str]:
    return [p for m, p in site.requests if m == "GET" and p.startswith("/en/publications/")
            and "?" not in p and p.rstrip("/") != "/en/publications"]


def snapshot(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        pubs = conn.execute(text("select * from publications order by id")).all()
        authors = conn.execute(
            text("select * from authorships order by publication_id, role, position")
        ).all()
    return [tuple(r) for r in pubs] + [tuple(r) for r in authors]


def test_sitemap_and_listing_load_each_page_exactly_once(site: SampleSite, db_url: str) -> None:
    settings = settings_for(
        site, db_url, sitemap=f"{site.base_url}/sitemap.xml",
        listing=f"{site.base_url}/en/publications/",
    )
    engine = open_database(settings.database_url)
    report = run(settings, engine)

    stats = report.sources[0]
    assert report.ok, stats.summary_line()
    assert stats.new == len(SAMPLE_RECORDS)
    gets = page_gets(site)
    assert sorted(gets) == sorted(set(gets)), "a page was fetched twice in one run"
    assert len(gets) == len(SAMPLE_RECORDS)
    with engine.connect() as conn:
        rows = conn.execute(text("select url, title, published, page_first, page_last, "
                                 "page_count from v_publications")).all()
    assert len(rows) == len(SAMPLE_RECORDS)
    by_slug = {r.url.rstrip("/").rsplit("/", 1)[-1]: r for r in rows}
    for slug in SAMPLE_RECORDS:
        want = expected_for(slug)
        got = by_slug[slug]
        assert got.title == want["title"]
        assert got.published == want["published"]
        assert (got.page_first, got.page_last, got.page_count) == (
            want["pages"]["first"], want["pages"]["last"], want["pages"]["count"])


def test_second_run_rewrites_nothing_and_a_changed_page_changes_one_record(
    site: SampleSite, db_url: str
) -> None:
    settings = settings_for(site, db_url, sitemap=f"{site.base_url}/sitemap.xml")
    engine = open_database(settings.database_url)
    first = run(settings, engine).sources[0]
    assert first.new == len(SAMPLE_RECORDS)
    before = snapshot(engine)

    # the sample sitemap's lastmods predate the first run: no page is asked for again
    second = run(settings, engine).sources[0]
    assert second.fetched == 0 and second.skipped_unchanged == len(SAMPLE_RECORDS), (
        second.summary_line())
    assert (second.new, second.changed) == (0, 0)
    assert snapshot(engine) == before

    slug = sorted(SAMPLE_RECORDS)[0]
    html = httpx.get(f"{site.base_url}/en/publications/{slug}/").text
    old_title = expected_for(slug)["title"]
    site.set_page(slug, html.replace(old_title, old_title + " (revised)"))
    third = run(settings, engine).sources[0]
    assert (third.new, third.changed, third.fetched) == (0, 1, 1), third.summary_line()
    after = snapshot(engine)
    changed = [a for a, b in zip(before, after, strict=False) if a != b]
    assert changed, "the changed page left the database as it was"
    with engine.connect() as conn:
        titles = conn.execute(text("select title from v_publications where title like "
                                   "'%(revised)'")).scalars().all()
    assert titles == [old_title + " (revised)"]
    with engine.connect() as conn:
        versions = conn.execute(text(
            "select v.change, v.fetch_url, v.fetch_sha256 from v_publication_versions v "
            "join v_publications p on p.id = v.publication_id "
            "where p.title like '%(revised)' order by v.version")).all()
    assert [v.change for v in versions] == ["new", "changed"]
    page_hash = hashlib.sha256(
        httpx.get(f"{site.base_url}/en/publications/{slug}/").content).hexdigest()
    assert versions[-1].fetch_sha256 == page_hash
    assert versions[-1].fetch_url.endswith(f"/en/publications/{slug}/")


def test_page_disallowed_by_robots_is_never_fetched(site: SampleSite, sqlite_url: str) -> None:
    slug = sorted(SAMPLE_RECORDS)[0]
    settings = settings_for(site, sqlite_url, urls=[
        f"{site.base_url}/en/private/secret-report/",
        f"{site.base_url}/en/publications/{slug}/",
    ])
    engine = open_database(settings.database_url)
    stats = run(settings, engine).sources[0]
    assert not any(p.startswith("/en/private/") for _, p in site.requests)
    assert stats.skipped["robots"] == 1
    assert stats.new == 1


def test_503_with_retry_after_is_retried_after_the_time_asked(
    site: SampleSite, sqlite_url: str
) -> None:
    slug = sorted(SAMPLE_RECORDS)[0]
    path = f"/en/publications/{slug}/"
    site.fail_next(path, 503, {"Retry-After": "7"})
    settings = settings_for(site, sqlite_url, urls=[f"{site.base_url}{path}"])
    engine = open_database(settings.database_url)
    sleeps = Sleeps()
    stats = run(settings, engine, sleeps).sources[0]
    assert stats.new == 1, stats.summary_line()
    assert 7 in sleeps.calls
    assert [p for _, p in site.requests].count(path) == 2


def test_failed_pages_are_counted_and_do_not_stop_the_others(
    site: SampleSite, sqlite_url: str
) -> None:
    slugs = sorted(SAMPLE_RECORDS)[:2]
    settings = settings_for(site, sqlite_url, urls=[
        f"{site.base_url}/en/publications/{slugs[0]}/",
        f"{site.base_url}/en/publications/no-such-output/",
        f"{site.base_url}/en/publications/{slugs[1]}/",
    ])
    engine = open_database(settings.database_url)
    report = run(settings, engine)
    stats = report.sources[0]
    assert stats.new == 2
    assert stats.skipped["gone"] == 1
    with engine.connect() as conn:
        status = conn.execute(text(
            "select status from fetched_pages where url like '%no-such-output%'")).scalar_one()
    assert status == 404
