"""The writer's last batch of a source goes in quarters (pipelines/pipeline_store.write_loop)."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.pipeline_store import write_loop


def _batches(items: list[int], size: int, *, told_last: bool) -> list[list[int]]:
    committed: list[list[int]] = []

    async def commit(batch: list[Any]) -> None:
        committed.append(list(batch))

    async def run() -> None:
        queue: asyncio.Queue[Any] = asyncio.Queue()
        end = object()
        for item in items:
            queue.put_nowait(item)
        queue.put_nowait(end)

        def last(batched: int) -> bool:  # what is still queued, as the pipeline counts it
            return batched + queue.qsize() - 1 <= size

        await write_loop(queue, commit, None, size=size, max_open=60, archive_every=4,
                         end=end, last=last if told_last else None)

    asyncio.run(run())
    return committed


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 60), size=st.integers(1, 16))
def test_the_last_batch_is_committed_a_quarter_at_a_time(n: int, size: int) -> None:
    items = list(range(n))
    batches = _batches(items, size, told_last=True)
    assert [i for b in batches for i in b] == items  # every outcome once, in order
    assert all(0 < len(b) <= size for b in batches)
    quarter = max(1, size // 4)
    if batches:
        assert len(batches[-1]) <= quarter  # what the source's end waits for
    start = 0
    for batch in batches:
        if n - start > size:
            assert len(batch) == size  # more to come than one batch holds: a whole one
        start += len(batch)
