"""Pure pages' attached files: `a.document-link` anchors and Pure file URLs, read only
when the page's bytes can name one.

Selectors and their evidence are in ../shared/corpus/pure/MARKUP.md.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from harvester.types import FileLink

from ._html import absolute, text_of

# files() tests hrefs for "/files/" and "/portalfiles/" (both hold "files/") and classes
# for "document-link". Where the parsed bytes hold neither, a decoded value can only get
# one through a character reference to one of their characters: a numeric one, or &sol;
# ("/") and &fjlig; ("fj"), the only named references whose text holds any of them.
_FILE_NEEDLES = (b"files/", b"document-link")
# `re`'s search for a literal, not `in`: for needles of 6 bytes or more in haystacks of
# 30,000 or more CPython's bytes search switches to the two-way algorithm, which on a
# 63 KiB bench/e2e.py page takes 37 µs for b"files/" where sre's literal scan takes 20 µs
# (b"document-link", 13 bytes, is as fast either way: ~19 µs)
_FILES_SLASH = re.compile(re.escape(_FILE_NEEDLES[0]))
_NEEDLE_CODES = frozenset(map(ord, "files/document-link"))
_NAMED_REFERENCES = (b"&sol", b"&fjlig")
_NUMERIC_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+))")


def files(tree: LexborHTMLParser, base: str) -> list[FileLink]:
    """Attached files: `a.document-link` (S: ejlmod3) and Pure file URLs (`/files/`,
    `/portalfiles/`). A walk over the anchors; a css() query would cost the selector
    engine set-up (~50 µs) that no other block needs.

    A page whose bytes cannot name a file (`_may_name_files`) is not walked: on the
    230 anchors of a bench/e2e.py page the walk is ~1.09M instructions, mostly
    selectolax's attribute reads; the test over its 63 KiB ~0.19M. The tree must be
    as parsed: the test reads the bytes lexbor parsed (`raw_html`)."""
    if not _may_name_files(tree.raw_html):
        return []
    return _walk_files(tree, base)


def _walk_files(tree: LexborHTMLParser, base: str) -> list[FileLink]:
    out: dict[str, FileLink] = {}
    for a in tree.tags("a"):
        # attrs[...] reads one attribute; .attributes would build a dict of all of them,
        # for every anchor of a big menu (~8 µs of ~80 a 63 KiB page); class only if needed.
        # Indexing, not attrs.get (a method that indexes inside a try): on the 230 anchors
        # of a bench page, 1.20M -> 1.11M instructions for this walk.
        attrs = a.attrs
        try:
            href = attrs["href"] or ""
        except KeyError:
            href = ""
        if not ("/files/" in href or "/portalfiles/" in href):
            try:
                if "document-link" not in (attrs["class"] or ""):
                    continue
            except KeyError:
                continue
        url = absolute(base, href)
        if not url or url in out:
            continue
        mime = "application/pdf" if url.lower().split("?")[0].endswith(".pdf") else None
        out[url] = FileLink(url, name=text_of(a) or None, mime=mime)
    return list(out.values())


def _may_name_files(data: bytes) -> bool:
    """False when no attribute value of a document parsed from `data` can hold
    "files/" or "document-link": the bytes hold neither, nor a character reference
    that decodes to one of their characters."""
    if _FILES_SLASH.search(data) is not None or _FILE_NEEDLES[1] in data:
        return True
    # from one "&" to the next (a regex search tests every byte: ~0.35M instructions
    # on a 63 KiB page, where a bench page holds six "&")
    at = data.find(b"&")
    while at >= 0:
        if data.startswith(_NAMED_REFERENCES, at):
            return True
        numeric = _NUMERIC_REFERENCE.match(data, at)
        if numeric is not None:
            hex_digits, digits = numeric.groups()
            # leading zeros do not change the code point; past 7 digits it is beyond
            # U+10FFFF either way (lexbor reads U+FFFD)
            number = (hex_digits or digits).lstrip(b"0")
            code = int(number or b"0", 16 if hex_digits else 10) if len(number) <= 7 else -1
            if code in _NEEDLE_CODES:
                return True
        at = data.find(b"&", at + 1)
    return False
