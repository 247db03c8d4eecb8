"""`harvester enqueue` and `harvester worker`: refusals that are usage errors, and one
in-process enqueue -> worker -> re-enqueue cycle on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import text
from warcio.archiveiterator import ArchiveIterator
from worker_site import PageSite

from pipelines.cli import main
from pipelines.config import load_settings
from pipelines.db import open_database
from pipelines.fillrates import FillRate, load_fill_rates
from pipelines.frontier import claim, complete, enqueue
from pipelines.frontier_fill import enqueue_sources
from pipelines.frontier_hosts import HostPolicy, acquire_slot, register_hosts
from pipelines.load import ensure_source
from pipelines.worker import WorkerOptions
from pipelines.worker_run import run_worker

PAGES = {"name": "pages", "platform": "pure", "urls": ["http://127.0.0.1:9/en/a"]}
OAI = {"name": "oai", "oai": "http://127.0.0.1:9/oai"}
NOW = datetime(2026, 11, 28, tzinfo=UTC)


def config(tmp_path: Path, database: str, *sources: dict[str, Any]) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"database": database, "sources": list(sources)}))
    return path


@pytest.mark.parametrize("command", ["enqueue", "worker", "harvest --enqueue"])
def test_sqlite_is_refused_with_a_clear_message(tmp_path: Path, sqlite_url: str,
                                                command: str) -> None:
    result = CliRunner().invoke(main, [*command.split(), "--config",
                                       str(config(tmp_path, sqlite_url, PAGES))])
    assert result.exit_code == 2
    assert f"`harvester {command}` needs PostgreSQL" in result.output
    assert not (tmp_path / "harvest.db").exists()  # refused before anything was created


@pytest.mark.parametrize("option", [["--full"], ["--wait"], ["--parse-workers", "1"],
                                    ["--metrics-file", "m.prom"]])
def test_harvest_enqueue_refuses_the_options_of_a_fetching_harvest(
        tmp_path: Path, sqlite_url: str, option: list[str]) -> None:
    result = CliRunner().invoke(main, ["harvest", "--enqueue", *option, "--config",
                                       str(config(tmp_path, sqlite_url, PAGES))])
    assert result.exit_code == 2
    assert "--enqueue only queues pages" in result.output


@pytest.mark.postgres
def test_harvest_enqueue_queues_the_pages_for_workers_and_fetches_none(
        tmp_path: Path, pg_url: str) -> None:
    engine = open_database(pg_url)
    with PageSite(5) as site:
        path = config(tmp_path, pg_url, OAI, {
            "name": "s", "platform": "pure", "allow_private": True,
            "sitemap": f"{site.base_url}/sitemap.xml"})
        result = CliRunner().invoke(main, ["harvest", "--enqueue", "--config", str(path)])
        assert site.page_counts() == {}
    assert result.exit_code == 0, result.output
    assert "s: discovered=5 new=5 requeued=0 pending=0" in result.output
    assert "not queued, harvested over OAI-PMH by `harvester harvest`: oai" in result.output
    with engine.connect() as conn:
        assert conn.execute(text(
            "select count(*) from frontier where state = 'queued'")).scalar_one() == 5
        assert conn.execute(text("select count(*) from harvest_runs")).scalar_one() == 0


@pytest.mark.parametrize(("sources", "args", "message"), [
    ((PAGES, OAI), ["--source", "oai"], "harvested over OAI-PMH"),
    ((OAI,), [], "no source with page URLs"),
    ((PAGES,), ["--source", "nope"], "nope"),
])
def test_sources_workers_cannot_take_are_usage_errors(
        tmp_path: Path, sqlite_url: str, sources: tuple[dict[str, Any], ...],
        args: list[str], message: str) -> None:
    path = config(tmp_path, sqlite_url, *sources)
    for command in ("enqueue", "worker"):
        result = CliRunner().invoke(main, [command, "--config", str(path), *args])
        assert result.exit_code == 2, result.output
        assert message in result.output


@pytest.mark.postgres
def test_a_second_enqueue_requeues_the_done_pages_and_a_worker_finds_them_unchanged(
        tmp_path: Path, pg_url: str) -> None:
    engine = open_database(pg_url)
    options = WorkerOptions(until_empty=True, poll_seconds=0.05, parse_workers=0, batch=4)
    with PageSite(10) as site:
        settings = load_settings(config(tmp_path, pg_url, {
            "name": "s", "platform": "pure", "allow_private": True,
            "politeness": {"concurrency": 2, "delay": 0},
            "sitemap": f"{site.base_url}/sitemap.xml"}))
        first = asyncio.run(enqueue_sources(settings, engine))
        one = asyncio.run(run_worker(settings, engine, options=options))
        again = asyncio.run(enqueue_sources(settings, engine))
        two = asyncio.run(run_worker(settings, engine, options=options))
        assert sorted(site.page_counts().values()) == [2] * 10
    assert first[0].summary_line() == "s: discovered=10 new=10 requeued=0 pending=0"
    assert again[0].summary_line() == "s: discovered=10 new=0 requeued=10 pending=0"
    (a,), (b,) = one.sources, two.sources
    assert (a.fetched, a.new, a.unchanged, one.status) == (10, 10, 0, "ok")
    # the same bytes again: hashed, not even parsed
    assert (b.fetched, b.new, b.same_content, two.status) == (10, 0, 10, "ok")
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from publications")).scalar_one() == 10
        runs = conn.execute(text("select status from harvest_runs order by id")).scalars()
        assert list(runs) == ["ok", "ok"]


@pytest.mark.postgres
def test_a_worker_run_records_its_sources_fill_rates(tmp_path: Path, pg_url: str) -> None:
    engine = open_database(pg_url)
    options = WorkerOptions(until_empty=True, poll_seconds=0.05, parse_workers=0)
    with PageSite(8) as site:
        settings = load_settings(config(tmp_path, pg_url, {
            "name": "s", "platform": "pure", "allow_private": True,
            "politeness": {"concurrency": 2, "delay": 0},
            "sitemap": f"{site.base_url}/sitemap.xml"}))
        asyncio.run(enqueue_sources(settings, engine))
        report = asyncio.run(run_worker(settings, engine, options=options))
    with engine.connect() as conn:
        (rates,) = load_fill_rates(conn, report.run_id).values()
        with_keywords = conn.execute(text(
            "select count(distinct publication_id) from keywords")).scalar_one()
    assert report.sources[0].new == 8 and 0 < with_keywords < 8
    assert rates["keywords"] == FillRate(with_keywords, 8)
    assert rates["authors"] == FillRate(8, 8)
    result = CliRunner().invoke(main, ["runs", "--json", "--config",
                                       str(tmp_path / "config.yaml")])
    assert result.exit_code == 0, result.output
    assert '"fill_rate_drops": []' in result.output


@pytest.mark.postgres
def test_a_worker_with_nothing_queued_exits_at_once_when_asked_to(
        tmp_path: Path, pg_url: str) -> None:
    engine = open_database(pg_url)
    settings = load_settings(config(tmp_path, pg_url, PAGES))
    report = asyncio.run(run_worker(settings, engine, options=WorkerOptions(
        until_empty=True, poll_seconds=30)))
    assert report.status == "ok" and report.sources[0].discovered == 0


@pytest.mark.postgres
def test_frontier_shows_rows_per_state_and_who_holds_each_hosts_slots(
        tmp_path: Path, pg_url: str) -> None:
    engine = open_database(pg_url)
    with engine.begin() as conn:
        source_id = ensure_source(conn, "pages", "pure", None)
        register_hosts(conn, {"h:1": HostPolicy(2, 0.5), "h:2": HostPolicy(1, 0.0)})
        enqueue(conn, source_id, [f"http://h:{p}/{i}" for p in (1, 2) for i in range(3)], NOW)
        rows = claim(conn, "w1", [source_id], "h:1", 2, ttl=30)
        complete(conn, "w1", source_id, [(rows[0].url, None), (rows[1].url, "gone")])
        claim(conn, "w1", [source_id], "h:1", 1, ttl=30)
        acquire_slot(conn, "w1", "h:1", ttl=30)
        acquire_slot(conn, "dead", "h:2", ttl=0)  # expired: not shown as held
    path = config(tmp_path, pg_url, PAGES)
    result = CliRunner().invoke(main, ["frontier", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "pages: queued=3 leased=1 done=1 failed=1 reasons=gone:1",
        "  h:1: concurrency=2 delay=0.5s slots held=1 by w1",
        "  h:2: concurrency=1 delay=0s slots held=0 by none",
    ]


@pytest.mark.postgres
def test_enqueue_and_worker_archive_every_answer_once_pages_where_their_rows_point(
        tmp_path: Path, pg_url: str) -> None:
    engine = open_database(pg_url)
    archive = tmp_path / "warc"
    options = WorkerOptions(until_empty=True, poll_seconds=0.05, parse_workers=0, batch=4)
    with PageSite(6) as site:
        settings = load_settings(_with_archive(config(tmp_path, pg_url, {
            "name": "s", "platform": "pure", "allow_private": True,
            "politeness": {"concurrency": 2, "delay": 0},
            "sitemap": f"{site.base_url}/sitemap.xml"}), archive))
        asyncio.run(enqueue_sources(settings, engine))
        report = asyncio.run(run_worker(settings, engine, options=options))
        pages = set(site.page_paths)
    assert report.status == "ok"
    archived: Counter[tuple[str, int]] = Counter()
    for path in sorted(archive.glob("*.warc.gz")):
        with open(path, "rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type == "response":
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    archived[(urlsplit(uri).path, int(record.http_headers.get_statuscode()))] += 1
    # the enqueue's discovery and the worker's robots.txt, then every page once
    assert archived[("/sitemap.xml", 200)] == 1
    assert archived[("/robots.txt", 200)] == 2
    assert {p for p, _ in archived} - {"/sitemap.xml", "/robots.txt"} == pages
    assert all(archived[(p, 200)] == 1 for p in pages)
    with engine.connect() as conn:
        located = conn.execute(text(
            "select count(*) from fetched_pages where warc_file is not null")).scalar_one()
    assert located == len(pages)


def _with_archive(path: Path, archive: Path) -> Path:
    data = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump({**data, "archive": str(archive)}))
    return path
