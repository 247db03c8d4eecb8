"""One `sources:` entry -> SourceSettings, including its OAI-PMH keys."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from harvester.politeness import Politeness

from . import config_checks as check
from .config_checks import At
from .config_settings import SourceSettings

_SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
OAI_KEYS = ("oai", "metadata_prefix", "set", "enrich", "window")
OAI_WINDOWS = ("day", "month", "year", "none")
LASTMOD = ("trust", "ignore")
# keys only a source that finds pages (sitemap, listing, urls) takes
PAGE_KEYS = ("gone_after", "lastmod", "recheck_days")


def _oai(data: Mapping[str, Any], at: At, found: Mapping[str, tuple[str, ...]]
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
        raise (at / "oai").fail(f"must be one URL, got {check.show(data['oai'])}")
    out: dict[str, Any] = {"oai": check.urls(data["oai"], at / "oai")[0]}
    if "metadata_prefix" in data:
        prefix = check.text(data["metadata_prefix"], at / "metadata_prefix")
        if not re.fullmatch(r"[A-Za-z0-9_.!~*'()-]+", prefix):
            raise (at / "metadata_prefix").fail(f"not a metadata prefix: {check.show(prefix)}")
        out["metadata_prefix"] = prefix
    if "set" in data:
        out["set_spec"] = check.text(data["set"], at / "set")
    if "enrich" in data:
        out["enrich"] = check.boolean(data["enrich"], at / "enrich")
    if "window" in data:
        if data["window"] not in OAI_WINDOWS:
            raise (at / "window").fail(
                f"must be one of {', '.join(OAI_WINDOWS)}, got {check.show(data['window'])}")
        out["window"] = data["window"]
    return out


_SOURCE_KEYS = ("name", "platform", "sitemap", "listing", "urls", "politeness", "allow_private",
                "allow_hosts", *PAGE_KEYS, *OAI_KEYS)


def source_settings(value: object, at: At, default: Politeness, platforms: tuple[str, ...]
            ) -> SourceSettings:
    data = check.mapping(value, at, _SOURCE_KEYS)
    if "name" not in data:
        raise (at / "name").fail("missing (every source needs a name)")
    name = check.text(data["name"], at / "name")
    if not _SOURCE_NAME.match(name):
        raise (at / "name").fail(
            f"must be letters, digits, '.', '_' or '-', got {check.show(name)}")
    platform = data.get("platform", "auto")
    if platform not in platforms:
        raise (at / "platform").fail(
            f"must be one of {', '.join(platforms)}, got {check.show(platform)}")
    found: dict[str, Any] = {
        k: check.urls(data[k], at / k) for k in ("sitemap", "listing", "urls") if k in data}
    oai = _oai(data, at, found)
    if not any(found.values()) and not oai:
        raise at.fail(f"source {name!r} needs at least one of sitemap, listing, urls, oai")
    overrides = check.fields(data.get("politeness", {}), at / "politeness", check.POLITENESS)
    for key in PAGE_KEYS:
        if key in data and oai:
            # an OAI-PMH server reports its deletions (tombstones) and changes (from=) itself
            raise (at / key).fail("only allowed on a source with sitemap, listing or urls")
    gone_after = check.number(1, integer=True)(data.get("gone_after", 3), at / "gone_after")
    lastmod = data.get("lastmod", "trust")
    if lastmod not in LASTMOD:
        raise (at / "lastmod").fail(
            f"must be one of {', '.join(LASTMOD)}, got {check.show(lastmod)}")
    recheck = check.number(0, integer=True)(data.get("recheck_days", 30), at / "recheck_days")
    return SourceSettings(
        name=name,
        platform=str(platform),
        politeness=dataclasses.replace(default, **overrides),
        allow_private=check.boolean(data.get("allow_private", False), at / "allow_private"),
        allow_hosts=check.hosts(data.get("allow_hosts", []), at / "allow_hosts"),
        gone_after=int(gone_after),
        lastmod=str(lastmod),
        recheck_days=int(recheck),
        **found,
        **oai,
    )
