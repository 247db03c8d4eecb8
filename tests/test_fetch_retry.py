"""Retries: which answers are retried, the backoff schedule, and Retry-After in both forms."""

from __future__ import annotations

import random
from collections.abc import Callable

import httpx
import pytest
from httpserver import MOCK_NOW as NOW
from httpserver import EdgeRng, FakeTime, mock_fetcher, scripted

from harvester._fetch.retry import parse_retry_after
from harvester.errors import GoneError, HTTPStatusError, NetworkError
from harvester.http import Fetcher
from harvester.politeness import Politeness
from harvester.types import Page

FREE = Politeness(concurrency=4, delay=0, obey_robots=False)
URL = "https://repo.example.org/en/publications/x"


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def fetcher_for(fake: FakeTime) -> Callable[..., Fetcher]:
    return lambda handler, **kw: mock_fetcher(handler, fake, **kw)


async def test_retry_after_seconds_is_the_wait(fetcher_for, fake: FakeTime) -> None:
    handler, seen = scripted(
        httpx.Response(503, headers={"Retry-After": "7"}), httpx.Response(200, content=b"ok")
    )
    fetcher = fetcher_for(handler)
    page = await fetcher.fetch(URL, politeness=FREE)
    assert isinstance(page, Page) and page.body == b"ok"
    assert fake.sleeps == [7.0]
    assert len(seen) == 2
    assert fetcher.stats.retries == 1


async def test_retry_after_http_date_counts_from_injected_now(fetcher_for, fake: FakeTime) -> None:
    handler, _ = scripted(
        httpx.Response(429, headers={"Retry-After": "Mon, 01 Jan 2024 00:00:30 GMT"}),
        httpx.Response(200, content=b"ok"),
    )
    await fetcher_for(handler).fetch(URL, politeness=FREE)
    assert fake.sleeps == [30.0]


async def test_retry_after_beyond_backoff_max_gives_up_at_once(fetcher_for, fake: FakeTime) -> None:
    handler, seen = scripted(httpx.Response(503, headers={"Retry-After": "3600"}))
    with pytest.raises(HTTPStatusError, match="backoff_max") as info:
        await fetcher_for(handler, backoff_max=120.0).fetch(URL, politeness=FREE)
    assert info.value.status == 503
    assert len(seen) == 1 and fake.sleeps == []


async def test_unreadable_retry_after_falls_back_to_backoff(fetcher_for, fake: FakeTime) -> None:
    handler, _ = scripted(
        httpx.Response(503, headers={"Retry-After": "soon"}), httpx.Response(200, content=b"ok")
    )
    await fetcher_for(handler, backoff_base=2.0).fetch(URL, politeness=FREE)
    assert fake.sleeps == [2.0]


@pytest.mark.parametrize(
    ("top", "base", "cap", "retries", "expected"),
    [
        (True, 1.0, 120.0, 4, [1.0, 2.0, 4.0, 8.0]),
        (False, 1.0, 120.0, 4, [0.5, 1.0, 2.0, 4.0]),
        (True, 10.0, 15.0, 3, [10.0, 15.0, 15.0]),
        (False, 0.5, 100.0, 2, [0.25, 0.5]),
    ],
)
async def test_backoff_is_exponential_capped_with_equal_jitter(
    fetcher_for,
    fake: FakeTime,
    top: bool,
    base: float,
    cap: float,
    retries: int,
    expected: list[float],
) -> None:
    handler, seen = scripted(httpx.Response(500))
    fetcher = fetcher_for(
        handler, rng=EdgeRng(top), backoff_base=base, backoff_max=cap, max_retries=retries
    )
    with pytest.raises(HTTPStatusError) as info:
        await fetcher.fetch(URL, politeness=FREE)
    assert info.value.status == 500
    assert fake.sleeps == expected
    assert len(seen) == retries + 1
    assert fetcher.stats.retries == retries
    assert fetcher.stats.by_status[500] == retries + 1


def test_seeded_jitter_stays_between_half_and_full_ceiling() -> None:
    from harvester._fetch.retry import backoff

    rng = random.Random(42)
    for attempt in range(1, 10):
        ceiling = min(60.0, 2.0 * 2 ** (attempt - 1))
        wait = backoff(attempt, base=2.0, cap=60.0, rng=rng)
        assert ceiling / 2 <= wait <= ceiling


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_transient_statuses_are_retried(fetcher_for, status: int) -> None:
    handler, seen = scripted(httpx.Response(status), httpx.Response(200, content=b"ok"))
    page = await fetcher_for(handler).fetch(URL, politeness=FREE)
    assert isinstance(page, Page) and page.status == 200
    assert len(seen) == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (404, GoneError),
        (410, GoneError),
        (400, HTTPStatusError),
        (403, HTTPStatusError),
        (401, HTTPStatusError),
        (501, HTTPStatusError),
    ],
)
async def test_permanent_statuses_fail_without_retry(
    fetcher_for, fake: FakeTime, status: int, error: type[HTTPStatusError]
) -> None:
    handler, seen = scripted(httpx.Response(status))
    with pytest.raises(error) as info:
        await fetcher_for(handler).fetch(URL, politeness=FREE)
    assert type(info.value) is error
    assert info.value.status == status and info.value.url == URL
    assert len(seen) == 1 and fake.sleeps == []


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("eof")],
)
async def test_transport_failures_are_retried_then_network_error(
    fetcher_for, exc: Exception
) -> None:
    handler, seen = scripted(exc)
    with pytest.raises(NetworkError) as info:
        await fetcher_for(handler, max_retries=2).fetch(URL, politeness=FREE)
    assert len(seen) == 3
    assert "3 attempts" in str(info.value)


async def test_timeout_then_success_returns_the_page(fetcher_for) -> None:
    handler, _ = scripted(httpx.ConnectTimeout("t"), httpx.Response(200, content=b"fine"))
    page = await fetcher_for(handler).fetch(URL, politeness=FREE)
    assert isinstance(page, Page) and page.body == b"fine"


async def test_retry_after_holds_back_other_requests_to_the_host(
    fetcher_for, fake: FakeTime
) -> None:
    starts: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        starts.append(fake.now)
        if request.url.path == "/busy":
            return httpx.Response(503, headers={"Retry-After": "9"})
        return httpx.Response(200)

    fetcher = fetcher_for(handler, max_retries=0)
    with pytest.raises(HTTPStatusError):
        await fetcher.fetch("https://repo.example.org/busy", politeness=FREE)
    await fetcher.fetch("https://repo.example.org/other", politeness=FREE)
    assert starts[1] - starts[0] == 9.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        ("Mon, 01 Jan 2024 00:00:30 GMT", 30.0),
        ("Mon, 01 Jan 2024 01:00:00 +0000", 3600.0),
        ("Sun, 31 Dec 2023 23:00:00 GMT", 0.0),
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected
