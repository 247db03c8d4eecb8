"""config.yaml -> frozen Settings.

Hand-written validation, so every mistake becomes one ConfigError line naming the
file and the key path (`config.yaml: sources[1].politeness.delay: must be ...`).
Unknown keys are errors: a typo such as `dealy:` must not silently fall back to a
default. HARVESTER_DATABASE_URL overrides `database`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from harvester.errors import ConfigError
from harvester.politeness import FetchSettings, Politeness

from . import config_checks as check
from .config_checks import At
from .config_settings import ArchiveSettings, Settings, SourceSettings
from .config_sources import OAI_KEYS, OAI_WINDOWS, source_settings
from .config_storage import archive_settings, database_url

__all__ = [
    "DATABASE_ENV",
    "KNOWN_PLATFORMS",
    "OAI_KEYS",
    "OAI_WINDOWS",
    "ArchiveSettings",
    "Settings",
    "SourceSettings",
    "load_settings",
    "parse_settings",
]

# Every parser the harvester has (harvester.parsers.PARSERS, sorted), plus "auto" (detect
# per page). Written out: the registry imports every parser (~90 ms), which a run that
# parses nothing does not need; a test holds this list to the registry.
KNOWN_PLATFORMS: tuple[str, ...] = (
    "auto", "arxiv", "bepress", "dataverse", "definition_list", "dspace", "eprints",
    "figshare", "generic", "hal", "hyrax", "invenio", "islandora", "ojs", "opus", "pangaea",
    "pure",
)
DATABASE_ENV = "HARVESTER_DATABASE_URL"
_TOP_KEYS = ("database", "user_agent", "fetch", "politeness", "sources", "archive")


def parse_settings(data: object, *, path: Path | None, env: Mapping[str, str],
                   platforms: tuple[str, ...] = KNOWN_PLATFORMS) -> Settings:
    """Validate already-loaded YAML data; `path` names the file in messages and
    anchors relative database paths (the current directory when None)."""
    at = At(str(path) if path else "<config>")
    top = check.mapping(data, at, _TOP_KEYS)
    base = path.resolve().parent if path else Path.cwd()
    if env.get(DATABASE_ENV):
        database = database_url(env[DATABASE_ENV], At(at.file, DATABASE_ENV), Path.cwd())
    else:
        database = database_url(top.get("database", "harvest.db"), at / "database", base)
    fetch_data = check.fields(top.get("fetch", {}), at / "fetch", check.FETCH)
    if "user_agent" in top:  # top-level shorthand for fetch.user_agent
        if "user_agent" in fetch_data:
            raise (at / "user_agent").fail("given twice (also as fetch.user_agent)")
        fetch_data["user_agent"] = check.user_agent(top["user_agent"], at / "user_agent")
    fetch = FetchSettings(**fetch_data)
    overrides = check.fields(top.get("politeness", {}), at / "politeness", check.POLITENESS)
    default = Politeness(**overrides, allow_private=False, allow_hosts=())
    if "sources" not in top:
        raise (at / "sources").fail("missing (a list of sources, may be empty: [])")
    raw = top["sources"]
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise (at / "sources").fail(f"must be a list, got {check.show(raw)}")
    sources: list[SourceSettings] = []
    for i, item in enumerate(raw):
        src = source_settings(item, at / "sources" / i, default, platforms)
        if any(s.name == src.name for s in sources):
            raise (at / "sources" / i / "name").fail(f"duplicate source name {src.name!r}")
        sources.append(src)
    if top.get("archive") is True:
        raise (at / "archive").fail("must be false, a directory, or {dir, max_file_mb}")
    archive = archive_settings(top.get("archive"), at / "archive", base, database, path is not None)
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
