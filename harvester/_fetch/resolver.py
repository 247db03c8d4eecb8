"""The connection's own DNS answer, checked: closes the gap DNS rebinding used.

AddressGuard checks a host before each request, but the transport used to
resolve the name again when it connected, so a DNS server answering a public
address to the check and 127.0.0.1 a moment later sent the request to
loopback. `CheckedResolver` is the aiohttp connector's resolver: it asks the
same `Resolver` the guard uses and refuses, with UnsafeURL, a name with any
address the guard would refuse, so the connector only ever sees addresses
that passed the check. Hosts a source allows to be private (allow_private)
are registered by name and pass as they resolve.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from harvester.errors import UnsafeURL

from .netsafety import Resolver, blocked_reason, host_key

if TYPE_CHECKING:
    from aiohttp.abc import ResolveResult


class CheckedResolver:
    """A resolver over `resolve` that hands the connector checked addresses only.

    It has aiohttp's resolver interface (resolve, close), which is all aiohttp's
    connector calls, without subclassing aiohttp's AbstractResolver: importing aiohttp
    makes two SSL contexts (~40 ms a process), which a run over wire.py never needs."""

    def __init__(self, resolve: Resolver, allows_private: Callable[[str], bool]) -> None:
        self._resolve = resolve
        self._allows_private = allows_private

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        try:
            answers = await self._resolve(host, port)
        except UnicodeError as exc:  # aiohttp reports OSError as a DNS failure
            raise OSError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(a.split("%", 1)[0] for a in answers))
        if not addresses:
            raise OSError(f"{host} resolves to no address")
        private_ok = self._allows_private(host_key(host))
        results: list[ResolveResult] = []
        for text in addresses:
            ip = ipaddress.ip_address(text)
            why = None if private_ok else blocked_reason(ip)
            if why:
                raise UnsafeURL(f"{host} resolves to {ip} when connecting, which is {why}; "
                                "the source does not allow private addresses", url=host)
            af = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            if family in (socket.AF_UNSPEC, af):
                results.append({"hostname": host, "host": text, "port": port, "family": af,
                                "proto": 0, "flags": socket.AI_NUMERICHOST})
        if not results:
            raise OSError(f"{host} has no address of family {family!r}")
        return results

    async def close(self) -> None:
        return None
