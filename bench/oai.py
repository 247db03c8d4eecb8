"""Records per second for ListRecords pages parsed into Records (oai_dc), one core;
with --harvest N, records per second of a whole harvest from a loopback server.

    python bench/oai.py [--rounds N] [--corpus ../shared/corpus]

Parses the corpus' oai_dc ListRecords pages (Erasmus DSpace 2004, Zenodo) with
harvester.oai (hardened parse + mapping to normalised Records) N times and
prints records/s. When `sickle` is importable (the `bench` extra), times
Sickle's own path on the same bytes (its lxml parser, then
sickle.models.Record per <record>, which builds a dict of the metadata) and
prints the ratio. Sickle does less work (no normalisation, no Record), so the
ratio is conservative. Run by hand; not a test. Goal: >= 30,000 records/s.

With the parse pool (`--workers`, default 1 and 2): the same pages through
`ParsePool.call(read_and_map, ...)`, the harvest's own path (pipelines/oai_job.py),
two pages in flight per worker; records/s of WALL time with the worker processes and
this one together: a multi-process figure, never per core.

Every round parses the same pages, so the per-value caches (names, dates, types,
subjects) hit on every round after the first; a second figure empties them before
each round, which is what a first harvest of these records would pay. The pooled figures come
twice, warm and cold: the cold one has each worker empty its caches before every page.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _oai_pool import pooled, value_caches

from harvester.oai.formats import FORMATS
from harvester.oai.protocol import parse_list_records

ROOT = Path(__file__).resolve().parent.parent
PAGES = (
    "dspace-eur-2003-listrecords-oai_dc.xml",
    "dspace-eur-2004-listrecords-oai_dc-large.xml",
    "zenodo-listrecords-oai_dc-2026-04-01.xml",
    "zenodo-listrecords-oai_dc-resumption-page.xml",
)
OAI_RECORD = "{http://www.openarchives.org/OAI/2.0/}record"


def ours(body: bytes) -> int:
    page = parse_list_records(body, "bench", metadata_prefix="oai_dc")
    mapper = FORMATS["oai_dc"]
    mapped = [mapper(r, source_url="bench") for r in page.records if not r.deleted]
    return len(mapped)


def ours_parse_only(body: bytes) -> int:
    return len(parse_list_records(body, "bench", metadata_prefix="oai_dc").records)


def sickle_path() -> Callable[[bytes], int] | None:
    try:
        from lxml import etree
        from sickle.models import Record  # type: ignore[import-untyped]
        from sickle.response import XMLParser  # type: ignore[import-untyped]
    except ImportError:
        return None

    def run(body: bytes) -> int:
        root = etree.XML(body, parser=XMLParser)
        return len([Record(el) for el in root.iter(OAI_RECORD)])

    return run


def rate(bodies: list[bytes], rounds: int, fn: Callable[[bytes], int], repeats: int = 5,
         cold: bool = False) -> float:
    """Records/s of the best of `repeats` runs (the least disturbed one, as timeit does);
    CPU time of this process, so time spent descheduled by other work does not count.
    Rounds repeat the same pages, so value caches hit every time after the first;
    `cold` empties them before each round (outside the timing), as a first harvest of
    these 150 records would find them."""
    records = sum(fn(b) for b in bodies)  # warm-up, and the count per round
    clears = value_caches() if cold else []
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        took = 0.0
        for _ in range(rounds):
            for clear in clears:
                clear()
            start = time.process_time()
            for body in bodies:
                fn(body)
            took += time.process_time() - start
        best = min(best, took)
    return rounds * records / best


def harvest_rate(n: int) -> None:
    """End to end: a pyoai-fork server (tests/oai_server.py, `dev` extra) in a process of
    its own with its pages rendered once beforehand (_oai_served.py) -> OAIClient ->
    per-page transactions into a fresh SQLite file."""
    import asyncio
    import sys
    import tempfile

    from _oai_served import served

    sys.path.insert(0, str(ROOT))
    from pipelines.config import parse_settings
    from pipelines.db import open_database
    from pipelines.run import harvest

    with served(n) as url, tempfile.TemporaryDirectory() as tmp:
        def settings(db: str) -> Any:
            return parse_settings({
                "database": f"sqlite:///{tmp}/{db}.db", "user_agent": "bench (+mailto:b@ex.org)",
                "sources": [{"name": "bench", "oai": url, "window": "year",
                             "enrich": False, "allow_private": True,  # the loopback server
                             "politeness": {"delay": 0}}]}, path=None, env={})

        # the server renders every page on first request: a throw-away harvest does that
        warm = settings("warm-up")
        asyncio.run(harvest(warm, open_database(warm.database_url), full=False))
        timed = settings("bench")
        for label, extra in (("full", False), ("incremental, nothing changed", False),
                             ("--full again, all unchanged", True)):
            engine = open_database(timed.database_url)
            start, cpu = time.perf_counter(), time.process_time()
            stats = asyncio.run(harvest(timed, engine, full=extra)).sources[0]
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
            engine.dispose()
            print(f"harvest {label}: {stats.discovered} records in {took:.2f}s "
                  f"({stats.discovered / took:,.0f} records/s; this process "
                  f"{cpu / max(stats.discovered, 1) * 1e6:.0f} µs CPU a record; new={stats.new} "
                  f"unchanged={stats.unchanged} deleted={stats.deleted}; load average "
                  f"{os.getloadavg()[0]:.2f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--workers", type=int, nargs="*", default=[1, 2],
                    help="parse worker processes for the pooled figure (none: skip it)")
    ap.add_argument("--harvest", type=int, default=0, metavar="N",
                    help="instead: harvest N records from a local OAI server into SQLite")
    args = ap.parse_args()
    if args.harvest:
        harvest_rate(args.harvest)
        return
    bodies = [(args.corpus / "oai-pmh" / name).read_bytes() for name in PAGES]
    total = sum(ours_parse_only(b) for b in bodies)
    kib = sum(len(b) for b in bodies) / 1024
    print(f"{len(bodies)} oai_dc ListRecords pages, {total} records, {kib:.0f} KiB, "
          f"{args.rounds} rounds")
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores shared: figures are noisy; "
          "compare the ratio)")
    full = rate(bodies, args.rounds, ours)
    print(f"harvester.oai parse + map to Record: {full:,.0f} records/s "
          f"({1e6 / full:,.1f} µs/record)")
    cold = rate(bodies, args.rounds, ours, cold=True)
    print(f"  the same, value caches emptied each round: {cold:,.0f} records/s "
          f"({1e6 / cold:,.1f} µs/record)")
    parse_only = rate(bodies, args.rounds, ours_parse_only)
    print(f"harvester.oai parse only (ListPage): {parse_only:,.0f} records/s")
    sickle = sickle_path()
    if sickle is None:
        print("sickle not installed (pip install -e '.[bench]'): no comparison")
    else:
        theirs = rate(bodies, args.rounds, sickle)
        print(f"sickle parse + models.Record:        {theirs:,.0f} records/s")
        print(f"ratio harvester (full) / sickle: {full / theirs:.2f}x (one core each)")
    for workers in args.workers:
        for cold in (False, True):
            pooled(bodies, args.rounds, workers, cold)



if __name__ == "__main__":
    main()
