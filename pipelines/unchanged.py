"""Whether a page a sitemap lists need not be requested at all this run.

A polite crawler does not ask again for a page whose sitemap <lastmod> is older
than its own last successful fetch of it. "Successful fetch" is the row's
`checked_at` when that answer was a 200 or a 304 with no error: a 304 tells the
body we hold was still current then. The row must carry a record (a page we
could not read is always asked again), and the fetch must be younger than
`recheck_days`, so a site whose lastmod lies is still read now and then.
Everything else (no lastmod, an unreadable one, one in the future, a page never
fetched or last answered with an error) is fetched as before.

The trust does not end at the same instant for every page: each page's
`recheck_days` is shortened by up to a quarter, by a fraction its URL hashes to
(the same on every run and machine). Pages first fetched in one night would
otherwise all be asked again in one later night; so they spread over the last
quarter of the span (30 days: from day 22.5 to day 30, about one in eight a night)
and every page is still asked within `recheck_days`. Each page keeps its own
span, so the spread lasts from one recheck to the next.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from harvester.discovery.lastmod import lastmod_bound

from .config import SourceSettings
from .state import PageState

__all__ = ["Skipper"]

_CONFIRMING = (200, 304)
SPREAD = 0.25  # the most a page's recheck_days is shortened by, as a fraction of it
_SCALE = 2.0**-64


class Skipper:
    """One source's rule, bound to one clock reading per lookup chunk."""

    def __init__(self, source: SourceSettings) -> None:
        self.enabled = source.lastmod == "trust" and source.recheck_days > 0
        self.recheck = timedelta(days=source.recheck_days)
        self.shortest = self.recheck * (1 - SPREAD)  # every page is trusted this long

    def trusted_for(self, url: str) -> timedelta:
        """How long after a good fetch this page is trusted: recheck_days shortened
        by up to SPREAD of it, by the fraction of the range its URL hashes to."""
        digest = hashlib.blake2b(url.encode(), digest_size=8).digest()
        return self.recheck - self.recheck * (SPREAD * int.from_bytes(digest) * _SCALE)

    def unchanged(self, state: PageState | None, lastmod: str | None, now: datetime) -> bool:
        """True when the page is known, was fetched fine within its trusted span
        (trusted_for: at most recheck_days), and its lastmod (to its precision, a day
        wider without a zone) ends before that fetch."""
        if not self.enabled or lastmod is None or state is None:
            return False
        checked = state.checked_at
        if (checked is None or state.source_key is None or state.error_reason is not None
                or state.status not in _CONFIRMING):
            return False
        age = now - checked
        if not timedelta(0) <= age < self.recheck:
            return False
        if age >= self.shortest and age >= self.trusted_for(state.url):
            return False  # hashed only in the last quarter: most pages are younger
        bound = lastmod_bound(lastmod)
        return bound is not None and bound < checked
