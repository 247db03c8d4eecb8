"""`harvester enqueue` queues again the record pages a source no longer lists, as
`harvest` asks for them again, so workers get their 404s: after `gone_after` nights
the record is marked deleted, its data kept. A discovery that failed re-queues none."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, text
from worker_site import PageSite

from pipelines.config import Settings, load_settings
from pipelines.db import open_database
from pipelines.frontier_fill import Enqueued, enqueue_sources
from pipelines.worker import WorkerOptions
from pipelines.worker_run import run_worker

pytestmark = pytest.mark.postgres

OPTIONS = WorkerOptions(until_empty=True, poll_seconds=0.05, parse_workers=0, batch=4)
TABLES = ("publications", "authorships", "keywords", "identifiers")


def settings_for(tmp_path: Path, pg_url: str, site: PageSite, *sitemaps: str) -> Settings:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"database": pg_url, "archive": False, "sources": [{
        "name": "s", "platform": "pure", "allow_private": True, "gone_after": 2,
        "politeness": {"concurrency": 2, "delay": 0},
        "sitemap": [f"{site.base_url}/sitemap.xml", *sitemaps]}]}))
    return load_settings(path)


def remove(site: PageSite, path: str) -> None:
    """The page leaves the sitemap and answers 404."""
    del site.pages[path]
    locs = "".join(f"<url><loc>{site.base_url}{p}</loc></url>" for p in site.pages)
    site.sitemap = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                    f'"http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>').encode()


def night(settings: Settings, engine: Engine) -> Enqueued:
    """One enqueue and one worker draining the frontier."""
    (filled,) = asyncio.run(enqueue_sources(settings, engine))
    report = asyncio.run(run_worker(settings, engine, options=OPTIONS))
    assert report.status == "ok", report
    return filled


def deleted(engine: Engine) -> dict[str, bool]:
    with engine.connect() as conn:
        return {url: at is not None for url, at in conn.execute(text(
            "select url, deleted_at from publications"))}


def snapshot(engine: Engine) -> dict[str, list[Any]]:
    """Every row of the record tables, deleted_at left out."""
    rows: dict[str, list[Any]] = {}
    with engine.connect() as conn:
        for table in TABLES:
            result = conn.execute(text(f"select * from {table}"))
            keys = [k for k in result.keys() if k != "deleted_at"]  # noqa: SIM118
            rows[table] = sorted(tuple(str(m[k]) for k in keys) for m in result.mappings())
    return rows


def queued(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(text(
            "select url from frontier where state = 'queued'")).scalars())


def test_a_page_removed_from_the_site_is_rechecked_until_its_record_is_marked_deleted(
        tmp_path: Path, pg_url: str) -> None:
    with PageSite(5) as site:
        settings = settings_for(tmp_path, pg_url, site)
        engine = open_database(pg_url)
        first = night(settings, engine)
        assert first.summary_line() == "s: discovered=5 new=5 requeued=0 pending=0"
        before = snapshot(engine)
        assert all(before.values())
        gone, *kept = site.page_paths
        remove(site, gone)

        second = night(settings, engine)
        assert second.summary_line() == "s: discovered=4 new=0 requeued=4 pending=0 rechecked=1"
        assert not any(deleted(engine).values())  # one 404 of the two gone_after asks for

        third = night(settings, engine)
        assert third.rechecked == 1
        assert deleted(engine) == {site.base_url + p: p == gone for p in [*site.page_paths, gone]}

        fourth = night(settings, engine)  # a record marked deleted is not asked for again
        assert fourth.summary_line() == "s: discovered=4 new=0 requeued=4 pending=0"
        counts = Counter(site.requests)
    assert counts[gone] == 3  # fetched once, then two 404s
    assert all(counts[p] == 4 for p in kept)
    assert snapshot(engine) == before  # the data stays; nothing else changed


def test_after_a_failed_sitemap_no_unlisted_page_is_queued(tmp_path: Path, pg_url: str) -> None:
    with PageSite(3) as site:
        engine = open_database(pg_url)
        night(settings_for(tmp_path, pg_url, site), engine)
        gone = site.page_paths[0]
        remove(site, gone)
        broken = settings_for(tmp_path, pg_url, site, f"{site.base_url}/missing.xml")
        (filled,) = asyncio.run(enqueue_sources(broken, engine))
    assert filled.rechecked is None
    assert filled.summary_line().startswith(
        "s: discovered=2 new=0 requeued=2 pending=0 rechecked=skipped error=")
    assert queued(engine) == sorted(site.base_url + p for p in site.page_paths)
