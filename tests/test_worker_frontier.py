"""The shared frontier on PostgreSQL: claims never overlap, dead leases are taken over,
host slots never exceed the host's concurrency, enqueueing is idempotent."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from pipelines.db import open_database
from pipelines.frontier import (
    EnqueueCounts,
    claim,
    claimable_hosts,
    complete,
    enqueue,
    give_up,
    host_of,
    release_rows,
    remaining,
    renew_rows,
)
from pipelines.frontier_hosts import (
    HostPolicy,
    acquire_slot,
    register_hosts,
    release_slots,
    renew_slots,
    reserve_start,
)
from pipelines.load import ensure_source

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 28, tzinfo=UTC)
HOST_A, HOST_B = "127.0.0.1:8001", "127.0.0.1:8002"


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    eng = open_database(pg_url)
    yield eng
    eng.dispose()


@pytest.fixture
def source_id(engine: Engine) -> int:
    with engine.begin() as conn:
        return ensure_source(conn, "s", "pure", None)


def urls(host: str, n: int) -> list[str]:
    return [f"http://{host}/p/{i}" for i in range(n)]


def states(engine: Engine) -> dict[str, tuple[str, str | None]]:
    with engine.connect() as conn:
        return {r.url: (r.state, r.error_reason) for r in conn.execute(
            text("select url, state, error_reason from frontier"))}


@pytest.mark.parametrize(("url", "host"), [
    ("http://127.0.0.1:8001/a", "127.0.0.1:8001"),
    ("https://example.org/a?b=1", "example.org"),
    ("ftp://example.org/a", None),
    ("not a url", None),
])
def test_host_of_is_the_netloc_with_its_port(url: str, host: str | None) -> None:
    assert host_of(url) == host


def test_enqueue_twice_queues_each_url_once_and_requeues_only_finished_rows(
        engine: Engine, source_id: int) -> None:
    with engine.begin() as conn:
        first = enqueue(conn, source_id, [*urls(HOST_A, 5), "mailto:x@y"], NOW)
    with engine.begin() as conn:
        again = enqueue(conn, source_id, urls(HOST_A, 5), NOW)
    assert first == EnqueueCounts(new=5, invalid=1)
    assert again == EnqueueCounts(pending=5)
    with engine.begin() as conn:
        got = claim(conn, "w1", [source_id], HOST_A, 3, ttl=30)
        complete(conn, "w1", source_id, [(got[0].url, None), (got[1].url, "gone")])
    with engine.begin() as conn:
        third = enqueue(conn, source_id, urls(HOST_A, 6), NOW)
        assert remaining(conn, [source_id]) == 6
    assert third == EnqueueCounts(new=1, requeued=2, pending=3)  # 1 leased, 2 queued
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from frontier")).scalar_one() == 6


def test_concurrent_claims_never_hand_out_the_same_row(engine: Engine, source_id: int) -> None:
    with engine.begin() as conn:
        enqueue(conn, source_id, urls(HOST_A, 400), NOW)
    got: dict[str, list[int]] = {"a": [], "b": [], "c": []}
    start = threading.Barrier(len(got))

    def worker(name: str) -> None:
        start.wait()
        while True:
            with engine.begin() as conn:
                rows = claim(conn, name, [source_id], HOST_A, 7, ttl=30)
            if not rows:
                return
            got[name].extend(r.id for r in rows)

    threads = [threading.Thread(target=worker, args=(n,)) for n in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    every = [i for ids in got.values() for i in ids]
    assert len(every) == len(set(every)) == 400
    assert sum(1 for ids in got.values() if ids) >= 2  # they really competed


def test_a_lease_is_taken_over_only_after_it_expires(engine: Engine, source_id: int) -> None:
    with engine.begin() as conn:
        register_hosts(conn, {HOST_A: HostPolicy(2, 0.0)})
        enqueue(conn, source_id, urls(HOST_A, 3), NOW)
        held = claim(conn, "dead", [source_id], HOST_A, 3, ttl=0.5)
    with engine.begin() as conn:
        assert claim(conn, "alive", [source_id], HOST_A, 3, ttl=30) == []
        assert claimable_hosts(conn, [source_id]) == {}
    time.sleep(0.6)
    with engine.begin() as conn:
        assert claimable_hosts(conn, [source_id]) == {HOST_A: HostPolicy(2, 0.0)}
        taken = claim(conn, "alive", [source_id], HOST_A, 3, ttl=30)
        # the dead holder's late completion does not touch rows no longer its own
        assert complete(conn, "dead", source_id, [(r.url, None) for r in held]) == 0
    assert [r.id for r in taken] == [r.id for r in held]
    assert all(r.attempts == 2 for r in taken)


def test_renewal_keeps_a_lease_alive_and_release_hands_rows_back(
        engine: Engine, source_id: int) -> None:
    with engine.begin() as conn:
        enqueue(conn, source_id, urls(HOST_A, 4), NOW)
        claim(conn, "w1", [source_id], HOST_A, 4, ttl=0.5)
    time.sleep(0.3)
    with engine.begin() as conn:
        assert renew_rows(conn, "w1", ttl=30) == 4
    time.sleep(0.4)
    with engine.begin() as conn:
        assert claim(conn, "w2", [source_id], HOST_A, 4, ttl=30) == []
        assert release_rows(conn, "w1") == 4
        assert len(claim(conn, "w2", [source_id], HOST_A, 4, ttl=30)) == 4


def test_complete_marks_done_and_failed_with_the_reason(engine: Engine, source_id: int) -> None:
    with engine.begin() as conn:
        enqueue(conn, source_id, urls(HOST_A, 3), NOW)
        rows = claim(conn, "w1", [source_id], HOST_A, 3, ttl=30)
        n = complete(conn, "w1", source_id, [(rows[0].url, None), (rows[1].url, "http-status")])
    assert n == 2
    assert states(engine) == {rows[0].url: ("done", None), rows[1].url: ("failed", "http-status"),
                              rows[2].url: ("leased", None)}


def test_claims_only_take_rows_of_the_asked_host(engine: Engine, source_id: int) -> None:
    with engine.begin() as conn:
        register_hosts(conn, {HOST_A: HostPolicy(2, 0.0), HOST_B: HostPolicy(3, 0.5)})
        enqueue(conn, source_id, [*urls(HOST_A, 2), *urls(HOST_B, 5)], NOW)
        assert claimable_hosts(conn, [source_id]) == {HOST_A: HostPolicy(2, 0.0),
                                                      HOST_B: HostPolicy(3, 0.5)}
        got = claim(conn, "w1", [source_id], HOST_B, 10, ttl=30)
    assert {r.host for r in got} == {HOST_B} and len(got) == 5


@pytest.mark.parametrize("concurrency", [1, 2, 3])
def test_slots_held_never_exceed_the_hosts_concurrency(engine: Engine,
                                                       concurrency: int) -> None:
    with engine.begin() as conn:
        register_hosts(conn, {HOST_A: HostPolicy(concurrency, 0.0)})
    held = []
    for owner in ("w1", "w2", "w1", "w3", "w2", "w3"):
        with engine.begin() as conn:
            slot = acquire_slot(conn, owner, HOST_A, ttl=30)
        if slot is not None:
            held.append((owner, slot.slot))
    assert len(held) == concurrency
    assert len({s for _, s in held}) == concurrency
    with engine.begin() as conn:
        assert renew_slots(conn, "w1", ttl=30) == {(HOST_A, s) for o, s in held if o == "w1"}
        release_slots(conn, "w1")
        assert renew_slots(conn, "w1", ttl=30) == set()
        # what w1 let go is free for another
        freed = sum(1 for o, _ in held if o == "w1")
        again = [acquire_slot(conn, "w4", HOST_A, ttl=30) for _ in range(concurrency)]
    assert sum(1 for s in again if s is not None) == freed


def test_an_expired_slot_is_taken_over_and_its_old_holder_learns_it(engine: Engine) -> None:
    with engine.begin() as conn:
        register_hosts(conn, {HOST_A: HostPolicy(1, 0.0)})
        assert acquire_slot(conn, "dead", HOST_A, ttl=0.3) is not None
        assert acquire_slot(conn, "alive", HOST_A, ttl=30) is None
    time.sleep(0.4)
    with engine.begin() as conn:
        slot = acquire_slot(conn, "alive", HOST_A, ttl=30)
        assert renew_slots(conn, "dead", ttl=30) == set()
    assert slot is not None and slot.slot == 0


def test_lowering_the_concurrency_stops_renewing_the_extra_slots(engine: Engine) -> None:
    with engine.begin() as conn:
        register_hosts(conn, {HOST_A: HostPolicy(3, 0.0)})
        for _ in range(3):
            acquire_slot(conn, "w1", HOST_A, ttl=30)
        register_hosts(conn, {HOST_A: HostPolicy(1, 0.0)})
        assert renew_slots(conn, "w1", ttl=30) == {(HOST_A, 0)}


def test_reserved_starts_are_spaced_by_the_hosts_delay(engine: Engine) -> None:
    with engine.begin() as conn:
        register_hosts(conn, {HOST_A: HostPolicy(2, 10.0), HOST_B: HostPolicy(2, 0.0)})
    waits = []
    for _ in range(3):
        with engine.begin() as conn:
            waits.append(reserve_start(conn, HOST_A, 10.0))
    with engine.begin() as conn:
        assert reserve_start(conn, HOST_B, 0.0) == 0.0
    assert waits[0] < 0.5
    assert waits[1] == pytest.approx(10.0, abs=0.5)
    assert waits[2] == pytest.approx(20.0, abs=0.5)


def test_a_page_whose_holders_keep_dying_is_failed_after_max_attempts(
        engine: Engine, source_id: int) -> None:
    with engine.begin() as conn:
        enqueue(conn, source_id, urls(HOST_A, 2), NOW)
    for _ in range(3):
        with engine.begin() as conn:
            assert give_up(conn, [source_id], 3) == 0
            claim(conn, "doomed", [source_id], HOST_A, 1, ttl=0)  # dies at once
        time.sleep(0.01)
    with engine.begin() as conn:
        assert give_up(conn, [source_id], 3) == 1
    assert sorted(states(engine).values()) == [("failed", "lease-expired"), ("queued", None)]
