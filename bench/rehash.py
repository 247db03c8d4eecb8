"""First harvest vs re-harvest of the unchanged site, both ways, in one run.

    python bench/rehash.py [--pages 2000]

Builds the same padded Pure-like portal as bench/e2e.py (its sitemaps given a
past <lastmod> per page), serves it from 127.0.0.1 and runs `harvester harvest`
three times against one SQLite file: the first harvest; again with
`lastmod: ignore` (every page a conditional GET, answered 304 Not Modified); and
again with the default settings (lastmod trusted: no page requested). Prints
each run, its counters, and each re-harvest's ratio to the first (goal >= 5x).

The project's modules are compiled to bytecode once, before the runs, as an
installed package's are: PYTHONDONTWRITEBYTECODE=1 (set on some machines)
otherwise makes every run compile them again, about 0.4 G instructions of
each run's start-up. --compile-each-run keeps the environment as it is.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from _site import build_site, free_port, serve
from e2e import Child, harvester_cmd, line, run_child


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--compile-each-run", action="store_true",
                    help="leave PYTHONDONTWRITEBYTECODE as it is: each run compiles the project")
    args = ap.parse_args()
    env = None if args.compile_each_run else _bytecode_env()
    work = Path(tempfile.mkdtemp(prefix="harvester-rehash-"))
    try:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        build_site(work / "site", args.pages, base)
        _add_lastmod(work / "site")
        database = work / "harvest.db"
        print(f"{args.pages:,} pages; load average {os.getloadavg()[0]:.2f}; bytecode "
              + ("compiled by each run" if env is None else "compiled once, before the runs"))
        with serve(work / "site", port) as server:
            print(f"serving {base} with {server}")
            first = _harvest(work, base, database, "first", args.pages, env)
            ignore = _harvest(work, base, database, "ignore", args.pages, env, "lastmod: ignore")
            trust = _harvest(work, base, database, "trust", args.pages, env)
        for label, again in (("ignore", ignore), ("trust", trust)):
            print(f"ratio     {label:6} {first.seconds / again.seconds:6.2f}x faster "
                  f"({first.cpu / max(again.cpu, 1e-9):.2f}x less CPU)")
        print(f"load average {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _bytecode_env() -> dict[str, str]:
    """The environment without PYTHONDONTWRITEBYTECODE, once the project is compiled."""
    import harvester
    import migrations
    import pipelines

    dirs = [str(Path(m.__file__ or "").parent) for m in (harvester, migrations, pipelines)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", *dirs], env=env, check=True)
    return env


def _harvest(work: Path, base: str, database: Path, label: str, pages: int,
             env: dict[str, str] | None, extra: str = "") -> Child:
    config = work / f"{label}.yaml"
    config.write_text(
        f"database: {database}\n"
        "user_agent: 'harvester-bench/1.0 (+mailto:bench@example.org)'\n"
        "politeness: {concurrency: 64, delay: 0, obey_robots: false}\n"
        "sources:\n"
        f"  - {{name: bench, platform: pure, sitemap: '{base}/sitemap.xml', "
        f"allow_private: true{', ' + extra if extra else ''}}}\n",
        encoding="utf-8")
    child = run_child(harvester_cmd(config), work / f"{label}.log", env)
    print(line(label, pages, child, _stored(database)), flush=True)
    summary = (work / f"{label}.log").read_text(encoding="utf-8").strip().splitlines()
    print("          ", next((s for s in summary if s.startswith("bench:")), "?"), flush=True)
    return child


def _add_lastmod(site: Path) -> None:
    """A past <lastmod> per page (dates only, as most portals write them)."""
    count = iter(range(1 << 62))

    def dated(_: re.Match[str]) -> str:
        n = next(count)
        return f"</loc><lastmod>2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}</lastmod></url>"

    for sitemap in site.glob("sitemap-*.xml"):
        text = sitemap.read_text(encoding="utf-8")
        sitemap.write_text(re.sub(r"</loc></url>", dated, text), encoding="utf-8")


def _stored(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("SELECT count(*) FROM publications").fetchone()[0])


if __name__ == "__main__":
    main()
