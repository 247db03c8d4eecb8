"""Which URLs the fetcher takes: http(s) with a host, and redirects that stay on the site."""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

import httpx

from harvester.errors import UnsafeURL
from harvester.politeness import Politeness

from .body import Response
from .netsafety import redirect_allowed

PORTS = {"http": 80, "https": 443}
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class Target(NamedTuple):
    """An http(s) URL as the fetcher sends it: `text` is httpx's spelling of it."""

    text: str
    scheme: str
    host: str
    port: int | None  # None for the scheme's default
    parsed: httpx.URL | None  # None when the fast path read it: made on demand

    def as_httpx(self) -> httpx.URL:
        return self.parsed if self.parsed is not None else httpx.URL(self.text)


def split_url(url: str) -> tuple[str, str]:
    """(origin, host key) of an http(s) URL, or UnsafeURL."""
    origin, key, _ = parse_url(url)
    return origin, key


# URLs that httpx.URL leaves exactly as written (tests/test_fetch_urls.py holds the two
# to each other): lower-case host of plain labels, no userinfo, no fragment, path and
# query of characters httpx does not quote, valid escapes only. Everything else goes
# through httpx.URL, which costs ~11 µs a URL (most of it a per-character check).
_PLAIN = re.compile(
    r"(https?)://([a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::([1-9][0-9]{0,4}))?"
    # path and query as runs of plain characters between escapes: the same strings as
    # (?:/(?:[plain]|%XX)*)*, but sre reads a run in one step instead of trying the
    # alternation at every character (~12k -> ~4k instructions a bench URL)
    r"((?:/[A-Za-z0-9._~!$&'()*+,;=:@/-]*(?:%[0-9A-Fa-f]{2}[A-Za-z0-9._~!$&'()*+,;=:@/-]*)*)?)"
    r"(?:\?[A-Za-z0-9._~!$&'()*+,;=:@/?-]*(?:%[0-9A-Fa-f]{2}[A-Za-z0-9._~!$&'()*+,;=:@/?-]*)*)?")
_DOTTED = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}")


@functools.lru_cache(maxsize=256)
def _plain_host(host: str) -> bool:
    """Whether httpx keeps a host the fast path matched as written. Cached: a site's
    pages share a host or a few."""
    if "xn--" in host:  # IDNA checks
        return False
    # httpx refuses a dotted host that is not an IPv4 address, or reads it otherwise
    return not (_DOTTED.fullmatch(host) and not _IPV4.fullmatch(host))


def _plain(url: str) -> tuple[str, str, Target] | None:
    m = _PLAIN.fullmatch(url)
    if m is None:
        return None
    scheme, host, port_text, path = m.groups()
    if "/." in path or not _plain_host(host):  # dot segments httpx removes
        return None
    port = int(port_text) if port_text else None
    if port is not None and (port > 65535 or port == PORTS[scheme]):
        return None
    key = f"{host}:{port}" if port is not None else host
    return f"{scheme}://{key}", key, Target(url, scheme, host, port, None)


@functools.lru_cache(maxsize=4096)
def parse_url(url: str) -> tuple[str, str, Target]:
    """(origin, host key, target), or UnsafeURL. Cached: a request reads its URL three
    times (check, gate key, client)."""
    plain = _plain(url)
    return plain if plain is not None else _through_httpx(url)


def _through_httpx(url: str) -> tuple[str, str, Target]:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise UnsafeURL(f"not a valid URL: {exc}", url=url) from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UnsafeURL("only http and https URLs with a host are fetched", url=url)
    netloc = parsed.netloc.decode("ascii")
    target = Target(str(parsed), parsed.scheme, parsed.host, parsed.port, parsed)
    return f"{parsed.scheme}://{netloc}", netloc, target


def check_redirect(url: str, target: str, politeness: Politeness) -> None:
    """UnsafeURL when a redirect from `url` leaves its site for a host not in allow_hosts."""
    if politeness.allow_hosts is None:
        return
    origin, there = httpx.URL(url).host, httpx.URL(target).host
    if not redirect_allowed(origin, there, politeness.allow_hosts):
        raise UnsafeURL(
            f"redirect to {target} leaves {origin} for a host not in allow_hosts", url=url
        )


def redirect_target(resp: Response) -> str | None:
    """The absolute URL (no fragment) a redirect answer points to, else None."""
    location = resp.headers.get("location")
    if resp.status_code not in REDIRECTS or not location:
        return None
    target = str(resp.url.join(location.strip()).copy_with(fragment=None))
    split_url(target)
    return target
