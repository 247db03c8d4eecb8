"""Engines, migrations and connection checks for SQLite and PostgreSQL.

`make_engine` is the one place a URL becomes an Engine, so every caller gets
the same SQLite pragmas and the psycopg 3 driver on PostgreSQL. Migrations run
from the `migrations` package itself, so an installed harvester needs no
alembic.ini.

`open_database` skips Alembic altogether (its import and its script walk)
when the database's alembic_version already names the newest revision, read
from the revision files with two regular expressions; anything it cannot
read falls back to a real `upgrade`.
"""

from __future__ import annotations

import functools
import logging
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import Connection, Engine, Table, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

import migrations
from harvester.errors import DatabaseError

from .db_bulk import bulk_pragmas
from .wal_checkpoint import FALLBACK_PAGES, checkpoint_in_background

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_URL = "sqlite:///harvest.db"
T = TypeVar("T")
log = logging.getLogger(__name__)
_PASSWORD_IN_URL = re.compile(r"(://[^:/@]*:)[^@]*@")


def redact(url: str) -> str:
    """The URL with its password replaced by ***, safe for logs and messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return _PASSWORD_IN_URL.sub(r"\1***@", url)


def normalise_url(url: str | URL) -> URL:
    """Plain postgresql:// URLs get the psycopg 3 driver (psycopg2 is not installed)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL, *, bulk_writes: bool = False, **kwargs: Any) -> Engine:
    """An Engine with pre-ping; SQLite in WAL mode with foreign keys and a 30 s busy timeout
    (`bulk_writes`: statement journals in memory, pipelines/db_bulk.py)."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        on_file: Path | None = None
        if database and database != ":memory:" and not database.startswith("file:"):
            on_file = Path(database).expanduser()
            on_file.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, pool_pre_ping=True, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        if bulk_writes:
            event.listen(engine, "connect", bulk_pragmas)
        sqlite3.register_adapter(type(None), _AS_NULL)
        if on_file is not None:
            checkpoint_in_background(engine, on_file)
        return engine
    if parsed.get_backend_name() == "postgresql":
        kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", 10)
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


_AS_NULL = cast("Callable[[None], None]", {}.get)
"""sqlite3's adapter for None: None, bound as NULL all the same, but found in the registry.

Python's sqlite3 binds int, float and str directly and sends every other value,
None included, through its adapter lookup, which for a type without an adapter
ends in a failed attribute lookup on its protocol type that formats an
AttributeError message and throws it away: ~350 ns a None, ~90 ns with an
adapter. A loaded record binds ~25 Nones (empty columns), so ~6 µs a record.
A C callable (dict.get of an empty dict returns None for any key), not a lambda:
no Python frame per value. Registered process-wide, which changes no value.
"""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # a thread checkpoints at 1,000 pages (pipelines.wal_checkpoint); this is the net
        cursor.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_PAGES}")
    finally:
        cursor.close()


def check_connection(engine: Engine) -> None:
    """Raise DatabaseError (one line, password masked) unless the database answers."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise DatabaseError(_one_line(engine, "cannot connect to", exc)) from exc


def in_transaction(engine: Engine, work: Callable[[Connection], T], *,
                   what: str = "write failed on") -> T:
    """`work` in one transaction. Retried once, on a fresh connection, when the connection
    dropped, a concurrent writer committed the same unique key first (the retry then
    finds those rows as existing ones) or PostgreSQL chose this transaction as a deadlock's
    victim (rolled back whole, so the retry starts clean); anything else, or a second
    failure, rolls back and raises DatabaseError naming the cause. `work` must be safe to
    run twice."""
    for attempt in (1, 2):
        try:
            with engine.begin() as conn:
                return work(conn)
        except (SQLAlchemyError, engine.dialect.loaded_dbapi.Error) as exc:
            # the bulk loader's COPY raises the driver's own errors, unwrapped
            if attempt == 1 and _retryable(engine, exc):
                log.warning("%s; retrying the transaction once", _one_line(engine, what, exc))
                continue
            raise DatabaseError(_one_line(engine, what, exc)) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _retryable(engine: Engine, exc: BaseException) -> bool:
    driver_error: BaseException | None = exc
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        driver_error = exc.orig
    elif isinstance(exc, SQLAlchemyError):
        return False
    elif engine.dialect.is_disconnect(exc, None, None):  # type: ignore[arg-type]
        return True
    # unique_violation, deadlock_detected: PostgreSQL's SQLSTATEs; SQLite only names a
    # unique violation in the message (and, one writer at a time, has no deadlocks)
    return (getattr(driver_error, "sqlstate", None) in _RETRIED_SQLSTATES
            or "UNIQUE constraint failed" in str(driver_error))


_RETRIED_SQLSTATES = frozenset({"23505", "40P01"})


def _one_line(engine: Engine, what: str, exc: BaseException) -> str:
    where = engine.url.render_as_string(hide_password=True)
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    message = f"{what} database {where}: {detail[0] if detail else type(exc).__name__}"
    password = engine.url.password
    return message.replace(str(password), "***") if password else message


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic Config pointing at the installed `migrations` package."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).resolve().parent))
    cfg.set_main_option("path_separator", "os")
    if url is not None:
        # ConfigParser treats % as interpolation; URL-encoded passwords contain it.
        rendered = normalise_url(url).render_as_string(hide_password=False)
        cfg.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations up to `revision` in one transaction."""
    from alembic import command

    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except SQLAlchemyError as exc:
        raise DatabaseError(_one_line(engine, "migration failed on", exc)) from exc


_REVISION = re.compile(r"^revision(?:\s*:[^=]+)?\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision(?:\s*:[^=]+)?\s*=\s*(.+)$", re.M)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


@functools.cache
def script_heads() -> frozenset[str] | None:
    """The head revisions of the migrations package, or None when a file is unclear."""
    versions = Path(migrations.__file__).resolve().parent / "versions"
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in versions.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        rev, down = _REVISION.findall(source), _DOWN.findall(source)
        if len(rev) != 1 or len(down) != 1:
            return None
        revisions.add(rev[0])
        parents.update(_QUOTED.findall(down[0]))
    heads = frozenset(revisions - parents)
    return heads or None


def at_head(engine: Engine) -> bool:
    """Whether the database's alembic_version rows are exactly the scripts' heads."""
    heads = script_heads()
    if heads is None:
        return False
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            return frozenset(rows) == heads
    except SQLAlchemyError:  # no alembic_version table yet
        return False


def open_database(url: str | URL, *, bulk_writes: bool = False) -> Engine:
    """An engine on a reachable database migrated to the newest schema (a new SQLite
    database made from the schema's snapshot, pipelines/schema_snapshot.py)."""
    engine = make_engine(url, bulk_writes=bulk_writes)
    check_connection(engine)
    if not at_head(engine):
        from .schema_snapshot import create_on

        if not create_on(engine, script_heads()):
            upgrade(engine)
    return engine


def dialect_insert(conn: Connection, table: Table) -> Any:
    """An INSERT that knows ON CONFLICT for this connection's dialect."""
    # imported here: the PostgreSQL dialect (with asyncpg's, ~60 ms) is no SQLite run's cost
    name = conn.dialect.name
    if name == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)
    if name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    raise DatabaseError(f"unsupported database dialect: {name}")
