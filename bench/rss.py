"""Peak memory of a large harvest: does the harvester stay flat as the site grows?

    python bench/rss.py [--pages 100000] [--keep DIR] [--workers N]

Writes N small sample-site pages (~8.6 KiB, no portal padding, so 100,000 pages
fit in under a gigabyte) behind a sitemap index of 50,000-URL sitemaps, serves
them with nginx (bench/_site.py), and runs `harvester harvest` into a fresh
SQLite file. The harvester runs under a small wrapper that prints, at exit, its
own peak RSS (VmHWM from /proc: getrusage's ru_maxrss carries the forking
parent's peak through fork + exec, so it is printed only as an upper bound);
the bench samples VmRSS of the harvester and each child, and each child's
VmHWM, every second,
so growth with N shows as a rising line rather than only a peak.
Goal: peak RSS under 200 MB for 100,000 pages.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _site import build_site, free_port, serve
from e2e import write_config

# the harvester's own figures: ru_maxrss is KiB on Linux
_WRAPPER = (
    "import atexit, resource, sys\n"
    "def _report():\n"
    "    me = resource.getrusage(resource.RUSAGE_SELF)\n"
    "    kids = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "    hwm = next((t.split()[1] for t in open('/proc/self/status')\n"
    "                if t.startswith('VmHWM:')), 0)\n"
    "    print(f'RSS-SELF {me.ru_maxrss} RSS-CHILD {kids.ru_maxrss} HWM-SELF {hwm} '\n"
    "          f'CPU-SELF {me.ru_utime + me.ru_stime:.2f} '\n"
    "          f'CPU-CHILD {kids.ru_utime + kids.ru_stime:.2f}', flush=True)\n"
    "atexit.register(_report)\n"
    "sys.argv = ['harvester', *sys.argv[1:]]\n"
    "from pipelines.cli import main\n"
    "main()\n"
)


def _vm_rss(pid: int, field: str = "VmRSS:") -> int:
    """KiB resident now (or VmHWM: the peak so far), 0 once the process is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for text in f:
                if text.startswith(field):
                    return int(text.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                kids.extend(int(k) for k in f.read().split())
    except OSError:
        pass
    return kids


def sample(pid: int, into: list[tuple[float, int, int]], done: threading.Event,
           child_hwm: dict[int, int]) -> None:
    """(seconds, harvester KiB, largest child KiB) once a second until `done`; each
    child's own high-water mark (VmHWM) so far into `child_hwm`."""
    start = time.perf_counter()
    while not done.wait(1.0):
        children = _children(pid)
        kids = [_vm_rss(k) for k in children]
        for k in children:
            child_hwm[k] = max(child_hwm.get(k, 0), _vm_rss(k, "VmHWM:"))
        into.append((time.perf_counter() - start, _vm_rss(pid), max(kids, default=0)))


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--pages", type=int, default=100_000)
    ap.add_argument("--keep", type=Path, help="build the site here and keep it (reused)")
    ap.add_argument("--workers", type=int, help="HARVESTER_PARSE_WORKERS for the harvest")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="harvester-rss-"))
    work.mkdir(parents=True, exist_ok=True)
    docs = work / "site"
    port_file = work / "port"
    try:
        if args.keep and port_file.exists() and (docs / "sitemap.xml").exists():
            port = int(port_file.read_text())  # pages name their own host and port
            print(f"reusing the site in {docs}")
        else:
            port = free_port()
            started = time.perf_counter()
            build_site(docs, args.pages, f"http://127.0.0.1:{port}", pad=False)
            port_file.write_text(str(port))
            print(f"built {args.pages:,} pages in {time.perf_counter() - started:.0f}s")
        base = f"http://127.0.0.1:{port}"
        database = work / "harvest.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        config = work / "harvest.yaml"
        write_config(config, base, database)
        env = dict(os.environ)
        if args.workers is not None:
            env["HARVESTER_PARSE_WORKERS"] = str(args.workers)
        cmd = [sys.executable, "-c", _WRAPPER, "harvest", "--config", str(config)]
        print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
        with serve(docs, port):
            samples: list[tuple[float, int, int]] = []
            child_hwm: dict[int, int] = {}
            done = threading.Event()
            started = time.perf_counter()
            log = work / "rss.log"
            with log.open("wb") as out:
                proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
                watcher = threading.Thread(target=sample, args=(proc.pid, samples, done, child_hwm))
                watcher.start()
                _, status, usage = os.wait4(proc.pid, 0)
                done.set()
                watcher.join()
            wall = time.perf_counter() - started
        report(log, wall, usage, samples, os.waitstatus_to_exitcode(status), child_hwm)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(log: Path, wall: float, usage: resource.struct_rusage,
           samples: list[tuple[float, int, int]], code: int, child_hwm: dict[int, int]) -> None:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    summary = next((t for t in lines if t.startswith("bench:")), "?")
    mine = next((t.split() for t in lines if t.startswith("RSS-SELF")), None)
    print(f"harvest: {summary} (exit {code})")
    cpu = usage.ru_utime + usage.ru_stime
    print(f"wall {wall:.1f}s  CPU {cpu:.1f}s  load average {os.getloadavg()[0]:.2f}")
    # ru_maxrss is an upper bound only: Linux carries a process's high-water mark
    # through fork + exec into the child (this bench's own, for the harvester; the
    # harvester's, for its parse workers). VmHWM is each process's own peak.
    if mine:
        print(f"peak RSS (VmHWM, own): harvester {int(mine[5]) / 1024:.1f} MB, largest parse "
              f"worker {max(child_hwm.values(), default=0) / 1024:.1f} MB (sampled each second)"
              f"; CPU {mine[7]}s main, {mine[9]}s workers")
        print(f"getrusage ru_maxrss (upper bound, inherits the parent's peak): harvester "
              f"{int(mine[1]) / 1024:.1f} MB, largest parse worker {int(mine[3]) / 1024:.1f} MB")
    print(f"os.wait4 ru_maxrss of the tree (upper bound, as above): "
          f"{usage.ru_maxrss / 1024:.1f} MB")
    if samples:
        marks = sorted({min(len(samples) - 1, len(samples) * q // 10) for q in range(1, 11)})
        print("VmRSS over the run (s: harvester MB / largest child MB): " + "  ".join(
            f"{samples[i][0]:.0f}: {samples[i][1] / 1024:.0f}/{samples[i][2] / 1024:.0f}"
            for i in marks))


if __name__ == "__main__":
    main()
