"""Field fill rates per run and source, and the drop flag, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, text

from harvester.types import PageRange, PartialDate, Person, Record
from pipelines.filldrops import compare_run, is_drop, run_drops
from pipelines.fillrates import (
    FIELDS,
    FillRate,
    compute_fill_rates,
    ensure_fill_rates,
    load_fill_rates,
    record_fill_rates,
)
from pipelines.load import ensure_source, upsert_records
from pipelines.state import finish_run, record_run_source, start_run

T0 = datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
FULL = dict(abstract="A.", doi="10.1/x", authors=(Person("Ana Lee", "Lee", "Ana"),),
            keywords=("k",), journal="J", volume="1", issue="2", pages=PageRange("5", "9"),
            published=PartialDate(2020), language="en", type="article")  # fmt: skip


def record(key: str, **values: object) -> Record:
    return Record(url=f"https://r.test/{key}", platform="pure", source_key=key,
                  **values)  # type: ignore[arg-type]  # fmt: skip


def harvest_run(conn: Connection, source_id: int, records: Sequence[Record], at: datetime) -> int:
    """What a run leaves behind: its records loaded, its counters, then its fill rates."""
    upsert_records(conn, source_id, records, now=at)
    run_id = start_run(conn, ["s"], at)
    record_run_source(conn, run_id, source_id, {"fetched": len(records)})
    finish_run(conn, run_id, "ok", {}, at)
    record_fill_rates(conn, run_id)
    return run_id


def with_doi(n_with: int, total: int) -> list[Record]:
    return [record(f"r{i}", **{**FULL, "doi": f"10.1/{i}" if i < n_with else None})
            for i in range(total)]  # fmt: skip


def test_fill_rates_count_each_field_over_live_publications(engine: Engine) -> None:
    records = [
        record("full", **FULL),
        record("bare", title="Only a title"),
        record("count-only", pages=PageRange(count=12), authors=(Person("X", role="editor"),)),
        record("gone", **FULL),
    ]
    with engine.begin() as conn:
        sid = ensure_source(conn, "s", "pure", None, now=T0)
        other = ensure_source(conn, "other", "pure", None, now=T0)
        upsert_records(conn, sid, records, now=T0)
        upsert_records(conn, other, [record("o1", **FULL)], now=T0)
        conn.execute(text("UPDATE publications SET deleted_at = :t WHERE source_key = 'gone'"),
                     {"t": T0.replace(tzinfo=None)})  # fmt: skip
        conn.execute(text("UPDATE publications SET journal = '' WHERE source_key = 'full'"))
        rates = compute_fill_rates(conn, [sid])
    assert set(rates) == {sid}
    got = {f: (r.filled, r.records) for f, r in rates[sid].items()}
    expected = {f: (1, 3) for f in FIELDS}
    expected.update(journal=(0, 3), pages=(2, 3))  # '' is empty; a page count is pages
    assert got == expected  # editors are not authors; the deleted record is not counted


def test_a_source_without_publications_gets_empty_rates(engine: Engine) -> None:
    with engine.begin() as conn:
        sid = ensure_source(conn, "s", "pure", None, now=T0)
        rates = compute_fill_rates(conn, [sid])
    assert rates[sid]["doi"] == FillRate(0, 0) and rates[sid]["doi"].percent is None


def test_stored_rates_come_back_and_recording_again_replaces_them(engine: Engine) -> None:
    with engine.begin() as conn:
        sid = ensure_source(conn, "s", "pure", None, now=T0)
        run_id = harvest_run(conn, sid, with_doi(3, 4), T0)
        conn.execute(text("UPDATE publications SET doi = NULL"))
        record_fill_rates(conn, run_id)
        stored = load_fill_rates(conn, run_id)
    assert stored[sid]["doi"] == FillRate(0, 4)
    assert stored[sid]["abstract"] == FillRate(4, 4)


@pytest.mark.parametrize(
    ("before", "after", "flagged"),
    [
        ((92, 100), (41, 100), True),
        ((92, 100), (71, 100), True),  # 21 points
        ((92, 100), (72, 100), False),  # exactly 20: not MORE than 20
        ((92, 100), (73, 100), False),  # 19 points
        ((1, 3), (1, 9), True),  # 22.2 points, unequal totals
        ((10, 10), (0, 0), False),  # no records now: no rate to compare
        ((40, 100), (90, 100), False),  # a rise is never a drop
    ],
)
def test_a_drop_of_more_than_twenty_points_is_flagged(
    before: tuple[int, int], after: tuple[int, int], flagged: bool
) -> None:
    assert is_drop(FillRate(*before), FillRate(*after)) is flagged


@pytest.mark.parametrize(("with_doi_now", "flagged"), [(79, True), (80, False), (81, False)])
def test_runs_flag_a_doi_drop_of_more_than_twenty_points_against_the_previous_run(
    engine: Engine, with_doi_now: int, flagged: bool
) -> None:
    with engine.begin() as conn:
        sid = ensure_source(conn, "s", "pure", None, now=T0)
        first = harvest_run(conn, sid, with_doi(100, 100), T0)
        second = harvest_run(conn, sid, with_doi(with_doi_now, 100), T0 + timedelta(days=1))
        drops = run_drops(conn, [first, second])
    assert drops[first] == []
    expected = [("s", "doi", first, f"doi fill rate 100% -> {with_doi_now}%")] if flagged else []
    assert [(d.source, d.field, d.previous_run, d.describe()) for d in drops[second]] == expected


def test_the_previous_run_is_the_same_sources_latest_earlier_run(engine: Engine) -> None:
    with engine.begin() as conn:
        a = ensure_source(conn, "a", "pure", None, now=T0)
        b = ensure_source(conn, "b", "pure", None, now=T0)
        a1 = harvest_run(conn, a, with_doi(10, 10), T0)
        harvest_run(conn, b, [record("b1")], T0 + timedelta(hours=1))
        a2 = harvest_run(conn, a, with_doi(9, 10), T0 + timedelta(hours=2))
        a3 = harvest_run(conn, a, with_doi(1, 10), T0 + timedelta(hours=3))
        compared = compare_run(conn, a3)
    assert [(s.source, s.previous_run) for s in compared] == [("a", a2)]
    assert [d.describe() for d in compared[0].drops()] == ["doi fill rate 90% -> 10%"]
    assert a1 < a2


def test_rates_are_filled_in_lazily_only_for_a_sources_latest_finished_run(
    engine: Engine,
) -> None:
    with engine.begin() as conn:
        sid = ensure_source(conn, "s", "pure", None, now=T0)
        upsert_records(conn, sid, with_doi(2, 4), now=T0)
        runs = []
        for hours in (0, 1):
            run_id = start_run(conn, ["s"], T0 + timedelta(hours=hours))
            record_run_source(conn, run_id, sid, {})
            runs.append(run_id)
        finish_run(conn, runs[0], "ok", {}, T0)
        running = ensure_fill_rates(conn, runs[1])
        finish_run(conn, runs[1], "ok", {}, T0 + timedelta(hours=1))
        older, latest, again = (ensure_fill_rates(conn, r) for r in (*runs, runs[1]))
        stored = load_fill_rates(conn, runs[1])
    assert (running, older, latest, again) == ([], [], [sid], [])
    assert stored[sid]["doi"] == FillRate(2, 4)


def test_fill_rates_follow_a_changed_record(engine: Engine) -> None:
    first = record("r0", **FULL)
    with engine.begin() as conn:
        sid = ensure_source(conn, "s", "pure", None, now=T0)
        one = harvest_run(conn, sid, [first], T0)
        two = harvest_run(conn, sid, [dataclasses.replace(first, abstract=None)],
                          T0 + timedelta(days=1))  # fmt: skip
        rates = [load_fill_rates(conn, r)[sid]["abstract"] for r in (one, two)]
    assert rates == [FillRate(1, 1), FillRate(0, 1)]
