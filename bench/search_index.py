"""Search indexing out of the load path: revision 0008 (index kept by every write) vs 0009.

    python bench/search_index.py [--n 20000] [--batch 5000] [--only sqlite|postgres]
                                 [--rounds 1] [--no-loader-marks]

For each database and schema, a fresh database is loaded with N synthetic
records through the real loader (pipelines.load.upsert_records, one
transaction a batch), then on 0009 `refresh_search` indexes them all (one
transaction). Schemas: `0008` (FTS5 triggers / GIN expression index),
`0009` (a trigger marks each written publication), and `0009-loader` (the
marking triggers dropped and the ids inserted into the queue by the caller
after each batch, i.e. what marking from the loader would cost). Printed per
line: records/s and CPU for the load, the refresh, and both together (for
0008 the load already includes indexing). Client CPU includes SQLite's own
work; the PostgreSQL backend's CPU is read from /proc when the server runs here.
On a shared machine compare CPU, and the ratios within one run.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime

from load import fresh_postgres, fresh_sqlite, process_cpu, synthetic  # bench/load.py
from sqlalchemy import Connection, Engine

from harvester.types import Record
from pipelines.db import make_engine, upgrade
from pipelines.load import ensure_source, upsert_records
from pipelines.search_index import QUEUE, refresh_search

SCHEMAS = ("0008", "0009", "0009-loader")


@dataclass
class Cost:
    wall: float = 0.0
    client: float = 0.0
    server: float | None = None

    def per_second(self, n: int) -> str:
        server = "" if self.server is None else f" + {self.server:5.2f}s server"
        rate = n / self.wall if self.wall else float("inf")
        return f"{rate:9,.0f} rec/s ({self.wall:5.2f}s wall, {self.client:5.2f}s client{server})"

    def __add__(self, other: Cost) -> Cost:
        server = None if self.server is None or other.server is None else (
            self.server + other.server)  # fmt: skip
        return Cost(self.wall + other.wall, self.client + other.client, server)


def timed(engine: Engine, work: Callable[[Connection], object], backend: int | None) -> Cost:
    server, started, cpu = process_cpu(backend), time.perf_counter(), time.process_time()
    with engine.begin() as conn:
        work(conn)
    cost = Cost(time.perf_counter() - started, time.process_time() - cpu)
    after = process_cpu(backend)
    cost.server = after - server if after is not None and server is not None else None
    return cost


def run_schema(url: str, schema: str, records: list[Record], batch: int) -> tuple[Cost, Cost]:
    engine = make_engine(url, pool_size=1, max_overflow=0)  # one backend to account for
    upgrade(engine, "0008_frontier" if schema == "0008" else "head")
    now = datetime.now(UTC)
    with engine.begin() as conn:
        source = ensure_source(conn, "bench", "pure", None, now=now)
        postgres = conn.dialect.name == "postgresql"
        backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one() if postgres else None
        if schema == "0009-loader":
            for trigger in ("publication_fts_mark_ai", "publication_fts_mark_au",
                            "publication_fts_mark_ad"):  # fmt: skip
                on = " ON publications" if postgres else ""
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}{on}")
    mark = f"INSERT INTO {QUEUE} (publication_id) VALUES ({'%s' if postgres else '?'})"
    load = Cost(server=0.0 if backend is not None else None)
    for start in range(0, len(records), batch):
        chunk = records[start : start + batch]

        def one_batch(conn: Connection, chunk: list[Record] = chunk) -> None:
            ids = upsert_records(conn, source, chunk, now=now).ids
            if schema == "0009-loader":
                conn.exec_driver_sql(mark, [(i,) for i in ids.values()])

        load = load + timed(engine, one_batch, backend)
    refresh = Cost() if schema == "0008" else timed(engine, refresh_search, backend)
    if schema == "0008":
        refresh.server = 0.0 if backend is not None else None
    if not (postgres and schema == "0008"):  # PostgreSQL's 0008 index has no rows to count
        with engine.connect() as conn:
            indexed = conn.exec_driver_sql("SELECT count(*) FROM publication_fts").scalar_one()
        assert indexed == len(records), f"{schema}: {indexed} of {len(records)} indexed"
    engine.dispose()
    return load, refresh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--rounds", type=int, default=1, help="repeat the schemas, alternating")
    parser.add_argument("--no-loader-marks", action="store_true", help="skip 0009-loader")
    args = parser.parse_args()
    records = synthetic(args.n)
    gc.freeze()  # a run holds one batch, not N records: keep GC from rescanning them
    schemas = [s for s in SCHEMAS if not (args.no_loader_marks and s == "0009-loader")]
    print(f"{args.n:,} records, batches of {args.batch:,}; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    fresh: dict[str, Callable[[], AbstractContextManager[str]]] = {
        "sqlite": fresh_sqlite, "postgres": fresh_postgres}  # fmt: skip
    for name, database in fresh.items():
        if args.only and name != args.only:
            continue
        for _ in range(args.rounds):
            for schema in schemas:
                with database() as url:
                    load, refresh = run_schema(url, schema, records, args.batch)
                print(f"{name:8} {schema:11} load {load.per_second(args.n)}\n"
                      f"{'':15} refresh {refresh.per_second(args.n)}\n"
                      f"{'':15} both    {(load + refresh).per_second(args.n)}")  # fmt: skip
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
