"""Network safety: private addresses refused unless allowed, redirects kept on the site.

No test resolves a name through DNS: names are resolved by an injected resolver,
or are ones the C library answers itself (localhost, numeric forms of 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import httpx
import pytest
from httpserver import EdgeRng, FakeTime, Reply, ScriptedServer, mock_fetcher

from harvester._fetch.netsafety import Resolver, blocked_reason, redirect_allowed
from harvester.errors import ConfigError, NetworkError, RobotsDisallowed, UnsafeURL
from harvester.http import Fetcher
from harvester.politeness import FetchSettings, Politeness
from harvester.types import Page
from pipelines.config import parse_settings

SAFE = Politeness(concurrency=4, delay=0, obey_robots=False, allow_private=False, allow_hosts=())
SAFE_ROBOTS = Politeness(concurrency=4, delay=0, obey_robots=True, allow_private=False,
                         allow_hosts=())


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not globally routable"),
        ("::ffff:127.0.0.1", "loopback (inside ::ffff:7f00:1)"),
        ("2002:a00:1::", "private (inside 2002:a00:1::)"),
        ("64:ff9b::a9fe:a9fe", "link-local (inside 64:ff9b::a9fe:a9fe)"),
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
    ],
)
def test_address_is_refused_for_the_right_reason(address: str, reason: str | None) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    ("origin", "target", "allow", "ok"),
    [
        ("repo.example.org", "repo.example.org", (), True),
        ("repo.example.org", "REPO.example.org.", (), True),
        ("example.org", "www.example.org", (), True),
        ("www.example.org", "example.org", (), True),
        ("repo.example.org", "www.example.org", (), False),
        ("repo.example.org", "cdn.other.net", (), False),
        ("repo.example.org", "cdn.other.net", ("cdn.other.net",), True),
        ("repo.example.org", "a.b.other.net", ("*.other.net",), True),
        ("repo.example.org", "other.net", ("*.other.net",), True),
        ("repo.example.org", "evilother.net", ("*.other.net",), False),
        ("repo.example.org", "other.net.evil.com", ("other.net",), False),
    ],
)
def test_redirect_target_host_must_be_the_site_or_listed(
    origin: str, target: str, allow: tuple[str, ...], ok: bool
) -> None:
    assert redirect_allowed(origin, target, allow) is ok


def never_called(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request may be sent, got {request.url}")


def resolver(table: dict[str, list[str]], calls: list[str]) -> Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        if host not in table:
            raise OSError(f"no such host {host}")
        return table[host]

    return resolve


def fetcher(handler: Callable[[httpx.Request], httpx.Response], resolve: Resolver) -> Fetcher:
    fake = FakeTime()
    return Fetcher(
        FetchSettings(max_retries=1),
        client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        sleep=fake.sleep,
        clock=fake.clock,
        rng=EdgeRng(),
        resolve=resolve,
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]:8080/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/oai",
        "http://[::ffff:192.168.0.1]/",
        # names the C library resolves itself, no DNS query
        "http://localhost/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://127.1/",
    ],
)
async def test_private_or_loopback_target_is_refused_before_any_request(url: str) -> None:
    f = mock_fetcher(never_called, FakeTime())
    with pytest.raises(UnsafeURL, match="does not allow private addresses"):
        await f.fetch(url, politeness=SAFE)
    assert f.stats.requests == 0


async def test_host_with_one_private_address_among_public_ones_is_refused() -> None:
    calls: list[str] = []
    table = {"repo.example.org": ["93.184.216.34", "10.0.0.5"]}
    f = fetcher(never_called, resolve=resolver(table, calls))
    with pytest.raises(UnsafeURL, match=r"resolves to 10\.0\.0\.5, which is private"):
        await f.fetch("https://repo.example.org/a", politeness=SAFE)


async def test_public_host_is_fetched_and_resolved_once_per_run() -> None:
    calls: list[str] = []
    table = {"repo.example.org": ["93.184.216.34", "2606:2800:220:1::1"]}
    f = fetcher(lambda r: httpx.Response(200, content=b"ok"), resolve=resolver(table, calls))
    for path in ("/a", "/b", "/c"):
        page = await f.fetch(f"https://repo.example.org{path}", politeness=SAFE)
        assert isinstance(page, Page) and page.body == b"ok"
    assert calls == ["repo.example.org"]


async def test_unresolvable_host_is_a_network_error_not_unsafe() -> None:
    calls: list[str] = []
    f = fetcher(never_called, resolve=resolver({}, calls))
    with pytest.raises(NetworkError, match=r"cannot resolve nowhere\.example\.org"):
        await f.fetch("https://nowhere.example.org/", politeness=SAFE)
    assert calls == ["nowhere.example.org", "nowhere.example.org"]  # retried once


async def test_redirect_to_a_private_address_is_refused_at_that_hop() -> None:
    calls: list[str] = []
    table = {"repo.example.org": ["93.184.216.34"], "internal.example.org": ["192.168.0.9"]}
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://internal.example.org/admin"})

    polite = Politeness(concurrency=1, delay=0, obey_robots=False, allow_private=False,
                        allow_hosts=("internal.example.org",))
    f = fetcher(handler, resolve=resolver(table, calls))
    with pytest.raises(UnsafeURL, match=r"192\.168\.0\.9"):
        await f.fetch("https://repo.example.org/a", politeness=polite)
    assert seen == ["https://repo.example.org/a"]


@pytest.mark.parametrize(
    ("location", "allow", "ok"),
    [
        ("https://www.repo.example.org/b", (), True),
        ("https://files.other.net/b", (), False),
        ("https://files.other.net/b", ("files.other.net",), True),
        ("https://files.other.net/b", ("*.other.net",), True),
    ],
)
async def test_redirect_to_another_host_follows_only_the_allow_list(
    location: str, allow: tuple[str, ...], ok: bool
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/a":
            return httpx.Response(301, headers={"Location": location})
        return httpx.Response(200, content=b"there")

    polite = Politeness(concurrency=1, delay=0, obey_robots=False, allow_hosts=allow)
    f = mock_fetcher(handler, FakeTime())
    if ok:
        page = await f.fetch("https://repo.example.org/a", politeness=polite)
        assert isinstance(page, Page) and page.url == location
    else:
        with pytest.raises(UnsafeURL, match="not in allow_hosts"):
            await f.fetch("https://repo.example.org/a", politeness=polite)
        assert f.stats.requests == 1


async def test_hand_built_politeness_keeps_following_redirects_anywhere() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "repo.example.org":
            return httpx.Response(301, headers={"Location": "https://elsewhere.net/x"})
        return httpx.Response(200, content=b"x")

    page = await mock_fetcher(handler, FakeTime()).fetch(
        "https://repo.example.org/a", politeness=Politeness(delay=0, obey_robots=False))
    assert isinstance(page, Page) and page.url == "https://elsewhere.net/x"


async def test_loopback_server_is_refused_unless_the_source_allows_it() -> None:
    with ScriptedServer() as srv:
        srv.route("/robots.txt", Reply(404))
        srv.route("/p", Reply(200, b"page"))
        async with Fetcher(FetchSettings(max_retries=0)) as f:
            # refused as unsafe (not as robots-disallowed), robots.txt never asked
            with pytest.raises(UnsafeURL) as info:
                await f.fetch(srv.url("/p"), politeness=SAFE_ROBOTS)
            assert not isinstance(info.value, RobotsDisallowed)
            assert srv.paths() == []
            allowed = Politeness(concurrency=1, delay=0, allow_private=True, allow_hosts=())
            page = await f.fetch(srv.url("/p"), politeness=allowed)
        assert isinstance(page, Page) and page.body == b"page"
        assert srv.paths() == ["/robots.txt", "/p"]


def settings(**source: object) -> object:
    src = {"name": "s", "urls": ["https://repo.example.org/a"], **source}
    return parse_settings({"sources": [src]}, path=None, env={})


def test_config_sources_refuse_private_addresses_and_foreign_redirects_by_default() -> None:
    s = settings()
    pol = s.source("s").politeness  # type: ignore[attr-defined]
    assert (pol.allow_private, pol.allow_hosts) == (False, ())
    s = settings(allow_private=True, allow_hosts=["CDN.example.net", "*.example.com"])
    pol = s.source("s").politeness  # type: ignore[attr-defined]
    assert (pol.allow_private, pol.allow_hosts) == (True, ("cdn.example.net", "*.example.com"))


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("cdn.example.net", "must be a list of host names"),
        (["https://cdn.example.net/"], "must be a host name"),
        (["cdn.example.net/path"], "must be a host name"),
        ([""], "must be a non-empty string"),
    ],
)
def test_bad_allow_hosts_is_a_config_error(value: object, problem: str) -> None:
    with pytest.raises(ConfigError, match=rf"sources\[0\]\.allow_hosts.*{problem}"):
        settings(allow_hosts=value)
