"""Runs that end early: SIGINT/SIGTERM stop after the batch in hand with a closed run row;
SIGKILL at several points, then a re-run, gives the database an uninterrupted run gives.

Each harvest is a real `python -m pipelines.cli harvest` process against the sample
site on 127.0.0.1, paced by a politeness delay so the test can strike mid-run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, Table, select, text

from harvester.warc import ArchiveRef, read_page
from pipelines.db import make_engine, open_database
from pipelines.models import (
    UTCDateTime,
    authorships,
    citations,
    fetched_pages,
    files,
    identifiers,
    keywords,
    metrics,
    persons,
    publications,
    subjects,
    venues,
)
from pipelines.sample_site import SampleSite

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SYNTHETIC = 60


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with SampleSite(synthetic=SYNTHETIC) as s:
        yield s


def write_config(tmp_path: Path, db_url: str, site: SampleSite, delay: float) -> Path:
    path = tmp_path / f"config-{abs(hash(db_url))}.yaml"
    path.write_text(yaml.safe_dump({
        "database": db_url,
        "archive": str(archive_dir(tmp_path, db_url)),
        "user_agent": "harvester-tests (+mailto:t@example.org)",
        "sources": [{"name": "sample", "platform": "pure", "allow_private": True,
                     "politeness": {"concurrency": 2, "delay": delay},
                     "sitemap": f"{site.base_url}/sitemap.xml"}],
    }))
    return path


def archive_dir(tmp_path: Path, db_url: str) -> Path:
    return tmp_path / f"warc-{abs(hash(db_url))}"


def start(config: Path, batch: int) -> subprocess.Popen[str]:
    env = {**os.environ, "HARVESTER_BATCH_SIZE": str(batch)}
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "harvest", "--wait", "--config", str(config)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("select count(*) from publications")).scalar_one())


def wait_for(engine: Engine, proc: subprocess.Popen[str], at_least: int) -> None:
    """Return once `at_least` publications are committed; fail if the run ends first."""
    deadline = time.monotonic() + 60
    while count(engine) < at_least:
        assert proc.poll() is None, f"the run ended before {at_least} records: pace it slower"
        assert time.monotonic() < deadline
        time.sleep(0.005)


# fetched_pages.status is the last answer: 200, or 304 when a re-run checked the page
# again; the archive file names carry a time and pid. Both depend on the runs made.
_RUN_DEPENDENT = {fetched_pages.c.status, fetched_pages.c.warc_file, fetched_pages.c.warc_offset}
_KEYS = {"publication_id": (publications, "url"), "person_id": (persons, "person_key"),
         "venue_id": (venues, "venue_key")}


def content(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored value except ids and timestamps, ids replaced by natural keys."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in (publications, persons, venues, authorships, keywords, subjects,
                      identifiers, files, metrics, citations, fetched_pages):
            cols: list[Any] = []
            query_from: Any = table
            for col in table.c:
                if col.name in _KEYS:
                    other, key = _KEYS[col.name]
                    alias: Table = other.alias(f"k_{col.name}")  # type: ignore[assignment]
                    query_from = query_from.outerjoin(alias, alias.c.id == col)
                    cols.append(alias.c[key])
                elif col.name not in ("id", "source_id") and col not in _RUN_DEPENDENT and (
                        not isinstance(col.type, UTCDateTime)):
                    cols.append(col)
            rows = conn.execute(select(*cols).select_from(query_from)).all()
            out[table.name] = sorted(tuple(map(str, r)) for r in rows)
    return out


def run_row(engine: Engine) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(
            "select id, status, finished_at, stats_json from harvest_runs order by id desc")
        ).first()


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_stops_after_the_batch_in_hand_and_closes_the_run(
    site: SampleSite, db_url: str, tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    engine = open_database(db_url)
    config = write_config(tmp_path, db_url, site, delay=0.03)
    proc = start(config, batch=5)
    wait_for(engine, proc, 10)
    sent = time.monotonic()
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    stopped_in = time.monotonic() - sent

    assert proc.returncode == code, err
    assert f"{sig.name} received: finishing the batch in hand" in err
    assert "stopped on request: the pages fetched so far are committed" in err
    assert stopped_in < 2.0  # one batch of 5 pages at 0.03 s, not the whole site
    run_id, status, finished_at, stats_json = run_row(engine)
    assert out.strip().endswith(f"run {run_id}: stopped")
    assert status == "stopped" and finished_at is not None
    stats = json.loads(stats_json)["sample"]
    assert stats["status"] == "stopped" and stats["stopped"]
    stored = count(engine)
    assert 10 <= stored < len(site.slugs)
    assert stats["new"] == stored and stats["fetched"] == stored
    with engine.connect() as conn:
        pages = conn.execute(text("select count(*) from fetched_pages where url like "
                                  "'%/en/publications/%'")).scalar_one()
        per_source_new = conn.execute(text(
            "select new from harvest_run_sources where run_id = :r"), {"r": run_id}).scalar_one()
    assert pages == stored and per_source_new == stored

    rest = start(config, batch=5)
    out, err = rest.communicate(timeout=60)
    assert rest.returncode == 0, err
    assert count(engine) == len(site.slugs)
    assert f"new={len(site.slugs) - stored} " in out


def test_sigkill_at_five_points_then_a_rerun_equals_an_uninterrupted_run(
    site: SampleSite, db_url: str, tmp_path: Path
) -> None:
    reference_url = f"sqlite:///{tmp_path / 'reference.db'}"
    reference = open_database(reference_url)
    done = start(write_config(tmp_path, reference_url, site, delay=0), batch=3)
    _, err = done.communicate(timeout=60)
    assert done.returncode == 0, err
    want = content(reference)
    assert len(want["publications"]) == len(site.slugs)

    engine = open_database(db_url)
    config = write_config(tmp_path, db_url, site, delay=0.02)
    total = len(site.slugs)
    # records committed before the kill, and a little extra time so the kills land
    # in different phases of a batch (fetching, parsing, committing)
    for at_least, extra in ((1, 0.0), (7, 0.013), (20, 0.029), (38, 0.041), (total - 8, 0.007)):
        proc = start(config, batch=3)
        wait_for(engine, proc, at_least)
        time.sleep(extra)
        assert proc.poll() is None, "the run ended before the kill: pace it slower"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert count(engine) < total

    final = start(config, batch=3)
    _, err = final.communicate(timeout=60)
    assert final.returncode == 0, err
    got = content(engine)
    for name in want:
        assert got[name] == want[name], name
    # every archive location the database holds was on disk before its row committed
    with engine.connect() as conn:
        refs = conn.execute(text("select warc_file, warc_offset, sha256 from fetched_pages")).all()
    assert len(refs) == total
    for ref in refs:
        body = read_page(archive_dir(tmp_path, db_url), ArchiveRef(ref[0], int(ref[1])))
        assert body.sha256 == ref[2]
    with make_engine(db_url).connect() as conn:
        statuses = conn.execute(text("select status from harvest_runs order by id")).scalars()
        assert list(statuses) == ["running"] * 5 + ["ok"]  # killed runs stay visible
