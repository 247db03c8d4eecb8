"""Planning a worker's round: its fair share of each host's slots given the live workers
of its group, the extra slots handed back when another worker arrives, the rows claimed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from pipelines.db import open_database
from pipelines.frontier import enqueue
from pipelines.frontier_hosts import HostPolicy, acquire_slot, register_hosts
from pipelines.load import ensure_source
from pipelines.lock import PgLocks, SourceBusy
from pipelines.worker_plan import Plan, plan_round
from pipelines.worker_presence import fair_share, group_of, live_workers, presence

NOW = datetime(2026, 11, 28, tzinfo=UTC)
HOST = "127.0.0.1:8001"
GROUP = group_of(["s"])


@pytest.mark.parametrize(("concurrency", "live", "share"), [
    (2, 1, 2), (2, 2, 1), (2, 3, 1), (5, 2, 3), (4, 0, 4), (1, 9, 1),
])
def test_fair_share_is_the_ceiling_of_slots_over_workers(concurrency: int, live: int,
                                                          share: int) -> None:
    assert fair_share(concurrency, live) == share


def test_groups_depend_on_the_set_of_sources_only() -> None:
    assert group_of(["a", "b"]) == group_of(["b", "a"]) != group_of(["a"])


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    eng = open_database(pg_url)
    with eng.begin() as conn:
        source_id = ensure_source(conn, "s", "pure", None)
        register_hosts(conn, {HOST: HostPolicy(2, 0.0)})
        enqueue(conn, source_id, [f"http://{HOST}/p/{i}" for i in range(40)], NOW)
    yield eng
    eng.dispose()


def plan(engine: Engine, owner: str, held: Plan | None = None, batch: int = 3) -> Plan:
    with engine.begin() as conn:
        return plan_round(conn, owner=owner, group=GROUP, source_ids=[1], ttl=30,
                          batch=batch, held=held.held if held else {})


@pytest.mark.postgres
def test_live_workers_are_the_groups_open_sessions(engine: Engine) -> None:
    with engine.connect() as conn:
        assert live_workers(conn, GROUP) == 0
    with (presence(engine, GROUP), presence(engine, GROUP),
          presence(engine, group_of(["other"])), engine.connect() as conn):
        assert live_workers(conn, GROUP) == 2
    with engine.connect() as conn:
        assert live_workers(conn, GROUP) == 0


@pytest.mark.postgres
def test_a_lone_worker_ramps_up_to_every_slot_and_claims_a_batch_per_slot(
        engine: Engine) -> None:
    with presence(engine, GROUP):
        first = plan(engine, "w1")
        second = plan(engine, "w1", first)
    assert first.held == {HOST: {0}} and len(first.claimed) == 3
    assert second.held == {HOST: {0, 1}} and len(second.claimed) == 6


@pytest.mark.postgres
def test_a_worker_arriving_gets_its_share_from_the_one_holding_everything(
        engine: Engine) -> None:
    with presence(engine, GROUP):
        w1 = plan(engine, "w1", plan(engine, "w1"))
        assert w1.held == {HOST: {0, 1}}
        with presence(engine, GROUP):
            assert plan(engine, "w2").held == {}  # nothing free yet
            w1 = plan(engine, "w1", w1)  # hands back its extra slot
            w2 = plan(engine, "w2")
    assert w1.held == {HOST: {0}} and w2.held == {HOST: {1}}


@pytest.mark.postgres
def test_slots_of_a_host_without_claimable_rows_are_freed(engine: Engine) -> None:
    with presence(engine, GROUP):
        held = plan(engine, "w1", batch=40)
        assert len(held.claimed) == 40
        after = plan(engine, "w1", held)
    assert after.held == {} and after.claimed == []
    with engine.begin() as conn:  # both slots free again
        assert [acquire_slot(conn, "w2", HOST, 30) is not None for _ in range(2)] == [True] * 2


@pytest.mark.postgres
def test_workers_share_a_source_but_never_with_a_harvest_of_it(engine: Engine) -> None:
    harvest = PgLocks(engine)
    with presence(engine, GROUP, ["s"]), presence(engine, GROUP, ["s"]):
        assert not harvest.try_lock("s")  # a harvest is told the source is busy ...
        assert harvest.holder("s").pid == os.getpid()  # ... and by whom
    try:
        assert harvest.try_lock("s")
        with pytest.raises(SourceBusy, match="source s is being harvested"), \
                presence(engine, GROUP, ["s"]):
            pass  # pragma: no cover
    finally:
        harvest.release()
    with presence(engine, GROUP, ["s"]):
        pass  # free again once the harvest let go
