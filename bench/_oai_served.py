"""bench/oai.py --harvest's server: the tests' pyoai server (tests/oai_server.py) in a
process of its own, its answers kept by request, so the harvest is timed alone.

In the harvester's process (a thread, as the tests run it) the server's own Python
shares the GIL with the harvest: pyoai renders a page of 100 records in tens of
milliseconds, which the harvest's figure then included. Here a first pass renders
every page once (`warm_up`), and the timed runs get the kept bytes: a page's request
costs the server a dictionary lookup and a socket write, on the other core.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

Answer = tuple[str, list[tuple[str, str]], bytes]


def _caching(app: Callable[..., Any]) -> Callable[..., Any]:
    """`app` with its answers kept by path and query (the pyoai server's tokens are
    the same for the same request, and its records do not change here)."""
    kept: dict[str, Answer] = {}

    def cached(environ: dict[str, Any], start: Callable[..., Any]) -> list[bytes]:
        key = f"{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}"
        answer = kept.get(key)
        if answer is None:
            got: list[Any] = []
            body = b"".join(app(environ, lambda status, headers: got.extend((status, headers))))
            answer = kept[key] = (got[0], got[1], body)
        status, headers, body = answer
        start(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]

    return cached


def _serve(n: int, out: Connection) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.oai_server import OAITestServer, synthetic

    # datestamps an hour apart stay in the past for n up to ~16,000; beyond, the
    # harvest's own `until` (now) leaves the future ones for a later run
    srv = OAITestServer(synthetic(n, hours=1))
    srv._httpd.set_app(_caching(srv._app))  # the bench wraps the tests' server
    out.send(srv.url)
    out.close()
    srv._httpd.serve_forever()  # until the parent terminates this process


@contextmanager
def served(n: int) -> Iterator[str]:
    """The URL of a separate process serving `n` synthetic records over OAI-PMH."""
    ctx = multiprocessing.get_context("fork")  # the child needs nothing re-imported
    mine, theirs = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_serve, args=(n, theirs), daemon=True)
    proc.start()
    theirs.close()
    try:
        if not mine.poll(60):
            raise SystemExit("the OAI bench server did not start")
        yield mine.recv()
    finally:
        if proc.pid is not None and proc.is_alive():
            os.kill(proc.pid, signal.SIGTERM)
        proc.join(5)
