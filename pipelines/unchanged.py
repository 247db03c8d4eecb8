"""Whether a page a sitemap lists need not be requested at all this run.

A polite crawler does not ask again for a page whose sitemap <lastmod> is older
than its own last successful fetch of it. "Successful fetch" is the row's
`checked_at` when that answer was a 200 or a 304 with no error: a 304 tells the
body we hold was still current then. The row must carry a record (a page we
could not read is always asked again), and the fetch must be younger than
`recheck_days`, so a site whose lastmod lies is still read now and then.
Everything else (no lastmod, an unreadable one, one in the future, a page never
fetched or last answered with an error) is fetched as before.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from harvester.discovery.lastmod import lastmod_bound

from .config import SourceSettings
from .state import PageState

__all__ = ["Skipper"]

_CONFIRMING = (200, 304)


class Skipper:
    """One source's rule, bound to one clock reading per lookup chunk."""

    def __init__(self, source: SourceSettings) -> None:
        self.enabled = source.lastmod == "trust" and source.recheck_days > 0
        self.recheck = timedelta(days=source.recheck_days)

    def unchanged(self, state: PageState | None, lastmod: str | None, now: datetime) -> bool:
        """True when the page is known, was fetched fine within recheck_days, and its
        lastmod (to its precision, a day wider without a zone) ends before that fetch."""
        if not self.enabled or lastmod is None or state is None:
            return False
        checked = state.checked_at
        if (checked is None or state.source_key is None or state.error_reason is not None
                or state.status not in _CONFIRMING):
            return False
        if not timedelta(0) <= now - checked < self.recheck:
            return False
        bound = lastmod_bound(lastmod)
        return bound is not None and bound < checked
