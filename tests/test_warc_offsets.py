"""The archive writer keeps its offsets itself (no tell() a record) and record ids come
from a seeded generator (no os.urandom a record): the refs still find every record."""

from __future__ import annotations

import gzip
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harvester.types import Page
from harvester.warc import WarcWriter, read_page
from harvester.warc_record import render_record

WHEN = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def _page(n: int, size: int) -> Page:
    return Page(url=f"https://repo.example.org/p/{n}", body=bytes([65 + n % 26]) * size,
                status=200 if size else 304, headers={"content-type": "text/html"},
                fetched_at=WHEN)


@pytest.mark.parametrize("max_bytes", [1 << 30, 3000])
def test_every_ref_reads_back_its_own_page(tmp_path: Path, max_bytes: int) -> None:
    writer = WarcWriter(tmp_path, max_bytes=max_bytes)
    pages = [_page(n, size) for n, size in enumerate([0, 10, 5000, 0, 70000, 3, 0, 2500] * 3)]
    refs = [writer.write(p) for p in pages]
    writer.close()
    assert (len({r.file for r in refs}) > 1) == (max_bytes < 1 << 30)  # rotated when small
    for page, ref in zip(pages, refs, strict=True):
        back = read_page(tmp_path, ref)
        assert (back.url, back.body, back.status) == (page.url, page.body, page.status)


class _Full:
    """A file whose writes fail, as on a full disk."""

    def write(self, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    def close(self) -> None:
        raise OSError(28, "No space left on device")


def test_after_a_failed_write_the_next_record_goes_to_a_new_file(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path)
    before = writer.write(_page(1, 100))
    writer._file = _Full()  # type: ignore[assignment]
    with pytest.raises(OSError):
        writer.write(_page(2, 100))
    after = writer.write(_page(3, 100))
    writer.close()
    assert after.file != before.file and after.offset == 0
    assert read_page(tmp_path, after).url == _page(3, 100).url


def test_record_ids_are_distinct_version_4_uuids() -> None:
    ids = []
    for n in range(2000):
        head = gzip.decompress(render_record(_page(n, 0))).split(b"\r\n")
        (line,) = [h for h in head if h.startswith(b"WARC-Record-ID: ")]
        ids.append(uuid.UUID(line[len(b"WARC-Record-ID: <urn:uuid:"):-1].decode()))
    assert len(set(ids)) == len(ids)
    assert {(u.version, u.variant) for u in ids} == {(4, uuid.RFC_4122)}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_child_does_not_repeat_its_parents_record_ids() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, to the parent
        os.close(read)
        os.write(write, gzip.decompress(render_record(_page(0, 0)))[:200])
        os._exit(0)
    os.close(write)
    child = os.read(read, 200)
    os.close(read)
    os.waitpid(pid, 0)
    mine = gzip.decompress(render_record(_page(0, 0)))[:200]
    pick = [h for h in child.split(b"\r\n") + mine.split(b"\r\n") if b"Record-ID" in h]
    assert len(pick) == 2 and pick[0] != pick[1]
