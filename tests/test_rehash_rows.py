"""The 304 restamp (pipelines/pipeline_rows.py): one UPDATE per chunk of URLs, stamped
with the chunk's earliest answer, matching only the source's own rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from pipelines import pipeline_rows
from pipelines.db import make_engine, upgrade
from pipelines.load import ensure_source
from pipelines.models import fetched_pages
from pipelines.pipeline_rows import restamp
from pipelines.state import FetchRow, record_fetches

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=2)
URLS = [f"https://r.test/{n}" for n in range(5)]


def _fetched(url: str) -> FetchRow:
    return FetchRow(url=url, status=200, etag='"v1"', last_modified=None, sha256="ab" * 32,
                    fetched_at=T0, checked_at=T0, source_key="key-" + url[-1],
                    warc_file="a.warc.gz", warc_offset=7)


def _recheck(url: str, at: datetime) -> FetchRow:
    return FetchRow(url=url, status=304, etag='"v1"', last_modified=None, sha256="ab" * 32,
                    fetched_at=None, checked_at=at, source_key="key-" + url[-1])


@pytest.fixture
def sources(db_url: str) -> Iterator[tuple[Engine, int, int]]:
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.begin() as conn:
        mine = ensure_source(conn, "mine", "pure", None, now=T0)
        other = ensure_source(conn, "other", "pure", None, now=T0)
        record_fetches(conn, mine, [_fetched(u) for u in URLS])
    yield engine, mine, other
    engine.dispose()


def _stamps(engine: Engine) -> dict[str, tuple[int, datetime, int]]:
    t = fetched_pages.c
    with engine.connect() as conn:
        return {r.url: (r.status, r.checked_at.replace(tzinfo=UTC), r.source_id)
                for r in conn.execute(select(t.url, t.status, t.checked_at, t.source_id))}


def test_a_chunk_of_304s_is_stamped_with_its_earliest_answer(
        sources: tuple[Engine, int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    engine, mine, _ = sources
    monkeypatch.setattr(pipeline_rows, "CHUNK", 2)  # chunks [0, 1], [2, 3], [4]
    answers = [_recheck(u, T1 + timedelta(seconds=n)) for n, u in enumerate(URLS)]
    answers[1], answers[0] = answers[0], answers[1]  # the earlier answer second in its chunk
    with engine.begin() as conn:
        assert restamp(conn, mine, answers) == []
    stamps = _stamps(engine)
    assert [stamps[u][:2] for u in URLS] == [
        (304, T1), (304, T1), (304, T1 + timedelta(seconds=2)),
        (304, T1 + timedelta(seconds=2)), (304, T1 + timedelta(seconds=4))]


def test_a_304_for_a_row_another_source_holds_is_left_for_the_upsert(
        sources: tuple[Engine, int, int]) -> None:
    engine, mine, other = sources
    answers = [_recheck(u, T1) for u in URLS[:2]]
    with engine.begin() as conn:
        rest = restamp(conn, other, answers)
        assert rest == answers  # all of them: the upsert writes every answer again
        record_fetches(conn, other, rest)
    stamps = _stamps(engine)
    assert [stamps[u] for u in URLS[:3]] == [(304, T1, other), (304, T1, other),
                                             (200, T0, mine)]


def test_the_restamp_finds_rows_by_url_not_by_walking_the_source(
        sqlite_url: str) -> None:
    """On the bare source_id SQLite walked the whole source's index for each statement."""
    engine = make_engine(sqlite_url)
    upgrade(engine)
    sent: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith("UPDATE fetched_pages"):
            sent.append((statement, parameters))

    with engine.begin() as conn:
        source_id = ensure_source(conn, "mine", "pure", None, now=T0)
        record_fetches(conn, source_id, [_fetched(u) for u in URLS])
        event.listen(engine, "before_cursor_execute", keep)
        restamp(conn, source_id, [_recheck(u, T1) for u in URLS])
        event.remove(engine, "before_cursor_execute", keep)
        ((statement, parameters),) = sent
        plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                        parameters)]
    engine.dispose()
    assert any("(url=?)" in step for step in plan), plan
    assert not any("source_id" in step for step in plan), plan
