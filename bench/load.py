"""Loader throughput: synthetic records into SQLite and PostgreSQL, fresh and again.

    python bench/load.py [--n 100000] [--batch 5000] [--only sqlite|postgres] [--writers N]

Each record has 3 authors, 4 keywords and 2 identifiers. The first pass
inserts everything, the second finds every record unchanged. `--writers N`
(PostgreSQL only) loads the batches on N connections at once, one transaction a
batch, as N `harvester worker` processes or N sources' runs write side by side:
each backend's statements then run while another's client builds rows. PostgreSQL uses
a throw-away database on HARVESTER_TEST_POSTGRES_URL (default: local server).
Goals: SQLite >= 20,000 records/s, PostgreSQL >= 15,000 records/s. On a
shared machine compare CPU seconds: client CPU (which includes SQLite's own
work) and, for a PostgreSQL server on this machine, its backend's CPU.
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from harvester.types import Identifier, PageRange, PartialDate, Person, Record
from pipelines.db import make_engine, upgrade
from pipelines.load import LoadStats, ensure_source, upsert_records

PG_ADMIN_URL = os.environ.get(
    "HARVESTER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def synthetic(n: int) -> list[Record]:
    return [
        Record(
            url=f"https://bench.test/en/publications/{i}",
            platform="pure",
            source_key=f"uuid-{i:08d}",
            type="article",
            title=f"A study of thing number {i}",
            abstract="Lorem ipsum dolor sit amet, " * 8,
            authors=tuple(
                Person(
                    f"Given{j} Family{(i * 3 + j) % 20000}",
                    f"Family{(i * 3 + j) % 20000}",
                    f"Given{j}",
                )
                for j in range(3)
            ),
            doi=f"10.5555/bench.{i}",
            journal=f"Journal {i % 500}",
            volume=str(i % 40),
            pages=PageRange(str(i % 300), str(i % 300 + 9), None),
            published=PartialDate(2000 + i % 24, 1 + i % 12),
            keywords=tuple(f"keyword {(i + k) % 1000}" for k in range(4)),
            identifiers=(
                Identifier("pure-uuid", f"uuid-{i:08d}"),
                Identifier("scopus", f"8500{i:08d}"),
            ),
            provenance={"title": "meta:citation", "doi": "meta:citation"},
        )
        for i in range(n)
    ]


def load_all(url: str, records: list[Record], batch: int, writers: int = 1
             ) -> tuple[float, float, float | None, LoadStats]:  # fmt: skip
    """Wall seconds, client CPU seconds, server CPU seconds (PostgreSQL on this machine,
    else None) and the counts."""
    # exactly `writers` backends, so their CPU can be accounted for
    engine = make_engine(url, pool_size=writers, max_overflow=0)
    upgrade(engine)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        source_id = ensure_source(conn, "bench", "pure", None, now=now)
    backends: list[int | None] = [None]
    if engine.dialect.name == "postgresql":
        with ExitStack() as held:  # all at once: each pool slot's own backend
            conns = [held.enter_context(engine.connect()) for _ in range(writers)]
            backends = [c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one() for c in conns]
    server = [process_cpu(pid) for pid in backends]

    def load(start: int) -> LoadStats:
        with engine.begin() as conn:
            return upsert_records(conn, source_id, records[start : start + batch], now=now)

    total = LoadStats()
    started, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(writers) as pool:
        starts = range(0, len(records), batch)
        # one writer: in this thread, as before (no hand-over between threads to measure)
        for stats in map(load, starts) if writers == 1 else pool.map(load, starts):
            total = total + stats
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = [process_cpu(pid) for pid in backends]
    engine.dispose()
    spent = [b - a for a, b in zip(server, after, strict=True) if a is not None and b is not None]
    return elapsed, cpu, (sum(spent) if len(spent) == len(backends) else None), total


def process_cpu(pid: int | None) -> float | None:
    """User + system CPU seconds of a local process (the PostgreSQL backend), if readable."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # another machine, or not Linux
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def fresh_postgres() -> Iterator[str]:
    name = f"harvester_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_sqlite() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite:///{Path(tmp) / 'bench.db'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--writers", type=int, default=1,
                        help="PostgreSQL: connections loading batches at once (SQLite: 1)")
    args = parser.parse_args()

    started = time.perf_counter()
    records = synthetic(args.n)
    # A real run holds one batch of records, not 100,000: keep the garbage
    # collector from rescanning the whole synthetic corpus on every pass.
    gc.freeze()
    print(f"built {args.n:,} records in {time.perf_counter() - started:.1f}s")
    databases = {"sqlite": fresh_sqlite, "postgres": fresh_postgres}
    for name, fresh in databases.items():
        if args.only and name != args.only:
            continue
        with fresh() as url:
            # SQLite takes one writer at a time: more would only wait for its lock
            writers = args.writers if name == "postgres" else 1
            for label in ("fresh", "present"):
                seconds, cpu, server, stats = load_all(url, records, args.batch, writers)
                backend = "" if server is None else f", {server:.2f}s server CPU"
                print(
                    f"{name:8} {label:8} {args.n / seconds:10,.0f} records/s  "
                    f"({writers} writer{'s' if writers > 1 else ''}; "
                    f"{seconds:.2f}s wall, {cpu:.2f}s client CPU{backend}; new={stats.new:,} "
                    f"changed={stats.changed:,} unchanged={stats.unchanged:,}; "
                    f"load average {os.getloadavg()[0]:.2f})"
                )


if __name__ == "__main__":
    main()
