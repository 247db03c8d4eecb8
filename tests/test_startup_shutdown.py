"""Closing the parse pool without waiting lets its workers exit while the run closes
itself; join() then finds them gone, having ended on their own (not killed)."""

from __future__ import annotations

import asyncio
import os

import pytest

from pipelines import parse_start
from pipelines.parse_pool import ParsePool

pytestmark = pytest.mark.slow  # starts worker processes


async def test_close_without_waiting_then_join_sees_the_workers_exit_on_their_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spawned: list[parse_start.Spawned] = []
    real = parse_start.spawn

    def spawn(workers: int) -> list[parse_start.Spawned]:
        spawned.extend(real(workers))
        return spawned[-workers:]

    monkeypatch.setattr("pipelines.parse_channel.spawn", spawn)
    pool = ParsePool(2)
    assert await asyncio.wait_for(pool.started(), 120)
    assert await pool.call(os.getpid) in {p.pid for p, _ in spawned}
    pool.close(wait=False)
    assert all(sock.fileno() == -1 for _, sock in spawned)  # end of file reaches them
    pool.join()
    assert [p.exitcode for p, _ in spawned] == [0, 0]
    pool.join()  # nothing left to wait for

