"""The raw archive's deflate: ISA-L when installed, zlib otherwise; either way every
record is one plain gzip member holding the same bytes."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime

import pytest

from harvester import warc_record
from harvester.types import Page
from harvester.warc_record import STORE_BELOW, render_record

WHEN = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def big_page() -> Page:
    body = ("<html><body>" + "".join(f"<p>paragraph {n} of the record</p>" for n in range(3000))
            + "</body></html>").encode()
    assert len(body) > STORE_BELOW
    return Page(url="http://127.0.0.1/p/1", body=body, headers={"content-type": "text/html"},
                fetched_at=WHEN)


def _plain(record: bytes) -> bytes:
    # the record id is a fresh uuid each time
    return re.sub(rb"urn:uuid:[0-9a-f-]+", b"urn:uuid:x", gzip.decompress(record))


def use_zlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warc_record, "_FAST", None)  # as without the isal package


@pytest.mark.parametrize("level", [1, 3, 6, 9])
def test_isal_and_zlib_records_hold_the_same_bytes(monkeypatch: pytest.MonkeyPatch,
                                                   level: int) -> None:
    page = big_page()
    with_default = render_record(page, level)
    use_zlib(monkeypatch)
    with_zlib = render_record(page, level)
    assert _plain(with_default) == _plain(with_zlib)
    assert page.body in gzip.decompress(with_default)
    assert len(with_default) < len(page.body) // 3  # compressed, not stored


def test_level_zero_stores_through_zlib_whatever_is_installed() -> None:
    page = big_page()
    record = render_record(page, 0)
    assert len(record) > len(page.body)  # stored: the body plus headers
    assert page.body in gzip.decompress(record)


def test_isal_is_used_when_installed_at_its_nearest_level() -> None:
    pytest.importorskip("isal")
    from isal import isal_zlib

    assert warc_record._deflater(3) == (isal_zlib, 1)
    assert warc_record._deflater(9) == (isal_zlib, 3)
    assert warc_record._deflater(0)[0] is not isal_zlib
