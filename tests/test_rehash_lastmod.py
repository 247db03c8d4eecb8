"""A re-harvest trusts the sitemap's <lastmod>: a page it dates before our last fetch is
not requested at all (the server's request log shows none), yet still counts as listed;
a newer lastmod, recheck_days running out, `lastmod: ignore` or an unreadable lastmod
each bring the request back (a conditional GET)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpserver import Reply, Request, ScriptedServer
from sqlalchemy import text
from sqlalchemy.engine import Engine

from pipelines.config import Settings, parse_settings
from pipelines.run import harvest
from pipelines.stats import SourceStats

T0 = datetime(2024, 6, 10, 12, 0, tzinfo=UTC)
PAGES = ("/p/a", "/p/b", "/p/c")


class Site:
    """A sitemap of PAGES with a lastmod each; pages answer 304 to their current ETag."""

    def __init__(self, srv: ScriptedServer) -> None:
        self.srv = srv
        self.lastmod = dict.fromkeys(PAGES, "2024-06-01")
        self.version = dict.fromkeys(PAGES, 1)
        srv.route("/robots.txt", Reply(404))
        srv.route("/sitemap.xml", self.sitemap)
        for path in PAGES:
            srv.route(path, self.page)

    def sitemap(self, _: Request) -> Reply:
        urls = "".join(f"<url><loc>{self.srv.url(p)}</loc><lastmod>{self.lastmod[p]}</lastmod>"
                       "</url>" for p in PAGES)
        return Reply(200, ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                           f"{urls}</urlset>").encode())

    def page(self, req: Request) -> Reply:
        etag = f'"{req.path}-v{self.version[req.path]}"'
        if req.headers.get("if-none-match") == etag:
            return Reply(304, headers={"ETag": etag})
        title = f"T{req.path} v{self.version[req.path]}"
        return Reply(200, f'<html><head><meta name="citation_title" content="{title}">'
                          "</head></html>".encode(), {"Content-Type": "text/html", "ETag": etag})

    def asked(self, since: int) -> list[tuple[str, bool]]:
        """Page requests after the first `since` requests: (path, conditional?)."""
        return sorted((r.path, "if-none-match" in r.headers)
                      for r in self.srv.requests[since:] if r.path in PAGES)


@pytest.fixture
def site() -> Iterator[Site]:
    with ScriptedServer() as srv:
        yield Site(srv)


def settings_for(site: Site, db_url: str, **source: Any) -> Settings:
    return parse_settings({
        "database": db_url, "archive": False,
        "user_agent": "harvester-tests (+mailto:t@example.org)",
        "fetch": {"max_retries": 0},
        "sources": [{"name": "s", "platform": "generic", "allow_private": True,
                     "politeness": {"concurrency": 2, "delay": 0},
                     "sitemap": site.srv.url("/sitemap.xml"), **source}],
    }, path=None, env={})


def run(site: Site, engine: Engine, at: datetime, **source: Any
        ) -> tuple[SourceStats, list[tuple[str, bool]]]:
    before = len(site.srv.requests)
    # harvest writes through `engine`; the settings' database is not opened again
    settings = settings_for(site, "sqlite://", **source)
    stats = asyncio.run(harvest(settings, engine, now=lambda: at)).sources[0]
    assert stats.failures == 0, stats.summary_line()
    return stats, site.asked(before)


def titles(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(text(
            "select title from publications where deleted_at is null")).scalars())


def test_unchanged_site_is_read_again_without_requesting_a_page(
        site: Site, engine: Engine) -> None:
    first, asked = run(site, engine, T0)
    assert [p for p, _ in asked] == list(PAGES) and first.new == 3

    again, asked = run(site, engine, T0 + timedelta(days=1))
    assert asked == []
    assert (again.discovered, again.skipped_unchanged, again.fetched, again.not_modified) == (
        3, 3, 0, 0)
    assert "skipped_unchanged=3" in again.summary_line()
    assert again.to_json()["skipped_unchanged"] == 3
    # listed, so none was re-asked as an unlisted page; the records stay live
    assert titles(engine) == ["T/p/a v1", "T/p/b v1", "T/p/c v1"]


def test_page_whose_lastmod_moved_after_our_fetch_is_fetched_and_updated(
        site: Site, engine: Engine) -> None:
    run(site, engine, T0)
    site.version["/p/b"] = 2
    site.lastmod["/p/b"] = "2024-06-10T15:30:00+02:00"  # 13:30 UTC, after our fetch
    site.lastmod["/p/c"] = "2024-06-10"  # the fetch's own day: it may hold a change
    stats, asked = run(site, engine, T0 + timedelta(hours=3))
    assert asked == [("/p/b", True), ("/p/c", True)]
    assert (stats.skipped_unchanged, stats.fetched, stats.not_modified, stats.changed) == (
        1, 1, 1, 1)
    assert titles(engine) == ["T/p/a v1", "T/p/b v2", "T/p/c v1"]


def test_pages_are_asked_again_once_recheck_days_ran_out(site: Site, engine: Engine) -> None:
    run(site, engine, T0)
    _, asked = run(site, engine, T0 + timedelta(days=5), recheck_days=7)
    assert asked == []
    stats, asked = run(site, engine, T0 + timedelta(days=7), recheck_days=7)
    assert asked == [(p, True) for p in PAGES] and stats.not_modified == 3
    # the 304s restamped the pages: trusted again for another recheck_days
    _, asked = run(site, engine, T0 + timedelta(days=8), recheck_days=7)
    assert asked == []


@pytest.mark.parametrize("source", [{"lastmod": "ignore"}, {"recheck_days": 0}])
def test_ignore_asks_for_every_page_conditionally(
        site: Site, engine: Engine, source: dict[str, Any]) -> None:
    run(site, engine, T0)
    stats, asked = run(site, engine, T0 + timedelta(days=1), **source)
    assert asked == [(p, True) for p in PAGES]
    assert (stats.not_modified, stats.skipped_unchanged) == (3, 0)


def test_unreadable_or_future_lastmod_is_fetched(site: Site, engine: Engine) -> None:
    run(site, engine, T0)
    site.lastmod["/p/a"] = "last tuesday"
    site.lastmod["/p/c"] = "2030-01-01"
    stats, asked = run(site, engine, T0 + timedelta(days=1))
    assert asked == [("/p/a", True), ("/p/c", True)]
    assert (stats.skipped_unchanged, stats.not_modified) == (1, 2)
