"""What a page shows about the software that rendered it, read once per page.

`Signals.of(url, body)` reads the raw bytes (no tree is built: detection must
cost far less than a parse). Platform modules answer in two steps, which the
registry (harvester/parsers/__init__.py) asks in two rounds: `in_head(signals)`
from the address and the document head (generator, meta names, head text),
then `in_body(signals)` from substring tests on `signals.body`. A body scan
costs ~0.4 µs per KB and a page reached ~25 of them when every platform was
asked for both at once; the head answers for most pages.

Each field is computed when first read. `has_meta` and `generator` match only
the meta tags around where the name occurs in the head (one `find` when it does
not occur) instead of all of them (~0.7 µs a tag, 35 tags on a DSpace head).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

__all__ = ["Signals", "has_any"]

# The head is where generator and meta tags live; pages without </head> (fragments,
# truncated captures) are read up to this many bytes.
_HEAD_CAP = 256 * 1024
# One pass over the head: each <meta ...> tag and the first name=/property= value inside
# it, b"" when it has none (a lazy [^>]*? stays inside the tag: "each tag, then search
# it for a name", without a second regex call per tag). It runs over the lower-cased
# head: a case-sensitive pattern starts with a literal, which re finds fast (12 -> 3 µs).
_META = re.compile(
    rb"""<meta\b(?:[^<>]*?\b(?:name|property)\s*=\s*["']?([^"'\s<>]++))?[^<>]*+>?"""
)
# Each tag is read only up to the next '<' and its '>' is optional: with "[^>]*" a head
# of unterminated "<meta " tags was quadratic (60 KB: 3.4 s), and backtracking into a
# 200 KB attribute value cut off by the head cap took 3 s. A meta whose attribute holds
# a '<' before its name= loses that name; pages do not do that.
_CONTENT = re.compile(rb"""\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


class Signals:
    """Cheap facts about one page. Text fields are lower-cased."""

    __slots__ = ("_generator", "_head", "_host", "_meta_names", "_path", "body", "url")

    def __init__(self, url: str, body: bytes) -> None:
        self.url = url
        self.body = body
        self._host: str | None = None
        self._path = ""
        self._head: bytes | None = None
        self._generator: str | None = None
        self._meta_names: frozenset[str] | None = None

    @classmethod
    def of(cls, url: str, body: bytes) -> Signals:
        return cls(url, body)

    def _split_url(self) -> str:
        try:
            parts = urlsplit(self.url)
            host, self._path = (parts.hostname or ""), parts.path
        except ValueError:
            host, self._path = "", ""
        self._host = host.lower()
        return self._host

    @property
    def host(self) -> str:
        return self._host if self._host is not None else self._split_url()

    @property
    def path(self) -> str:
        if self._host is None:
            self._split_url()
        return self._path

    def _raw_head(self) -> bytes:
        body = self.body
        end = body.find(b"</head>", 0, _HEAD_CAP)
        if end < 0:
            end = body.find(b"</HEAD>", 0, _HEAD_CAP)
        return body[: end if end >= 0 else _HEAD_CAP]

    @property
    def head(self) -> bytes:
        """The document head, lower-cased."""
        if self._head is None:
            self._head = self._raw_head().lower()
        return self._head

    @property
    def generator(self) -> str:
        """The generator meta contents, lower-cased, joined by " | "."""
        if self._generator is None:
            self._generator = self._read_generator()
        return self._generator

    @property
    def meta_names(self) -> frozenset[str]:
        """Lower-cased name= and property= values of the head's meta tags."""
        if self._meta_names is None:
            # findall's strings cost less than a match object per tag; names repeat
            # (citation_author ...), so each distinct one is decoded once.
            raw_names = set(_META.findall(self.head))
            raw_names.discard(b"")
            self._meta_names = frozenset(name.decode("ascii", "replace") for name in raw_names)
        return self._meta_names

    def _read_generator(self) -> str:
        generators: list[str] = []
        for tag in self._meta_tags(b"generator"):
            if tag.group(1) == b"generator":
                c = _CONTENT.search(tag.group(0))
                if c is not None:
                    raw = c.group(1) or c.group(2) or c.group(3) or b""
                    generators.append(raw.decode("utf-8", "replace").strip().lower())
        return " | ".join(generators)

    def _meta_tags(self, word: bytes) -> Iterator[re.Match[bytes]]:
        """The head's meta tags that hold `word`, each once, in order: the tag a position
        lies in starts at the last "<meta" before it (a tag holds no '<'), so only the
        tags around the few places `word` occurs are matched, not every tag of the head."""
        head = self.head
        at = head.find(word)
        while at >= 0:
            start = head.rfind(b"<meta", 0, at)
            tag = _META.match(head, start) if start >= 0 else None
            if tag is not None and tag.end() > at:
                yield tag
                at = tag.end() - 1
            at = head.find(word, at + 1)

    def host_is(self, *domains: str) -> bool:
        """The host is one of `domains` or a subdomain of one."""
        host = self.host
        return any(host == d or host.endswith("." + d) for d in domains)

    def has_meta(self, *names: str) -> bool:
        """A head meta tag is named one of `names` (lower-case ASCII)."""
        if self._meta_names is not None:
            return any(n in self._meta_names for n in names)
        for name in names:
            word = name.encode("ascii")
            if any(tag.group(1) == word for tag in self._meta_tags(word)):
                return True
        return False

    def has_meta_prefix(self, prefix: str) -> bool:
        """A head meta tag's name starts with `prefix` (lower-case ASCII)."""
        if self._meta_names is not None:
            return any(n.startswith(prefix) for n in self._meta_names)
        word = prefix.encode("ascii")
        return any((tag.group(1) or b"").startswith(word) for tag in self._meta_tags(word))


def has_any(body: bytes, markers: tuple[bytes, ...], common: bytes) -> bool:
    """Whether `body` holds any of `markers`, each of which contains `common`.

    Same answer as `any(m in body for m in markers)`; on the many pages that hold
    none, one scan for `common` replaces one per marker (a scan of a 50 KB page
    costs ~10-20 µs), and otherwise each marker is searched from where it can start.
    """
    at = body.find(common)
    if at < 0:
        return False
    return any(body.find(m, max(0, at - m.index(common))) >= 0 for m in markers)
