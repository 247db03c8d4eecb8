"""parse_url's fast path reads a URL exactly as httpx.URL does, or leaves it to httpx."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvester._fetch.urls import Target, _plain, _through_httpx, parse_url
from harvester.errors import UnsafeURL


def _fields(read: tuple[str, str, Target]) -> tuple[object, ...]:
    origin, key, target = read
    return origin, key, target.text, target.scheme, target.host, target.port


def _agrees(url: str) -> bool | None:
    """True when the fast path read `url` as httpx does, None when it declined."""
    fast = _plain(url)
    if fast is None:
        return None
    assert _fields(fast) == _fields(_through_httpx(url)), url
    return True


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:45983/en/publications/some-title-12/",
        "https://research.example.ac.uk/en/publications/a-b-c(1d2e)",
        "https://repo.example.org/handle/123/456?show=full&locale-attribute=en",
        "https://example.org/x;jsessionid=AB12?a=%41&b=c/d:e@f?g",
        "https://example.org",
        "http://example.org:8080/",
        "https://a-.example.org/%7e%7E",
    ],
)
def test_common_repository_urls_take_the_fast_path_and_agree(url: str) -> None:
    assert _agrees(url) is True


@pytest.mark.parametrize(
    "url",
    [
        "http://Example.org/",  # upper-case host: httpx lowers it
        "http://example.org:80/x",  # default port: httpx drops it
        "https://example.org:443/",
        "http://example.org/a/./b",  # dot segments: httpx removes them
        "http://example.org/a/../b",
        "http://example.org/x?q=a b",  # httpx quotes the space
        "http://example.org/a%zz",  # a bad escape
        "http://example.org/x#part",
        "http://user@example.org/",
        "http://xn--bcher-kva.example/",
        "http://999.1.1.1/",  # IPv4-shaped, not an address
        "http://01.2.3.4/",
        "http://example.org:99999/",
        "http://bücher.example/",
    ],
)
def test_urls_httpx_would_change_or_refuse_are_left_to_httpx(url: str) -> None:
    assert _plain(url) is None


@pytest.mark.parametrize("url", ["ftp://example.org/", "http://", "http://999.1.1.1/"])
def test_unfetchable_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURL):
        parse_url(url)


# weighted (by repeats) towards what the fast path takes, so that most examples test it
_HOSTS = st.sampled_from(["example.org"] * 6 + ["127.0.0.1"] * 3 + [
    "a-.b", "10.0.0.256", "1.2.3", "0.0.0.0", "x--y.org", "xn--a.org", "EXAMPLE.org", "a..b"])
_PORTS = st.sampled_from([""] * 6 + [":8080"] * 3 + [":80", ":443", ":0", ":65536", ":007"])
_TEXT = st.lists(st.sampled_from(
    list("aZ09-_~!$&'()*+,;=:@Af") * 4 + ["/", "/", "?", "=", ".", "%41", "%7e", "/x/", "/.",
                                          "..", "%", "%zz", "#", "[", "]", " ", '"', "<", "\\",
                                          "^", "`", "{", "|", "}", "é", "\t"]),
    max_size=12).map("".join)


@settings(max_examples=1500, deadline=None)
@given(scheme=st.sampled_from(["http", "https"] * 3 + ["HTTP"]), host=_HOSTS,
       port=_PORTS, rest=_TEXT)
def test_fast_path_never_disagrees_with_httpx(scheme: str, host: str, port: str,
                                               rest: str) -> None:
    url = f"{scheme}://{host}{port}/{rest}"
    try:
        _agrees(url)
    except UnsafeURL:
        # httpx refuses what the fast path took: a disagreement of its own kind
        pytest.fail(f"fast path took {url!r}, which httpx refuses")
