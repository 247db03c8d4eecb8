"""Explicit seed URLs from config: normalised, de-duplicated, invalid ones named."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit, urlunsplit

from harvester.errors import DiscoveryError


def normalize_seed(url: str) -> str:
    """Scheme and host lower-cased, fragment dropped, empty path made "/".

    Path and query are kept byte for byte: repositories differ on whether
    `/x` and `/x/` or `?a=1&b=2` and `?b=2&a=1` are the same page.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port  # validates the port
    except ValueError as exc:
        raise DiscoveryError(f"invalid seed URL {url!r}: {exc}", url=url) from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise DiscoveryError(f"invalid seed URL {url!r}: need http(s)://host/...", url=url)
    if any(c.isspace() for c in text):
        raise DiscoveryError(f"invalid seed URL {url!r}: contains whitespace", url=url)
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    netloc = host if port is None else f"{host}:{port}"
    if parts.username is not None:
        auth = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{auth}@{netloc}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def iter_seeds(urls: Iterable[str]) -> Iterator[str]:
    """Each seed once, normalised, in the order given; blank entries are skipped."""
    seen: set[str] = set()
    for url in urls:
        if not url.strip():
            continue
        seed = normalize_seed(url)
        if seed not in seen:
            seen.add(seed)
            yield seed
