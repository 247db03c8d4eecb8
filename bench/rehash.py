"""First harvest vs re-harvest of the unchanged site (conditional GET -> 304), same run.

    python bench/rehash.py [--pages 2000]

Builds the same padded Pure-like portal as bench/e2e.py, serves it from
127.0.0.1, runs `harvester harvest` twice against one SQLite file and prints
both times, the ratio (goal >= 5x), and the counters of the second run: every
page should come back 304 Not Modified, and no record should be rewritten.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from _site import build_site, free_port, serve
from e2e import harvester_cmd, line, run_child, write_config


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="harvester-rehash-"))
    try:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        build_site(work / "site", args.pages, base)
        config, database = work / "harvest.yaml", work / "harvest.db"
        write_config(config, base, database)
        print(f"{args.pages:,} pages; load average {os.getloadavg()[0]:.2f}")
        with serve(work / "site", port) as server:
            print(f"serving {base} with {server}")
            first = run_child(harvester_cmd(config), work / "first.log")
            print(line("first", args.pages, first, _stored(database)), flush=True)
            again = run_child(harvester_cmd(config), work / "again.log")
            print(line("again", args.pages, again, _stored(database)))
        summary = (work / "again.log").read_text(encoding="utf-8").strip().splitlines()
        print("second run:", next((s for s in summary if s.startswith("bench:")), "?"))
        print(f"ratio     re-harvest {first.seconds / again.seconds:.2f}x faster "
              f"({first.cpu / max(again.cpu, 1e-9):.2f}x less CPU); "
              f"load average {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _stored(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("SELECT count(*) FROM publications").fetchone()[0])


if __name__ == "__main__":
    main()
