"""A source's discovery yields each page once in the form its row keeps: two spellings
of one URL from different methods (seed, sitemap) are one page."""

from __future__ import annotations

from httpserver import Reply, ScriptedServer

from harvester.errors import HarvestError
from harvester.http import Fetcher
from pipelines.config import parse_settings
from pipelines.discover import discover


async def test_spellings_of_one_url_from_a_seed_and_a_sitemap_are_one_page() -> None:
    with ScriptedServer() as srv:
        host = srv.url("/")[len("http://"):].rstrip("/")
        srv.route("/robots.txt", Reply(404))
        srv.route("/sitemap.xml", Reply(200, (
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>HTTP://{host.upper()}/en/p#abstract</loc></url>"
            f"<url><loc>http://{host}/en/q</loc></url></urlset>").encode(),
            {"Content-Type": "application/xml"}))
        settings = parse_settings({"database": "sqlite://", "sources": [{
            "name": "s", "platform": "pure", "allow_private": True,
            "urls": [f"http://{host}/en/p"], "sitemap": [srv.url("/sitemap.xml")]}]},
            path=None, env={})
        errors: list[HarvestError] = []
        seen: set[str] = set()
        async with Fetcher(settings.fetch) as fetcher:
            urls = [u async for u in discover(settings.sources[0], fetcher,
                                              lambda where, exc: errors.append(exc), seen)]
    assert errors == []
    assert urls == [f"http://{host}/en/p", f"http://{host}/en/q"]
    assert seen == set(urls)  # the caller's set holds what was listed
