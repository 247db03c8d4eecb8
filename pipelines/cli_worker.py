"""`harvester enqueue`, `worker` and `frontier`: distributed harvesting on PostgreSQL.

Registered on the main group in `pipelines.cli`. `enqueue` fills the shared
frontier by discovery; any number of `worker` processes, on any machines with
the same config, drain it (pipelines/worker.py); `frontier` shows where it
stands. `harvest --enqueue` is `enqueue` under the harvest command. Exit codes as
`harvest`.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from .cli_common import (
    EXIT_OK,
    EXIT_SOURCE_FAILED,
    config_option,
    echo_report,
    handle_errors,
)

source_option = click.option("--source", "source_names", multiple=True,
                             help="Only this source (repeatable; default: all but OAI-PMH).")


@click.command("enqueue")
@config_option
@source_option
@handle_errors
def enqueue_command(config_path: Path, source_names: tuple[str, ...]) -> None:
    """Discover the sources' pages into the shared frontier for `harvester worker`.

    Pages done or failed in an earlier round are queued again, except those whose
    sitemap lastmod ends before our last good fetch (counted skipped_unchanged;
    per-source lastmod: ignore queues them too); pages queued or being fetched are
    left alone. Needs PostgreSQL."""
    enqueue_pages(config_path, source_names, "enqueue")


def harvest_enqueue(config_path: Path, source_names: Sequence[str], *,
                    fetching_options: bool) -> None:
    """`harvest --enqueue`: as `enqueue`; options about fetching are usage errors."""
    if fetching_options:
        raise click.UsageError("--enqueue only queues pages: --full, --wait, "
                               "--metrics-file and --parse-workers do not apply")
    enqueue_pages(config_path, source_names, "harvest --enqueue")


def enqueue_pages(config_path: Path, source_names: Sequence[str], command: str) -> None:
    """`harvester enqueue`, and `harvest --enqueue`: one summary line per source; exit 1
    when a source's discovery failed outright. OAI-PMH sources are left to `harvest`."""
    from .config import load_settings
    from .db import open_database
    from .frontier import require_postgres
    from .frontier_fill import enqueue_sources
    from .worker_run import worker_sources

    settings = load_settings(config_path)
    worker_sources(settings, source_names)  # usage errors before anything runs
    require_postgres(settings.database_url, command)
    engine = open_database(settings.database_url)
    filled = asyncio.run(enqueue_sources(settings, engine, source_names))
    for source in filled:
        click.echo(source.summary_line())
    oai = [s.name for s in settings.sources if s.oai and not source_names]
    if oai:
        click.echo(f"not queued, harvested over OAI-PMH by `harvester harvest`: "
                   f"{', '.join(oai)}", err=True)
    if any(s.errors and not s.discovered for s in filled):
        sys.exit(EXIT_SOURCE_FAILED)


@click.command("worker")
@config_option
@source_option
@click.option("--lease-seconds", type=click.FloatRange(min=1.0), default=30.0,
              show_default=True,
              help="How long claimed pages and host slots stay ours without a renewal "
                   "(renewed every third of it); a dead worker's pages wait this long.")
@click.option("--batch", type=click.IntRange(min=1), default=50, show_default=True,
              help="Pages claimed per host slot held, per round.")
@click.option("--until-empty", is_flag=True,
              help="Exit once no page is queued or being fetched (else wait for more).")
@click.option("--poll-seconds", type=click.FloatRange(min=0.05), default=2.0,
              show_default=True, help="Wait this long when there is nothing to claim.")
@click.option("--parse-workers", type=click.IntRange(min=0),
              help="Processes that parse pages (0: in the main process). "
                   "Default: HARVESTER_PARSE_WORKERS, else 2 (0 on one core).")
@handle_errors
def worker_command(config_path: Path, source_names: tuple[str, ...], lease_seconds: float,
                   batch: int, until_empty: bool, poll_seconds: float,
                   parse_workers: int | None) -> None:
    """Fetch pages from the shared frontier, with other workers on any machine.

    Per-host concurrency and delay hold across all workers. SIGINT or SIGTERM
    commits the pages already answered, hands the rest back and exits. Needs
    PostgreSQL (run `harvester enqueue` first)."""
    from .config import load_settings
    from .db import open_database
    from .frontier import require_postgres
    from .signals import StopOnSignal
    from .worker import WorkerOptions
    from .worker_run import run_worker, worker_sources

    settings = load_settings(config_path)
    worker_sources(settings, source_names)  # usage errors before anything runs
    require_postgres(settings.database_url, "worker")
    engine = open_database(settings.database_url)
    options = WorkerOptions(lease_seconds=lease_seconds, batch=batch, until_empty=until_empty,
                            poll_seconds=poll_seconds, parse_workers=parse_workers)

    def tell(message: str) -> None:
        click.echo(message, err=True)

    async def run() -> tuple[Any, int | None]:
        with StopOnSignal(tell) as stopper:
            report = await run_worker(settings, engine, source_names, options=options,
                                      stop=stopper.event)
        return report, stopper.exit_code

    report, signalled = asyncio.run(run())
    echo_report(report)
    if signalled is not None:
        sys.exit(signalled)
    sys.exit(EXIT_OK if report.ok else EXIT_SOURCE_FAILED)


@click.command("frontier")
@config_option
@source_option
@handle_errors
def frontier_command(config_path: Path, source_names: tuple[str, ...]) -> None:
    """Show the shared frontier: pages per state and source, host slots and their holders."""
    from .config import load_settings
    from .db import open_database
    from .frontier import require_postgres
    from .frontier_status import frontier_status

    settings = load_settings(config_path)
    for name in source_names:
        settings.source(name)
    require_postgres(settings.database_url, "frontier")
    with open_database(settings.database_url).connect() as conn:
        by_source, hosts = frontier_status(conn, source_names)
    if not by_source:
        click.echo("the frontier is empty: run `harvester enqueue`")
    for source in by_source:
        click.echo(source.line())
    for host in hosts:
        click.echo("  " + host.line())
