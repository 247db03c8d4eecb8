"""A harvest whose pages are read and mapped in a parse worker process stores exactly
what a harvest mapping them inline stores (pyoai server on 127.0.0.1, SQLite)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from harvester.oai.mapped import MappedPage
from pipelines import run as run_module
from pipelines.db import open_database
from pipelines.parse_pool import ParsePool
from tests.oai_server import OAITestServer, synthetic
from tests.test_oai_harvest import run, settings_for, snapshot

pytestmark = pytest.mark.slow

T = TypeVar("T")
N = 430  # 9 pages of 50, the last one short


class WarmPool(ParsePool):
    """Waits for its worker before the first page, so every page goes through it;
    counts the records of the pages the worker mapped (an empty window's
    noRecordsMatch comes back as None, to be raised in the harvest)."""

    records = 0

    async def call(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T | None:
        assert await self.started(), "the parse worker did not start"
        got = await super().call(fn, *args, **kwargs)
        if isinstance(got, MappedPage):
            WarmPool.records += got.count
        return got


def test_pages_mapped_in_a_worker_store_what_inline_mapping_stores(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    with OAITestServer(synthetic(N), batch_size=50) as srv:
        # the run hands its parse pool to the OAI harvest: no workers, then one warm one
        inline = open_database(f"sqlite:///{tmp_path / 'inline.db'}")
        monkeypatch.setattr(run_module, "ParsePool", lambda workers: ParsePool(0))
        inline_stats = run(settings_for(srv, str(inline.url)), inline)

        pooled = open_database(f"sqlite:///{tmp_path / 'pooled.db'}")
        monkeypatch.setattr(run_module, "ParsePool", lambda workers: WarmPool(1))
        pooled_stats = run(settings_for(srv, str(pooled.url)), pooled)

    assert WarmPool.records == N  # every record was mapped in the worker
    assert pooled_stats.status == inline_stats.status == "ok"
    assert (pooled_stats.discovered, pooled_stats.new, pooled_stats.deleted) == (
        inline_stats.discovered, inline_stats.new, inline_stats.deleted)
    assert pooled_stats.discovered == N
    assert snapshot(pooled) == snapshot(inline)
