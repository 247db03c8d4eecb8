"""Dataverse dataset pages (dataset.xhtml, JSF) -> Record.

Dataverse writes DC meta (one `DC.subject` holding only the subject, and
"Medicine, Health and Life Sciences" is one subject, commas and all) and a
schema.org Dataset in JSON-LD whose `keywords` list holds the subject and the
keyword rows, one item each. So keywords and authors come from JSON-LD first;
everything else follows the generic precedence. Every Dataverse item is a
dataset (files inside are not records of their own).
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import unquote

from harvester.types import Page, Record

from ._detect import Signals, has_any
from .generic import PRECEDENCE, build_record, read_embedded

PLATFORM = "dataverse"

_MARKERS = (b"dataverseproject", b"dataverseHeader", b"dataverse_header")
_PID = re.compile(r"persistentId=((?:doi|hdl):[^&#\s\"']+)")
_PREFER = {
    "keywords": ("jsonld", "meta:dc", "meta:citation"),
    "authors": ("meta:citation", "jsonld", "meta:dc"),
}


def in_head(signals: Signals) -> bool:
    """Evidence in the address or the document head (asked of every platform first)."""
    return "dataset.xhtml" in signals.path and "persistentid=" in signals.url.lower()


def in_body(signals: Signals) -> bool:
    """Evidence in the body's markup (asked only when no head says which platform)."""
    return has_any(signals.body, _MARKERS, b"dataverse")


def looks_like(page: Page, signals: Signals) -> bool:
    return in_head(signals) or in_body(signals)


def parse(page: Page) -> Record:
    emb = read_embedded(page)
    front = [("dataverse", {"type": "dataset"})]
    prefer = {**_PREFER, "type": ("dataverse", *PRECEDENCE["type"])}
    record = build_record(page, emb, platform=PLATFORM, front=front, prefer=prefer)
    m = _PID.search(unquote(page.url)) or _PID.search(unquote(record.url))
    if m is None:
        return record
    return replace(record, source_key=m.group(1).lower())
