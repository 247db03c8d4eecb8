"""Which URLs the fetcher takes: http(s) with a host, and redirects that stay on the site."""

from __future__ import annotations

import functools

import httpx

from harvester.errors import UnsafeURL
from harvester.politeness import Politeness

from .body import Response
from .netsafety import redirect_allowed

PORTS = {"http": 80, "https": 443}
REDIRECTS = frozenset({301, 302, 303, 307, 308})


def split_url(url: str) -> tuple[str, str]:
    """(origin, host key) of an http(s) URL, or UnsafeURL."""
    origin, key, _ = parse_url(url)
    return origin, key


@functools.lru_cache(maxsize=4096)
def parse_url(url: str) -> tuple[str, str, httpx.URL]:
    """(origin, host key, parsed URL), or UnsafeURL. Cached: a request parsed its URL
    three times (check, gate key, client), ~30 µs each; httpx.URL is immutable."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise UnsafeURL(f"not a valid URL: {exc}", url=url) from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UnsafeURL("only http and https URLs with a host are fetched", url=url)
    netloc = parsed.netloc.decode("ascii")
    return f"{parsed.scheme}://{netloc}", netloc, parsed


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
