"""A worker in process: when the heartbeat finds its host slot taken over, it stops
fetching from that host, hands its rows back, and finishes once it has a slot again."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, text
from worker_site import PageSite

from pipelines.config import load_settings
from pipelines.db import open_database
from pipelines.frontier_fill import enqueue_sources
from pipelines.worker import WorkerOptions
from pipelines.worker_run import run_worker

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
PAGES = 60
THIEF_HOLDS = 1.5  # seconds the thief keeps the slot


def count(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def test_a_worker_that_lost_its_slot_stops_fetching_until_it_has_one_again(
        tmp_path: Path, pg_url: str, caplog: pytest.LogCaptureFixture) -> None:
    engine = open_database(pg_url)
    options = WorkerOptions(lease_seconds=0.6, batch=10, until_empty=True,
                            poll_seconds=0.05, parse_workers=0)
    with PageSite(PAGES, hold=0.05) as site:
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump({"database": pg_url, "sources": [{
            "name": "s", "platform": "pure", "allow_private": True,
            "politeness": {"concurrency": 1, "delay": 0},
            "sitemap": f"{site.base_url}/sitemap.xml"}]}))
        settings = load_settings(path)
        asyncio.run(enqueue_sources(settings, engine))

        async def scenario() -> float:
            worker = asyncio.create_task(run_worker(settings, engine, options=options))
            while await asyncio.to_thread(
                    count, engine, "select count(*) from frontier where state = 'done'") < 3:
                await asyncio.sleep(0.01)
            stolen = time.monotonic()
            with engine.begin() as conn:  # as if our lease had run out and another took it
                conn.execute(text(
                    "update host_leases set owner = 'thief', "
                    "expires_at = now() + :s * interval '1 second' where owner is not null"),
                    {"s": THIEF_HOLDS})
            report = await worker
            assert report.status == "ok"
            return stolen

        with caplog.at_level(logging.WARNING, logger="pipelines.worker"):
            stolen = asyncio.run(scenario())
        during = [t for t, p in site.starts if p in site.pages
                  and stolen + 0.6 < t < stolen + THIEF_HOLDS - 0.2]
        assert set(site.page_counts()) == set(site.page_paths)
    assert during == []  # nothing fetched while the thief held the only slot
    assert "lost slots" in caplog.text
    assert count(engine, "select count(*) from publications") == PAGES
    assert count(engine, "select count(*) from frontier where state <> 'done'") == 0
