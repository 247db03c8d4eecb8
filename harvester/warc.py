"""The raw archive: every fetched page as a WARC 1.1 `response` record, readable by offset.

Each record is its own gzip member, so a (file, offset) pair is enough to read
one page back without scanning the file, and any WARC tool (warcio, pywb)
reads the files as they are. Bodies are stored decoded, as the parser saw
them, so the Content-Encoding / Content-Length / Transfer-Encoding of the wire
are dropped from the stored headers. Files rotate once they pass `max_bytes`.

Records are rendered by harvester/warc_record.py (zlib level 3, or stored
when short).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from harvester.errors import HarvestError
from harvester.types import Page
from harvester.warc_record import REQUESTED, render_record

__all__ = ["REQUESTED", "ArchiveError", "ArchiveRecorder", "ArchiveRef", "WarcWriter",
           "read_page", "render_record"]

log = logging.getLogger(__name__)
T = TypeVar("T")

class ArchiveError(HarvestError):
    """An archive file is missing, unreadable, or holds no response at the offset."""

    reason = "archive"


@dataclass(frozen=True, slots=True)
class ArchiveRef:
    """Where one page sits: a file name inside the archive directory, and a byte offset."""

    file: str
    offset: int


def _parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class WarcWriter:
    """Appends pages to `directory`, one new file per writer and per rotation.

    The writer keeps its file's offset itself and buffers `BUFFER` bytes: tell()
    is an lseek, and each system call lets the event loop's thread take the GIL,
    which the write thread must then wait to get back (a re-harvest's 304s are
    600-byte records, three such calls each with tell() and an 8 KiB buffer).
    Nothing waits for unsynced records: sync() flushes before a commit points at one."""

    BUFFER = 1 << 20

    def __init__(self, directory: Path, *, max_bytes: int = 1 << 30, prefix: str = "harvest",
                 compresslevel: int = 3) -> None:
        self.directory = directory
        self.compresslevel = compresslevel
        self.max_bytes = max_bytes
        self._prefix = prefix
        self._seq = 0
        self._file: BinaryIO | None = None
        self._name = ""
        self._offset = 0  # where the next record starts in self._file

    def _open(self) -> BinaryIO:
        if self._file is not None and self._offset >= self.max_bytes:
            self.close()
        if self._file is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._seq += 1
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
            self._name = f"{self._prefix}-{stamp}-{os.getpid()}-{self._seq:05d}.warc.gz"
            self._file = open(self.directory / self._name, "ab",  # noqa: SIM115 (kept open)
                              buffering=self.BUFFER)
            self._offset = self._file.tell()
        return self._file

    def write(self, page: Page) -> ArchiveRef:
        return self.append(render_record(page, self.compresslevel))

    def append(self, member: bytes) -> ArchiveRef:
        """Append a record made by `render_record` (which may run in another process)."""
        out = self._open()
        offset = self._offset
        try:
            out.write(member)
        except OSError:
            self._drop()  # part of it may be in the file: offsets from here on are unknown
            raise
        self._offset = offset + len(member)
        return ArchiveRef(self._name, offset)

    def _drop(self) -> None:
        """Give up the current file after a failed write: the next record starts a new one."""
        file, self._file = self._file, None
        if file is not None:
            with suppress(OSError):
                file.close()

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
    still goes to the thread before any page that came after it. With `linger`
    seconds, a batch waits that long (or until BATCH answers) instead: fewer
    wake-ups of the write thread, each of which takes the GIL from the event
    loop; what else the caller hands that thread then goes through ahead_of(),
    which flushes first, so the file keeps the order still. No database row
    points at these records, so they are not synced one by one: the next page
    commit's sync, or close(), takes them to disk. Call flush() before the
    executor shuts down."""

    BATCH = 256

    def __init__(self, writer: WarcWriter, executor: Executor, *, linger: float = 0.0) -> None:
        self.writer, self.executor = writer, executor
        self.linger = linger
        self.written = 0
        self.failed = 0
        self._pending: list[tuple[Page, str | None]] = []

    def __call__(self, response: Page, /, *, truncated: str | None = None) -> None:
        self._pending.append((response, truncated))
        if len(self._pending) >= self.BATCH:
            self.flush()
        elif len(self._pending) == 1:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no event loop: nothing will come back to flush
                self.flush()
                return
            if self.linger > 0:
                loop.call_later(self.linger, self.flush)
            else:
                loop.call_soon(self.flush)

    def ahead_of(self, executor: Executor) -> Executor:
        """`executor` (the one this recorder writes with), flushing this recorder before
        each task submitted to it: the answers held go to the thread first."""
        return _FlushFirst(executor, self)

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


class _FlushFirst(Executor):
    def __init__(self, executor: Executor, recorder: ArchiveRecorder) -> None:
        self._executor, self._recorder = executor, recorder

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        self._recorder.flush()
        return self._executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._recorder.flush()
        self._executor.shutdown(wait, cancel_futures=cancel_futures)


def read_page(directory: Path, ref: ArchiveRef) -> Page:
    """The page stored at `ref`, as the parser first saw it."""
    # warcio is for reading only: a harvest, which only writes, does not import it
    from warcio.archiveiterator import ArchiveIterator

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
