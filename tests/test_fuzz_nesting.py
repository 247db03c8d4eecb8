"""Pages whose elements nest thousands deep are refused in bounded time.

Found by fuzzing: lexbor's tree builder walks the stack of open elements at
many tags, so 200,000 nested <div>s (1 MB) took five minutes per parser.
"""

from __future__ import annotations

import math
import time  # limits count CPU seconds (process_time): a shared box skews wall time

import pytest

from harvester.discovery.listing import parse_listing
from harvester.errors import DiscoveryError, NotARecord
from harvester.nesting import MAX_COST, nesting_cost, too_nested
from harvester.parsers import PARSERS, parse_page
from harvester.types import Page

HEAD = b"<html><head><meta name='citation_title' content='Deep'></head><body>"
N = 200_000
HOSTILE = {
    "nested divs": HEAD + b"<div>" * N + b"x",
    "nested spans then stray end tags": HEAD + b"<span>" * N + b"</zz>" * N,
    "stray end tags first": HEAD + b"</span>" * N + b"<section>" * N,
    "spans under a stream of empty divs": HEAD + b"<b>" * 2_000 + b"<div></div>" * 200_000,
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_deeply_nested_pages_are_not_records_and_fail_fast(body: bytes) -> None:
    page = Page(url="https://repo.example.org/item/1", body=body)
    with pytest.raises(NotARecord, match="nest"):
        parse_page(page, "generic")
    for name in ("auto", *PARSERS):  # some refuse earlier, for their own reasons
        start = time.process_time()
        with pytest.raises(NotARecord):
            parse_page(page, name)
        assert time.process_time() - start < 1.0, name


def test_deeply_nested_listing_page_is_a_discovery_error() -> None:
    page = Page(url="https://repo.example.org/en/publications/", body=HOSTILE["nested divs"])
    with pytest.raises(DiscoveryError, match="nest"):
        parse_listing(page)


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>" + b"<div>x<br><img src=a.png></div>" * 300_000,  # wide, not deep
        b"<html><body>" + b"<p>para" * 300_000,  # <p> closes the <p> before it
        b"<ul>" + b"<li><a href=x>item</a>" * 300_000,
        b"<table>" + b"<tr><td>a<td>b" * 200_000,
        (b"<div><section><span><b>x</b></span></section></div>\n" * 200_000).upper(),
    ],
    ids=["divs", "unclosed-p", "unclosed-li", "unclosed-cells", "upper-case"],
)
def test_large_ordinary_pages_stay_under_the_cost_cap(body: bytes) -> None:
    assert not too_nested(body)
    assert nesting_cost(body) < MAX_COST // 10


def test_small_pages_are_never_estimated() -> None:
    # n tags sum to at most n(n+1)/2: below isqrt(2 * MAX_COST) tags a page cannot pass
    assert nesting_cost(b"<div>" * (math.isqrt(2 * MAX_COST) - 1)) == 0


def test_the_estimate_grows_with_depth_not_length() -> None:
    shallow = b"<div></div>" * 40_000
    deep = b"<div>" * 20_000 + b"</div>" * 20_000
    assert nesting_cost(deep) > 100 * nesting_cost(shallow)
