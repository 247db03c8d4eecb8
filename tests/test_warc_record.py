"""A short WARC record (a 304's) goes into its gzip member stored, a page's deflated;
both read back whole, with digests warcio checks (harvester/warc_record.py)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import random
import uuid
import zlib
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO

import pytest
from warcio.archiveiterator import ArchiveIterator

from harvester import warc_record
from harvester.types import Page
from harvester.warc_record import STORE_BELOW, _b32_160, render_record

AT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def _page(status: int, body: bytes) -> Page:
    return Page(url="https://r.test/p/1", body=body, status=status,
                headers={"etag": '"v1"', "server": "test"}, fetched_at=AT,
                requested_url="https://r.test/p/1")


def _deflate_blocks(member: bytes) -> int:
    """The first deflate block's type: 0 stored, 1 fixed, 2 dynamic Huffman codes."""
    assert member[:3] == b"\x1f\x8b\x08" and member[3] == 0  # no name, comment or extra
    return (member[10] >> 1) & 3


@pytest.mark.parametrize(("status", "body", "block_type"), [
    (304, b"", 0),
    (404, b"<html>gone</html>", 0),
    (200, b"<html><p>" + b"a page of text " * 400 + b"</p></html>", 2),
], ids=["304", "short-error", "page"])
def test_records_read_back_whole_with_digests_that_check(
        status: int, body: bytes, block_type: int) -> None:
    member = render_record(_page(status, body))
    assert _deflate_blocks(member) == block_type
    # check_digests="raise": a wrong digest raises once the record is read whole
    read = [(r.http_headers.get_statuscode(), r.rec_headers.get_header("WARC-Date"),
             r.content_stream().read())
            for r in ArchiveIterator(BytesIO(member), check_digests="raise")]
    assert read == [(str(status), "2026-03-04T05:06:07.000000Z", body)]
    assert gzip.decompress(member).startswith(b"WARC/1.1\r\nWARC-Type: response\r\n")


def test_stored_members_are_what_any_gzip_reader_reads_one_after_another() -> None:
    members = [render_record(_page(304, b"")) for _ in range(3)]
    text = gzip.decompress(b"".join(members))
    assert text.count(b"HTTP/1.1 304 Not Modified\r\n") == 3
    assert all(len(zlib.decompress(m, wbits=31)) < STORE_BELOW for m in members)


@pytest.mark.parametrize("digest", [bytes(20), b"\xff" * 20,
                                    hashlib.sha1(b"x").digest(), hashlib.sha1(b"").digest()])
def test_a_digest_is_base32_as_the_stdlib_writes_it(digest: bytes) -> None:
    assert _b32_160(digest) == base64.b32encode(digest).decode("ascii")


def test_record_ids_print_as_uuid_prints_version_4_of_the_same_bits() -> None:
    warc_record._ids.seed(7)
    same = random.Random(7)
    for _ in range(5000):
        bits = same.getrandbits(128)
        assert warc_record._record_id() == str(uuid.UUID(int=bits, version=4))


@pytest.mark.parametrize("when", [
    datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5))),  # next year in UTC
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),
    datetime(2026, 3, 4, 5, 6, 7),  # naive: local time, as astimezone reads it
], ids=["utc", "offset", "last", "year-999", "naive"])
def test_warc_dates_are_what_strftime_writes(when: datetime) -> None:
    want = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert warc_record._warc_date(when) == want


@pytest.mark.parametrize(("status", "line"), [
    (200, b"HTTP/1.1 200 OK\r\n"), (304, b"HTTP/1.1 304 Not Modified\r\n"),
    (418, b"HTTP/1.1 418 I'm a Teapot\r\n"), (599, b"HTTP/1.1 599 Unknown\r\n"),
])
def test_the_status_line_carries_the_stdlib_phrase(status: int, line: bytes) -> None:
    text = gzip.decompress(render_record(_page(status, b"")))
    assert line in text
