"""httpx's own transport vs aiohttp vs our own connections, on loopback: pages/s, CPU.

    python bench/transport.py [--pages 3000] [--size 60000] [--concurrency 4 16 64]

A separate process serves one fixed ~60 KB page over HTTP/1.1 keep-alive
(a bare asyncio protocol: the server should not be what we measure). For each
transport and concurrency the script fetches the page N times two ways:
`client.get` on make_client's httpx client (httpx's pool, or httpx over
httpx_aiohttp's transport) and `Fetcher.fetch` (what a run pays, with the
per-host gate, retries wrapper and capped body reader; with transport aiohttp
it sends through its own aiohttp session, harvester/_fetch/send.py), and
`Fetcher.fetch` over transport "wire" (HTTP/1.1 on asyncio's transports,
harvester/_fetch/wire.py, the default). A bare aiohttp session (`session.get` +
read) is what aiohttp costs by itself. Each cell is the best of
`--repeat` interleaved rounds (pages/s and CPU µs a page of the client's thread,
each at its best): loopback figures on a shared box are noisy, and the best
round is the least disturbed one.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing
import os
import socket
import time
from collections.abc import Awaitable, Callable

import aiohttp

from harvester.http import Fetcher, make_client
from harvester.politeness import FetchSettings, Politeness


class _PageProtocol(asyncio.Protocol):
    def __init__(self, response: bytes) -> None:
        self.response = response
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            _, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            assert self.transport is not None
            self.transport.write(self.response)


def _serve(sock: socket.socket, size: int) -> None:
    body = (b"<html><body>" + b"<p>lorem ipsum dolor sit amet</p>\n" * size)[:size]
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    ).encode()
    response = head + body

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _PageProtocol(response), sock=sock)
        await server.serve_forever()

    asyncio.run(main())


async def _run(n: int, concurrency: int, one: Callable[[], Awaitable[int]]
               ) -> tuple[float, float]:
    """(pages/s, CPU µs a page of this thread)"""
    gate = asyncio.Semaphore(concurrency)
    total = 0

    async def task() -> None:
        nonlocal total
        async with gate:
            got = await one()  # not `total += await ...`: that reads total before awaiting
            total += got

    for _ in range(concurrency):  # warm the connection pool
        await one()
    started, cpu = time.perf_counter(), time.thread_time()
    await asyncio.gather(*(task() for _ in range(n)))
    elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
    expected = n * (await one())
    assert total == expected, (total, expected)
    return n / elapsed, cpu / n * 1e6


Cell = tuple[float, float]  # pages/s, CPU µs a page


async def _bare(url: str, n: int, concurrency: int) -> Cell:
    async with aiohttp.ClientSession() as session:

        async def one() -> int:
            async with session.get(url) as response:
                return len(await response.read())

        return await _run(n, concurrency, one)


async def _measure(url: str, transport: str, n: int, concurrency: int) -> dict[str, Cell]:
    settings = FetchSettings(transport=transport, max_bytes=10 * 1024 * 1024)
    cells: dict[str, Cell] = {}
    if transport != "wire":  # make_client's client is httpx over aiohttp for wire too
        async with make_client(settings) as client:

            async def raw() -> int:
                response = await client.get(url)
                return len(response.content)

            cells[f"{transport} client"] = await _run(n, concurrency, raw)
    polite = Politeness(concurrency=concurrency, delay=0, obey_robots=False)
    async with Fetcher(settings) as fetcher:

        urls = (f"{url}?{i}" for i in itertools.count())  # each URL new, as in a run

        async def fetched() -> int:
            page = await fetcher.fetch(next(urls), politeness=polite)
            return len(getattr(page, "body", b""))

        cells[f"{transport} Fetcher"] = await _run(n, concurrency, fetched)
    return cells


def _better(old: Cell, new: Cell) -> Cell:
    return max(old[0], new[0]), min(old[1], new[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=3000)
    ap.add_argument("--size", type=int, default=60_000)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[4, 16, 64])
    ap.add_argument("--repeat", type=int, default=3, help="rounds per cell; the best is shown")
    args = ap.parse_args()

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/en/publications/page"
    server = multiprocessing.get_context("fork").Process(
        target=_serve, args=(sock, args.size), daemon=True
    )
    server.start()
    try:
        print(f"{args.pages} pages of {args.size} bytes from {url}; "
              f"load average {os.getloadavg()[0]:.2f}")
        rows = ("httpx client", "httpx Fetcher", "aiohttp client", "aiohttp Fetcher",
                "aiohttp session", "wire Fetcher")
        for c in args.concurrency:
            best: dict[str, Cell] = {}
            for _ in range(args.repeat):  # interleaved, so drift on a busy box hits all
                for name in ("httpx", "aiohttp", "wire"):
                    got = asyncio.run(_measure(url, name, args.pages, c))
                    for row, cell in got.items():
                        best[row] = _better(best.get(row, cell), cell)
                bare = asyncio.run(_bare(url, args.pages, c))
                best["aiohttp session"] = _better(best.get("aiohttp session", bare), bare)
            for row in rows:
                rate, cpu = best[row]
                print(f"{c:>5} {row:>16} {rate:>7.0f}/s {cpu:>6.0f} µs CPU a page")
            wire, aio = best["wire Fetcher"][1], best["aiohttp Fetcher"][1]
            print(f"{c:>5} {'wire Fetcher':>16} {aio / wire:.2f}x less CPU a page than the "
                  f"aiohttp Fetcher, {best['aiohttp session'][1] / wire:.2f}x less than a bare "
                  "aiohttp session")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()
