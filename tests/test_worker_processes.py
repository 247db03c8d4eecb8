"""Real `harvester enqueue` and `harvester worker` processes against PostgreSQL and
loopback sites (two ports are two hosts): every page fetched once, per-host
concurrency held across workers, and a SIGKILLed worker's pages taken over only
once its leases ran out."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, text
from worker_site import PageSite

from pipelines.db import open_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parent.parent
CONCURRENCY = 2


def write_config(tmp_path: Path, db_url: str, sites: Sequence[PageSite],
                 delay: float = 0.0) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({
        "database": db_url,
        "user_agent": "harvester-tests (+mailto:t@example.org)",
        "sources": [{"name": f"site{i}", "platform": "pure", "allow_private": True,
                     "politeness": {"concurrency": CONCURRENCY, "delay": delay},
                     "sitemap": f"{site.base_url}/sitemap.xml"}
                    for i, site in enumerate(sites)],
    }))
    return path


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", *args]


def enqueue(config: Path) -> str:
    done = subprocess.run(cli("enqueue", "--config", str(config)), cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def start_worker(config: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli("worker", "--config", str(config), "--poll-seconds", "0.1", "--parse-workers", "0",
            *extra),
        cwd=ROOT, env={**os.environ}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def wait_until(engine: Engine, proc: subprocess.Popen[str], sql: str, at_least: int) -> None:
    deadline = time.monotonic() + 60
    while scalar(engine, sql) < at_least:
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_three_workers_fetch_every_page_once_within_each_hosts_concurrency(
        pg_url: str, tmp_path: Path) -> None:
    engine = open_database(pg_url)
    with PageSite(1000, hold=0.003) as one, PageSite(1000, hold=0.003) as two:
        config = write_config(tmp_path, pg_url, [one, two])
        assert enqueue(config).count("discovered=1000 new=1000 ") == 2
        workers = [start_worker(config, "--until-empty") for _ in range(3)]
        results = [w.communicate(timeout=120) for w in workers]
        for w, (_, err) in zip(workers, results, strict=True):
            assert w.returncode == 0, err
        for site in (one, two):
            counts = site.page_counts()
            assert set(counts) == set(site.page_paths)
            assert set(counts.values()) == {1}  # every page exactly once
            assert site.max_in_flight == CONCURRENCY  # reached, never passed
    assert scalar(engine, "select count(*) from publications") == 2000
    assert scalar(engine, "select count(distinct url) from publications") == 2000
    assert scalar(engine, "select count(*) from frontier where state <> 'done'") == 0
    assert scalar(engine, "select count(*) from host_leases where owner is not null") == 0
    with engine.connect() as conn:
        runs = conn.execute(text("select status, stats_json from harvest_runs")).all()
    assert [r.status for r in runs] == ["ok"] * 3
    fetched = sum(s["fetched"] for r in runs for s in json.loads(r.stats_json).values())
    assert fetched == 2000


def test_a_killed_workers_pages_are_taken_over_after_its_leases_run_out(
        pg_url: str, tmp_path: Path) -> None:
    engine = open_database(pg_url)
    with PageSite(60, hold=0.1) as site:
        config = write_config(tmp_path, pg_url, [site])
        enqueue(config)
        doomed = start_worker(config, "--lease-seconds", "2", "--batch", "5")
        wait_until(engine, doomed, "select count(*) from frontier where state = 'done'", 6)
        wait_until(engine, doomed, "select count(*) from frontier where state = 'leased'", 1)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
        with engine.connect() as conn:
            held = {r.id: r.lease_until for r in conn.execute(text(
                "select id, lease_until from frontier where state = 'leased'"))}
            killed_at = conn.execute(text("select now()")).scalar_one()
        assert held and all(until > killed_at for until in held.values())

        heir = start_worker(config, "--lease-seconds", "2", "--until-empty")
        _, err = heir.communicate(timeout=60)
        assert heir.returncode == 0, err
        assert set(site.page_counts()) == set(site.page_paths)
    assert scalar(engine, "select count(*) from publications") == 60
    assert scalar(engine, "select count(distinct url) from publications") == 60
    with engine.connect() as conn:
        rows = conn.execute(text(
            "select id, state, finished_at, attempts from frontier where id = any(:ids)"),
            {"ids": list(held)}).all()
    for row in rows:
        assert row.state == "done" and row.attempts == 2
        assert row.finished_at > held[row.id]  # only after the dead lease ran out


def test_sigterm_commits_what_was_answered_and_hands_the_rest_back(
        pg_url: str, tmp_path: Path) -> None:
    engine = open_database(pg_url)
    with PageSite(80, hold=0.05) as site:
        config = write_config(tmp_path, pg_url, [site])
        enqueue(config)
        worker = start_worker(config, "--batch", "5")
        wait_until(engine, worker, "select count(*) from frontier where state = 'done'", 5)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    assert worker.returncode == 143, err
    assert "SIGTERM received" in err
    done = scalar(engine, "select count(*) from frontier where state = 'done'")
    assert 5 <= done < 80
    assert scalar(engine, "select count(*) from frontier where state = 'leased'") == 0
    assert scalar(engine, "select count(*) from host_leases where owner is not null") == 0
    assert scalar(engine, "select count(*) from publications") == done
    with engine.connect() as conn:
        status, stats_json = conn.execute(text(
            "select status, stats_json from harvest_runs")).one()
    assert status == "stopped" and out.strip().endswith("stopped")
    assert json.loads(stats_json)["site0"]["new"] == done


def test_the_hosts_delay_spaces_the_requests_of_all_workers_together(
        pg_url: str, tmp_path: Path) -> None:
    engine = open_database(pg_url)
    delay = 0.2
    with PageSite(24) as site:
        config = write_config(tmp_path, pg_url, [site], delay=delay)
        enqueue(config)
        workers = [start_worker(config, "--until-empty", "--batch", "2") for _ in range(2)]
        for w in workers:
            _, err = w.communicate(timeout=60)
            assert w.returncode == 0, err
        starts = sorted(t for t, path in site.starts if path in site.pages)
    assert len(starts) == 24
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # reserved starts are exactly `delay` apart; a late wake-up shortens the next gap a bit
    assert min(gaps) > 0.6 * delay
    assert starts[-1] - starts[0] >= 23 * delay * 0.95
    with engine.connect() as conn:
        fetched = [sum(s["fetched"] for s in json.loads(r.stats_json).values())
                   for r in conn.execute(text("select stats_json from harvest_runs"))]
    assert sorted(fetched) != [0, 24]  # both workers fetched: the spacing held across them
