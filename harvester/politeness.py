"""Settings for how hard the fetcher may press one host, and how it fetches.

Plain frozen values: pipelines/config.py builds them from config.yaml, the
fetcher (harvester/http.py) obeys them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Politeness:
    """Per-source limits. `delay` is the minimum gap between request starts to one host;
    a larger robots.txt Crawl-delay wins when `obey_robots` is set. `allow_hosts` lists
    the other hosts a redirect may lead to (the same host and its www. twin always may)."""

    concurrency: int = 2
    delay: float = 1.0
    obey_robots: bool = True
    # Network safety (harvester/_fetch/netsafety.py). These defaults suit a Politeness
    # built by hand (tools, the fetcher's unit tests); pipelines/config.py builds every
    # source with allow_private=False and allow_hosts=() unless the config says otherwise.
    allow_private: bool = True  # False: refuse hosts with a private/loopback/... address
    allow_hosts: tuple[str, ...] | None = None  # redirect targets off the site; None: any

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.delay < 0:
            raise ValueError("delay must not be negative")


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """Run-wide fetch settings. `user_agent` should carry a contact address."""

    user_agent: str = "harvester/0.1 (+mailto:unset@example.org)"
    timeout: float = 30.0
    max_bytes: int = 50 * 1024 * 1024
    max_retries: int = 4
    backoff_base: float = 1.0
    backoff_max: float = 120.0
    max_redirects: int = 10
    # "wire" (HTTP/1.1 on asyncio's own transports, _fetch/wire.py), "aiohttp" (an
    # aiohttp session) or "httpx" (httpx's own pool)
    transport: str = "wire"
