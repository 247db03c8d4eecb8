"""Page parsers by platform, and the choice of one for a page.

    record, parser_name = parse_page(page)            # platform detected
    record, parser_name = parse_page(page, "pure")    # forced

Every platform module `harvester/parsers/<name>.py` exposes `PLATFORM` (the
GOLD.md platform value), `parse(page) -> Record` (raises only NotARecord) and
`looks_like(page, signals) -> bool`. `DETECTION_ORDER` lists them most specific
first; a module not written yet is skipped, a module that fails to import
raises. The generic parser is the fallback.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Mapping
from types import MappingProxyType, ModuleType

from harvester.types import Page, Record

from . import generic, pure
from ._detect import Signals

__all__ = ["DETECTION_ORDER", "PARSERS", "Signals", "detect_platform", "parse_page"]

Parser = Callable[[Page], Record]
Detector = Callable[[Page, Signals], bool]

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


def _registry() -> tuple[dict[str, Parser], list[tuple[str, Detector]]]:
    parsers: dict[str, Parser] = {}
    detectors: list[tuple[str, Detector]] = []
    for name in DETECTION_ORDER:
        module = pure if name == "pure" else _load(name)
        if module is None:
            continue
        parsers[name] = module.parse
        looks = getattr(module, "looks_like", None)
        if looks is not None:
            detectors.append((name, looks))
    parsers["generic"] = generic.parse
    return parsers, detectors


_PARSERS, _DETECTORS = _registry()
PARSERS: Mapping[str, Parser] = MappingProxyType(_PARSERS)
_ALIASES = {"other": "generic", "zenodo": "invenio", "inveniordm": "invenio"}


def detect_platform(page: Page) -> str:
    """The parser name for a page: the first module whose `looks_like` says yes, else "generic"."""
    signals = Signals.of(page.url, page.body)
    for name, looks in _DETECTORS:
        if looks(page, signals):
            return name
    return "generic"


def parse_page(page: Page, platform: str | None = "auto") -> tuple[Record, str]:
    """Parse with the named parser ("auto" detects it); returns (record, parser name)."""
    name = detect_platform(page) if platform in ("auto", "", None) else str(platform).lower()
    name = _ALIASES.get(name, name)
    try:
        parser = PARSERS[name]
    except KeyError:
        known = ", ".join(["auto", *sorted(PARSERS)])
        raise ValueError(f"unknown platform {platform!r}; known: {known}") from None
    return parser(page), name
