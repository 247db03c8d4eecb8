"""One WARC/1.1 `response` record, rendered by hand into its own gzip member.

Written as warcio writes it (same headers and digests; warcio reads it and
checks its digests in the tests): warcio's writer spooled each record through
temporary files to digest it, 45 µs for a 304 whose record is 600 bytes.

Records are compressed at zlib level 3 (`compresslevel`), not warcio's 9: on
60 KB portal pages level 9 cost 1.0 ms a page, a third of a harvest's CPU,
for files 9 % smaller than level 3 at 0.3 ms. Deflate is Intel's ISA-L (the
`isal` package) where it is installed, at the ISA-L level nearest that zlib
level: on bench/e2e.py's 63 KiB pages ISA-L level 1 takes 37 µs against zlib
level 3's 151 µs, for the same size (10.75 % of the page either way); the
output is plain gzip, read by every reader. A record under `STORE_BELOW`
bytes (a 304's is about 600) goes into its gzip member stored, not deflated:
on it, deflate's set-up and work cost about 200,000 instructions, as much as
the rest of a 304's re-harvest together, to save some 180 bytes. Stored
blocks are plain deflate: every gzip reader reads them.
"""

from __future__ import annotations

import base64
import hashlib
import os
import random
import struct
import zlib
from datetime import UTC, datetime
from http import HTTPStatus
from types import ModuleType
from typing import Any

from harvester.types import Page

REQUESTED = "WARC-Harvester-Requested-URI"  # the URL asked for, before redirects
STORE_BELOW = 2048  # records smaller than this (uncompressed) are stored, not deflated
_WIRE_ONLY = frozenset({"content-encoding", "content-length", "transfer-encoding"})
# a gzip member's header as zlib writes it (no name, no time, OS Unix), then a
# stored deflate block that is the last: BFINAL=1, BTYPE=00
_GZIP_STORED = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x01"
# zlib's levels 1-9 as ISA-L's 1-3 (index 0 unused: level 0, stored, stays with zlib)
_ISAL_LEVEL = (0, 1, 1, 1, 2, 2, 2, 3, 3, 3)
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
# HTTPStatus(status).phrase is an enum lookup, ~1 µs a record
_PHRASES = {status.value: status.phrase for status in HTTPStatus}
_B32_PAIRS = [a + b for a in _B32 for b in _B32]  # 10 bits -> two base32 letters


def _isal() -> ModuleType | None:
    try:
        from isal import isal_zlib
    except ImportError:  # a platform without its wheels: zlib, slower, same format
        return None
    return isal_zlib


_FAST = _isal()


def _deflater(compresslevel: int) -> tuple[Any, int]:
    """The zlib-like module for `compresslevel` (zlib's scale) and the level to give it."""
    if _FAST is not None and 0 < compresslevel <= 9:
        return _FAST, _ISAL_LEVEL[compresslevel]
    return zlib, compresslevel


# Record ids from a generator seeded from os.urandom (again in a forked child), not
# uuid4's os.urandom per record: a system call there lets the event loop's thread
# take the GIL from the write thread, which then waits to get it back. Unique is
# all WARC-Record-ID asks; 122 random bits of a freshly seeded generator are that.
_ids = random.Random()
os.register_at_fork(after_in_child=_ids.seed)


_VERSION_4 = ~(0xC000 << 48 | 0xF000 << 64)  # the variant and version bits UUID(version=4) sets


def _record_id() -> str:
    """str(uuid.UUID(int=random 128 bits, version=4)), formatted here: the UUID object
    cost ~1.5 µs a record to build and print."""
    n = _ids.getrandbits(128) & _VERSION_4 | 0x8000 << 48 | 4 << 76
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _warc_date(when: datetime | None) -> str:
    when = (when or datetime.now(UTC)).astimezone(UTC)
    if when.year < 1000:  # strftime's %Y does not pad them to four digits, isoformat does
        return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # isoformat, not strftime: glibc's strftime reads the time zone (tzset) on every call
    return when.isoformat(timespec="microseconds")[:-6] + "Z"


def _digest(*parts: bytes) -> str:
    h = hashlib.sha1()
    for part in parts:
        h.update(part)
    return "sha1:" + _b32_160(h.digest())


def _b32_160(digest: bytes) -> str:
    """base64.b32encode of a 20-byte digest (32 letters, no padding) in one pass:
    the stdlib's is pure Python, twice as slow on a digest this short."""
    n = int.from_bytes(digest, "big")
    return "".join([_B32_PAIRS[(n >> shift) & 1023] for shift in range(150, -1, -10)])


_EMPTY_DIGEST = "sha1:" + base64.b32encode(hashlib.sha1(b"").digest()).decode("ascii")


def _gzip_member(data: bytes, compresslevel: int) -> bytes:
    """`data` as one gzip member: deflated, or stored when it is short."""
    size = len(data)
    if size < STORE_BELOW:
        return b"".join((_GZIP_STORED, struct.pack("<HH", size, size ^ 0xFFFF), data,
                         struct.pack("<II", zlib.crc32(data), size)))
    deflate, level = _deflater(compresslevel)
    member: bytes = deflate.compress(data, level, wbits=zlib.MAX_WBITS + 16)
    return member


def _line(value: str) -> str:
    # a header value is one line, whatever a server or a sitemap put into it
    return value.replace("\r", " ").replace("\n", " ")


def render_record(page: Page, compresslevel: int = 3, *, truncated: str | None = None) -> bytes:
    """One page as a complete WARC/1.1 `response` record in its own gzip member;
    `truncated`: the WARC-Truncated reason of a body not stored whole."""
    http = [f"HTTP/1.1 {page.status} {_PHRASES.get(page.status, 'Unknown')}\r\n"]
    http += [f"{k}: {_line(v)}\r\n" for k, v in page.headers.items()
             if k.lower() not in _WIRE_ONLY]
    http.append("\r\n")
    head = "".join(http).encode("utf-8")
    payload = _digest(page.body) if page.body else _EMPTY_DIGEST
    block = _digest(head, page.body)
    warc = [
        "WARC/1.1\r\n",
        "WARC-Type: response\r\n",
        f"WARC-Record-ID: <urn:uuid:{_record_id()}>\r\n",
        f"WARC-Date: {_warc_date(page.fetched_at)}\r\n",
        f"WARC-Target-URI: {_line(page.url)}\r\n",
    ]
    if page.requested_url and page.requested_url != page.url:
        warc.append(f"{REQUESTED}: {_line(page.requested_url)}\r\n")
    if truncated:
        warc.append(f"WARC-Truncated: {truncated}\r\n")
    warc += [
        f"WARC-Payload-Digest: {payload}\r\n",
        f"WARC-Block-Digest: {block}\r\n",
        "Content-Type: application/http; msgtype=response\r\n",
        f"Content-Length: {len(head) + len(page.body)}\r\n\r\n",
    ]
    if len(page.body) < STORE_BELOW:
        return _gzip_member(b"".join(("".join(warc).encode("utf-8"), head, page.body,
                                      b"\r\n\r\n")), compresslevel)
    # a page's body is not copied into one buffer first
    deflate, level = _deflater(compresslevel)
    z = deflate.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    parts = [z.compress("".join(warc).encode("utf-8")), z.compress(head),
             z.compress(page.body), z.compress(b"\r\n\r\n"), z.flush()]
    return b"".join(parts)
