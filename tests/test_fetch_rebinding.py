"""DNS rebinding: the connection goes only to addresses that passed the check.

A hostile DNS server can answer a public address to the check before a request
and 127.0.0.1 to the connect that follows. The injected resolver here answers
differently on each call; the names (*.test) resolve nowhere else, so a request
that reaches the loopback server went to an address our resolver handed over.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from httpserver import Reply, ScriptedServer

from harvester._fetch.netsafety import Resolver
from harvester.errors import UnsafeURL
from harvester.http import Fetcher
from harvester.politeness import FetchSettings, Politeness
from harvester.types import Page

PUBLIC = "93.184.216.34"
SETTINGS = FetchSettings(max_retries=0)


def answers(*rounds: list[str]) -> tuple[list[str], Resolver]:
    """A resolver giving `rounds` in turn (the last repeats), and the log of names asked."""
    asked: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return rounds[min(len(asked), len(rounds)) - 1]

    return asked, resolve


@pytest.fixture
def srv() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        s.route("/x", Reply(200, b"secret"))
        yield s


def fetch(srv: ScriptedServer, host: str, resolve: Resolver, *, allow_private: bool) -> Page:
    polite = Politeness(concurrency=1, delay=0, obey_robots=False,
                        allow_private=allow_private, allow_hosts=())
    port = srv.base_url.rsplit(":", 1)[1]

    async def go() -> Page:
        async with Fetcher(SETTINGS, resolve=resolve) as f:
            page = await f.fetch(f"http://{host}:{port}/x", politeness=polite)
            assert isinstance(page, Page)
            return page

    return asyncio.run(go())


@pytest.mark.parametrize("second", [["127.0.0.1"], [PUBLIC, "127.0.0.1"], ["::ffff:10.0.0.1"]])
def test_a_name_that_turns_private_between_check_and_connect_is_refused(
    srv: ScriptedServer, second: list[str]
) -> None:
    asked, resolve = answers([PUBLIC], second)
    with pytest.raises(UnsafeURL, match="when connecting"):
        fetch(srv, "rebind.test", resolve, allow_private=False)
    assert asked == ["rebind.test", "rebind.test"]  # the check, then the connect
    assert srv.requests == []


def test_a_source_allowing_private_addresses_connects_where_the_resolver_says(
    srv: ScriptedServer,
) -> None:
    asked, resolve = answers(["127.0.0.1"])
    assert fetch(srv, "site.test", resolve, allow_private=True).body == b"secret"
    assert asked == ["site.test"] and srv.paths() == ["/x"]
