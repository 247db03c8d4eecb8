"""The raw archive holds every HTTP answer of a harvest once: robots.txt, sitemaps,
listing pages, redirects, errors, each retried attempt and the 304s of a re-harvest;
pages stay where their rows point, and `reparse` reads those pages only."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from httpserver import Reply, Request, ScriptedServer
from sqlalchemy import text
from warcio.archiveiterator import ArchiveIterator

from harvester.types import Page
from harvester.warc import ArchiveRecorder, ArchiveRef, WarcWriter, read_page
from pipelines.config import Settings, parse_settings
from pipelines.db import open_database
from pipelines.reparse import reparse
from pipelines.run import harvest

ROBOTS = b"User-agent: *\nAllow: /\n"
PAGES = ("/p/a", "/p/b-new", "/p/flaky", "/en/publications/listed/")


def html(path: str) -> bytes:
    return (f'<html><head><meta name="citation_title" content="Title of {path}">'
            f'<meta name="citation_publication_date" content="2020"></head>'
            f"<body>{path}</body></html>").encode()


def page(path: str) -> Callable[[Request], Reply]:
    """A page with an ETag that answers 304 to it."""
    def answer(req: Request) -> Reply:
        if req.headers.get("if-none-match") == f'"{path}"':
            return Reply(304, headers={"ETag": f'"{path}"'})
        return Reply(200, html(path), {"ETag": f'"{path}"', "Content-Type": "text/html"})
    return answer


def flaky() -> Callable[[Request], Reply]:
    """503 the first time, a page after that (304 when asked conditionally)."""
    calls: list[int] = []
    inner = page("/p/flaky")

    def answer(req: Request) -> Reply:
        calls.append(1)
        if len(calls) == 1:
            return Reply(503, b"try later", {"Retry-After": "0"})
        return inner(req)
    return answer


@pytest.fixture
def site() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        base = s.base_url
        s.route("/robots.txt", Reply(200, ROBOTS))
        s.route("/sitemap.xml", Reply(200, (
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{base}/sitemap-1.xml</loc></sitemap></sitemapindex>").encode()))
        locs = "".join(f"<url><loc>{base}{p}</loc></url>"
                       for p in ("/p/a", "/p/moved", "/p/missing", "/p/flaky"))
        s.route("/sitemap-1.xml", Reply(200, (
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{locs}</urlset>").encode()))
        s.route("/listing", Reply(200, (
            b'<html><body><ul><li class="list-result-item"><div class="result-container">'
            b'<h3 class="title"><a rel="ContributionToJournal" '
            b'href="/en/publications/listed/">Listed</a></h3></div></li></ul>'
            b"</body></html>")))
        s.route("/p/moved", Reply(301, b"see /p/b-new", {"Location": "/p/b-new"}))
        s.route("/p/missing", Reply(404, b"no such page"))
        for path in ("/p/a", "/p/b-new", "/en/publications/listed/"):
            s.route(path, page(path))
        s.route("/p/flaky", flaky())
        yield s


def settings_for(site: ScriptedServer, db_url: str, archive: Path) -> Settings:
    return parse_settings({
        "database": db_url, "archive": str(archive),
        "user_agent": "harvester-tests (+mailto:t@example.org)",
        "fetch": {"backoff_base": 0},
        "sources": [{"name": "s", "platform": "generic", "allow_private": True,
                     "politeness": {"concurrency": 1, "delay": 0},
                     "sitemap": f"{site.base_url}/sitemap.xml",
                     "listing": f"{site.base_url}/listing"}],
    }, path=None, env={})


def archived(directory: Path) -> list[tuple[str, int, str, int]]:
    """(url, status, file, offset) of every response record, in file and offset order."""
    out = []
    for path in sorted(directory.iterdir()):
        with open(path, "rb") as f:
            it = ArchiveIterator(f)
            for record in it:
                if record.rec_type == "response":
                    out.append((record.rec_headers.get_header("WARC-Target-URI"),
                                int(record.http_headers.get_statuscode()), path.name,
                                it.get_record_offset()))
    return out


async def no_sleep(_: float) -> None:
    return None


def test_the_archive_holds_each_answer_of_a_harvest_and_its_reharvest_once(
    site: ScriptedServer, db_url: str, tmp_path: Path
) -> None:
    settings = settings_for(site, db_url, tmp_path / "warc")
    engine = open_database(settings.database_url)
    base = site.base_url

    asyncio.run(harvest(settings, engine, sleep=no_sleep))
    first = [(u.removeprefix(base), s) for u, s, _, _ in archived(tmp_path / "warc")]
    discovery = [("/robots.txt", 200), ("/sitemap.xml", 200), ("/sitemap-1.xml", 200)]
    assert first[:3] == discovery
    assert Counter(first) == Counter([
        *discovery, ("/listing", 200), ("/p/a", 200), ("/p/moved", 301), ("/p/b-new", 200),
        ("/p/missing", 404), ("/p/flaky", 503), ("/p/flaky", 200),
        ("/en/publications/listed/", 200)])
    assert first.index(("/p/flaky", 503)) < first.index(("/p/flaky", 200))

    asyncio.run(harvest(settings, engine, sleep=no_sleep))
    again = [(u.removeprefix(base), s) for u, s, _, _ in archived(tmp_path / "warc")][len(first):]
    assert Counter(again) == Counter([
        *discovery, ("/listing", 200), ("/p/a", 304), ("/p/moved", 301), ("/p/b-new", 304),
        ("/p/missing", 404), ("/p/flaky", 304), ("/en/publications/listed/", 304)])

    # the page rows still point at the first run's pages, and reparse reads only those
    with engine.connect() as conn:
        rows = conn.execute(text("select url, warc_file, warc_offset from fetched_pages "
                                 "where warc_file is not null order by url")).all()
    assert sorted(r.url.removeprefix(base) for r in rows) == sorted(
        ["/p/a", "/p/moved", "/p/flaky", "/en/publications/listed/"])
    for row in rows:
        stored = read_page(tmp_path / "warc", ArchiveRef(row.warc_file, row.warc_offset))
        assert stored.status == 200 and stored.body.startswith(b"<html>")
    (stats,) = asyncio.run(reparse(settings, engine))
    assert (stats.pages, stats.new, stats.changed, stats.unchanged) == (4, 0, 0, 4)

    # a row pointing at an answer that is not a page is skipped, not parsed
    file, offset = next((f, o) for _, s, f, o in archived(tmp_path / "warc") if s == 404)
    with engine.begin() as conn:
        conn.execute(text("update fetched_pages set warc_file = :f, warc_offset = :o "
                          "where url = :u"), {"f": file, "o": offset, "u": f"{base}/p/a"})
    (stats,) = asyncio.run(reparse(settings, engine))
    assert (stats.pages, stats.unchanged, dict(stats.failed)) == (4, 3, {"not-a-page": 1})


def test_the_recorder_writes_answers_in_the_order_they_came(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path)
    writes = ThreadPoolExecutor(1)
    recorder = ArchiveRecorder(writer, writes)
    answers = [Page(f"http://h.example/{n}", b"x" * n, 200 + n, {}, None, None)
               for n in range(600)]

    async def answer_all() -> None:
        for n, response in enumerate(answers):
            recorder(response, truncated="length" if n == 7 else None)
            if n % 50 == 0:
                await asyncio.sleep(0)  # a turn of the loop hands a batch over

    asyncio.run(answer_all())
    recorder.flush()
    writes.shutdown(wait=True)
    writer.close()
    got = archived(tmp_path)
    assert [(u, s) for u, s, _, _ in got] == [(a.url, a.status) for a in answers]
    assert recorder.written == 600 and recorder.failed == 0
    (file,) = {f for _, _, f, _ in got}
    with open(tmp_path / file, "rb") as f:
        cut = [r.rec_headers.get_header("WARC-Truncated") for r in ArchiveIterator(f)]
    assert [n for n, why in enumerate(cut) if why] == [7] and cut[7] == "length"
