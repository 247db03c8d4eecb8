"""The fast paths for URLs already in shape give exactly what the general code gives:
normalize_url against urlsplit/urlunsplit, the sitemap's `absolute` against urljoin."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.normalize.identifiers import _normalize_split, normalize_url
from harvester.normalize.identifiers import join_url as absolute

PIECES = ["http", "https", "HTTP", "ftp", "://", ":", "/", "//", "?", "#", ";", "@", "[",
          "]", "\\", ".", "..", "%2F", "%", " ", "\t", "\n", "\x00", "\x7f", "a", "Z", "0",
          "8", "80", "443", "0080", "99999", "é", "-", "_", "~", "&", "=", "+"]
BASE = "https://portal.example.org/sitemap.xml"

# mostly well-formed URLs with odd parts, so that both sides of each check are taken
urls = st.builds(
    lambda scheme, host, port, path, tail: f"{scheme}://{host}{port}{path}{tail}",
    st.sampled_from(["http", "https", "HTTP", "Https", "ftp"]),
    st.sampled_from(["example.org", "Example.org", "a.b-c.d", "xn--bcher-kva.example",
                     "u:p@host.example", "[::1]", "[::1", "h\\x", "", "10.0.0.1"]),
    st.sampled_from(["", ":80", ":443", ":8080", ":0080", ":99999", ":", ":x"]),
    st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
    st.sampled_from(["", "?", "?q=1", "?q=1&r=%20", "#f", "?#", "??", ";p", "?a;b"]),
)
anything = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)


def _outcome(call: object, *args: str) -> tuple[str, str]:
    try:
        return "ok", call(*args)  # type: ignore[operator]
    except ValueError as exc:
        return "ValueError", type(exc).__name__


@settings(max_examples=400, deadline=None)
@given(st.one_of(urls, anything))
def test_normalize_url_fast_path_matches_the_split(url: str) -> None:
    assert _outcome(normalize_url, url) == _outcome(_normalize_split, url.strip())


@settings(max_examples=400, deadline=None)
@given(st.one_of(urls, anything))
def test_sitemap_absolute_matches_urljoin(loc: str) -> None:
    assert _outcome(absolute, BASE, loc) == _outcome(urljoin, BASE, loc)


@pytest.mark.parametrize("url", [
    "https://portal.example.org/en/publications/a-b-c/",
    "http://example.org:8080/x?y=1",
    "https://example.org/p?a=1&b=%20",
])
def test_urls_in_shape_come_back_unchanged(url: str) -> None:
    assert normalize_url(url) == url == absolute(BASE, url)


@pytest.mark.parametrize(("url", "normalised"), [
    ("HTTP://Example.org:80/x#frag", "http://example.org/x"),
    ("https://example.org", "https://example.org/"),
    ("https://example.org/x?", "https://example.org/x"),
    ("https://example.org:443/", "https://example.org/"),
])
def test_urls_out_of_shape_are_still_normalised(url: str, normalised: str) -> None:
    assert normalize_url(url) == normalised
