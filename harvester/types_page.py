"""Page: one fetched response as a parser reads it, with its charset detection."""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

_HEADER_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9_.:-]+)", re.I)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


@dataclass(frozen=True, slots=True)
class Page:
    """One fetched response: what a parser reads. Headers have lower-case names."""

    url: str
    body: bytes
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    fetched_at: datetime | None = None
    requested_url: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def encoding(self) -> str:
        """Charset from the header, else from a <meta> in the first 2 KB, else UTF-8."""
        header = _HEADER_CHARSET.search(self.headers.get("content-type", ""))
        if header:
            return _valid_codec(header.group(1))
        meta = _CHARSET.search(self.body[:2048])
        if meta:
            return _valid_codec(meta.group(1).decode("ascii", "replace"))
        return "utf-8"

    def text(self) -> str:
        return self.body.decode(self.encoding(), errors="replace")


def _valid_codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"
