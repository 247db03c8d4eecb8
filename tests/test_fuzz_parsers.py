"""Fuzzing the HTML parsers with mutated pages: NotARecord or a storable record, fast.

Seeds are this project's fixtures (always) and the ../shared corpus pages (when
present). Mutations work on bytes: slices deleted, duplicated and swapped,
random bytes, control characters and invalid UTF-8 inserted, truncation, flips,
huge attribute values, deep nesting, unclosed comments/CDATA/scripts. Every
parser is run by name, plus "auto". A record must hash (so it can be stored);
every call must finish within WALL seconds even on a loaded machine.
tests/test_parser_generic_bad_input.py holds the smaller first version of this.
"""

from __future__ import annotations

import contextlib
import time  # limits count CPU seconds (process_time): a shared box skews wall time
from pathlib import Path

import pytest
from fuzzing import mutated
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harvester.errors import NotARecord
from harvester.parsers import PARSERS, parse_page
from harvester.types import Page

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_SEEDS = [p.read_bytes() for p in sorted(FIXTURES.glob("**/*.html"))]
WALL = 2.0
NAMES = ("auto", *PARSERS)
URLS = [
    "https://repo.example.org/en/publications/owls", "https://zenodo.org/records/5",
    "https://arxiv.org/abs/1902.02534", "https://hal.science/hal-01", "https://x.test/handle/1/2",
    "https://dataverse.harvard.edu/dataset.xhtml?persistentId=doi:10.7910/DVN/X",
    "https://doi.pangaea.de/10.1594/PANGAEA.1", "", "::not a url::",
]  # fmt: skip
_FRAGMENTS = [
    b"<", b">", b"</", b'"', b"'", b"&", b"&#", b"&#x110000;", b"&#0;", b"&amp", b"\x00",
    b"\xff\xfe", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x1b[2J", b"\x7f",
    b"\r", b"\x0b\x0c", b"<!--", b"<![CDATA[", b"<script>", b"<style>", b"<textarea>",
    b"<plaintext>", b"<svg><foreignObject>", b"<math><mi>", b"<template>", b"<noscript>",
    b"<table><tr><td>", b"</html></body>", b"<meta charset=utf-16>",
    b"<meta http-equiv=content-type content='text/html; charset=shift_jis'>",
    b"<meta name=citation_title content=", b"<meta name=citation_author content='Quill, Ada'>",
    b"<meta name=citation_date content='2020-13-45'>", b"<meta name=citation_doi content=10.1/",
    b"<meta name=citation_firstpage content='12-'>", b"<meta name=DC.creator content=','>",
    b"<script type='application/ld+json'>{\"@type\":\"ScholarlyArticle\",\"name\":\"\\ud800\"",
    b"<script type=application/ld+json>[[[[[[[[[[", b"<span class=Z3988 title='rft.au=&&&'>",
    b"<dl><dt>Title</dt><dd>", b"<tr><th>Authors</th><td>", b"<a href='javascript:x'>",
]  # fmt: skip


def _parse_everything(body: bytes, url: str, worst: list[float]) -> None:
    page = Page(url=url, body=body)
    for name in NAMES:
        start = time.process_time()
        try:
            record, _ = parse_page(page, name)
        except NotARecord:
            pass
        else:
            record.content_hash()  # UTF-8-encodable: the loader can hash and store it
        elapsed = time.process_time() - start
        worst[0] = max(worst[0], elapsed)
        assert elapsed < WALL, f"{name} took {elapsed:.2f} s on {len(body)} bytes"


WORST = [0.0]


@pytest.fixture(scope="module", autouse=True)
def report_worst() -> object:
    yield None
    print(f"\nworst parse_page call: {WORST[0]:.3f} s")


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(body=mutated(FIXTURE_SEEDS, _FRAGMENTS), url=st.sampled_from(URLS))
def test_mutated_fixture_pages_give_a_record_or_not_a_record(body: bytes, url: str) -> None:
    _parse_everything(body, url, WORST)


def _corpus_seeds(corpus: Path) -> list[bytes]:
    return [p.read_bytes() for p in sorted(corpus.glob("*/*.html"))]


@pytest.mark.corpus
def test_mutated_corpus_pages_give_a_record_or_not_a_record(corpus: Path) -> None:
    @settings(max_examples=80, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(body=mutated(_corpus_seeds(corpus), _FRAGMENTS), url=st.sampled_from(URLS))
    def run(body: bytes, url: str) -> None:
        _parse_everything(body, url, WORST)

    run()


@pytest.mark.slow
@pytest.mark.corpus
def test_many_mutated_corpus_pages(corpus: Path) -> None:
    seeds = _corpus_seeds(corpus) + FIXTURE_SEEDS

    @settings(max_examples=600, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(body=mutated(seeds, _FRAGMENTS), url=st.sampled_from(URLS))
    def run(body: bytes, url: str) -> None:
        _parse_everything(body, url, WORST)

    run()


def test_lone_surrogate_escape_in_json_ld_gives_a_storable_record() -> None:
    # json.loads turns "\ud800" into a lone surrogate; content_hash() then raised
    # UnicodeEncodeError, so the loader could neither hash nor store the record
    body = (b'<script type="application/ld+json">{"@type": "ScholarlyArticle", '
            b'"name": "Owls \\ud800 at night \\ud83d\\ude00", '
            b'"author": [{"name": "Quill\\udfff, Ada"}], "datePublished": "2020"}</script>')
    record, _ = parse_page(Page(url="https://repo.example.org/x", body=body))
    assert record.title == "Owls \ufffd at night \U0001f600"
    assert record.authors[0].family == "Quill\ufffd"
    record.content_hash()


@pytest.mark.parametrize(
    "body",
    [
        b"<html><head>" + b"<meta " * 40_000,  # no '>' anywhere: each tag scanned to the end
        b"<html><head><!-- x --><meta name='" + b"A" * 300_000,  # cut off by the head cap
        b"<html><head><meta name='citation_title' content='" + b"A" * 300_000 + b"</head>",
    ],
    ids=["unterminated-meta-tags", "value-past-head-cap", "unterminated-content"],
)
def test_unterminated_meta_tags_are_read_in_linear_time(body: bytes) -> None:
    # platform detection's meta regex backtracked: 3.4 s for 60 KB of "<meta ",
    # 3 s for one 200 KB attribute value
    page = Page(url="https://repo.example.org/x", body=body)
    for name in NAMES:
        start = time.process_time()
        with contextlib.suppress(NotARecord):
            parse_page(page, name)
        assert time.process_time() - start < 0.5, name


@pytest.mark.parametrize("href", ["http://[::1", "//[x", "http://x]/y"])
def test_links_urllib_cannot_split_are_skipped_not_raised(href: str) -> None:
    # urljoin raised ValueError("Invalid IPv6 URL") out of the Pure parser
    body = (b'<html><head><meta name="citation_title" content="Owls">'
            b'<link rel="canonical" href="' + href.encode() + b'"></head><body>'
            b'<div class="rendering_researchoutput"><h1><span>Owls</span></h1></div>'
            b'<a href="' + href.encode() + b'">x</a><a class="link" href="' + href.encode() +
            b'" rel="ContributionToJournal">y</a></body></html>')  # fmt: skip
    page = Page(url="https://repo.example.org/en/publications/owls", body=body)
    for name in NAMES:
        with contextlib.suppress(NotARecord):
            parse_page(page, name)
