"""Page parsers by platform, and the choice of one for a page.

    record, parser_name = parse_page(page)            # platform detected
    record, parser_name = parse_page(page, "pure")    # forced

Every platform module `harvester/parsers/<name>.py` exposes `PLATFORM` (the
GOLD.md platform value), `parse(page) -> Record` (raises only NotARecord) and
`looks_like(page, signals) -> bool`, which is `in_head(signals) or
in_body(signals)` where a module has those. A module may add
`parse_detected(page)`: `parse` without re-checking the markers detection has
just found (Pure's full-body scan, ~12 µs on a page whose marker sits 43 KB in).
`DETECTION_ORDER` lists them most specific first; a module not written yet is
skipped, a module that fails to import raises. The generic parser is the fallback.

Detection asks in two rounds, each in `DETECTION_ORDER`: every platform's
`in_head` (address, generator, meta names; for Pure, its marker in the first
16 KB: no full body scan), then every `in_body` (markup substrings).
So a page's own address or generator beats another platform's class name in
its body, and most pages are placed without a scan of the body: asking each
platform for both at once cost a DSpace page ~25 scans (~240 µs on 33 KB).

The platform modules are imported on first use (`PARSERS`, `detect_platform`,
`parse_page`), not with this package: all of them cost ~90 ms of start-up that a
run parsing no page (every page unchanged) does not need.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from collections.abc import Callable, Mapping
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, NamedTuple

from harvester.types import Page, Record

from ._detect import Signals

if TYPE_CHECKING:
    PARSERS: Mapping[str, Callable[[Page], Record]]

__all__ = ["DETECTION_ORDER", "PARSERS", "Signals", "detect_platform", "parse_page"]

Parser = Callable[[Page], Record]
Detector = Callable[[Page, Signals], bool]
Check = Callable[[Signals], bool]

# Most specific first. Dataverse, PANGAEA, arXiv, HAL and OPUS are recognised by their
# own markers; Invenio (Zenodo) and DSpace by generator/URL shapes that other software
# does not copy; OJS/EPrints/bepress/Hyrax/Islandora by their own meta and markup;
# definition_list takes pages with no citation meta whose record is a <dl> of labels.
# A test checks that every module with `looks_like` is listed here.
DETECTION_ORDER: tuple[str, ...] = (
    "pure", "dataverse", "pangaea", "arxiv", "hal", "opus", "invenio", "figshare", "ojs",
    "eprints", "bepress", "hyrax", "islandora", "dspace", "definition_list",
)


def _load(name: str) -> ModuleType | None:
    qualified = f"{__name__}.{name}"
    if importlib.util.find_spec(qualified) is None:
        return None
    return importlib.import_module(qualified)  # a broken module raises here, on purpose


class _Registry(NamedTuple):
    parsers: Mapping[str, Parser]
    detected: Mapping[str, Parser]  # what parse_page runs for a detected platform
    by_head: list[tuple[str, Check]]
    by_body: list[tuple[str, Check]]


@functools.cache
def _registry() -> _Registry:
    from . import generic

    parsers: dict[str, Parser] = {}
    detected: dict[str, Parser] = {}
    by_head: list[tuple[str, Check]] = []
    by_body: list[tuple[str, Check]] = []
    for name in DETECTION_ORDER:
        module = _load(name)
        if module is None:
            continue
        parsers[name] = module.parse
        detected[name] = getattr(module, "parse_detected", module.parse)
        head, body = getattr(module, "in_head", None), getattr(module, "in_body", None)
        if head is None and body is None and hasattr(module, "looks_like"):
            body = _from_looks_like(module.looks_like)  # a module without the split
        if head is not None:
            by_head.append((name, head))
        if body is not None:
            by_body.append((name, body))
    parsers["generic"] = detected["generic"] = generic.parse
    return _Registry(MappingProxyType(parsers), MappingProxyType(detected), by_head, by_body)


def _from_looks_like(looks: Detector) -> Check:
    return lambda signals: looks(Page(url=signals.url, body=signals.body), signals)


def __getattr__(name: str) -> object:
    if name == "PARSERS":  # the registry, built by the first to ask
        return _registry().parsers
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_ALIASES = {"other": "generic", "zenodo": "invenio", "inveniordm": "invenio"}


def detect_platform(page: Page) -> str:
    """The parser name for a page: the first module whose `in_head`, else the first whose
    `in_body` says yes, else "generic"."""
    signals = Signals.of(page.url, page.body)
    registry = _registry()
    for name, check in registry.by_head:
        if check(signals):
            return name
    for name, check in registry.by_body:
        if check(signals):
            return name
    return "generic"


def parse_page(page: Page, platform: str | None = "auto") -> tuple[Record, str]:
    """Parse with the named parser ("auto" detects it); returns (record, parser name)."""
    if platform in ("auto", "", None):
        name = detect_platform(page)
        return _registry().detected[name](page), name
    name = str(platform).lower()
    name = _ALIASES.get(name, name)
    parsers = _registry().parsers
    try:
        parser = parsers[name]
    except KeyError:
        known = ", ".join(["auto", *sorted(parsers)])
        raise ValueError(f"unknown platform {platform!r}; known: {known}") from None
    return parser(page), name
