"""`harvester report` and the fill-rate flags of `harvester runs`: what the page holds,
that database text is escaped, and that a real headless Chromium renders it."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import Engine, text

from pipelines.cli import main
from pipelines.db import make_engine, upgrade
from pipelines.fillrates import record_fill_rates
from pipelines.load import ensure_source, upsert_records
from pipelines.report import gather_report
from pipelines.report_html import bar_chart_svg, fill_year_gaps
from pipelines.state import finish_run, record_run_source, start_run
from pipelines.views import RUN_VIEWS
from tests.sql_records import ALPHA, RUN_TIMES, load_library, load_runs

EVIL = "<script>alert(1)</script>"


def body_text(tree: LexborHTMLParser) -> str:
    assert tree.body is not None
    return tree.body.text()
THIRD_RUN_AT = RUN_TIMES[1] + timedelta(days=1)


def add_broken_run(engine: Engine) -> int:
    """Run 3: alpha's pages lost their DOIs (a redesign), one title now holds markup,
    and three pages failed, one with markup in its message and a javascript: 'URL'."""
    failures = {
        "http-status": {"count": 2, "examples": ["https://alpha.test/p/9 HTTP 500",
                                                 f"javascript:alert(2) {EVIL}"]},
        "parse": {"count": 1, "examples": [f"https://alpha.test/p/7 no title {EVIL}"]},
    }  # fmt: skip
    broken = [dataclasses.replace(r, doi=None, title=EVIL if r.source_key == "a1" else r.title)
              for r in ALPHA]  # fmt: skip
    with engine.begin() as conn:
        record_fill_rates(conn, 2)  # run 2's rates, as the run-end hook would have stored
        alpha = ensure_source(conn, "alpha", "pure", None)
        upsert_records(conn, alpha, broken, now=THIRD_RUN_AT)
        run_id = start_run(conn, ["alpha"], THIRD_RUN_AT)
        record_run_source(conn, run_id, alpha, {"fetched": 4, "changed": 4, "failed": 3,
                                                "seconds": 2.0, "failures": failures})  # fmt: skip
        stats = {"alpha": {"status": "partial", "discovered": 7, "skipped": {"robots": 1}}}
        finish_run(conn, run_id, "partial", stats, THIRD_RUN_AT + timedelta(minutes=3))
        record_fill_rates(conn, run_id)
    return run_id


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    upgrade(eng)
    load_library(eng)
    load_runs(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def report_html(tmp_path: Path) -> Path:
    """A config, a SQLite database with three runs, and run 3's report written by the CLI."""
    eng = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    upgrade(eng)
    load_library(eng)
    load_runs(eng)
    add_broken_run(eng)
    eng.dispose()
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", "--config", str(write_config(tmp_path)),
                                       "--html", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "! alpha: doi fill rate 50% -> 0% (since run 2)" in result.output
    return out


def write_config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({
        "database": str(tmp_path / "h.db"), "user_agent": "harvester-tests (+mailto:t@x.org)",
        "sources": [{"name": "alpha", "platform": "pure", "urls": ["http://127.0.0.1:9/a"]}],
    }))  # fmt: skip
    return path


def test_the_report_flags_the_drop_and_names_records_now_missing_the_field(
    engine: Engine,
) -> None:
    run_id = add_broken_run(engine)
    with engine.begin() as conn:
        data = gather_report(conn)
    assert data.run_id == run_id and data.status == "partial"
    assert [(d.source, d.describe()) for d in data.drops] == [
        ("alpha", "doi fill rate 50% -> 0%"), ("alpha", "volume fill rate 50% -> 25%")]
    assert [s.name for s in data.sources] == ["alpha"]
    assert data.sources[0].counts["discovered"] == 7 and data.sources[0].counts["failed"] == 3
    assert [(f.reason, f.count) for f in data.sources[0].failures] == [
        ("http-status", 2), ("parse", 1)]
    assert data.years == (("2018", 1), ("2019", 2), ("2020", 1))
    assert {title for title, _ in data.missing[("alpha", "doi")]} >= {EVIL}


