"""Pages travel to the parse workers with their bodies out of band: the frame's
buffers are the bodies' own memory, and what the worker unpickles is an equal Page,
whatever its fields hold. Tasks without pages keep the plain one-pickle frame."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest

from harvester.types import Page
from pipelines.parse_channel import _frame_parts
from pipelines.parse_worker import COUNT, Shipped, ShippedBytes, out_of_band

PAGES = [
    Page("https://repo.example.org/p/1", b"<html>one</html>"),
    Page("https://repo.example.org/p/2", b"", status=410,
         headers={"content-type": "text/html; charset=latin-1", "etag": '"x"'},
         fetched_at=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
         requested_url="https://repo.example.org/old/2"),
    Page("https://repo.example.org/p/3", bytes(range(256)) * 700),  # > one 128 KiB map
]


def _received(parts: list[memoryview]) -> object:
    """What the worker does with a frame's payload once it is in its buffer."""
    payload = memoryview(bytearray(b"".join(parts)))
    data, buffers = out_of_band(payload)
    return pickle.loads(data, buffers=buffers)


def test_shipped_pages_arrive_equal() -> None:
    task: tuple[object, ...] = (len, ([(Shipped(p), "pure", None, None) for p in PAGES],), {})
    received = _received(_frame_parts(task))
    assert isinstance(received, tuple)
    _fn, (items,), _kwargs = received
    assert [item[0] for item in items] == PAGES
    assert [item[1:] for item in items] == [("pure", None, None)] * len(PAGES)


def test_the_bodies_are_sent_from_the_pages_own_memory() -> None:
    parts = _frame_parts(([Shipped(p) for p in PAGES],))
    counted, = COUNT.unpack_from(parts[0])
    bodies = parts[2:]
    assert counted == len(bodies) == len(PAGES)
    assert all(view.obj is page.body for view, page in zip(bodies, PAGES, strict=True))


def test_a_task_without_pages_is_one_pickle() -> None:
    parts = _frame_parts((sorted, ([3, 1, 2],), {}))
    assert len(parts) == 1
    assert pickle.loads(parts[0]) == (sorted, ([3, 1, 2],), {})


def test_the_landed_body_is_a_copy_not_a_view_of_the_receive_buffer() -> None:
    payload = bytearray(b"".join(_frame_parts(([Shipped(PAGES[0])],))))
    data, buffers = out_of_band(memoryview(payload))
    (page,), = pickle.loads(data, buffers=buffers)
    payload[-len(PAGES[0].body):] = b"x" * len(PAGES[0].body)  # the next task's bytes
    assert page == PAGES[0] and isinstance(page.body, bytes)


@pytest.mark.parametrize("count", [1, 2, 40])
def test_out_of_band_splits_any_number_of_buffers(count: int) -> None:
    pages = [Page(f"https://repo.example.org/p/{i}", bytes([i]) * (i + 1)) for i in range(count)]
    assert _received(_frame_parts(([Shipped(p) for p in pages],))) == (pages,)


def test_shipped_bytes_arrive_as_equal_bytes_sent_from_their_own_memory() -> None:
    body = bytes(range(256)) * 500
    parts = _frame_parts((len, (ShippedBytes(body), "oai_dc"), {}))
    assert parts[-1].obj is body  # no copy into the pickle
    payload = bytearray(b"".join(parts))
    data, buffers = out_of_band(memoryview(payload))
    _fn, (landed, prefix), _kwargs = pickle.loads(data, buffers=buffers)
    payload[-len(body):] = b"x" * len(body)  # the receive buffer, reused by the next task
    assert type(landed) is bytes and landed == body and prefix == "oai_dc"
