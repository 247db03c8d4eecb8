"""Cut a page's `<nav>` elements out of its bytes before the tree is built.

lexbor's parse costs about 10 µs a KB whatever the markup means, and on portal
pages much of it is navigation: a Pure portal's mega-menu of organisational
units and its link-heavy footer are ~40 of a 63 KB page (bench/e2e), 0.45 of its
0.65 ms parse. A `<nav>` holds links to other pages (HTML's definition), never
a field of a record, so a parser that reads none of them can have the tree
built without them.

Cut by bytes only where that is safe: a lower-case `<nav` start tag, not inside
another tag's attributes, up to its `</nav>`, with no nested nav, no
comment or raw-text element (`<script>`, `<style>`, ...) opening or closing in
between. Such a span is either ordinary balanced markup, whose removal leaves
the elements around it as they were, or lies wholly inside one comment or
script, whose text no parser here reads. Anything else is kept. Whole-page
regex scans for those markers cost more than the parse they spare (~0.2 ms on
63 KB), so the page is searched for "<nav" only and the spans are checked
(~3 µs a KB).
"""

from __future__ import annotations

import re

__all__ = ["nav_spans", "without_navs"]

# Matched in the lower-cased span (re.IGNORECASE made the search five times slower).
# A nav nested in the span is refused with them: rare, and it would need a second scan.
_UNSAFE = re.compile(
    rb"<(?:!|/?(?:nav|script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|"
    rb"plaintext)[\s/>])")
_BOUNDARY = frozenset(b" \t\n\r\f/>")


def _tag_at(body: bytes, at: int, size: int) -> bool:
    """Whether the "<nav" or "</nav" at `at` is a whole tag name ("<navbar" is not)."""
    end = at + size
    return end < len(body) and body[end] in _BOUNDARY


def _in_tag(body: bytes, at: int) -> bool:
    """Whether `at` sits inside another tag (an attribute value holding "<nav")."""
    return body.rfind(b"<", 0, at) > body.rfind(b">", 0, at)


def nav_spans(body: bytes) -> list[tuple[int, int]]:
    """(start, end) byte ranges of the outermost `<nav>` elements safe to cut."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while (start := body.find(b"<nav", pos)) >= 0:
        pos = start + 4
        if not _tag_at(body, start, 4) or _in_tag(body, start):
            continue
        close = body.find(b"</nav", pos)
        while close >= 0 and not _tag_at(body, close, 5):
            close = body.find(b"</nav", close + 5)
        gt = body.find(b">", close) if close >= 0 else -1
        if gt < 0:
            break
        # what lies between the start tag and the end tag
        inside = body[pos:close].lower()
        if b"-->" not in inside and _UNSAFE.search(inside) is None:
            spans.append((start, gt + 1))
        pos = gt + 1
    return spans


def without_navs(body: bytes) -> bytes:
    """`body` with its complete `<nav>` elements removed (the same object when it has none)."""
    spans = nav_spans(body)
    if not spans:
        return body
    parts, at = [], 0
    for start, end in spans:
        parts.append(body[at:start])
        at = end
    parts.append(body[at:])
    return b"".join(parts)
