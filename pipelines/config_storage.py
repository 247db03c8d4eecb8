"""Where data goes: the `database` URL and the `archive` (WARC) directory."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from . import config_checks as check
from .config_checks import At
from .config_settings import ArchiveSettings


def database_url(value: object, at: At, base: Path) -> str:
    text = check.text(value, at)
    if "://" not in text:
        path = Path(text).expanduser()
        return f"sqlite:///{path if path.is_absolute() else (base / path).resolve()}"
    try:
        url = make_url(text)
    except ArgumentError as exc:
        raise at.fail(f"not a database URL: {exc}") from None
    db = url.database
    if url.get_backend_name() == "sqlite" and db and db != ":memory:" and not db.startswith(
            "file:") and not Path(db).is_absolute():
        return url.set(database=str((base / db).resolve())).render_as_string(hide_password=False)
    return text


def archive_settings(value: object, at: At, base: Path, database: str, configured: bool
                     ) -> ArchiveSettings | None:
    """`archive: false`, a directory, or {dir, max_file_mb}. Unset: next to a SQLite file
    (`harvest.db` -> `harvest-archive/`), next to the config file for other databases,
    off when there is neither (settings built in code, e.g. tests)."""
    if value is False:
        return None
    if value is None:
        url = make_url(database)
        db = url.database
        if url.get_backend_name() == "sqlite" and db and db != ":memory:" and (
                not db.startswith("file:")):
            path = Path(db)
            return ArchiveSettings(path.with_name(path.stem + "-archive"))
        return ArchiveSettings(base / "archive") if configured else None
    data = {"dir": value} if isinstance(value, str) else check.mapping(
        value, at, ("dir", "max_file_mb"))
    if "dir" not in data:
        raise (at / "dir").fail("missing (the directory for WARC files)")
    directory = Path(check.text(data["dir"], at / "dir")).expanduser()
    size = check.number(1, integer=True)(data.get("max_file_mb", 1024), at / "max_file_mb")
    return ArchiveSettings(directory if directory.is_absolute() else (base / directory).resolve(),
                           int(size) * 1024 * 1024)
