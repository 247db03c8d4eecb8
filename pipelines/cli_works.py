"""`harvester works`: explain, rebuild, split and merge de-duplicated works.

Registered on the main group in `pipelines.cli`. The shared option and error
handling come from `pipelines.cli_common`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .cli_common import config_option, handle_errors


def _engine(config_path: Path) -> Any:
    from .config import load_settings
    from .db import open_database

    return open_database(load_settings(config_path).database_url)


@click.group("works", invoke_without_command=True)
@config_option
@click.option("--explain", "explain_id", type=int, metavar="WORK_ID",
              help="Print why each publication is in this work.")
@click.pass_context
@handle_errors
def works_command(ctx: click.Context, config_path: Path, explain_id: int | None) -> None:
    """De-duplicated works: records of several sources that are one work.

    Same DOI, or same year, first author and a similar title (docs/sql.md,
    "How works are formed"). --explain WORK_ID shows the decisions."""
    if ctx.invoked_subcommand is not None:
        return
    if explain_id is None:
        click.echo(ctx.get_help())
        return
    from .works_admin import explain_lines, explain_work

    with _engine(config_path).connect() as conn:
        members = explain_work(conn, explain_id)
    for line in explain_lines(explain_id, members):
        click.echo(line)


@works_command.command("rebuild")
@config_option
@handle_errors
def rebuild_command(config_path: Path) -> None:
    """Re-decide the work of every publication (user overrides are kept)."""
    from .works_admin import rebuild_works

    with _engine(config_path).begin() as conn:
        stats = rebuild_works(conn)
    click.echo(f"{stats.publications} publications in {stats.works} works; "
               f"{stats.changed} decisions changed")  # fmt: skip


@works_command.command("split")
@config_option
@click.argument("publication_id", type=int)
@click.option("--note", help="Why (kept with the decision).")
@handle_errors
def split_command(config_path: Path, publication_id: int, note: str | None) -> None:
    """Take PUBLICATION_ID out of its work, for good (no rule will match it again)."""
    from .works_admin import split_publication

    with _engine(config_path).begin() as conn:
        work_id = split_publication(conn, publication_id, note=note)
    click.echo(f"publication {publication_id} is now alone in work {work_id}")


@works_command.command("merge")
@config_option
@click.argument("publication_id", type=int)
@click.argument("work_id", type=int)
@click.option("--note", help="Why (kept with the decision).")
@handle_errors
def merge_command(config_path: Path, publication_id: int, work_id: int,
                  note: str | None) -> None:  # fmt: skip
    """Put PUBLICATION_ID into WORK_ID, for good."""
    from .works_admin import merge_publication

    with _engine(config_path).begin() as conn:
        final = merge_publication(conn, publication_id, work_id, note=note)
    click.echo(f"publication {publication_id} is in work {final}")
