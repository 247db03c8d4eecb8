"""What the sample site holds: pages with their validators (ETag, Last-Modified), the
failures and faults tests script, and the conditional-GET check."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from html import unescape
from typing import Any

_H1 = re.compile(r"<h1[^>]*>\s*(?:<span>)?(.*?)(?:</span>)?\s*</h1>", re.S)


@dataclass(slots=True)
class StoredPage:
    body: bytes
    etag: str
    modified: float  # epoch seconds, whole
    title: str
    rel: str


@dataclass(slots=True)
class Failure:
    status: int
    headers: Mapping[str, str]
    times: int


FAULTS = frozenset({"drop", "truncate", "slow", "loop"})


@dataclass(slots=True)
class Fault:
    kind: str
    seconds: float
    times: int


def stored_page(html: str, modified: float, rel: str = "ContributionToJournal") -> StoredPage:
    body = html.encode("utf-8")
    m = _H1.search(html)
    title = unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else ""
    return StoredPage(body, f'"{hashlib.sha256(body).hexdigest()}"', modified, title, rel)


def byline(rec: Mapping[str, Any]) -> str:
    """The text after the title in a list item: people, date, journal (as Pure shows them)."""
    props = rec["properties"]
    parts = [", ".join(p["name"] for p in rec["persons"])]
    if "status" in props:
        parts.append(props["status"][1])
    parts += [props[k] for k in ("journal", "host", "publisher") if k in props][:1]
    return ", ".join(parts) + "."


def not_modified(page: StoredPage, headers: Mapping[str, str]) -> bool:
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip() for t in inm.split(",")}
        return "*" in tags or page.etag in tags
    ims = headers.get("if-modified-since")
    if ims:
        try:
            return parsedate_to_datetime(ims).timestamp() >= page.modified
        except (TypeError, ValueError):
            return False
    return False
