"""Page parsers by platform, and the choice of one for a page.

    record, parser_name = parse_page(page)            # platform detected
    record, parser_name = parse_page(page, "pure")    # forced

Every parser is `parse(page: Page) -> Record` and raises only NotARecord.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from harvester.types import Page, Record

from . import generic, pure

__all__ = ["PARSERS", "detect_platform", "parse_page"]

PARSERS: Mapping[str, Callable[[Page], Record]] = MappingProxyType(
    {"pure": pure.parse, "generic": generic.parse}
)


def detect_platform(page: Page) -> str:
    """The parser name for a page: "pure" when it carries Pure portal markers, else "generic"."""
    if pure.looks_like_pure(page.body, page.url):
        return "pure"
    return "generic"


def parse_page(page: Page, platform: str = "auto") -> tuple[Record, str]:
    """Parse with the named parser ("auto" detects it); returns (record, parser name)."""
    name = detect_platform(page) if platform in ("auto", "", None) else platform
    if name == "other":
        name = "generic"
    try:
        parser = PARSERS[name]
    except KeyError:
        known = ", ".join(["auto", *sorted(PARSERS)])
        raise ValueError(f"unknown platform {platform!r}; known: {known}") from None
    return parser(page), name
