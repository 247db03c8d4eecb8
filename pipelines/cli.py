"""The `harvester` command (a harvest's run: pipelines/cli_harvest.py). The only place
where errors become exit codes:
0 all good, 1 some source failed (or is being harvested by another run),
2 usage, config or database error, 130/143 stopped by SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from .cli_common import config_option, handle_errors


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="harvester")
def main(verbose: int) -> None:
    """Harvest scholarly metadata from repositories into a SQL database."""
    from harvester.heap import tune_process_heap

    tune_process_heap()  # parsing speed and socket reads: harvester/heap.py, heap_reads.py
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@config_option
@click.argument("sources", nargs=-1)
@click.option("--full", is_flag=True,
              help="OAI-PMH sources: re-enumerate everything, not only what changed.")
@click.option("--wait", is_flag=True,
              help="If another run is harvesting a source, wait for it instead of exiting.")
@click.option("--metrics-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write per-source figures here as a Prometheus text file "
                   "(node_exporter textfile collector).")
@click.option("--parse-workers", type=click.IntRange(min=0),
              help="Processes that parse pages (0: in the main process). "
                   "Default: HARVESTER_PARSE_WORKERS, else 2 (0 on one core).")
@click.option("--enqueue", is_flag=True,
              help="PostgreSQL only: queue the sources' pages for `harvester worker` "
                   "processes to fetch, and return (as `harvester enqueue`).")
@handle_errors
def harvest(config_path: Path, sources: tuple[str, ...], full: bool, wait: bool,
            metrics_file: Path | None, parse_workers: int | None, enqueue: bool) -> None:
    """Harvest SOURCES (default: all sources in the config) into the database.

    SIGINT or SIGTERM stops once the pages already answered are committed; a
    second signal stops at once. With --enqueue, workers fetch the pages instead."""
    if enqueue:
        from .cli_worker import harvest_enqueue

        others = (full, wait, metrics_file is not None, parse_workers is not None)
        return harvest_enqueue(config_path, sources, fetching_options=any(others))
    from .cli_harvest import run_harvest_command

    run_harvest_command(config_path, sources, full=full, wait=wait, metrics_file=metrics_file,
                        parse_workers=parse_workers)


@main.command()
@config_option
@click.option("--source", "source_names", multiple=True,
              help="Only this source (repeatable; default: all).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
              help="Only pages fetched on or after this UTC date or time.")
@handle_errors
def reparse(config_path: Path, source_names: tuple[str, ...], since: Any) -> None:
    """Re-parse archived pages without the network; write only records that changed."""
    from datetime import UTC

    from .config import load_settings
    from .db import open_database
    from .reparse import reparse as run_reparse

    settings = load_settings(config_path)
    for name in source_names:
        settings.source(name)
    engine = open_database(settings.database_url)
    when = since.replace(tzinfo=UTC) if since is not None else None
    for stats in asyncio.run(run_reparse(settings, engine, source_names, since=when)):
        click.echo(stats.summary_line())


@main.command()
@config_option
@click.argument("target")
@click.option("--url", help="The page's address, when TARGET is a saved file.")
@click.option("--platform", default="auto", show_default=True, help="Parser to use.")
@handle_errors
def parse(config_path: Path, target: str, url: str | None, platform: str) -> None:
    """Parse one page (a FILE or an http(s) URL) and print its record as JSON."""
    from harvester.parsers import parse_page

    from .fetch_one import fetch_page, read_page

    if target.startswith(("http://", "https://")):
        page = asyncio.run(fetch_page(target, config_path))
    else:
        page = read_page(Path(target), url)
    try:
        record, parser = parse_page(page, platform)
    except ValueError as exc:  # unknown platform name
        raise click.BadParameter(str(exc), param_hint="--platform") from exc
    click.echo(f"parser: {parser}", err=True)
    click.echo(json.dumps(record.to_json(), ensure_ascii=False, indent=2))


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@config_option
@handle_errors
def db_upgrade(config_path: Path) -> None:
    """Create or migrate the database schema to the newest version."""
    from .config import load_settings
    from .db import open_database, redact

    settings = load_settings(config_path)
    open_database(settings.database_url)
    click.echo(f"database is at the newest schema: {redact(settings.database_url)}")


@main.command("sources")
@config_option
@handle_errors
def list_sources(config_path: Path) -> None:
    """List the configured sources and how they are discovered."""
    from .config import load_settings

    settings = load_settings(config_path)
    for s in settings.sources:
        how = [f"{k}={len(v)}" for k, v in (("sitemap", s.sitemap), ("listing", s.listing),
                                            ("urls", s.urls)) if v]
        if s.oai:
            how.append(f"oai={s.oai} prefix={s.metadata_prefix or 'best'}"
                       + (f" set={s.set_spec}" if s.set_spec else "")
                       + f" enrich={s.enrich}")
        pol = s.politeness
        click.echo(
            f"{s.name}\tplatform={s.platform}\t{' '.join(how)}\t"
            f"concurrency={pol.concurrency} delay={pol.delay}s robots={pol.obey_robots}"
        )


@main.command("runs")
@config_option
@click.option("--limit", default=10, show_default=True, help="How many recent runs.")
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@handle_errors
def list_runs(config_path: Path, limit: int, as_json: bool) -> None:
    """Show recent harvest runs and their statistics."""
    from .config import load_settings
    from .db import open_database
    from .filldrops import run_drops
    from .state import recent_runs

    settings = load_settings(config_path)
    engine = open_database(settings.database_url)
    with engine.connect() as conn:
        runs = recent_runs(conn, limit)
        drops = run_drops(conn, [run["id"] for run in runs])
    for run in runs:
        run["fill_rate_drops"] = [d.to_json() for d in drops[run["id"]]]
    if as_json:
        click.echo(json.dumps(runs, default=str, indent=2))
        return
    if not runs:
        click.echo("no runs yet")
    for run in runs:
        click.echo(f"run {run['id']} {run['status']} {run['started_at']} -> {run['finished_at']}")
        for name, st in sorted((run.get("stats") or {}).items()):
            click.echo(
                f"  {name}: {st.get('status')} fetched={st.get('fetched')} not_modified="
                f"{st.get('not_modified', 0)} skipped_unchanged={st.get('skipped_unchanged', 0)} "
                f"new={st.get('new')} changed={st.get('changed')} unchanged={st.get('unchanged')} "
                f"failed={st.get('failed')}"
            )
        for drop in drops[run["id"]]:
            click.echo(f"  ! {drop.source}: {drop.describe()} (since run {drop.previous_run})")


@main.command()
@click.option("--database", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("harvest.db"), show_default=True, help="SQLite file to fill.")
@handle_errors
def demo(database: Path) -> None:
    """Serve the bundled sample Pure site on 127.0.0.1 and harvest it (offline)."""
    from .demo import run_demo

    sys.exit(run_demo(database, echo=click.echo))


# imported last: they import this module
from .cli_export import export_command, search_command  # noqa: E402
from .cli_report import report_command  # noqa: E402
from .cli_worker import enqueue_command, frontier_command, worker_command  # noqa: E402
from .cli_works import works_command  # noqa: E402

for _command in (export_command, search_command, report_command, works_command,
                 enqueue_command, worker_command, frontier_command):
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
