"""bench/oai.py's pooled figures: ListRecords pages read and mapped in the harvest's
parse workers (`ParsePool.call`, as pipelines/oai_job.py does), with the workers' value
caches warm or emptied before every page. A module of its own so the workers, which
unpickle a function by its module's name, can import these functions."""

from __future__ import annotations

import gc
import importlib
import os
import pkgutil
import time
from collections.abc import Callable
from pathlib import Path

from harvester.oai.mapped import MappedPage, read_and_map

ROOT = Path(__file__).resolve().parent.parent


def value_caches() -> list[Callable[[], None]]:
    """cache_clear of every lru_cache in harvester.normalize and harvester.oai: they hold
    one result per distinct name, date, type or subject string."""
    clears: list[Callable[[], None]] = []
    for pkg in ("harvester.normalize", "harvester.oai", "harvester.oai.formats"):
        package = importlib.import_module(pkg)
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{pkg}.{info.name}")
            for value in vars(module).values():
                clear = getattr(value, "cache_clear", None)
                if callable(clear) and getattr(value, "__module__", None) == module.__name__:
                    clears.append(clear)
    return clears


def timed_read_and_map(body: bytes) -> tuple[MappedPage | None, float, int, float, float]:
    """The harvest's worker call (pipelines/oai_job.py); the worker's CPU seconds for it,
    and its pid with its process CPU clock before and after: the gaps between one call's
    end and the next one's start are the worker's hand-over (unpickling the page,
    pickling the answer, the socket)."""
    start = time.process_time()
    mapped = read_and_map(body, "bench", "oai_dc", None, "bench", recover=False)
    end = time.process_time()
    return mapped, end - start, os.getpid(), start, end


_CLEARS: list[Callable[[], None]] = []


def cold_read_and_map(body: bytes) -> tuple[MappedPage | None, float, int, float, float]:
    """`timed_read_and_map` with this worker's value caches emptied first, so every page
    is read as if its names, dates, types and subjects were new (stricter than a first
    harvest, whose pages share them). The emptying is outside the worker's CPU timing
    but inside the wall time."""
    if not _CLEARS:
        _CLEARS.extend(value_caches())
    for clear in _CLEARS:
        clear()
    return timed_read_and_map(body)


def pooled_rate(bodies: list[bytes], rounds: int, workers: int, repeats: int = 3,
                cold: bool = False) -> tuple[float, float, float, float]:
    """(records/s of wall time, this process's CPU µs a record, the workers' CPU µs a
    record reading and mapping, the workers' CPU µs a record in all) with `workers`
    parse worker processes reading and mapping the pages (and pickling the results
    back), best of `repeats`. "In all": each worker's process CPU clock from its first
    call's start to its last call's end (so without one page's unpickling and one
    answer's pickling a worker). `cold`: each worker empties its value caches before
    every page (`cold_read_and_map`)."""
    import asyncio
    import sys

    sys.path.insert(0, str(ROOT))
    from pipelines.parse_pool import ParsePool
    from pipelines.parse_worker import ShippedBytes

    # workers unpickle a function by its module's name: this module, found on the
    # sys.path they are given (bench/ is its first entry when a bench script runs)
    call: Callable[[bytes], tuple[MappedPage | None, float, int, float, float]] = (
        cold_read_and_map if cold else timed_read_and_map)

    from pipelines.cli_harvest import YOUNG_THRESHOLD

    async def go() -> tuple[float, float, float, float]:
        pool = ParsePool(workers)
        try:
            if not await pool.started():
                raise SystemExit("parse workers did not start")
            slots = asyncio.Semaphore(2 * workers)

            worker_cpu = [0.0]
            clocks: dict[int, tuple[float, float]] = {}  # pid: (first start, last end)

            async def one(body: bytes) -> int:
                async with slots:
                    got = await pool.call(call, ShippedBytes(body))  # as oai_job sends it
                assert got is not None
                mapped, cpu, pid, start, end = got
                assert mapped is not None
                worker_cpu[0] += cpu
                first, last = clocks.get(pid, (start, end))
                clocks[pid] = (min(first, start), max(last, end))
                return len(mapped.items)

            for _ in range(2 * workers):  # warm-up: every worker's caches, as `rate` has
                records = sum(await asyncio.gather(*(one(b) for b in bodies)))
            best, cpu, wcpu, wall_in = float("inf"), 0.0, 0.0, 0.0
            for _ in range(repeats):
                gc.collect()
                worker_cpu[0] = 0.0
                clocks.clear()
                start, start_cpu = time.perf_counter(), time.process_time()
                done = await asyncio.gather(*(one(b) for _ in range(rounds) for b in bodies))
                took = time.perf_counter() - start
                if took < best:
                    best, cpu, wcpu = took, time.process_time() - start_cpu, worker_cpu[0]
                    wall_in = sum(last - first for first, last in clocks.values())
                assert sum(done) == rounds * records
            n = rounds * records
            return n / best, cpu / n * 1e6, wcpu / n * 1e6, wall_in / n * 1e6
        finally:
            pool.close()

    # the parent's collector as `harvester harvest` sets it (pipelines/cli_harvest.py):
    # start-up objects frozen, young collections every YOUNG_THRESHOLD allocations; at
    # the default 700 the unpickled answers were walked again and again (8.7k of the
    # parent's 52.1k instructions a record, callgrind)
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *threshold[1:])
    try:
        return asyncio.run(go())
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def pooled(bodies: list[bytes], rounds: int, workers: int, cold: bool) -> None:
    wall, parent_us, worker_us, worker_all_us = pooled_rate(bodies, rounds, workers, cold=cold)
    caches = ("value caches EMPTIED before every page (cold, as first seen)" if cold
              else "value caches warm (the same 150 records every round)")
    print(f"through the parse pool, {workers} worker process(es) + this one, WALL time "
          f"({os.cpu_count()} cores; not per core), {caches}: {wall:,.0f} records/s\n"
          f"  CPU a record: workers {worker_us:.1f} µs (read + map), {worker_all_us:.1f} µs "
          f"in all (with their hand-over); this process {parent_us:.1f} µs (pickling, "
          f"unpickling, hand-over); load average {os.getloadavg()[0]:.2f}")
    cpu_us, cores = worker_all_us + parent_us, min(os.cpu_count() or 1, workers + 1)
    label = "COLD caches" if cold else "warm caches"
    print(f"harvest path (read + map + hand-over), {workers} worker(s), {label}: {wall:,.0f} "
          f"records/s wall (goal 30,000); {cpu_us:.1f} µs of CPU a record in all: at most "
          f"{cores * 1e6 / cpu_us:,.0f} records/s on {cores} idle core(s)")
