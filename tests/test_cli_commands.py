"""The `harvester` command end to end through click's runner: exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.sample_site import SAMPLE_RECORDS, SampleSite, expected_for


def write_config(tmp_path: Path, **overrides: object) -> Path:
    data: dict[str, object] = {
        "database": str(tmp_path / "h.db"),
        "user_agent": "harvester-tests (+mailto:t@example.org)",
        "sources": [{"name": "s", "platform": "pure",
                     "urls": ["http://127.0.0.1:9/en/publications/x/"]}],
    }
    data.update(overrides)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_bad_config_exits_2_with_one_line_naming_file_and_key(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, politeness={"delay": "fast"})
    result = CliRunner().invoke(main, ["harvest", "--config", str(cfg)])
    assert result.exit_code == 2
    line = result.output.strip()
    assert "\n" not in line
    assert "config.yaml" in line and "politeness.delay" in line


def test_missing_config_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sources", "--config", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml" in result.output


def test_unreachable_database_exits_2_before_fetching(tmp_path: Path) -> None:
    with SampleSite() as site:
        cfg = write_config(
            tmp_path,
            database="postgresql://postgres:s3cret@127.0.0.1:1/none",
            sources=[{"name": "s", "platform": "pure", "allow_private": True,
                      "sitemap": f"{site.base_url}/sitemap.xml"}],
        )
        result = CliRunner().invoke(main, ["harvest", "--config", str(cfg)])
        assert result.exit_code == 2, result.output
        assert "s3cret" not in result.output
        assert site.requests == []


def test_unknown_source_name_is_a_usage_error(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    result = CliRunner().invoke(main, ["harvest", "--config", str(cfg), "nosuch"])
    assert result.exit_code == 2
    assert "nosuch" in result.output


@pytest.mark.slow
def test_harvest_prints_a_summary_per_source_and_exits_1_when_one_fails(tmp_path: Path) -> None:
    slug = sorted(SAMPLE_RECORDS)[0]
    with SampleSite() as site:
        cfg = write_config(tmp_path, sources=[
            {"name": "good", "platform": "pure", "allow_private": True,
             "politeness": {"delay": 0}, "urls": [f"{site.base_url}/en/publications/{slug}/"]},
            {"name": "broken", "platform": "pure", "allow_private": True,
             "politeness": {"delay": 0}, "sitemap": f"{site.base_url}/no-sitemap.xml"},
        ])
        result = CliRunner().invoke(main, ["harvest", "--config", str(cfg)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(x.startswith("good: ok") and "new=1" in x for x in lines), result.output
    assert any(x.startswith("broken: failed") for x in lines), result.output

    runs = CliRunner().invoke(main, ["runs", "--config", str(cfg), "--json"])
    assert runs.exit_code == 0
    stats = json.loads(runs.output)[0]["stats"]
    assert stats["good"]["new"] == 1 and stats["broken"]["status"] == "failed"


def test_parse_prints_the_record_json_and_names_the_parser(tmp_path: Path) -> None:
    slug = sorted(SAMPLE_RECORDS)[0]
    with SampleSite() as site:
        import httpx

        html = httpx.get(f"{site.base_url}/en/publications/{slug}/").content
    page = tmp_path / "page.html"
    page.write_bytes(html)
    result = CliRunner().invoke(
        main, ["parse", str(page), "--url", f"https://example.org/en/publications/{slug}/"]
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    record = json.loads(out)
    assert record["title"] == expected_for(slug)["title"]
    assert record["platform"] == "pure"
    assert "parser: pure" in result.stderr


def test_parse_rejects_an_unknown_platform(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text("<html><title>x</title></html>")
    result = CliRunner().invoke(main, ["parse", str(page), "--platform", "nosuch"])
    assert result.exit_code == 2


def test_sources_lists_every_source_with_its_discovery(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, sources=[
        {"name": "portal", "platform": "pure", "sitemap": "https://example.org/sitemap.xml"},
        {"name": "oai", "oai": "https://example.org/oai", "set": "articles"},
    ])
    result = CliRunner().invoke(main, ["sources", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("portal") and "sitemap=1" in lines[0]
    assert lines[1].startswith("oai") and "oai=https://example.org/oai" in lines[1]
    assert "set=articles" in lines[1]
