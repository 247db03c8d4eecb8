"""`harvester harvest` once its options are read: start-up, the run, its report and exit code.

Start-up is where the harvest's process-wide settings are made, before the run
allocates anything: socket reads' buffers from the heap (harvester/heap_reads.py),
the parse workers spawned early (pipelines/parse_start.py), and the objects
start-up built frozen out of the collector's sight.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any, NoReturn

import click

from .cli_common import EXIT_OK, EXIT_SOURCE_FAILED, echo_report

__all__ = ["YOUNG_THRESHOLD", "run_harvest_command"]

YOUNG_THRESHOLD = 50_000  # allocations between collections of the youngest generation


def run_harvest_command(config_path: Path, sources: tuple[str, ...], *, full: bool, wait: bool,
                        metrics_file: Path | None, parse_workers: int | None) -> NoReturn:
    """Harvest, print the report, and exit: 0 all good, 1 some source failed, 130/143 when
    stopped by SIGINT/SIGTERM (errors are the CLI's handle_errors')."""
    from .parse_start import prestarted
    from .rerun import all_harvested_before

    # What start-up builds (modules, settings, the engine: most of the process's
    # objects) lives as long as the run: no collections while it is built (its
    # imports, ~0.31 -> ~0.28 s CPU; the ~1,600 import-time cycles they would have
    # freed stay), then out of the collector's sight, so its full passes stop walking
    # it again and again (1.3 % of a 304 re-harvest's instructions).
    with ExitStack() as stack:
        collecting = gc.isenabled()
        gc.disable()
        try:
            from .config import load_settings

            settings = load_settings(config_path)
            for name in sources:
                settings.source(name)  # unknown names are a usage error, before anything runs
            names = list(sources) or [s.name for s in settings.sources]
            # a re-harvest parses little: no workers spawned for it now (the pool spawns
            # them if it must); a first harvest's import on the other core from here on
            again = all_harvested_before(settings.database_url, names)
            stack.enter_context(prestarted(0 if again else parse_workers))

            from .cli_common import write_metrics_file
            from .db import open_database
            from .progress import progress_printer
            from .run import harvest as run_harvest
            from .signals import StopOnSignal

            engine = open_database(settings.database_url, bulk_writes=True)
            gc.freeze()
            # a run's young objects (futures, handles, answers, rows in flight) mostly
            # live until their page is stored: collecting them every 700 allocations
            # walked the same ones again and again (2 % of a 304 re-harvest's
            # instructions); cyclic garbage waits a little longer (50,000 objects: a few MB at most)
            stack.callback(gc.set_threshold, *gc.get_threshold())
            gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
        finally:
            if collecting:
                gc.enable()

        def tell(message: str) -> None:
            click.echo(message, err=True)

        async def run() -> tuple[Any, int | None]:
            with StopOnSignal(tell) as stopper:
                report = await run_harvest(settings, engine, sources, progress=progress_printer(),
                                           full=full, wait=wait, on_wait=tell, stop=stopper.event,
                                           parse_workers=parse_workers)
            return report, stopper.exit_code

        report, signalled = asyncio.run(run())
        echo_report(report)
        if metrics_file is not None:
            write_metrics_file(metrics_file, report)
        if signalled is not None:
            click.echo(f"run {report.run_id} stopped on request: the pages fetched so far are "
                       "committed; run again to continue", err=True)
            sys.exit(signalled)
        sys.exit(EXIT_OK if report.ok else EXIT_SOURCE_FAILED)
