"""`platform: auto` over one loopback site that mixes pages of every platform:
every page is detected from what it carries and loaded.

The first test uses the project's own fixtures (a directory per platform) and
sample Pure pages; the second the real corpus pages, served at the paths of
their original addresses (some platforms are recognised by URL shape too).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from httpserver import Reply, ScriptedServer
from sqlalchemy import text

from pipelines.config import parse_settings
from pipelines.db import open_database
from pipelines.run import harvest
from pipelines.sample_site import SAMPLE_RECORDS, render_page
from pipelines.stats import SourceStats
from tests.gold import GOLD_PLATFORMS, fold, gold_html_pages

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures"
# fixture directories whose every page is a record of that platform
PLATFORM_DIRS = ("bepress", "dspace", "eprints", "figshare", "hyrax", "islandora", "ojs")


async def no_sleep(_seconds: float) -> None:
    await asyncio.sleep(0)


def harvest_urls(urls: list[str], db_url: str) -> tuple[SourceStats, list[tuple[str, str]]]:
    settings = parse_settings(
        {"database": db_url, "user_agent": "harvester-tests (+mailto:t@example.org)",
         "sources": [{"name": "mixed", "platform": "auto", "allow_private": True,
                      "politeness": {"concurrency": 4, "delay": 0}, "urls": urls}]},
        path=None, env={},
    )
    engine = open_database(settings.database_url)
    report = asyncio.run(harvest(settings, engine, sleep=no_sleep))
    with engine.connect() as conn:
        rows = [(r.platform, r.title) for r in
                conn.execute(text("select platform, title from v_publications"))]
    return report.sources[0], rows


def test_own_fixtures_of_every_platform_and_pure_pages_all_load(sqlite_url: str) -> None:
    with ScriptedServer() as srv:
        srv.route("/robots.txt", Reply(404))
        expected: Counter[str] = Counter()
        urls = []
        for platform in PLATFORM_DIRS:
            for page in sorted((FIXTURES / platform).glob("*.html")):
                path = f"/{platform}/{page.stem}/"
                srv.route(path, Reply(200, page.read_bytes(), {"Content-Type": "text/html"}))
                urls.append(srv.url(path))
                expected[platform] += 1
        for slug in sorted(SAMPLE_RECORDS)[:3]:
            path = f"/en/publications/{slug}/"
            html = render_page(SAMPLE_RECORDS[slug], srv.base_url).encode()
            srv.route(path, Reply(200, html, {"Content-Type": "text/html; charset=utf-8"}))
            urls.append(srv.url(path))
            expected["pure"] += 1
        stats, rows = harvest_urls(urls, sqlite_url)

    assert stats.failures == 0 and not stats.skipped, stats.summary_line()
    assert stats.new == len(urls)
    assert Counter(platform for platform, _ in rows) == expected


def test_real_pages_of_every_corpus_platform_all_load(corpus: Path, sqlite_url: str) -> None:
    pages = gold_html_pages(corpus)
    with ScriptedServer() as srv:
        srv.route("/robots.txt", Reply(404))
        urls, golds = [], []
        for i, (html_path, gold_path) in enumerate(pages):
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            # the original path keeps URL-shape signals; the query keeps captures of
            # one record (Zenodo's four UI generations) apart as pages
            path = f"{urlsplit(gold['url']).path or '/'}?capture={i}"
            srv.route(path, Reply(200, html_path.read_bytes(), {"Content-Type": "text/html"}))
            urls.append(srv.url(path))
            golds.append(gold)
        stats, rows = harvest_urls(urls, sqlite_url)

    assert stats.failures == 0 and not stats.skipped, stats.summary_line()
    loaded = {(platform, fold(title)) for platform, title in rows}
    for gold in golds:
        want = fold(gold["title"])
        platforms = {p for p, t in loaded if t == want}
        assert platforms, f"{gold['url']}: not loaded"
        if gold["platform"] in GOLD_PLATFORMS:
            assert gold["platform"] in platforms, (gold["url"], platforms)
