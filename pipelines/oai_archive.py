"""The WARC archive of a harvest's OAI answers: every answer (Identify,
ListMetadataFormats, ListRecords, errors) is kept as it arrives and written, and
synced, before the next commit, so no stored record points at an answer that is
not on disk. Answers to requests sent ahead (harvester/oai/prefetch.py) are
written with the commit before their page's: earlier, never later.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from concurrent.futures import Executor

from harvester.types import Page
from harvester.warc import WarcWriter


class AnswerArchive:
    """Answers kept until the next commit, then written and synced before it.

    `keep` is the OAI client's on_response hook; `flush` runs the writing on the
    run's write thread, which the web pipelines' archive shares."""

    def __init__(self, writer: WarcWriter, writes: Executor | None) -> None:
        self.writer, self.writes = writer, writes
        self.kept: list[Page] = []

    def keep(self, params: Mapping[str, str], page: Page) -> None:
        self.kept.append(page)

    async def flush(self) -> None:
        if self.kept:
            pages, self.kept = self.kept, []
            # the run's write thread: the writer is shared with the web pipelines
            await asyncio.get_running_loop().run_in_executor(self.writes, self._write, pages)

    def _write(self, pages: list[Page]) -> None:
        for page in pages:
            self.writer.write(page)
        self.writer.sync()  # on disk before the commit that stores its records
