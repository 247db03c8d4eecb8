"""A lingering archive recorder (ArchiveRecorder(linger=...)): fewer hand-overs to the write
thread, and still the answers' order in the file, pages written through ahead_of() included."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from harvester.types import Page
from harvester.warc import ArchiveRecorder, WarcWriter


def _urls(directory: Path) -> list[str]:
    urls: list[str] = []
    for path in sorted(directory.glob("*.warc.gz")):
        with open(path, "rb") as f:
            urls += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(f)]
    return urls


def _answer(n: int) -> Page:
    return Page(f"http://h.example/{n}", b"", 304, {}, None, None)


def test_pages_written_ahead_of_the_recorder_keep_the_answers_order(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path)
    writes = ThreadPoolExecutor(1)
    recorder = ArchiveRecorder(writer, writes, linger=60.0)  # only a flush hands them over
    ordered = recorder.ahead_of(writes)
    expected: list[str] = []

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for n in range(300):
            recorder(_answer(n))
            expected.append(_answer(n).url)
            await asyncio.sleep(0)
            if n % 40 == 39:  # a page of the pipeline's, archived in the same thread
                page = Page(f"http://h.example/page-{n}", b"<html/>", 200, {}, None, None)
                await loop.run_in_executor(ordered, writer.write, page)
                expected.append(page.url)

    asyncio.run(run())
    ordered.shutdown(wait=True)  # flushes the answers still held, then waits
    writer.close()
    assert _urls(tmp_path) == expected
    assert recorder.written == 300 and recorder.failed == 0


def test_a_lingering_recorder_hands_answers_over_in_few_batches(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path)
    writes = ThreadPoolExecutor(1)
    handed: list[int] = []
    submit = writes.submit

    def counting(fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        handed.append(len(args[0]))
        return submit(fn, *args, **kwargs)

    writes.submit = counting  # type: ignore[method-assign]
    eager = ArchiveRecorder(writer, writes)
    lingering = ArchiveRecorder(writer, writes, linger=0.05)

    async def answer(recorder: ArchiveRecorder) -> None:
        for n in range(200):
            recorder(_answer(n))
            await asyncio.sleep(0)  # one answer an event-loop turn
        await asyncio.sleep(0.1)  # the lingering batch's timer fires

    asyncio.run(answer(eager))
    per_turn, handed[:] = len(handed), []
    asyncio.run(answer(lingering))
    writes.shutdown(wait=True)
    writer.close()
    assert per_turn == 200
    assert sum(handed) == 200 and len(handed) <= 3
    assert lingering.written == 200 and lingering.failed == 0
