"""config.yaml -> frozen Settings.

Hand-written validation, so every mistake becomes one ConfigError line naming the
file and the key path (`config.yaml: sources[1].politeness.delay: must be ...`).
Unknown keys are errors: a typo such as `dealy:` must not silently fall back to a
default. HARVESTER_DATABASE_URL overrides `database`.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from harvester.errors import ConfigError
from harvester.parsers import PARSERS
from harvester.politeness import FetchSettings, Politeness

# Every parser the harvester has, plus "auto" (detect per page).
KNOWN_PLATFORMS: tuple[str, ...] = ("auto", *sorted(PARSERS))
DATABASE_ENV = "HARVESTER_DATABASE_URL"
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+|https?://[^\s)]+")
_SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, slots=True)
class SourceSettings:
    name: str
    platform: str = "auto"
    sitemap: tuple[str, ...] = ()
    listing: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    politeness: Politeness = field(default_factory=Politeness)
    # loopback / private addresses are refused unless a source opts in (tests, demo)
    allow_private: bool = False
    # hosts other than the source's own (and its www. twin) that redirects may lead to
    allow_hosts: tuple[str, ...] = ()
    # OAI-PMH: a base URL replaces sitemap/listing/urls discovery (pipelines/oai_run.py)
    oai: str | None = None
    metadata_prefix: str | None = None  # None: the richest format the server offers
    set_spec: str | None = None
    enrich: bool = True  # fetch landing pages to fill what the OAI record lacks
    window: str = "month"  # date windows a harvest is split into: day|month|year|none
    # consecutive 404/410 answers (one per run) before a page's record is marked deleted
    gone_after: int = 3

    def __post_init__(self) -> None:
        # The fetcher reads network safety from the Politeness it is handed with each URL.
        safe = dataclasses.replace(self.politeness, allow_private=self.allow_private,
                                   allow_hosts=self.allow_hosts)
        object.__setattr__(self, "politeness", safe)


@dataclass(frozen=True, slots=True)
class ArchiveSettings:
    """Where fetched pages are kept as WARC files, and when a file is rotated."""

    directory: Path
    max_file_bytes: int = 1 << 30


@dataclass(frozen=True, slots=True)
class Settings:
    path: Path | None
    database_url: str
    fetch: FetchSettings
    politeness: Politeness
    sources: tuple[SourceSettings, ...]
    archive: ArchiveSettings | None = None  # None: pages are not archived

    def source(self, name: str) -> SourceSettings:
        for s in self.sources:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sources) or "none"
        where = str(self.path) if self.path else "<config>"
        raise ConfigError(f"{where}: sources: no source named {name!r} (known: {known})")


@dataclass(frozen=True, slots=True)
class _At:
    """Where a value sits: file name plus key path, for error messages."""

    file: str
    key: str = ""

    def __truediv__(self, part: str | int) -> _At:
        if isinstance(part, int):
            return _At(self.file, f"{self.key}[{part}]")
        return _At(self.file, f"{self.key}.{part}" if self.key else part)

    def fail(self, problem: str) -> ConfigError:
        return ConfigError(f"{self.file}: {self.key}: {problem}" if self.key
                           else f"{self.file}: {problem}")


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _mapping(value: object, at: _At, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise at.fail(f"must be a mapping, got {_show(value)}")
    for key in value:
        if key not in allowed:
            raise (at / str(key)).fail(f"unknown key (expected one of: {', '.join(allowed)})")
    return value


def _text(value: object, at: _At) -> str:
    if not isinstance(value, str) or not value.strip():
        raise at.fail(f"must be a non-empty string, got {_show(value)}")
    return value.strip()


def _bool(value: object, at: _At) -> bool:
    if not isinstance(value, bool):
        raise at.fail(f"must be true or false, got {_show(value)}")
    return value


def _number(minimum: float, *, integer: bool = False, strict: bool = False
            ) -> Callable[[object, _At], Any]:
    def check(value: object, at: _At) -> Any:
        kinds: tuple[type, ...] = (int,) if integer else (int, float)
        if isinstance(value, kinds) and not isinstance(value, bool):
            num = float(value)  # type: ignore[arg-type]
            if num > minimum or (not strict and num == minimum):
                return value if integer else num
        kind = "an integer" if integer else "a number"
        bound = f"> {minimum:g}" if strict else f">= {minimum:g}"
        raise at.fail(f"must be {kind} {bound}, got {_show(value)}")

    return check


def _user_agent(value: object, at: _At) -> str:
    text = _text(value, at)
    if not _CONTACT.search(text):
        raise at.fail(f"must contain a contact (an email address or URL), got {_show(text)}")
    return text


def _transport(value: object, at: _At) -> str:
    if value not in ("aiohttp", "httpx"):
        raise at.fail(f"must be 'aiohttp' or 'httpx', got {_show(value)}")
    return str(value)


_POLITENESS: dict[str, Callable[[object, _At], Any]] = {
    "concurrency": _number(1, integer=True),
    "delay": _number(0),
    "obey_robots": _bool,
}
_FETCH: dict[str, Callable[[object, _At], Any]] = {
    "user_agent": _user_agent,
    "timeout": _number(0, strict=True),
    "max_bytes": _number(1, integer=True),
    "max_retries": _number(0, integer=True),
    "backoff_base": _number(0),
    "backoff_max": _number(0),
    "max_redirects": _number(0, integer=True),
    "transport": _transport,
}


def _fields(value: object, at: _At, checks: Mapping[str, Callable[[object, _At], Any]]
            ) -> dict[str, Any]:
    data = _mapping(value, at, tuple(checks))
    return {k: checks[k](v, at / k) for k, v in data.items()}


def _urls(value: object, at: _At) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise at.fail(f"must be a URL or a list of URLs, got {_show(value)}")
    out = []
    for i, item in enumerate(items):
        where = at if isinstance(value, str) else at / i
        url = _text(item, where)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise where.fail(f"must be an http(s) URL, got {_show(item)}")
        out.append(url)
    return tuple(out)


OAI_KEYS = ("oai", "metadata_prefix", "set", "enrich", "window")
OAI_WINDOWS = ("day", "month", "year", "none")


def _oai(data: Mapping[str, Any], at: _At, found: Mapping[str, tuple[str, ...]]
         ) -> dict[str, Any]:
    """The OAI-PMH keys of a source; the options are errors without `oai:`."""
    if "oai" not in data:
        for key in OAI_KEYS:
            if key in data:
                raise (at / key).fail("only allowed on a source with oai:")
        return {}
    if any(found.values()):
        raise (at / "oai").fail("cannot be combined with sitemap, listing or urls "
                                "(make them two sources)")
    if isinstance(data["oai"], list):
        raise (at / "oai").fail(f"must be one URL, got {_show(data['oai'])}")
    out: dict[str, Any] = {"oai": _urls(data["oai"], at / "oai")[0]}
    if "metadata_prefix" in data:
        prefix = _text(data["metadata_prefix"], at / "metadata_prefix")
        if not re.fullmatch(r"[A-Za-z0-9_.!~*'()-]+", prefix):
            raise (at / "metadata_prefix").fail(f"not a metadata prefix: {_show(prefix)}")
        out["metadata_prefix"] = prefix
    if "set" in data:
        out["set_spec"] = _text(data["set"], at / "set")
    if "enrich" in data:
        out["enrich"] = _bool(data["enrich"], at / "enrich")
    if "window" in data:
        if data["window"] not in OAI_WINDOWS:
            raise (at / "window").fail(
                f"must be one of {', '.join(OAI_WINDOWS)}, got {_show(data['window'])}")
        out["window"] = data["window"]
    return out


_HOST = re.compile(r"^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$", re.IGNORECASE)


def _hosts(value: object, at: _At) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise at.fail(f"must be a list of host names, got {_show(value)}")
    out = []
    for i, item in enumerate(value):
        host = _text(item, at / i)
        if not _HOST.match(host):
            raise (at / i).fail(f"must be a host name such as cdn.example.org or "
                                f"*.example.org, got {_show(host)}")
        out.append(host.lower())
    return tuple(out)


_SOURCE_KEYS = ("name", "platform", "sitemap", "listing", "urls", "politeness", "allow_private",
                "allow_hosts", "gone_after", *OAI_KEYS)


def _source(value: object, at: _At, default: Politeness, platforms: tuple[str, ...]
            ) -> SourceSettings:
    data = _mapping(value, at, _SOURCE_KEYS)
    if "name" not in data:
        raise (at / "name").fail("missing (every source needs a name)")
    name = _text(data["name"], at / "name")
    if not _SOURCE_NAME.match(name):
        raise (at / "name").fail(f"must be letters, digits, '.', '_' or '-', got {_show(name)}")
    platform = data.get("platform", "auto")
    if platform not in platforms:
        raise (at / "platform").fail(
            f"must be one of {', '.join(platforms)}, got {_show(platform)}")
    found: dict[str, Any] = {
        k: _urls(data[k], at / k) for k in ("sitemap", "listing", "urls") if k in data}
    oai = _oai(data, at, found)
    if not any(found.values()) and not oai:
        raise at.fail(f"source {name!r} needs at least one of sitemap, listing, urls, oai")
    overrides = _fields(data.get("politeness", {}), at / "politeness", _POLITENESS)
    if "gone_after" in data and oai:
        # an OAI-PMH server reports its deletions itself (tombstones)
        raise (at / "gone_after").fail("only allowed on a source with sitemap, listing or urls")
    gone_after = _number(1, integer=True)(data.get("gone_after", 3), at / "gone_after")
    return SourceSettings(
        name=name,
        platform=str(platform),
        politeness=dataclasses.replace(default, **overrides),
        allow_private=_bool(data.get("allow_private", False), at / "allow_private"),
        allow_hosts=_hosts(data.get("allow_hosts", []), at / "allow_hosts"),
        gone_after=int(gone_after),
        **found,
        **oai,
    )


def _database(value: object, at: _At, base: Path) -> str:
    text = _text(value, at)
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


_TOP_KEYS = ("database", "user_agent", "fetch", "politeness", "sources", "archive")


def _archive(value: object, at: _At, base: Path, database: str, configured: bool
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
    data = {"dir": value} if isinstance(value, str) else _mapping(
        value, at, ("dir", "max_file_mb"))
    if "dir" not in data:
        raise (at / "dir").fail("missing (the directory for WARC files)")
    directory = Path(_text(data["dir"], at / "dir")).expanduser()
    size = _number(1, integer=True)(data.get("max_file_mb", 1024), at / "max_file_mb")
    return ArchiveSettings(directory if directory.is_absolute() else (base / directory).resolve(),
                           int(size) * 1024 * 1024)


def parse_settings(data: object, *, path: Path | None, env: Mapping[str, str],
                   platforms: tuple[str, ...] = KNOWN_PLATFORMS) -> Settings:
    """Validate already-loaded YAML data; `path` names the file in messages and
    anchors relative database paths (the current directory when None)."""
    at = _At(str(path) if path else "<config>")
    top = _mapping(data, at, _TOP_KEYS)
    base = path.resolve().parent if path else Path.cwd()
    if env.get(DATABASE_ENV):
        database = _database(env[DATABASE_ENV], _At(at.file, DATABASE_ENV), Path.cwd())
    else:
        database = _database(top.get("database", "harvest.db"), at / "database", base)
    fetch_data = _fields(top.get("fetch", {}), at / "fetch", _FETCH)
    if "user_agent" in top:  # top-level shorthand for fetch.user_agent
        if "user_agent" in fetch_data:
            raise (at / "user_agent").fail("given twice (also as fetch.user_agent)")
        fetch_data["user_agent"] = _user_agent(top["user_agent"], at / "user_agent")
    fetch = FetchSettings(**fetch_data)
    default = Politeness(**_fields(top.get("politeness", {}), at / "politeness", _POLITENESS),
                         allow_private=False, allow_hosts=())
    if "sources" not in top:
        raise (at / "sources").fail("missing (a list of sources, may be empty: [])")
    raw = top["sources"]
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise (at / "sources").fail(f"must be a list, got {_show(raw)}")
    sources: list[SourceSettings] = []
    for i, item in enumerate(raw):
        src = _source(item, at / "sources" / i, default, platforms)
        if any(s.name == src.name for s in sources):
            raise (at / "sources" / i / "name").fail(f"duplicate source name {src.name!r}")
        sources.append(src)
    if top.get("archive") is True:
        raise (at / "archive").fail("must be false, a directory, or {dir, max_file_mb}")
    archive = _archive(top.get("archive"), at / "archive", base, database, path is not None)
    return Settings(path=path.resolve() if path else None, database_url=database,
                    fetch=fetch, politeness=default, sources=tuple(sources), archive=archive)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (the second one would win silently)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_settings(path: str | Path, *, env: Mapping[str, str] | None = None,
                  platforms: tuple[str, ...] = KNOWN_PLATFORMS) -> Settings:
    """Read and validate a config file; every problem is one ConfigError line."""
    given = Path(path)
    try:
        text = given.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{given}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{given}: cannot read config file: {exc}") from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{given}:{mark.line + 1}:{mark.column + 1}" if mark else str(given)
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise ConfigError(f"{where}: YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{given}: YAML error: {exc}") from None
    return parse_settings(data, path=given, env=os.environ if env is None else env,
                          platforms=platforms)
