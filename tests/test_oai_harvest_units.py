"""The pure parts of OAI harvesting and its schema: config keys, date windows,
merging a landing page into an OAI record, and the 0002 migration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, text

from harvester.errors import ConfigError
from harvester.types import (
    Citation,
    FileLink,
    Identifier,
    Metric,
    PageRange,
    PartialDate,
    Person,
    Record,
    Subject,
)
from pipelines.config import parse_settings
from pipelines.db import alembic_config, make_engine, upgrade
from pipelines.merge import merge_page, record_from_json
from pipelines.oai_windows import SECONDS, Window, parse_stamp, split_windows, windows_after

DAY = "YYYY-MM-DD"
NOW = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)


def source(**keys: Any) -> Any:
    return parse_settings({"sources": [{"name": "r", **keys}]}, path=None, env={}).sources[0]


def test_oai_source_defaults_to_richest_prefix_month_windows_and_enrichment() -> None:
    s = source(oai="https://repo.example/oai")
    assert (s.oai, s.metadata_prefix, s.set_spec, s.enrich, s.window) == (
        "https://repo.example/oai", None, None, True, "month")


def test_oai_source_keeps_its_options() -> None:
    s = source(oai="https://r.example/oai", metadata_prefix="mods", set="com_1", enrich=False,
               window="day")
    assert (s.metadata_prefix, s.set_spec, s.enrich, s.window) == ("mods", "com_1", False, "day")


@pytest.mark.parametrize(("keys", "message"), [
    ({"set": "x"}, "sources[0].set: only allowed on a source with oai:"),
    ({"enrich": True}, "sources[0].enrich: only allowed on a source with oai:"),
    ({"oai": "https://r.example/oai", "window": "week"},
     "sources[0].window: must be one of day, month, year, none, got 'week'"),
    ({"oai": "https://r.example/oai", "enrich": "yes"},
     "sources[0].enrich: must be true or false, got 'yes'"),
    ({"oai": ["https://r.example/oai"]}, "sources[0].oai: must be one URL"),
    ({"oai": "ftp://r.example/oai"}, "sources[0].oai: must be an http(s) URL"),
    ({"oai": "https://r.example/oai", "metadata_prefix": "a b"},
     "sources[0].metadata_prefix: not a metadata prefix"),
    ({"oai": "https://r.example/oai", "sitemap": "https://r.example/s.xml"},
     "sources[0].oai: cannot be combined with sitemap, listing or urls"),
    ({"oai": "https://r.example/oai", "sets": "x"}, "sources[0].sets: unknown key"),
    ({}, "needs at least one of sitemap, listing, urls, oai"),
])  # fmt: skip
def test_bad_oai_keys_fail_with_file_and_key(keys: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_settings({"sources": [{"name": "r", **keys}]}, path=None, env={})
    assert message in str(err.value)
    assert str(err.value).startswith("<config>: ")


@pytest.mark.parametrize(("start", "unit", "granularity", "expected"), [
    ("2026-09-15T10:11:12Z", "month", SECONDS, [
        Window("2026-09-15T10:11:12Z", "2026-09-30T23:59:59Z"),
        Window("2026-10-01T00:00:00Z", "2026-10-31T23:59:59Z"),
        Window("2026-11-01T00:00:00Z", None)]),
    ("2024-06-30", "year", DAY, [
        Window("2024-06-30", "2024-12-31"), Window("2025-01-01", "2025-12-31"),
        Window("2026-01-01", None)]),
    ("2026-11-25T08:00:00Z", "day", DAY, [
        Window("2026-11-25", "2026-11-25"), Window("2026-11-26", "2026-11-26"),
        Window("2026-11-27", None)]),
    ("2001-01-01", "none", SECONDS, [Window("2001-01-01T00:00:00Z", None)]),
    ("2027-03-01", "month", DAY, [Window("2027-03-01", None)]),  # a server clock ahead of ours
])  # fmt: skip
def test_windows_touch_without_overlap_and_the_last_is_open(
    start: str, unit: str, granularity: str, expected: list[Window]
) -> None:
    assert split_windows(parse_stamp(start), NOW, unit, granularity) == expected


def test_windows_after_a_stored_window_continue_where_it_ended() -> None:
    assert windows_after("2026-09-30T23:59:59Z", NOW, "month", SECONDS) == [
        Window("2026-10-01T00:00:00Z", "2026-10-31T23:59:59Z"),
        Window("2026-11-01T00:00:00Z", None)]


@pytest.mark.parametrize("stamp", ["2024-05-01T12:00:00Z", "2024-05-01T12:00:00.25Z",
                                   "2024-05-01T14:00:00+02:00"])
def test_datestamps_of_any_form_read_as_utc(stamp: str) -> None:
    assert parse_stamp(stamp).replace(microsecond=0) == datetime(2024, 5, 1, 12, tzinfo=UTC)


OAI = Record(url="https://r.example/items/1", platform="oai", source_key="oai:r:1",
             title="Title from OAI", abstract="Short.", doi="10.1/oai",
             authors=(Person("Lee, Ana", "Lee", "Ana"),),
             identifiers=(Identifier("handle", "1/1"),),
             provenance={"title": "oai:oai_dc", "abstract": "oai:oai_dc", "doi": "oai:oai_dc",
                         "authors": "oai:oai_dc", "identifiers": "oai:oai_dc"})
PAGE = Record(url="https://r.example/en/publications/x", platform="pure",
              source_key="0f0e-uuid", title="Title from page", abstract="A longer abstract.",
              doi="10.1/page", journal="Journal of Tests", volume="7", issue="2",
              pages=PageRange("11", "19", 9),
              identifiers=(Identifier("handle", "1/1"), Identifier("issn", "1234-5678")),
              keywords=("k1",),
              provenance={"title": "pure:properties", "journal": "pure:properties",
                          "pages": "ris", "abstract": "pure:abstract", "doi": "meta:citation",
                          "identifiers": "pure:properties", "keywords": "meta:citation"})


def test_landing_page_wins_for_explicit_fields_and_fills_gaps() -> None:
    merged = merge_page(OAI, PAGE, "pure")
    assert (merged.journal, merged.volume, merged.issue, merged.pages) == (
        "Journal of Tests", "7", "2", PageRange("11", "19", 9))
    assert (merged.abstract, merged.doi) == ("A longer abstract.", "10.1/page")
    assert merged.keywords == ("k1",)


def test_oai_identity_and_oai_fields_stay() -> None:
    merged = merge_page(OAI, PAGE, "pure")
    assert (merged.source_key, merged.url, merged.platform) == (
        "oai:r:1", "https://r.example/items/1", "oai")
    assert merged.title == "Title from OAI"
    assert merged.authors == OAI.authors
    assert merged.identifiers == (Identifier("handle", "1/1"), Identifier("issn", "1234-5678"))


def test_merge_keeps_provenance_per_field() -> None:
    prov = merge_page(OAI, PAGE, "pure").provenance
    assert prov["title"] == "oai:oai_dc"
    assert prov["journal"] == "page:pure:properties"
    assert prov["pages"] == "page:ris"
    assert prov["identifiers"] == "oai:oai_dc+page:pure:properties"
    assert prov["volume"] == "page:pure"  # the page parser gave no layer: its name stands


def test_stored_record_json_rebuilds_the_same_record() -> None:
    rich = Record(
        url="u", platform="pure", source_key="k", type="article", title="T", subtitle="S",
        authors=(Person("A B", "B", "A", orcid="0000-0001-2345-6789", role="editor",
                        affiliations=("Dept",), url="https://p"),),
        pages=PageRange("1", None, None), published=PartialDate(2020, 3), online=PartialDate(2019),
        status_date=PartialDate(2020, 1, 2), keywords=("a", "b"),
        subjects=(Subject("asjc", "Water", 0.5, "2312"),), identifiers=(Identifier("isbn", "9"),),
        files=(FileLink("https://f.pdf", "f", "application/pdf", "open"),),
        metrics=(Metric("citations", 3, "scopus", "2024-01-01"),),
        citations=(Citation("ris", "TY  - JOUR"),), provenance={"title": "x"}, warnings=("w",))
    assert record_from_json(rich.to_json()) == rich


def test_migration_0002_downgrades_to_the_old_view_and_upgrades_again(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    insp = inspect(engine)
    assert "oai_checkpoints" not in insp.get_table_names()
    assert "deleted_at" not in {c["name"] for c in insp.get_columns("publications")}
    with engine.connect() as conn:
        columns = tuple(conn.execute(text("SELECT * FROM v_publications")).keys())
    assert columns[-1] == "last_changed"
    upgrade(engine)
    with engine.connect() as conn:
        columns = tuple(conn.execute(text("SELECT * FROM v_publications")).keys())
    assert columns[-2:] == ("last_changed", "deleted_at")
    engine.dispose()
