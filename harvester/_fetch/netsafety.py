"""Where the fetcher may connect: public addresses only, and redirects that stay on the site.

A harvester follows URLs that other people wrote (sitemaps, listings, redirects),
so a hostile page could point it at 127.0.0.1, a cloud metadata service
(169.254.169.254) or a printer on the LAN. Unless a source allows private
addresses, every host is resolved before each request (every redirect hop
too) and refused if ANY of its addresses is not globally routable: one
public address next to a private one does not make a host safe, because the
client may connect to either.

The client's connector resolves again when it connects; over aiohttp that
resolution is checked the same way (resolver.py), so a DNS server answering
differently within seconds (DNS rebinding) cannot slip a private address past
this check. httpx's own transport (`transport: httpx`) has no such hook.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable

from harvester.errors import UnsafeURL

from .retry import Transient

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port -> the addresses the host resolves to (as text)
Resolver = Callable[[str, int], Awaitable[list[str]]]

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_VERDICT_TTL = 60.0  # seconds a resolved host's verdict is reused within one run


async def system_resolve(host: str, port: int) -> list[str]:
    """The host's addresses from the operating system, via the event loop's getaddrinfo."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM
    )
    return [str(info[4][0]) for info in infos]


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def blocked_reason(ip: IPAddress) -> str | None:
    """Why a connection to `ip` is refused without allow_private, or None when it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None:
            why = blocked_reason(inner)
            return f"{why} (inside {ip})" if why else None
    for reason, hit in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
    ):
        if hit:
            return reason
    # e.g. 100.64.0.0/10 (carrier-grade NAT) is neither private nor global
    return None if ip.is_global else "not globally routable"


def literal_address(host: str) -> IPAddress | None:
    """The address when `host` is an IP literal (brackets allowed), else None."""
    text = host.strip("[]")
    # A name is neither IPv6 (a colon) nor dotted decimal: ipaddress would tell so by
    # raising twice, ~8 µs a request to a named host.
    if ":" not in text and not text.replace(".", "").isdigit():
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def host_key(host: str) -> str:
    return host.strip().rstrip(".").lower()


def _twin(host: str) -> str:
    return host[4:] if host.startswith("www.") else f"www.{host}"


def redirect_allowed(origin_host: str, target_host: str, allow_hosts: Iterable[str]) -> bool:
    """Whether a redirect from `origin_host` may go to `target_host`.

    The same host and its www./bare twin always may; other hosts only when
    listed in `allow_hosts` (exactly, or under a `*.example.org` pattern).
    """
    origin, target = host_key(origin_host), host_key(target_host)
    if target in (origin, _twin(origin)):
        return True
    for pattern in allow_hosts:
        p = host_key(pattern)
        if p.startswith("*."):
            if target == p[2:] or target.endswith(p[1:]):
                return True
        elif target == p:
            return True
    return False


class AddressGuard:
    """Refuses hosts with any non-public address; verdicts are cached briefly per run."""

    def __init__(self, *, resolve: Resolver, clock: Callable[[], float]) -> None:
        self._resolve = resolve
        self._clock = clock
        self._verdicts: dict[tuple[str, int], tuple[float, str | None]] = {}

    async def check(self, url: str, host: str, port: int) -> None:
        """Return when `host` may be connected to; else UnsafeURL (Transient when DNS fails)."""
        literal = literal_address(host)
        if literal is not None:
            why = blocked_reason(literal)
            if why:
                raise UnsafeURL(f"address {literal} is {why}; the source does not "
                                "allow private addresses", url=url)
            return
        key = (host_key(host), port)
        cached = self._verdicts.get(key)
        now = self._clock()
        if cached is not None and now - cached[0] < _VERDICT_TTL:
            verdict = cached[1]
        else:
            verdict = await self._verdict(url, key[0], port)
            self._verdicts[key] = (now, verdict)
        if verdict:
            raise UnsafeURL(verdict, url=url)

    async def _verdict(self, url: str, host: str, port: int) -> str | None:
        try:
            addresses = await self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise Transient("network", url, f"cannot resolve {host}: {exc}",
                            fault="dns") from exc
        if not addresses:
            raise Transient("network", url, f"{host} resolves to no address", fault="dns")
        for text in addresses:
            ip = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone id
            why = blocked_reason(ip)
            if why:
                return (f"{host} resolves to {ip}, which is {why}; the source does not "
                        "allow private addresses")
        return None
