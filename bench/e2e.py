"""End to end, same run: `harvester harvest` vs a Scrapy spider on one local portal.

    python bench/e2e.py [--pages 2000] [--skip-scrapy] [--keep DIR]

Writes N generated Pure-like pages (~60 KB each), a sitemap index and listing
pages to a temp dir, serves them from 127.0.0.1 (nginx when installed, else a
multi-process Python server), then runs, one after the other:
  (a) `harvester harvest --config <tmp>` into a fresh SQLite file, politeness off
      (concurrency 64, delay 0, robots not read);
  (b) `scrapy runspider bench/_scrapy_spider.py` with CONCURRENT_REQUESTS=64,
      extracting the same fields into a JSON-lines feed.
Each is a child process: its wall time, CPU (user+sys from wait4) and peak RSS
(ru_maxrss of that child) are printed, with pages/s and the ratio; for the
harvester also its CPU split between its main process (the event-loop thread and
the others: writes, the pool's feeder and result threads) and its parse workers.
Goals: >= 1,000 pages/s, >= 3x Scrapy, <= 1 ms CPU per page, peak RSS < 200 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _procs import TreeCPU
from _site import build_site, free_port, serve

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Child:
    seconds: float
    cpu: float
    rss_mb: float
    returncode: int
    tree: TreeCPU | None = None


def run_child(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> Child:
    """Run cmd to completion; its own rusage (not the sum of all children so far)."""
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        tree = TreeCPU(proc.pid).start()
        _, status, usage = os.wait4(proc.pid, 0)
        tree.stop()
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    # Linux reports ru_maxrss in KiB
    return Child(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                 proc.returncode, tree if tree.threads else None)


def harvester_cmd(config: Path) -> list[str]:
    # the console script installed beside this interpreter (Scrapy runs as `python -m`
    # of it too): a version manager's shim found first on PATH (pyenv's is a bash script
    # that runs pyenv) added ~0.1 s to every harvester run here, and no one to Scrapy's
    beside = Path(sys.executable).with_name("harvester")
    exe = str(beside) if beside.is_file() else shutil.which("harvester")
    if exe:
        return [exe, "harvest", "--config", str(config)]
    return [sys.executable, "-c", "from pipelines.cli import main; main()", "harvest",
            "--config", str(config)]


def write_config(path: Path, base: str, database: Path) -> None:
    path.write_text(
        f"database: {database}\n"
        "user_agent: 'harvester-bench/1.0 (+mailto:bench@example.org)'\n"
        "politeness: {concurrency: 64, delay: 0, obey_robots: false}\n"
        "sources:\n"
        f"  - {{name: bench, platform: pure, sitemap: '{base}/sitemap.xml', "
        "allow_private: true}\n",
        encoding="utf-8",
    )


def harvest(work: Path, base: str, label: str) -> tuple[Child, int]:
    config = work / "harvest.yaml"
    database = work / "harvest.db"
    # a fresh database every run: one kept from a run on another port would have its
    # pages (no longer listed) re-checked against a server that is gone
    for old in work.glob("harvest.db*"):
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    shutil.rmtree(work / "harvest-archive", ignore_errors=True)
    write_config(config, base, database)
    child = run_child(harvester_cmd(config), work / f"{label}.log")
    with sqlite3.connect(database) as db:
        stored = db.execute("SELECT count(*) FROM publications").fetchone()[0]
    return child, int(stored)


def scrapy(work: Path, base: str) -> tuple[Child, int]:
    feed = work / "scrapy.jsonl"
    feed.unlink(missing_ok=True)  # -o appends
    cmd = [sys.executable, "-m", "scrapy", "runspider", str(HERE / "_scrapy_spider.py"),
           "-a", f"sitemap={base}/sitemap.xml", "-o", f"{feed}:jsonlines",
           "-s", "CONCURRENT_REQUESTS=64", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=64",
           "-s", "DOWNLOAD_DELAY=0", "-s", "ROBOTSTXT_OBEY=False", "-s", "LOG_LEVEL=INFO",
           "-s", "TELNETCONSOLE_ENABLED=False", "-s", "AUTOTHROTTLE_ENABLED=False"]
    child = run_child(cmd, work / "scrapy.log")
    items = 0
    if feed.exists():
        with feed.open(encoding="utf-8") as f:
            items = sum(1 for line in f if json.loads(line).get("title"))
    return child, items


def line(name: str, pages: int, child: Child, stored: int) -> str:
    return (f"{name:9} {pages / child.seconds:8,.0f} pages/s  {child.seconds:7.2f}s wall  "
            f"{child.cpu / pages * 1000:6.2f} ms CPU/page  peak RSS {child.rss_mb:6.1f} MB  "
            f"records {stored:,}/{pages:,}  exit {child.returncode}")


def split_line(pages: int, child: Child) -> str:
    """Where the harvester's CPU went: its main process (event-loop thread, other threads)
    and its parse workers, sampled from /proc (bench/_procs.py)."""
    if child.tree is None:
        return ""
    main, other, workers, n = child.tree.split()
    ms = 1000 / pages
    return (f"          main process {(main + other) * ms:.2f} ms CPU/page (event-loop thread "
            f"{main * ms:.2f}, other threads {other * ms:.2f}); {n} other processes "
            f"{workers * ms:.2f} ms CPU/page")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--skip-scrapy", action="store_true")
    ap.add_argument("--keep", type=Path, help="build the site here and keep it")
    args = ap.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="harvester-e2e-"))
    work.mkdir(parents=True, exist_ok=True)
    docs = work / "site"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    build_site(docs, args.pages, base)
    sizes = [p.stat().st_size for p in (docs / "en" / "publications").glob("*/index.html")]
    print(f"built {len(sizes):,} pages, mean {sum(sizes) / len(sizes) / 1024:.1f} KiB, "
          f"in {time.perf_counter() - started:.1f}s; load average {os.getloadavg()[0]:.2f}")
    try:
        with serve(docs, port) as server:
            print(f"serving {base} with {server}")
            ours, stored = harvest(work, base, "harvest")
            print(line("harvester", args.pages, ours, stored), flush=True)
            if split := split_line(args.pages, ours):
                print(split, flush=True)
            if not args.skip_scrapy:
                theirs, items = scrapy(work, base)
                print(line("scrapy", args.pages, theirs, items))
                print(f"ratio     {theirs.seconds / ours.seconds:.2f}x Scrapy's pages/s, "
                      f"{theirs.cpu / max(ours.cpu, 1e-9):.2f}x less CPU per page")
        print(f"load average after: {os.getloadavg()[0]:.2f}; logs in {work}"
              if args.keep else f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
