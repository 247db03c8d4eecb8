"""The project's own Pure-like sample site: invented records, their gold values, a
renderer that can also mass-produce pages for benchmarks, and a loopback server.

    from pipelines.sample_site import SampleSite, SAMPLE_RECORDS, expected_for
    with SampleSite() as site:
        ...  # site.base_url, site.requests, site.set_page, site.fail_next, site.remove
"""

from __future__ import annotations

from .records import SAMPLE_RECORDS, expected_for, slugify, synthetic_records
from .render import render_page
from .server import SampleSite

__all__ = [
    "SAMPLE_RECORDS",
    "SampleSite",
    "expected_for",
    "render_page",
    "slugify",
    "synthetic_records",
]
