"""What a page shows about the software that rendered it, read once per page.

`Signals.of(page)` reads the raw bytes with a few regular expressions over the
document head (no tree is built: detection must cost far less than a parse);
every platform module's `looks_like(page, signals)` answers from these fields
and cheap substring tests on `signals.body`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["Signals"]

# The head is where generator and meta tags live; pages without </head> (fragments,
# truncated captures) are read up to this many bytes.
_HEAD_CAP = 256 * 1024
_META = re.compile(rb"<meta\b[^>]*>", re.I)
_NAME = re.compile(rb"""\b(?:name|property)\s*=\s*["']?([^"'\s>]+)""", re.I)
_CONTENT = re.compile(rb"""\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


@dataclass(frozen=True, slots=True)
class Signals:
    """Cheap facts about one page. Text fields are lower-cased."""

    url: str
    host: str
    path: str
    generator: str
    meta_names: frozenset[str]
    head: bytes
    body: bytes

    @classmethod
    def of(cls, url: str, body: bytes) -> Signals:
        end = body.find(b"</head>", 0, _HEAD_CAP)
        if end < 0:
            end = body.find(b"</HEAD>", 0, _HEAD_CAP)
        head = body[: end if end >= 0 else _HEAD_CAP]
        names: set[str] = set()
        generators: list[str] = []
        for tag in _META.finditer(head):
            m = _NAME.search(tag.group(0))
            if m is None:
                continue
            name = m.group(1).decode("ascii", "replace").lower()
            names.add(name)
            if name == "generator":
                c = _CONTENT.search(tag.group(0))
                if c is not None:
                    raw = c.group(1) or c.group(2) or c.group(3) or b""
                    generators.append(raw.decode("utf-8", "replace").strip().lower())
        try:
            parts = urlsplit(url)
            host, path = (parts.hostname or ""), parts.path
        except ValueError:
            host, path = "", ""
        return cls(
            url=url,
            host=host.lower(),
            path=path,
            generator=" | ".join(generators),
            meta_names=frozenset(names),
            head=head.lower(),
            body=body,
        )

    def host_is(self, *domains: str) -> bool:
        """The host is one of `domains` or a subdomain of one."""
        return any(self.host == d or self.host.endswith("." + d) for d in domains)

    def has_meta(self, *names: str) -> bool:
        return any(n in self.meta_names for n in names)