def test_migrated_run_views_return_what_the_views_module_selects(engine: Engine) -> None:
    with engine.connect() as conn:
        for name, select_sql in RUN_VIEWS.items():
            from_view = sorted(map(tuple, conn.execute(text(f"SELECT * FROM {name}"))))
            assert from_view == sorted(map(tuple, conn.execute(text(select_sql)))), name
            assert len(from_view) == 3, name  # run 1: alpha and beta; run 2: alpha


def test_an_earlier_run_gets_its_own_report_with_lazily_recorded_rates(engine: Engine) -> None:
    with engine.begin() as conn:
        data = gather_report(conn, 1)  # beta's latest run: its rates are filled in now
    assert [s.name for s in data.sources] == ["alpha", "beta"]
    assert [f.source for f in data.fills] == ["beta"] and data.drops == []
    assert data.years[0] == ("2018", 1) and sum(n for _, n in data.years) == 8


def test_everything_from_the_database_is_escaped(report_html: Path) -> None:
    html = report_html.read_text(encoding="utf-8")
    tree = LexborHTMLParser(html)
    assert tree.css("script") == [] and tree.css("link") == []
    assert EVIL in body_text(tree)  # shown as text, not run
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    hrefs = [a.attributes["href"] or "" for a in tree.css("a")]
    assert "https://alpha.test/p/9" in hrefs and all(h.startswith("https://") for h in hrefs)
    assert "javascript:alert(2)" in body_text(tree)  # listed, but never a link


def test_the_page_needs_no_external_asset(report_html: Path) -> None:
    tree = LexborHTMLParser(report_html.read_text(encoding="utf-8"))
    assert tree.css("img, iframe, object, embed, link, script") == []
    assert all("url(" not in (s.text() or "") for s in tree.css("style"))


def test_years_without_records_become_empty_bars() -> None:
    assert fill_year_gaps([("2018", 2), ("2021", 1)]) == [
        ("2018", 2), ("2019", 0), ("2020", 0), ("2021", 1)]
    assert fill_year_gaps([("1066", 1), ("2020", 3)]) == [("1066", 1), ("2020", 3)]
    svg = LexborHTMLParser(bar_chart_svg([("2018", 2), ("2020", 4)]))
    bars = [(r.attributes["data-year"], r.attributes["height"]) for r in svg.css("rect.bar")]
    assert bars == [("2018", "90.0"), ("2019", "0.0"), ("2020", "180.0")]


def test_report_of_an_unknown_run_is_a_usage_error(report_html: Path) -> None:
    cfg = write_config(report_html.parent)
    result = CliRunner().invoke(main, ["report", "--config", str(cfg), "--run", "99",
                                       "--html", str(report_html)])  # fmt: skip
    assert result.exit_code == 2 and "no harvest run with id 99" in result.output


def test_runs_shows_the_flags_in_text_and_json(report_html: Path) -> None:
    cfg = str(write_config(report_html.parent))
    text = CliRunner().invoke(main, ["runs", "--config", cfg])
    assert text.exit_code == 0
    assert "  ! alpha: doi fill rate 50% -> 0% (since run 2)" in text.output.splitlines()
    runs = json.loads(CliRunner().invoke(main, ["runs", "--config", cfg, "--json"]).output)
    flags = {r["id"]: [(d["field"], d["previous_percent"], d["current_percent"])
                       for d in r["fill_rate_drops"]] for r in runs}  # fmt: skip
    assert flags == {3: [("doi", 50, 0), ("volume", 50, 25)], 2: [], 1: []}


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_the_report_renders_in_headless_chromium(report_html: Path, tmp_path: Path) -> None:
    assert CHROMIUM is not None
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
               "--dump-dom", report_html.resolve().as_uri()]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = LexborHTMLParser(done.stdout)
    assert "Harvest run 3" in dom.css("h1")[0].text()
    assert "alpha" in [td.text() for td in dom.css("table tr td:first-child")]
    flagged = [row.css("td")[0].text() for row in dom.css("tr.drop")]
    assert flagged == ["! doi", "! volume"]
    assert [b.attributes["data-year"] for b in dom.css("svg rect.bar")] == [
        "2018", "2019", "2020"]
    assert dom.css("script") == []  # the title with markup stayed text after rendering
    assert EVIL in body_text(dom)
