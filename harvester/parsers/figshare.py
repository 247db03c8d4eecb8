"""Figshare item pages (figshare.com and institutional <name>.figshare.com portals) -> Record.

Figshare renders items client-side but serves citation_* meta, Open Graph and
a schema.org JSON-LD block in the head, read by the generic layers. The item
type is part of every item address (/articles/<type>/<slug>/<id>), the one
place the page states it in every portal generation, so the figshare layer
reads it from there ("journal_contribution" -> article, "figure" -> other).
"""

from __future__ import annotations

import re
from dataclasses import replace

from harvester.types import Page, Record

from ._detect import Signals
from ._meta import FieldMap, typed
from .generic import PRECEDENCE, build_record, read_embedded

PLATFORM = "figshare"

_ITEM = re.compile(r"/articles/(?:([a-z_]+)/)?[^/]+/(\d+)(?:/\d+)?/?$")


def in_head(signals: Signals) -> bool:
    """Evidence in the address or the document head (asked of every platform first)."""
    return signals.host_is("figshare.com") or (
        b'content="figshare"' in signals.head and b"citation_title" in signals.head
    )


def looks_like(page: Page, signals: Signals) -> bool:
    return in_head(signals)


def parse(page: Page) -> Record:
    emb = read_embedded(page)
    url = emb.meta.canonical or emb.meta.first("og:url") or page.url
    m = _ITEM.search(url.split("?")[0]) or _ITEM.search(page.url.split("?")[0])
    f: FieldMap = {}
    if m and m.group(1):
        typed(f, m.group(1).replace("_", " "))
    prefer = {"type": ("figshare", *PRECEDENCE["type"])}
    record = build_record(page, emb, platform=PLATFORM, front=[("figshare", f)], prefer=prefer)
    return replace(record, source_key=f"figshare:{m.group(2)}") if m else record
