"""store_page, a page at a time, on both databases: records, tombstones and the
oai_records bookkeeping, for a page larger than one multi-row statement."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from harvester.types import Record
from pipelines.load import ensure_source
from pipelines.models import oai_records, publications
from pipelines.oai_state import Listed, store_page

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def _record(i: int, title: str = "Record") -> Record:
    return Record(url=f"https://repo.example.org/items/{i}", platform="oai",
                  source_key=f"oai:repo:{i}", title=f"{title} number {i}")


def _page(n: int, dead: set[int], titles: dict[int, str] | None = None) -> list[Listed]:
    titles = titles or {}
    return [Listed(f"oai:repo:{i}", f"2026-11-{1 + i % 28:02d}T00:00:00Z",
                   None if i in dead else _record(i, titles.get(i, "Record")))
            for i in range(n)]


def _state(engine: Engine, source_id: int) -> tuple[dict[str, object], dict[str, tuple]]:
    p, r = publications.c, oai_records.c
    with engine.connect() as conn:
        deleted = dict(conn.execute(select(p.source_key, p.deleted_at)
                                    .where(p.source_id == source_id)).all())
        listed = {k: (h, url, run) for k, h, url, run in conn.execute(
            select(r.source_key, r.oai_hash, r.landing_url, r.listed_run)
            .where(r.source_id == source_id))}
    return deleted, listed


def test_a_large_page_stores_records_tombstones_and_their_listing(engine: Engine) -> None:
    with engine.begin() as conn:
        source_id = ensure_source(conn, "repo", "oai", None, now=NOW)
        outcome = store_page(conn, source_id, _page(450, {3, 7, 449}), run_id=1, enrich=True,
                             now=NOW)
    assert (outcome.new, outcome.changed, outcome.unchanged, outcome.deleted) == (447, 0, 0, 3)
    deleted, listed = _state(engine, source_id)
    assert len(deleted) == len(listed) == 450
    assert {k for k, at in deleted.items() if at is not None} == {
        "oai:repo:3", "oai:repo:7", "oai:repo:449"}
    assert listed["oai:repo:3"] == (None, None, 1)
    oai_hash, url, run = listed["oai:repo:200"]
    assert oai_hash and url == "https://repo.example.org/items/200" and run == 1


def test_the_next_page_updates_revives_and_deletes(engine: Engine) -> None:
    with engine.begin() as conn:
        source_id = ensure_source(conn, "repo", "oai", None, now=NOW)
        store_page(conn, source_id, _page(300, {3, 7}), run_id=1, enrich=False, now=NOW)
    _, before = _state(engine, source_id)
    with engine.begin() as conn:
        # 3 comes back, 5 is deleted, 250 changed, 7 stays deleted
        outcome = store_page(conn, source_id, _page(300, {5, 7}, {250: "Revised"}), run_id=2,
                             enrich=False, now=LATER)
    assert (outcome.new, outcome.changed, outcome.deleted) == (0, 2, 1)
    assert outcome.unchanged == 296
    deleted, listed = _state(engine, source_id)
    assert {k for k, at in deleted.items() if at is not None} == {"oai:repo:5", "oai:repo:7"}
    assert all(run == 2 for _, _, run in listed.values())
    assert listed["oai:repo:250"][0] != before["oai:repo:250"][0]
    assert listed["oai:repo:251"][0] == before["oai:repo:251"][0]
    assert listed["oai:repo:5"][0] is None


def test_the_hashes_compared_are_not_worked_out_again_by_the_load(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipelines.load_rows

    real = pipelines.load_rows.json_and_hash
    loaded: list[str] = []

    def counted(record: Record) -> tuple[str, str]:
        loaded.append(record.source_key)
        return real(record)

    monkeypatch.setattr(pipelines.load_rows, "json_and_hash", counted)  # the load's own calls
    with engine.begin() as conn:
        source_id = ensure_source(conn, "repo", "oai", None, now=NOW)
        store_page(conn, source_id, _page(20, {4}), run_id=1, enrich=False, now=NOW)
    assert loaded == ["oai:repo:4"]  # only the tombstone's blank row, which store_page never hashed
    with engine.connect() as conn:
        stored = dict(conn.execute(select(publications.c.source_key,
                                          publications.c.content_hash)).all())
    assert stored["oai:repo:9"] == real(_record(9))[1]
