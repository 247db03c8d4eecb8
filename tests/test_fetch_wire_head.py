"""Where a response head ends (harvester/_fetch/wire_head.head_end): found by two
bytes.find calls, held to the pattern it replaced, `\\r?\\n\\r?\\n` as re.search finds it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvester._fetch.wire_head import head_end

_PATTERN = re.compile(rb"\r?\n\r?\n")


def _by_pattern(buf: bytes) -> tuple[int, int] | None:
    m = _PATTERN.search(buf)
    return None if m is None else (m.start(), m.end())


@settings(max_examples=5000, deadline=None)
@given(pieces=st.lists(st.sampled_from([b"\r", b"\n", b"\r\n", b"a", b"HTTP/1.1 304", b": ",
                                        b"\n\n", b"\r\n\r\n", b"\r\r"]), max_size=14))
def test_the_head_ends_where_the_pattern_first_matches(pieces: list[bytes]) -> None:
    buf = b"".join(pieces)
    assert head_end(buf) == _by_pattern(buf)
    assert head_end(bytearray(buf)) == _by_pattern(buf)


@pytest.mark.parametrize(("buf", "found"), [
    (b"HTTP/1.1 304 Not Modified\r\nETag: \"a\"\r\n\r\n", (36, 40)),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok\n\nmore", (34, 38)),
    (b"HTTP/1.0 200 OK\nA: b\n\nbody\r\n\r\n", (20, 22)),
    (b"HTTP/1.1 200 OK\r\nA: b\r\n", None),
    (b"\n\n", (0, 2)),
    (b"\r\n\n", (0, 3)),
])  # fmt: skip
def test_common_heads_end_at_their_first_blank_line(buf: bytes,
                                                    found: tuple[int, int] | None) -> None:
    assert head_end(buf) == found == _by_pattern(buf)
