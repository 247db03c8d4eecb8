"""Bad pages in one harvest: each is logged with its URL and a reason, counted, and
never stops the run or costs the records already harvested."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest
from httpserver import Reply, ScriptedServer
from sqlalchemy import text

from pipelines.config import parse_settings
from pipelines.db import open_database
from pipelines.run import harvest
from pipelines.sample_site import SAMPLE_RECORDS, expected_for, render_page

GOOD = sorted(SAMPLE_RECORDS)[0]
MAX_BYTES = 200_000


async def no_sleep(_seconds: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        good = render_page(SAMPLE_RECORDS[GOOD], srv.base_url)
        title = expected_for(GOOD)["title"]
        # Another output (own title and UUID) served as windows-1252, declaring
        # that only in a <meta> tag.
        uuid = SAMPLE_RECORDS[GOOD]["uuid"]
        accented = good.replace(title, "Café Économie").replace(uuid, uuid[:-4] + "beef").replace(
            GOOD, GOOD[:-6] + "cp1252").replace(
            '<meta charset="utf-8"/>', '<meta charset="windows-1252"/>'
        )
        assert "windows-1252" in accented, "sample page template changed; adjust the test"
        srv.route("/robots.txt", Reply(404))
        srv.route("/good", Reply(200, good.encode(), {"Content-Type": "text/html"}))
        srv.route("/cp1252", Reply(200, accented.encode("cp1252"), {"Content-Type": "text/html"}))
        srv.route("/not-pure", Reply(200, b"<html><body><p>Welcome!</p></body></html>"))
        srv.route("/empty", Reply(200, b""))
        srv.route("/truncated", Reply(200, good.encode()[:500], content_length=40_000,
                                      close=True))
        srv.route("/gone", Reply(410))
        srv.route("/loop", Reply(302, headers={"Location": "/loop"}))
        srv.route("/huge", Reply(200, b"<html>" + b"x" * (MAX_BYTES * 2)))
        srv.route("/server-error", Reply(500))
        yield srv


def test_each_bad_page_is_counted_by_reason_and_the_good_ones_load(
    server: ScriptedServer, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    paths = ["/not-pure", "/empty", "/truncated", "/good", "/gone", "/loop", "/huge",
             "/server-error", "/cp1252"]
    settings = parse_settings(
        {
            "database": sqlite_url,
            "user_agent": "harvester-tests (+mailto:t@example.org)",
            "fetch": {"max_bytes": MAX_BYTES},
            "sources": [{"name": "bad", "platform": "pure", "allow_private": True,
                         "politeness": {"concurrency": 2, "delay": 0},
                         "urls": [server.url(p) for p in paths]}],
        },
        path=None,
        env={},
    )
    engine = open_database(settings.database_url)
    with caplog.at_level(logging.INFO):
        report = asyncio.run(harvest(settings, engine, sleep=no_sleep))
    stats = report.sources[0]

    assert stats.new == 2, stats.summary_line()
    assert stats.skipped == {"not-a-record": 2, "gone": 1}
    assert stats.failed == {"truncated": 1, "redirects": 1, "too-large": 1, "http-status": 1}
    assert stats.status == "partial" and not report.ok
    for path in ["/not-pure", "/empty", "/truncated", "/gone", "/loop", "/huge", "/server-error"]:
        assert any(server.url(path) in r.getMessage() for r in caplog.records), path
    with engine.connect() as conn:
        titles = set(conn.execute(text("select title from v_publications")).scalars())
        errors = dict(conn.execute(text(
            "select url, error_reason from fetched_pages where error_reason is not null")).all())
    assert titles == {expected_for(GOOD)["title"], "Café Économie"}
    assert errors[server.url("/truncated")] == "truncated"
    assert errors[server.url("/huge")] == "too-large"
