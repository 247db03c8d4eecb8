"""A page the source no longer lists is asked for again after a complete discovery, so
its 404 counts towards `gone_after` and its record does not stay live forever; after
a discovery that failed or was stopped, nothing is re-asked."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from httpserver import Reply, Request, ScriptedServer
from sqlalchemy import text
from sqlalchemy.engine import Engine

from pipelines.config import Settings, parse_settings
from pipelines.db import open_database
from pipelines.run import harvest
from pipelines.stats import SourceStats


class Site:
    """A sitemap listing `listed`; the pages in `removed` answer 404."""

    def __init__(self, srv: ScriptedServer) -> None:
        self.srv = srv
        self.listed = ["/p/a", "/p/b"]
        self.removed: set[str] = set()
        self.broken_second_sitemap = False
        srv.route("/robots.txt", Reply(404))
        srv.route("/sitemap.xml", self.sitemap)
        srv.route("/other.xml", self.other)
        for path in ("/p/a", "/p/b"):
            srv.route(path, self.page)

    def sitemap(self, _: Request) -> Reply:
        locs = "".join(f"<url><loc>{self.srv.url(p)}</loc></url>" for p in self.listed)
        return Reply(200, (f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                           f"{locs}</urlset>").encode())

    def other(self, _: Request) -> Reply:
        if self.broken_second_sitemap:
            return Reply(500, b"broken")
        return Reply(200, b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>')

    def page(self, req: Request) -> Reply:
        if req.path in self.removed:
            return Reply(404, b"gone")
        return Reply(200, (f'<html><head><meta name="citation_title" content="T{req.path}">'
                           "</head></html>").encode(), {"Content-Type": "text/html"})


@pytest.fixture
def site() -> Iterator[Site]:
    with ScriptedServer() as srv:
        yield Site(srv)


def settings_for(site: Site, db_url: str) -> Settings:
    return parse_settings({
        "database": db_url, "archive": False,
        "user_agent": "harvester-tests (+mailto:t@example.org)",
        "fetch": {"max_retries": 0},
        "sources": [{"name": "s", "platform": "generic", "allow_private": True,
                     "gone_after": 2, "politeness": {"concurrency": 2, "delay": 0},
                     "sitemap": [site.srv.url("/sitemap.xml"), site.srv.url("/other.xml")]}],
    }, path=None, env={})


def run(settings: Settings, engine: Engine, site: Site) -> tuple[SourceStats, list[str]]:
    before = len(site.srv.requests)
    stats = asyncio.run(harvest(settings, engine)).sources[0]
    return stats, [p for p in site.srv.paths()[before:] if p.startswith("/p/")]


def live(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(text(
            "select title from publications where deleted_at is null")).scalars())


def test_an_unlisted_page_is_asked_again_until_it_is_confirmed_gone(
    site: Site, db_url: str
) -> None:
    settings = settings_for(site, db_url)
    engine = open_database(settings.database_url)
    run(settings, engine, site)
    assert live(engine) == ["T/p/a", "T/p/b"]

    site.listed, site.removed = ["/p/a"], {"/p/b"}
    stats, asked = run(settings, engine, site)
    assert sorted(asked) == ["/p/a", "/p/b"] and stats.discovered == 1
    assert live(engine) == ["T/p/a", "T/p/b"]  # one 404 of the two gone_after asks for

    site.broken_second_sitemap = True  # an incomplete discovery re-asks nothing
    _, asked = run(settings, engine, site)
    assert asked == ["/p/a"]
    assert live(engine) == ["T/p/a", "T/p/b"]

    site.broken_second_sitemap = False
    stats, asked = run(settings, engine, site)
    assert sorted(asked) == ["/p/a", "/p/b"] and stats.gone_confirmed == 1
    assert live(engine) == ["T/p/a"]

    _, asked = run(settings, engine, site)  # a record confirmed gone is not asked for again
    assert asked == ["/p/a"]
