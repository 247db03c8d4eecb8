"""Fetched-page state and harvest-run records, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from pipelines.load import ensure_source
from pipelines.models import fetched_pages
from pipelines.state import (
    FetchRow,
    PageState,
    finish_run,
    get_page_states,
    recent_runs,
    record_fetches,
    record_run_source,
    start_run,
)

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
T1 = T0 + timedelta(hours=1)
URL = "https://repo.test/en/publications/p1"


def fetched(url: str = URL, at: datetime = T0, **changes: Any) -> FetchRow:
    values: dict[str, Any] = {
        "url": url, "status": 200, "etag": '"v1"', "last_modified": "Wed, 01 May 2024 10:00:00 GMT",
        "sha256": "ab" * 32, "fetched_at": at, "checked_at": at, "source_key": "uuid-1",
    }  # fmt: skip
    values.update(changes)
    return FetchRow(**values)


@pytest.fixture
def source_id(engine: Engine) -> int:
    with engine.begin() as conn:
        return ensure_source(conn, "repo", "pure", None, now=T0)


def page_row(engine: Engine, url: str = URL) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(fetched_pages).where(fetched_pages.c.url == url)).one()


def test_recorded_fetch_comes_back_as_page_state(engine: Engine, source_id: int) -> None:
    with engine.begin() as conn:
        record_fetches(conn, source_id, [fetched()])
        states = get_page_states(conn, [URL, "https://repo.test/unknown"])
    assert states == {URL: PageState(URL, '"v1"', "Wed, 01 May 2024 10:00:00 GMT", "ab" * 32,
                                     "uuid-1", 200, T0, None)}  # fmt: skip


def test_page_state_carries_the_last_answer_time_and_error(
    engine: Engine, source_id: int
) -> None:
    with engine.begin() as conn:
        record_fetches(conn, source_id, [fetched()])
        record_fetches(conn, source_id, [fetched(at=T1, status=None, fetched_at=None,
                                                 error_reason="network")])
        state = get_page_states(conn, [URL])[URL]
    assert (state.checked_at, state.error_reason, state.status) == (T1, "network", None)


def test_not_modified_keeps_the_fetch_time_and_moves_checked_at(
    engine: Engine, source_id: int
) -> None:
    with engine.begin() as conn:
        record_fetches(conn, source_id, [fetched()])
        record_fetches(conn, source_id, [fetched(at=T1, status=304, fetched_at=None)])
    row = page_row(engine)
    assert (row.fetched_at, row.checked_at, row.status, row.attempts) == (T0, T1, 304, 0)
    assert row.etag == '"v1"'


def test_attempts_count_consecutive_failures_and_reset_on_success(
    engine: Engine, source_id: int
) -> None:
    failure = fetched(status=None, fetched_at=None, error_reason="network",
                      error_message="timed out")  # fmt: skip
    attempts = []
    for row in (failure, failure, failure, fetched(at=T1)):
        with engine.begin() as conn:
            record_fetches(conn, source_id, [row])
        attempts.append(page_row(engine).attempts)
    assert attempts == [1, 2, 3, 0]
    assert page_row(engine).error_reason is None


def test_many_urls_are_read_and_written_in_batches(engine: Engine, source_id: int) -> None:
    urls = [f"https://repo.test/p/{i}" for i in range(6000)]
    with engine.begin() as conn:
        record_fetches(conn, source_id, [fetched(u) for u in urls])
        states = get_page_states(conn, urls)
    assert len(states) == 6000
    assert states[urls[-1]].url == urls[-1]


def test_a_run_is_running_until_finished_and_keeps_its_stats(
    engine: Engine, source_id: int
) -> None:
    stats = {"fetched": 5, "not_modified": 2, "new": 3, "changed": 1, "unchanged": 1,
             "failed": 2, "seconds": 1.5,
             "failures": {"http-status": {"count": 2, "examples": ["https://x.test/a 500"]}}}
    with engine.begin() as conn:
        run_id = start_run(conn, ["repo"], T0)
        running = recent_runs(conn)
        record_run_source(conn, run_id, source_id, stats)
        finish_run(conn, run_id, "partial", {"repo": {**stats, "status": "partial"}}, T1)
        runs = recent_runs(conn)
    assert running[0]["status"] == "running" and running[0]["finished_at"] is None
    run = runs[0]
    assert (run["id"], run["status"], run["started_at"], run["finished_at"]) == (
        run_id, "partial", T0, T1)
    assert run["sources"] == ["repo"]
    assert run["stats"]["repo"]["new"] == 3
    per_source = run["per_source"][0]
    assert (per_source["name"], per_source["fetched"], per_source["failed"]) == ("repo", 5, 2)
    assert per_source["failures"]["http-status"]["count"] == 2


def test_recent_runs_lists_newest_first_up_to_the_limit(engine: Engine) -> None:
    with engine.begin() as conn:
        ids = [start_run(conn, ["repo"], T0 + timedelta(minutes=i)) for i in range(4)]
        runs = recent_runs(conn, limit=3)
    assert [r["id"] for r in runs] == ids[::-1][:3]


def test_a_finished_run_needs_a_final_status(engine: Engine) -> None:
    with engine.begin() as conn:
        run_id = start_run(conn, [], T0)
        with pytest.raises(ValueError, match="ok, partial or failed"):
            finish_run(conn, run_id, "running", {}, T1)


def test_recording_a_source_twice_keeps_the_last_counts(engine: Engine, source_id: int) -> None:
    with engine.begin() as conn:
        run_id = start_run(conn, ["repo"], T0)
        record_run_source(conn, run_id, source_id, {"fetched": 1})
        record_run_source(conn, run_id, source_id, {"fetched": 4, "seconds": 2})
        per_source = recent_runs(conn)[0]["per_source"]
    assert [(p["fetched"], p["seconds"]) for p in per_source] == [(4, 2.0)]
