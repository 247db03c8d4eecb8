"""A database password never reaches the logs, the command's output or the run records.

The test PostgreSQL trusts local connections, so a URL with any password still
connects: the password is a marker we then look for everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from pipelines.cli import main
from pipelines.sample_site import SAMPLE_RECORDS, SampleSite

PASSWORD = "Pw-marker-8472"

pytestmark = pytest.mark.postgres


@pytest.fixture
def site() -> Iterator[SampleSite]:
    with SampleSite() as s:
        yield s


def with_password(url: str) -> str:
    return url.replace("postgres@", f"postgres:{PASSWORD}@", 1)


def write_config(tmp_path: Path, database: str, site: SampleSite) -> Path:
    slug = sorted(SAMPLE_RECORDS)[0]
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({
        "database": database,
        "user_agent": "harvester-tests (+mailto:t@example.org)",
        "sources": [{
            "name": "sample",
            "platform": "pure",
            "allow_private": True,
            "politeness": {"concurrency": 2, "delay": 0},
            "urls": [site.url_for(slug), f"{site.base_url}/en/publications/missing/"],
            "sitemap": f"{site.base_url}/no-sitemap.xml",
        }],
    }))
    return path


def test_password_is_absent_from_logs_output_and_run_rows(
    pg_url: str, site: SampleSite, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = with_password(pg_url)
    assert PASSWORD in url
    config = write_config(tmp_path, url, site)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")  # SQL, parameters, pool events
    runner = CliRunner()
    outputs = [
        runner.invoke(main, ["-vv", "db", "upgrade", "--config", str(config)]),
        runner.invoke(main, ["-vv", "harvest", "--config", str(config)]),
        runner.invoke(main, ["runs", "--json", "--config", str(config)]),
    ]
    assert outputs[1].exit_code == 1, outputs[1].output  # missing sitemap: partial
    engine = create_engine(url)
    with engine.connect() as conn:
        runs = [str(tuple(r)) for r in conn.execute(text("select * from harvest_runs"))]
        per_source = [str(tuple(r)) for r in
                      conn.execute(text("select * from harvest_run_sources"))]
        pages = [str(tuple(r)) for r in conn.execute(text("select * from fetched_pages"))]
    engine.dispose()
    assert runs and per_source and len(pages) == 2
    assert "no-sitemap" in " ".join(runs), "the run record should hold the failure"
    assert any(r.name.startswith("sqlalchemy") for r in caplog.records), "logs were captured"
    everything = [r.getMessage() for r in caplog.records] + [o.output for o in outputs]
    for text_ in [*everything, *runs, *per_source, *pages]:
        assert PASSWORD not in text_


def test_unreachable_database_error_names_it_without_the_password(tmp_path: Path,
                                                                   pg_url: str) -> None:
    base = with_password(pg_url).rsplit("/", 1)[0]
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"database": f"{base}/no_such_db_here", "sources": []}))
    result = CliRunner().invoke(main, ["harvest", "--config", str(config)])
    assert result.exit_code == 2
    assert "no_such_db_here" in result.output
    assert PASSWORD not in result.output
