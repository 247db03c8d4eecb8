"""`harvester report`: one run's report as a self-contained HTML page."""

from __future__ import annotations

from pathlib import Path

import click

from .cli_common import config_option, handle_errors


@click.command("report")
@config_option
@click.option("--run", "run_id", type=int, help="Run id (default: the latest run).")
@click.option("--html", "html_path", required=True,
              type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the report to this HTML file.")
def report_command(config_path: Path, run_id: int | None, html_path: Path) -> None:
    """Write a run's report: counts and failures per source, field fill rates against
    the previous run (drops of more than 20 points flagged), records per year."""
    handle_errors(_write_report)(config_path, run_id, html_path)


def _write_report(config_path: Path, run_id: int | None, html_path: Path) -> None:
    from .config import load_settings
    from .db import open_database
    from .report import RunNotFound, gather_report
    from .report_html import render_report

    settings = load_settings(config_path)
    engine = open_database(settings.database_url)
    try:
        with engine.begin() as conn:  # may record fill rates a finished run lacks
            data = gather_report(conn, run_id)
    except RunNotFound as exc:
        raise click.BadParameter(str(exc), param_hint="--run") from exc
    html_path.write_text(render_report(data), encoding="utf-8")
    for drop in data.drops:
        click.echo(f"! {drop.source}: {drop.describe()} (since run {drop.previous_run})")
    click.echo(f"run {data.run_id} ({data.status}): report written to {html_path}")
