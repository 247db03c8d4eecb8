"""robots.txt: obeyed, fetched once per origin, RFC 9309 failure rules, Crawl-delay."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

import httpx
import pytest
from httpserver import FakeTime, mock_fetcher

from harvester.errors import RobotsDisallowed
from harvester.http import Fetcher
from harvester.politeness import Politeness
from harvester.types import Page

BASE = "https://repo.example.org"
OBEY = Politeness(concurrency=4, delay=0, obey_robots=True)
RULES = "User-agent: *\nDisallow: /private\n"


class Site:
    def __init__(self, robots: httpx.Response | Exception, fake: FakeTime | None = None) -> None:
        self.robots = robots
        self.fake = fake
        self.seen: list[str] = []
        self.starts: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request.url.path)
        if self.fake is not None:
            self.starts.append(self.fake.now)
        if request.url.path == "/robots.txt":
            if isinstance(self.robots, Exception):
                raise self.robots
            return self.robots
        return httpx.Response(200, content=b"page")


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def fetcher_for(fake: FakeTime) -> Callable[..., Fetcher]:
    return lambda handler, **kw: mock_fetcher(handler, fake, **kw)


async def test_disallowed_url_is_refused_and_never_requested(fetcher_for) -> None:
    site = Site(httpx.Response(200, text=RULES))
    fetcher = fetcher_for(site)
    with pytest.raises(RobotsDisallowed) as info:
        await fetcher.fetch(f"{BASE}/private/1", politeness=OBEY)
    assert info.value.url == f"{BASE}/private/1"
    page = await fetcher.fetch(f"{BASE}/public/1", politeness=OBEY)
    assert isinstance(page, Page)
    assert site.seen == ["/robots.txt", "/public/1"]
    assert fetcher.stats.robots_refused == 1


async def test_robots_is_fetched_once_per_origin_even_concurrently(fetcher_for) -> None:
    site = Site(httpx.Response(200, text=RULES))
    fetcher = fetcher_for(site)
    await asyncio.gather(*(fetcher.fetch(f"{BASE}/p/{i}", politeness=OBEY) for i in range(6)))
    await fetcher.fetch("https://other.example.org/p", politeness=OBEY)
    assert site.seen.count("/robots.txt") == 2
    assert len(site.seen) == 9


@pytest.mark.parametrize("status", [404, 410, 401, 403])
async def test_robots_4xx_allows_everything(fetcher_for, status: int) -> None:
    site = Site(httpx.Response(status))
    fetcher = fetcher_for(site)
    assert await fetcher.allowed(f"{BASE}/private/1", OBEY)
    await fetcher.fetch(f"{BASE}/private/1", politeness=OBEY)
    assert site.seen == ["/robots.txt", "/private/1"]


@pytest.mark.parametrize(
    "failure", [httpx.Response(500), httpx.Response(503), httpx.ConnectError("refused")]
)
async def test_robots_server_error_disallows_host_for_the_run(
    fetcher_for, failure: httpx.Response | Exception
) -> None:
    site = Site(failure)
    fetcher = fetcher_for(site, max_retries=1)
    for path in ("/a", "/b"):
        with pytest.raises(RobotsDisallowed):
            await fetcher.fetch(f"{BASE}{path}", politeness=OBEY)
    assert site.seen == ["/robots.txt", "/robots.txt"]  # one attempt + one retry, then cached
    assert fetcher.stats.robots_refused == 2


async def test_robots_ignored_when_not_obeying(fetcher_for) -> None:
    site = Site(httpx.Response(200, text="User-agent: *\nDisallow: /\n"))
    fetcher = fetcher_for(site)
    free = Politeness(concurrency=1, delay=0, obey_robots=False)
    assert await fetcher.allowed(f"{BASE}/x", free)
    await fetcher.fetch(f"{BASE}/x", politeness=free)
    assert site.seen == ["/x"]


async def test_allowed_checks_without_fetching_the_page(fetcher_for) -> None:
    site = Site(httpx.Response(200, text=RULES))
    fetcher = fetcher_for(site)
    assert await fetcher.allowed(f"{BASE}/ok", OBEY)
    assert not await fetcher.allowed(f"{BASE}/private/x", OBEY)
    assert site.seen == ["/robots.txt"]


@pytest.mark.parametrize(
    ("robots", "delay", "gap"),
    [
        ("User-agent: *\nCrawl-delay: 5\n", 1.0, 5.0),
        ("User-agent: *\nCrawl-delay: 0.5\n", 2.0, 2.0),
        ("User-agent: harvester\nCrawl-delay: 3\n\nUser-agent: *\nCrawl-delay: 10\n", 0.0, 3.0),
        ("User-agent: otherbot\nCrawl-delay: 30\n", 0.5, 0.5),
    ],
)
async def test_crawl_delay_raises_the_gap_between_requests(
    fetcher_for, fake: FakeTime, robots: str, delay: float, gap: float
) -> None:
    site = Site(httpx.Response(200, text=robots), fake)
    fetcher = fetcher_for(site)
    polite = Politeness(concurrency=1, delay=delay, obey_robots=True)
    for i in range(3):
        await fetcher.fetch(f"{BASE}/p{i}", politeness=polite)
    pages = site.starts[1:]
    assert [b - a for a, b in itertools.pairwise(pages)] == [gap, gap]
