"""How much work an HTML tree builder would do on a page, estimated before building it.

lexbor follows the HTML5 tree-construction rules, and many of them walk the
stack of open elements (a `<div>` checks for a `<p>` in button scope, a stray
end tag looks for its element, ...). On a page whose elements nest thousands
deep each such step costs the depth, so the parse is quadratic: 80,000 nested
`<div>`s (400 KB) took 9 s, 200,000 took minutes. Browsers cap the depth
(Chrome at 512); lexbor does not, so callers refuse such pages before parsing.

The estimate replays the page's tags as a depth counter (start tags of elements
that can nest push, end tags pop, stray end tags do nothing) and sums the depth
at every tag: an upper bound on the stack walks, cheap next to the parse.
"""

from __future__ import annotations

import itertools
import math
import re

__all__ = ["MAX_COST", "nesting_cost", "too_nested"]

#: The summed depth above which a page is refused (~0.25 s of lexbor at 2.5 ns a step);
#: real pages stay near tags x 20 (20 MB of ordinary markup: under 1e8).
MAX_COST = 100_000_000
#: With n tags the summed depth is at most n(n+1)/2, so below this many '<' a page cannot
#: pass MAX_COST and is not counted. (It was 30,000, read as (n/2)^2: 27,000 nested
#: <div>s, 4e8 steps, then went to lexbor and took 0.7 s of CPU.) Corpus pages hold at
#: most ~9,000 '<' (567 KB).
_SMALL = math.isqrt(2 * MAX_COST)
# Small slices keep the estimate tight where a page has stray end tags (see below).
_SLICE = 1 << 16

# Void elements and those a sibling start tag closes: they never deepen the stack.
_FLAT = (
    rb"area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr|keygen|"
    rb"p|li|dd|dt|option|optgroup|tr|td|th|rp|rt"
)
_TAG = re.compile(rb"<(/?)(?!(?:" + _FLAT + rb")[\s/>])[a-z]")
_STEP = {b"": 1, b"/": -1}


def nesting_cost(body: bytes, *, limit: int = MAX_COST) -> int:
    """Summed open-element depth over the page's tags; stops counting once past `limit`."""
    # a body of no more bytes than that holds no more '<': the count (~0.35 µs a KB) is spared
    if len(body) <= _SMALL or body.count(b"<") <= _SMALL:
        return 0
    cost = depth = 0
    start, size = 0, len(body)
    while start < size:
        # slices end just before a '<', so no tag is cut in two
        end = body.find(b"<", start + _SLICE)
        end = size if end < 0 else end
        steps = map(_STEP.__getitem__, _TAG.findall(body[start:end].lower()))
        start = end
        sums = list(itertools.accumulate(steps, initial=depth))
        # The true depth never goes below zero (a stray end tag closes nothing):
        # lifting the whole slice by its lowest dip bounds it from above, and a
        # running minimum per tag would cost ten times as much.
        low = min(0, min(sums))
        cost += sum(sums) - low * len(sums)
        depth = sums[-1] - low
        if cost > limit:
            break
    return cost


def too_nested(body: bytes) -> bool:
    """True for a page whose tree would take seconds to build (see the module docstring)."""
    return nesting_cost(body) > MAX_COST
