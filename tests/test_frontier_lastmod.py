"""`harvester enqueue` honours sitemap <lastmod> as `harvest` does: after workers drained
a site, pages whose lastmod ends before that fetch are not queued again (counted
skipped_unchanged); a page whose lastmod moved is; `lastmod: ignore` queues them all."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import Engine, text
from worker_site import PageSite

from pipelines.cli import main
from pipelines.config import load_settings
from pipelines.db import open_database
from pipelines.frontier_fill import enqueue_sources
from pipelines.worker import WorkerOptions
from pipelines.worker_run import run_worker

pytestmark = pytest.mark.postgres

OPTIONS = WorkerOptions(until_empty=True, poll_seconds=0.05, parse_workers=0, batch=4)
PAST = "2020-01-01"


def with_lastmods(site: PageSite, lastmods: dict[str, str]) -> None:
    """Serve a sitemap giving each page its lastmod (pages left out get none)."""
    entries = "".join(
        f"<url><loc>{site.base_url}{p}</loc>"
        + (f"<lastmod>{lastmods[p]}</lastmod>" if p in lastmods else "") + "</url>"
        for p in site.page_paths)
    site.sitemap = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                    f'"http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>').encode()


def write_config(tmp_path: Path, pg_url: str, site: PageSite, **keys: Any) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"database": pg_url, "sources": [{
        "name": "s", "platform": "pure", "allow_private": True,
        "politeness": {"concurrency": 2, "delay": 0},
        "sitemap": f"{site.base_url}/sitemap.xml", **keys}]}))
    return path


def queued(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text(
            "select url from frontier where state = 'queued' order by url")).scalars())


def drained(tmp_path: Path, pg_url: str, site: PageSite, **keys: Any) -> tuple[Path, Engine]:
    """Enqueue the site and let one worker fetch every page."""
    path = write_config(tmp_path, pg_url, site, **keys)
    settings, engine = load_settings(path), open_database(pg_url)
    (first,) = asyncio.run(enqueue_sources(settings, engine))
    assert first.summary_line() == "s: discovered=5 new=5 requeued=0 pending=0"
    report = asyncio.run(run_worker(settings, engine, options=OPTIONS))
    assert (report.status, report.sources[0].new) == ("ok", 5)
    return path, engine


def test_a_second_enqueue_of_an_unchanged_site_queues_nothing(
        tmp_path: Path, pg_url: str) -> None:
    with PageSite(5) as site:
        with_lastmods(site, dict.fromkeys(site.page_paths, PAST))
        path, engine = drained(tmp_path, pg_url, site)
        result = CliRunner().invoke(main, ["enqueue", "--config", str(path)])
        again = asyncio.run(run_worker(load_settings(path), engine, options=OPTIONS))
        assert sorted(site.page_counts().values()) == [1] * 5  # no page asked twice
    assert result.exit_code == 0, result.output
    assert "s: discovered=5 skipped_unchanged=5 new=0 requeued=0 pending=0" in result.output
    assert queued(engine) == []
    assert again.sources[0].fetched == 0


def test_a_page_whose_lastmod_moved_past_our_fetch_is_queued_again(
        tmp_path: Path, pg_url: str) -> None:
    with PageSite(5) as site:
        with_lastmods(site, dict.fromkeys(site.page_paths, PAST))
        path, engine = drained(tmp_path, pg_url, site)
        moved, *_ = site.page_paths
        later = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        with_lastmods(site, {**dict.fromkeys(site.page_paths, PAST), moved: later})
        (again,) = asyncio.run(enqueue_sources(load_settings(path), engine))
    assert again.summary_line() == "s: discovered=5 skipped_unchanged=4 new=0 requeued=1 pending=0"
    assert queued(engine) == [site.base_url + moved]


def test_pages_without_a_lastmod_are_queued_again(tmp_path: Path, pg_url: str) -> None:
    with PageSite(5) as site:
        with_lastmods(site, dict.fromkeys(site.page_paths[1:], PAST))
        path, engine = drained(tmp_path, pg_url, site)
        (again,) = asyncio.run(enqueue_sources(load_settings(path), engine))
    assert again.summary_line() == "s: discovered=5 skipped_unchanged=4 new=0 requeued=1 pending=0"
    assert queued(engine) == [site.base_url + site.page_paths[0]]


@pytest.mark.parametrize("keys", [{"lastmod": "ignore"}, {"recheck_days": 0}])
def test_lastmod_ignored_queues_every_page_again(
        tmp_path: Path, pg_url: str, keys: dict[str, Any]) -> None:
    with PageSite(5) as site:
        with_lastmods(site, dict.fromkeys(site.page_paths, PAST))
        path, engine = drained(tmp_path, pg_url, site, **keys)
        (again,) = asyncio.run(enqueue_sources(load_settings(path), engine))
    assert again.summary_line() == "s: discovered=5 new=0 requeued=5 pending=0"
    assert len(queued(engine)) == 5
