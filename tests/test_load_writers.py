"""Two writers at once on PostgreSQL (two `harvester worker`s, two sources' runs):
the rows both make are made once, neither fails on a deadlock, and a deadlock's
victim is retried instead of failing its batch."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from pipelines import load_rows as R
from pipelines.db import in_transaction, make_engine, upgrade
from pipelines.load_lookup import get_or_create
from pipelines.models import venues

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url, pool_size=3, max_overflow=0)
    upgrade(engine)
    yield engine
    engine.dispose()


def _venue_rows(keys: list[str]) -> dict[str, R.Row]:
    return {k: (k, k.removeprefix("title:"), None, "journal") for k in keys}


def test_new_keys_are_inserted_in_key_order_whatever_order_they_came_in(pg: Engine) -> None:
    keys = ["title:c", "title:a", "title:d", "title:b"]
    with pg.begin() as conn:
        ids = get_or_create(conn, venues, R.VENUE_COLUMNS, _venue_rows(keys))
    assert [ids[k] for k in sorted(keys)] == sorted(ids.values())


def test_two_writers_of_the_same_new_venues_in_opposite_orders_never_deadlock(
    pg: Engine,
) -> None:
    # inserted in the order first seen, each writer could hold a key the other wanted
    # next: deadlock detected in about one try in four
    failures: list[BaseException] = []
    for attempt in range(8):
        keys = [f"title:journal {attempt} {i}" for i in range(200)]
        both_open = threading.Barrier(2)

        def write(order: list[str], both_open: threading.Barrier = both_open) -> None:
            try:
                with pg.begin() as conn:
                    conn.execute(text("select 1"))  # the transaction is open on the server
                    both_open.wait(10)
                    get_or_create(conn, venues, R.VENUE_COLUMNS, _venue_rows(order))
            except BaseException as exc:  # the assertion below names it
                failures.append(exc)

        writers = [threading.Thread(target=write, args=(order,)) for order in (keys, keys[::-1])]
        for w in writers:
            w.start()
        for w in writers:
            w.join(30)
    assert not failures, failures
    with pg.connect() as conn:
        counts = conn.execute(text("select count(*), count(distinct venue_key) from venues")).one()
    assert tuple(counts) == (8 * 200, 8 * 200)


def test_a_deadlock_victim_is_retried_once_and_commits(pg: Engine, pg_url: str) -> None:
    key = 1464816299  # advisory locks (key, 1) and (key, 2), taken in opposite orders
    holder_has_first = threading.Event()
    calls: list[int] = []
    outcome: dict[str, Any] = {}

    def holder() -> None:
        with pg.begin() as conn:
            # on a loaded machine either side's deadlock check could fire first: the
            # holder's comes far later, so the victim is always the one rolled back
            conn.execute(text("set local deadlock_timeout = '60s'"))
            conn.execute(text(f"select pg_advisory_xact_lock({key}, 1)"))
            holder_has_first.set()
            _until_a_backend_waits_for_a_lock(pg, key)  # the victim-to-be waits first...
            conn.execute(text(f"select pg_advisory_xact_lock({key}, 2)"))  # ...so it is chosen

    def victim(conn: Connection) -> str:
        calls.append(1)
        conn.execute(text("set local deadlock_timeout = '100ms'"))
        conn.execute(text(f"select pg_advisory_xact_lock({key}, 2)"))
        conn.execute(text(f"select pg_advisory_xact_lock({key}, 1)"))
        return "committed"

    def run_victim() -> None:
        try:
            outcome["victim"] = in_transaction(pg, victim)
        except BaseException as exc:  # the assertion below names it
            outcome["victim"] = exc

    first = threading.Thread(target=holder)
    first.start()
    assert holder_has_first.wait(10)
    second = threading.Thread(target=run_victim)
    second.start()
    first.join(30)
    second.join(30)
    assert outcome["victim"] == "committed"
    assert len(calls) == 2


def _until_a_backend_waits_for_a_lock(engine: Engine, key: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            waiting = conn.execute(text(
                "select count(*) from pg_stat_activity where datname = current_database() "
                "and wait_event_type = 'Lock' and query like :held"),
                {"held": f"%pg_advisory_xact_lock({key}, 1)%"}).scalar_one()  # fmt: skip
        if waiting:
            return
        time.sleep(0.02)
    raise AssertionError("the second transaction never waited for the first's lock")
