"""`harvester export` and `harvester search`: reading the database back out.

Registered on the main group in `pipelines.cli`; kept apart so the reading
side can grow without touching the harvesting commands. The shared option and
error handling come from `pipelines.cli_common`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import click

from .cli_common import config_option, handle_errors


def _parse_since(value: str | None) -> datetime | None:
    """YYYY-MM-DD or an ISO date-time; without a zone it is read as UTC."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise click.BadParameter(f"not an ISO date: {value!r}", param_hint="--since") from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _run_export(url: str, selection: object, fmt: str, out: TextIO, csv_raw: bool) -> int:
    from .db import open_database
    from .export import Selection, export

    assert isinstance(selection, Selection)
    engine = open_database(url)
    try:
        with engine.connect() as conn:
            return export(conn, selection, fmt, out, csv_raw=csv_raw)
    finally:
        engine.dispose()


@click.command("export")
@config_option
@click.option("--format", "fmt", required=True,
              type=click.Choice(["jsonl", "csv", "bibtex", "ris", "csl-json"]),
              help="Output format.")  # fmt: skip
@click.option("--source", help="Only this source (its name in the config).")
@click.option("--since", help="Only records changed at or after this date (YYYY-MM-DD, UTC).")
@click.option("--where", help="SQL condition on v_publications columns, e.g. \"type = 'article'\".")
@click.option("--include-deleted", is_flag=True,
              help="Also export records the repository has withdrawn.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (replaced only when the export succeeds); default stdout.")
@click.option("--csv-raw", is_flag=True,
              help="CSV: write cells verbatim. By default a cell starting with = + - @ TAB "
                   "or CR gets a leading ' so spreadsheets do not run it as a formula.")
@handle_errors
def export_command(config_path: Path, fmt: str, source: str | None, since: str | None,
                   where: str | None, include_deleted: bool,
                   output: Path | None, csv_raw: bool) -> None:  # fmt: skip
    """Export the selected publications as JSON Lines, CSV, BibTeX, RIS or CSL-JSON."""
    from .config import load_settings
    from .export import Selection, check_filter

    if csv_raw and fmt != "csv":
        raise click.BadParameter("only applies to --format csv", param_hint="--csv-raw")

    selection = Selection(source=source, since=_parse_since(since),
                          where=check_filter(where) if where is not None else None,
                          include_deleted=include_deleted)  # fmt: skip
    settings = load_settings(config_path)
    if output is None:
        count = _run_export(settings.database_url, selection, fmt, sys.stdout, csv_raw)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                count = _run_export(settings.database_url, selection, fmt, out, csv_raw)
            os.replace(tmp, output)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    where_to = output or "stdout"
    click.echo(f"exported {count} record{'s' * (count != 1)} as {fmt} to {where_to}", err=True)


@click.command("search")
@config_option
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1),
              help="How many results.")  # fmt: skip
@handle_errors
def search_command(config_path: Path, query: str, limit: int) -> None:
    """Full-text search of titles, abstracts and keywords; prints id, source, year, title.

    QUERY takes words (all required), "quoted phrases", OR, and -excluded words.
    """
    from .config import load_settings
    from .db import open_database
    from .search import search

    settings = load_settings(config_path)
    engine = open_database(settings.database_url)
    try:
        with engine.connect() as conn:
            hits = search(conn, query, limit=limit)
    finally:
        engine.dispose()
    for hit in hits:
        click.echo(f"{hit.id}\t{hit.source}\t{hit.year}\t{hit.title or ''}")
    if not hits:
        click.echo("no matches", err=True)
