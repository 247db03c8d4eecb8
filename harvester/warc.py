"""The raw archive: every fetched page as a WARC 1.1 `response` record, readable by offset.

Each record is its own gzip member, so a (file, offset) pair is enough to read
one page back without scanning the file, and any WARC tool (warcio, pywb)
reads the files as they are. Bodies are stored decoded, as the parser saw
them, so the Content-Encoding / Content-Length / Transfer-Encoding of the wire
are dropped from the stored headers. Files rotate once they pass `max_bytes`.

Records are compressed at zlib level 3 (`compresslevel`), not warcio's 9: on
60 KB portal pages level 9 cost 1.0 ms a page, a third of a harvest's CPU,
for files 9 % smaller than level 3 at 0.3 ms.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import os
import uuid
import zlib
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator

from harvester.errors import HarvestError
from harvester.types import Page

log = logging.getLogger(__name__)

REQUESTED = "WARC-Harvester-Requested-URI"  # the URL asked for, before redirects
_WIRE_ONLY = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class ArchiveError(HarvestError):
    """An archive file is missing, unreadable, or holds no response at the offset."""

    reason = "archive"


@dataclass(frozen=True, slots=True)
class ArchiveRef:
    """Where one page sits: a file name inside the archive directory, and a byte offset."""

    file: str
    offset: int


def _warc_date(when: datetime | None) -> str:
    when = (when or datetime.now(UTC)).astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _digest(*parts: bytes) -> str:
    h = hashlib.sha1()
    for part in parts:
        h.update(part)
    return "sha1:" + base64.b32encode(h.digest()).decode("ascii")


def _line(value: str) -> str:
    # a header value is one line, whatever a server or a sitemap put into it
    return value.replace("\r", " ").replace("\n", " ")


def render_record(page: Page, compresslevel: int = 3, *, truncated: str | None = None) -> bytes:
    """One page as a complete WARC/1.1 `response` record in its own gzip member;
    `truncated`: the WARC-Truncated reason of a body not stored whole.

    Written by hand, as warcio writes it (same headers and digests; warcio reads it
    and checks its digests in the tests): warcio's writer spooled each record through
    temporary files to digest it, 45 µs for a 304 whose record is 400 bytes."""
    try:
        phrase = HTTPStatus(page.status).phrase
    except ValueError:
        phrase = "Unknown"
    http = [f"HTTP/1.1 {page.status} {phrase}\r\n"]
    http += [f"{k}: {_line(v)}\r\n" for k, v in page.headers.items()
             if k.lower() not in _WIRE_ONLY]
    http.append("\r\n")
    head = "".join(http).encode("utf-8")
    payload, block = _digest(page.body), _digest(head, page.body)
    warc = [
        "WARC/1.1\r\n",
        "WARC-Type: response\r\n",
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n",
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
    z = zlib.compressobj(compresslevel, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    parts = [z.compress("".join(warc).encode("utf-8")), z.compress(head),
             z.compress(page.body), z.compress(b"\r\n\r\n"), z.flush()]
    return b"".join(parts)


class WarcWriter:
    """Appends pages to `directory`, one new file per writer and per rotation."""

    def __init__(self, directory: Path, *, max_bytes: int = 1 << 30, prefix: str = "harvest",
                 compresslevel: int = 3) -> None:
        self.directory = directory
        self.compresslevel = compresslevel
        self.max_bytes = max_bytes
        self._prefix = prefix
        self._seq = 0
        self._file: BinaryIO | None = None
        self._name = ""

    def _open(self) -> BinaryIO:
        if self._file is not None and self._file.tell() >= self.max_bytes:
            self.close()
        if self._file is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._seq += 1
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
            self._name = f"{self._prefix}-{stamp}-{os.getpid()}-{self._seq:05d}.warc.gz"
            self._file = open(self.directory / self._name, "ab")  # noqa: SIM115 (kept open)
        return self._file

    def write(self, page: Page) -> ArchiveRef:
        return self.append(render_record(page, self.compresslevel))

    def append(self, member: bytes) -> ArchiveRef:
        """Append a record made by `render_record` (which may run in another process)."""
        out = self._open()
        offset = out.tell()
        out.write(member)
        return ArchiveRef(self._name, offset)

    def sync(self) -> None:
        """Flush to disk, so a record a database row points at survives a crash."""
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self.sync()
            self._file.close()
            self._file = None


class ArchiveRecorder:
    """A fetcher's recorder (harvester.http.Recorder) writing every answer to `writer`
    in `executor`, the one thread that writes it, in the order the answers came.

    Answers are handed over in batches, once per turn of the event loop: waking
    the thread for each 304 cost more CPU than writing its record, and an answer
    still goes to the thread before any page that came after it. No
    database row points at these records, so they are not synced one by one: the
    next page commit's sync, or close(), takes them to disk. Call flush() before
    the executor shuts down."""

    BATCH = 256

    def __init__(self, writer: WarcWriter, executor: Executor) -> None:
        self.writer, self.executor = writer, executor
        self.written = 0
        self.failed = 0
        self._pending: list[tuple[Page, str | None]] = []

    def __call__(self, response: Page, /, *, truncated: str | None = None) -> None:
        self._pending.append((response, truncated))
        if len(self._pending) >= self.BATCH:
            self.flush()
        elif len(self._pending) == 1:
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no event loop: nothing will come back to flush
                self.flush()

    def flush(self) -> None:
        """Hand the answers held so far to the write thread."""
        batch, self._pending = self._pending, []
        if not batch:
            return
        try:
            self.executor.submit(self._write, batch)
        except RuntimeError:  # the run closed its write thread: too late to keep them
            self.failed += len(batch)

    def _write(self, batch: list[tuple[Page, str | None]]) -> None:
        for response, truncated in batch:
            try:
                self.writer.append(render_record(response, self.writer.compresslevel,
                                                 truncated=truncated))
            except OSError as exc:  # a full disk must not stop the harvest from here
                self.failed += 1
                log.error("archive: cannot write %s: %s", response.url, exc)
                continue
            self.written += 1


def read_page(directory: Path, ref: ArchiveRef) -> Page:
    """The page stored at `ref`, as the parser first saw it."""
    path = directory / ref.file
    try:
        with open(path, "rb") as f:
            f.seek(ref.offset)
            for record in ArchiveIterator(f):
                if record.rec_type != "response" or record.http_headers is None:
                    break
                return _page(record)
    except OSError as exc:
        raise ArchiveError(f"cannot read archive file: {exc.strerror}", url=str(path)) from exc
    except Exception as exc:  # warcio raises its own parse errors on a bad offset
        raise ArchiveError(f"no WARC record at offset {ref.offset}: {exc}", url=str(path)) from exc
    raise ArchiveError(f"no response record at offset {ref.offset}", url=str(path))


def _page(record: object) -> Page:
    headers_in = record.rec_headers  # type: ignore[attr-defined]
    http = record.http_headers  # type: ignore[attr-defined]
    url = headers_in.get_header("WARC-Target-URI")
    body = record.content_stream().read()  # type: ignore[attr-defined]
    return Page(
        url=url,
        body=body,
        status=int(http.get_statuscode()),
        headers={k.lower(): v for k, v in http.headers},
        fetched_at=_parse_date(headers_in.get_header("WARC-Date")),
        requested_url=headers_in.get_header(REQUESTED) or url,
    )
