"""`harvest --metrics-file`: a Prometheus text file a textfile collector can read,
with per-source figures, and a last-success time that survives a failed run."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from pipelines.cli import main
from pipelines.metrics import previous_successes, render, write_metrics
from pipelines.sample_site import SAMPLE_RECORDS, SampleSite
from pipelines.stats import RunReport, SourceStats

FIRST = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
LATER = datetime(2026, 1, 3, 3, 4, 5, tzinfo=UTC)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        assert family.type == "gauge"
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def stats(name: str, **values: object) -> SourceStats:
    s = SourceStats(name)
    for key, value in values.items():
        setattr(s, key, value)
    return s


def test_figures_per_source_and_failures_by_reason() -> None:
    ok = stats("pure \"main\"", discovered=5, fetched=4, not_modified=1, new=3, changed=1,
               bytes=1234, seconds=2.5)
    bad = stats("dspace", fetched=2, failed=Counter({"http-status": 2, "network": 1}),
                skipped=Counter({"robots": 3}))
    got = samples(render(RunReport(7, (ok, bad)), FIRST))

    src = (("source", 'pure "main"'),)
    assert got[("harvester_source_pages", (("outcome", "fetched"), *src))] == 4
    assert got[("harvester_source_pages", (("outcome", "new"), *src))] == 3
    assert got[("harvester_source_bytes", src)] == 1234
    assert got[("harvester_source_duration_seconds", src)] == 2.5
    assert got[("harvester_source_up", src)] == 1
    assert got[("harvester_source_last_success_timestamp_seconds", src)] == FIRST.timestamp()
    dspace = (("source", "dspace"),)
    assert got[("harvester_source_failures", (("reason", "network"), *dspace))] == 1
    assert got[("harvester_source_pages", (("outcome", "failed"), *dspace))] == 3
    assert got[("harvester_source_skipped", (("reason", "robots"), *dspace))] == 3
    assert got[("harvester_source_status", (("source", "dspace"), ("status", "partial")))] == 1
    assert got[("harvester_source_up", dspace)] == 0
    assert ("harvester_source_last_success_timestamp_seconds", dspace) not in got


def test_last_success_is_carried_over_a_failed_run_and_for_sources_left_out(
    tmp_path: Path,
) -> None:
    path = tmp_path / "harvester.prom"
    write_metrics(path, RunReport(1, (stats("a"), stats("b"))), FIRST)
    failed = stats("a", fatal="discovery failed")
    write_metrics(path, RunReport(2, (failed,)), LATER)

    got = samples(path.read_text())
    assert got[("harvester_source_last_run_timestamp_seconds", (("source", "a"),))] == (
        LATER.timestamp())
    assert previous_successes(path.read_text()) == {"a": FIRST.timestamp(),
                                                    "b": FIRST.timestamp()}
    assert not (tmp_path / "harvester.prom.tmp").exists()


@pytest.mark.slow
def test_harvest_command_writes_the_metrics_file(tmp_path: Path) -> None:
    with SampleSite() as site:
        config = tmp_path / "config.yaml"
        config.write_text(yaml.safe_dump({
            "database": str(tmp_path / "h.db"), "archive": False,
            "user_agent": "harvester-tests (+mailto:t@example.org)",
            "sources": [{"name": "sample", "platform": "pure", "allow_private": True,
                         "politeness": {"delay": 0},
                         "sitemap": f"{site.base_url}/sitemap.xml"}],
        }))
        metrics = tmp_path / "textfile" / "harvester.prom"
        metrics.parent.mkdir()
        result = CliRunner().invoke(main, ["harvest", "--config", str(config),
                                           "--metrics-file", str(metrics)])
    assert result.exit_code == 0, result.output
    got = samples(metrics.read_text())
    src = (("source", "sample"),)
    assert got[("harvester_source_pages", (("outcome", "new"), *src))] == len(SAMPLE_RECORDS)
    assert got[("harvester_source_bytes", src)] > 0
    assert got[("harvester_source_up", src)] == 1


def test_unwritable_metrics_file_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "database": str(tmp_path / "h.db"), "user_agent": "t (+mailto:t@example.org)",
        "sources": []}))
    result = CliRunner().invoke(main, ["harvest", "--config", str(config), "--metrics-file",
                                       str(tmp_path / "missing" / "h.prom")])
    assert result.exit_code == 2
    assert "cannot write the metrics file" in result.output
