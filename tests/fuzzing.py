"""Byte-level mutation of seed documents for the fuzz tests (tests/test_fuzz_*.py).

`mutated(seeds, fragments)` draws a seed and applies one to eight edits: slices
deleted, duplicated or swapped, random bytes or a markup fragment inserted, a
bit flipped, the tail cut off, a huge attribute value, deep nesting, or an
opener (comment, CDATA, script) that is never closed. Hypothesis shrinks a
failing document towards its seed.
"""

from __future__ import annotations

from hypothesis import strategies as st

_HUGE_NAMES = [b"citation_title", b"citation_author", b"DC.subject", b"citation_keywords",
               b"og:title", b"citation_doi"]  # fmt: skip
_HUGE_VALUES = [b"A", b"Quill, Ada; ", b"&amp;", b"10.1/x.", b"\xe2"]
_NESTS = [b"<div>", b"<span>", b"<b>", b"<table>", b"<dl>", b"<ul><li>", b"<section>", b"<svg>",
          b"<a>", b"<record>", b"<dc:title>"]  # fmt: skip
_OPENERS = [b"<!--", b"<![CDATA[", b"<script>", b"<style>", b"<title>", b"<textarea>", b"<xmp>",
            b"<iframe>", b"<?xml ", b"<!DOCTYPE "]  # fmt: skip
OPS = ("delete", "duplicate", "swap", "random", "fragment", "flip", "truncate", "huge-attr",
       "nest", "unclosed")  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes], fragments: list[bytes]) -> bytes:
    body = bytearray(draw(st.sampled_from(seeds)))

    def at() -> int:
        return draw(st.integers(0, len(body)))

    def span() -> tuple[int, int]:
        start = at()
        return start, min(len(body), start + draw(st.integers(1, 4096)))

    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(OPS))
        if op == "delete":
            a, b = span()
            del body[a:b]
        elif op == "duplicate":
            a, b = span()
            body[b:b] = body[a:b] * draw(st.integers(1, 20))
        elif op == "swap":
            a, b = span()
            c, d = span()
            if b <= c:
                body[a:d] = body[c:d] + body[b:c] + body[a:b]
        elif op == "random":
            pos = at()
            body[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif op == "fragment":
            pos = at()
            body[pos:pos] = draw(st.sampled_from(fragments))
        elif op == "flip" and body:
            pos = draw(st.integers(0, len(body) - 1))
            body[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del body[at():]
        elif op == "huge-attr":
            pos = at()
            name = draw(st.sampled_from(_HUGE_NAMES))
            value = draw(st.sampled_from(_HUGE_VALUES))
            size = draw(st.sampled_from([10_000, 200_000]))
            body[pos:pos] = b"<meta name='" + name + b"' content='" + value * (size // len(value))
        elif op == "nest":
            pos = at()
            tag = draw(st.sampled_from(_NESTS))
            body[pos:pos] = tag * draw(st.sampled_from([100, 3_000, 60_000]))
        elif op == "unclosed":
            pos = at()
            body[pos:pos] = draw(st.sampled_from(_OPENERS))
    return bytes(body)
