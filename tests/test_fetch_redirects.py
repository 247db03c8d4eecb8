"""Redirects: followed by the Fetcher with a hop limit, loop detection and per-hop checks."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from httpserver import FakeTime, mock_fetcher

from harvester.errors import RobotsDisallowed, TooManyRedirects, UnsafeURL
from harvester.http import Fetcher
from harvester.politeness import Politeness
from harvester.types import Page

FREE = Politeness(concurrency=4, delay=0, obey_robots=False)
BASE = "https://repo.example.org"


def site(routes: dict[str, httpx.Response]) -> tuple[Callable[..., httpx.Response], list[str]]:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode()
        seen.append(path)
        return routes.get(path, httpx.Response(404))

    return handler, seen


def moved(location: str, status: int = 301) -> httpx.Response:
    return httpx.Response(status, headers={"Location": location})


@pytest.fixture
def fetcher_for() -> Callable[..., Fetcher]:
    fake = FakeTime()
    return lambda handler, **kw: mock_fetcher(handler, fake, **kw)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_redirect_chain_ends_at_final_url(fetcher_for, status: int) -> None:
    handler, seen = site(
        {
            "/a": moved(f"{BASE}/b", status),
            "/b": moved("/c?x=1#frag", status),
            "/c?x=1": httpx.Response(200, content=b"end"),
        }
    )
    page = await fetcher_for(handler).fetch(f"{BASE}/a", politeness=FREE)
    assert isinstance(page, Page)
    assert page.url == f"{BASE}/c?x=1" and page.requested_url == f"{BASE}/a"
    assert page.body == b"end"
    assert seen == ["/a", "/b", "/c?x=1"]


async def test_redirect_loop_is_detected(fetcher_for) -> None:
    handler, seen = site({"/a": moved("/b"), "/b": moved("/a")})
    with pytest.raises(TooManyRedirects, match="loop"):
        await fetcher_for(handler).fetch(f"{BASE}/a", politeness=FREE)
    assert seen == ["/a", "/b"]


async def test_chain_longer_than_max_redirects_fails(fetcher_for) -> None:
    handler, seen = site({f"/r{i}": moved(f"/r{i + 1}") for i in range(20)})
    with pytest.raises(TooManyRedirects, match="more than 3"):
        await fetcher_for(handler, max_redirects=3).fetch(f"{BASE}/r0", politeness=FREE)
    assert seen == ["/r0", "/r1", "/r2", "/r3"]


async def test_chain_of_exactly_max_redirects_succeeds(fetcher_for) -> None:
    routes = {f"/r{i}": moved(f"/r{i + 1}") for i in range(3)}
    routes["/r3"] = httpx.Response(200)
    handler, _ = site(routes)
    page = await fetcher_for(handler, max_redirects=3).fetch(f"{BASE}/r0", politeness=FREE)
    assert isinstance(page, Page) and page.url == f"{BASE}/r3"


async def test_redirect_to_other_scheme_is_refused(fetcher_for) -> None:
    handler, seen = site({"/a": moved("ftp://repo.example.org/file")})
    with pytest.raises(UnsafeURL):
        await fetcher_for(handler).fetch(f"{BASE}/a", politeness=FREE)
    assert seen == ["/a"]


async def test_redirect_into_disallowed_path_is_never_requested(fetcher_for) -> None:
    handler, seen = site(
        {
            "/robots.txt": httpx.Response(200, text="User-agent: *\nDisallow: /private\n"),
            "/a": moved("/private/x"),
        }
    )
    polite = Politeness(concurrency=1, delay=0, obey_robots=True)
    with pytest.raises(RobotsDisallowed) as info:
        await fetcher_for(handler).fetch(f"{BASE}/a", politeness=polite)
    assert info.value.url == f"{BASE}/private/x"
    assert seen == ["/robots.txt", "/a"]
