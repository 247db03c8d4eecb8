"""What every `harvester` command shares: the --config option, the one place where
the library's errors become a message and an exit code, and the --metrics-file writer.

Kept out of `pipelines.cli` so the command modules (cli_export, cli_works,
cli_report) can import it while `pipelines.cli` imports them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from harvester.errors import ConfigError, DatabaseError, HarvestError

F = TypeVar("F", bound=Callable[..., Any])
EXIT_OK, EXIT_SOURCE_FAILED, EXIT_USAGE = 0, 1, 2

config_option = click.option(
    "--config",
    "config_path",
    default="config.yaml",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file.",
)


def handle_errors(fn: F) -> F:
    """Turn the library's errors into one clear line and an exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ConfigError, DatabaseError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        except HarvestError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_SOURCE_FAILED)

    return wrapper  # type: ignore[return-value]


def echo_report(report: Any) -> None:
    """A run's per-source summary lines, then its id and status (harvest and worker)."""
    for stats in report.sources:
        click.echo(stats.summary_line())
    click.echo(f"run {report.run_id}: {report.status}")


def write_metrics_file(path: Path, report: Any) -> None:
    """A run's figures as a Prometheus text file; a file that cannot be written is a
    usage error (exit 2), after the run is committed."""
    from datetime import UTC, datetime

    from .metrics import write_metrics

    try:
        write_metrics(path, report, datetime.now(UTC))
    except OSError as exc:
        click.echo(f"error: cannot write the metrics file {path}: {exc.strerror}", err=True)
        sys.exit(EXIT_USAGE)
