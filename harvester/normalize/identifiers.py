"""DOIs, ISBNs, ISSNs, ORCIDs and URLs in one canonical spelling each.

Checksummed identifiers are validated: a mistyped ISBN is dropped rather than
stored, since a wrong identifier merges records that are not the same.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

# A DOI runs from "10.<registrant>/" to the first space or quote; brackets and
# angle brackets may be part of it (10.1016/S0140-6736(20)30183-5, SICI DOIs).
_DOI = re.compile(r"(?<![0-9.])10\.[0-9]{1,9}(?:\.[0-9]+)*/[^\s\"']+")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_DOI_TRAILING = ".,;:!?"
# Real DOIs run to a few hundred characters; PostgreSQL indexes at most 2704 bytes.
_MAX_DOI = 1000
_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}

_ISBN_LABEL = re.compile(r"\bISBN(?:[-\s]?1[03])?\b", re.I)
_ISBN_SPLIT = re.compile(r"[\s,;:()\[\]/]+")
_ISBN_RUN = re.compile(r"(?<![\dXx])\d[\d\s‐‑–-]{8,20}[\dXx](?![\dXx])", re.ASCII)
_ISSN = re.compile(r"(?<![\dXx])(\d{4})\s?[-‐‑–]?\s?(\d{3}[\dXx])(?![\dXx])", re.ASCII)
_ORCID = re.compile(r"(?<!\d)(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])(?![\dXx])", re.ASCII)
_ISBN_CHARS = frozenset("0123456789Xx")
_DEFAULT_PORTS = {"http": "80", "https": "443"}
# URLs normalize_url gives back unchanged: lower-case scheme and host, a path, no
# userinfo, fragment, brackets or characters urlsplit removes or trips on; the port
# and an empty query are checked apart (tests/test_normalize_fast_url.py holds the two
# paths to each other)
_AS_NORMALISED = re.compile(r"(https?)://[a-z0-9.-]+(?::([1-9][0-9]{0,4}))?/[^\x00-\x20\x7f#]*")


def normalize_doi(text: str | None) -> str | None:
    """The bare lower-case DOI in `text` ("https://doi.org/10.1/ABC." -> "10.1/abc")."""
    if not text:
        return None
    if "%" in text and _PERCENT.search(text):
        text = unquote(text)
    # from the first "10.": the pattern opens with a look-behind, so the regex engine has
    # no literal prefix to skip to and tries every position (~11k instructions a DOI link)
    start = text.find("10.")
    if start < 0:
        return None
    m = _DOI.search(text, start)  # the look-behind still sees the text before `start`
    if m is None:
        return None
    doi = m.group(0)
    if len(doi) > _MAX_DOI:  # not a DOI; and the trimming below is quadratic in length
        return None
    while doi:
        last = doi[-1]
        if last in _DOI_TRAILING:
            doi = doi[:-1]
        elif last in _CLOSERS and doi.count(last) > doi.count(_CLOSERS[last]):
            doi = doi[:-1]  # "(doi:10.1/abc)": the bracket belongs to the sentence
        else:
            break
    if doi.endswith("/") or "/" not in doi:
        return None
    return doi.lower()


def normalize_isbn(text: str | None) -> str | None:
    """ISBN-10 or ISBN-13 as digits (and a final X), checksum verified; else None."""
    if not text:
        return None
    text = _ISBN_LABEL.sub(" ", text)
    # whole tokens first ("978-3-16-148410-0 (pbk.)"), then runs spaced with blanks
    candidates = [*_ISBN_SPLIT.split(text), *(m.group(0) for m in _ISBN_RUN.finditer(text))]
    for candidate in candidates:
        digits = "".join(ch for ch in candidate if ch in _ISBN_CHARS).upper()
        if len(digits) == 13 and _isbn13_ok(digits):
            return digits
        if len(digits) == 10 and _isbn10_ok(digits):
            return digits
    return None


def _isbn10_ok(digits: str) -> bool:
    if "X" in digits[:-1]:
        return False
    total = sum((10 - i) * (10 if ch == "X" else int(ch)) for i, ch in enumerate(digits))
    return total % 11 == 0


def _isbn13_ok(digits: str) -> bool:
    if "X" in digits or not digits.startswith(("978", "979")):
        return False
    total = sum(int(ch) * (3 if i % 2 else 1) for i, ch in enumerate(digits))
    return total % 10 == 0


def normalize_issn(text: str | None) -> str | None:
    """ISSN as "1234-567X", checksum verified; else None."""
    if not text:
        return None
    for m in _ISSN.finditer(text):
        digits = (m.group(1) + m.group(2)).upper()
        total = sum((8 - i) * int(ch) for i, ch in enumerate(digits[:7]))
        check = (11 - total % 11) % 11
        if digits[7] == ("X" if check == 10 else str(check)):
            return f"{digits[:4]}-{digits[4:]}"
    return None


def normalize_orcid(text: str | None) -> str | None:
    """Bare ORCID iD "0000-0002-1825-0097" from a URL or bare form, checksum verified."""
    if not text:
        return None
    m = _ORCID.search(text)
    if m is None:
        return None
    digits = "".join(m.groups()).upper()
    total = 0
    for ch in digits[:15]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    if digits[15] != ("X" if check == 10 else str(check)):
        return None
    return "-".join(m.groups()).upper()


# absolute http(s) URLs that urljoin gives back unchanged: no characters urlsplit
# removes, no brackets, no ';' (path parameters), no fragment or empty query
# (tests/test_normalize_fast_url.py and test_parser_html.py hold it to urljoin)
_ABSOLUTE = re.compile(r"https?://[^\x00-\x20\x7f/?#\[\]@;\\]+(?:/[^\x00-\x20\x7f?#;\\]*)?"
                       r"(?:\?[^\x00-\x20\x7f#]+)?")


def join_url(base: str, href: str) -> str:
    """urljoin(base, href), ValueError included: most links a harvest meets (sitemap
    locations, canonical links) are absolute already, taken as they are (~0.3 against
    ~6-10 µs) when the base is one urlsplit cannot refuse either."""
    # non-ASCII may NFKC-normalise into a separator urlsplit refuses (a host "http:／")
    if (href.isascii() and _ABSOLUTE.fullmatch(href) is not None and base.isascii()
            and "[" not in base and "]" not in base):
        return href
    return urljoin(base, href)


def normalize_url(url: str) -> str:
    """A URL for de-duplication: no fragment, lower-case scheme and host, no default port.

    Path and query stay as they are (servers may treat them case-sensitively).
    Text that does not split as a URL comes back stripped and otherwise unchanged.
    """
    url = url.strip()
    # most URLs a harvest meets (sitemaps, listings) are already in this form: the
    # split and join below cost ~5 µs a URL, the match ~0.5 µs
    plain = _AS_NORMALISED.fullmatch(url)
    if plain is not None and url[-1] != "?" and (
            plain[2] is None or plain[2] != _DEFAULT_PORTS[plain[1]]):
        return url
    return _normalize_split(url)


def _normalize_split(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    if host is not None:
        userinfo = netloc.rpartition("@")[0]
        if ":" in host:
            host = f"[{host}]"
        netloc = host.lower()
        if port is not None and _DEFAULT_PORTS.get(scheme) != str(port):
            netloc = f"{netloc}:{port}"
        if userinfo:
            netloc = f"{userinfo}@{netloc}"
    path = parts.path or ("/" if netloc and scheme in _DEFAULT_PORTS else "")
    return urlunsplit((scheme, netloc, path, parts.query, ""))
