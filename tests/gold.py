"""Compare a Record with a GOLD.md expected record, field by field, under GOLD.md's rules."""

from __future__ import annotations

import difflib
import json
import unicodedata
from pathlib import Path
from typing import Any

from harvester.types import Record

GOLD_FIELDS = ("platform", "type", "title", "abstract", "authors", "doi", "journal", "volume",
               "issue", "pages", "published", "online", "language", "keywords")


def fold(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split()).casefold()


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, fold(a).split(), fold(b).split(), autojunk=False).ratio()


# GOLD.md: a gold "other" accepts any platform outside this list.
GOLD_PLATFORMS = frozenset({"pure", "dspace", "eprints", "invenio", "hal", "opus", "dataverse",
                            "pangaea", "arxiv"})


def platform_right(got: str, want: str) -> bool:
    if want == "other":
        return got not in GOLD_PLATFORMS
    return got == want


def gold_html_pages(corpus: Path) -> list[tuple[Path, Path]]:
    """(page, gold record) pairs of every HTML corpus page with a gold record, sorted.

    The OAI-PMH gold records (`<file>.xml.expected.json`) belong to another harness.
    """
    out = []
    for gold in sorted(corpus.rglob("*.expected.json")):
        html = gold.with_name(gold.name.removesuffix(".expected.json") + ".html")
        if html.exists():
            out.append((html, gold))
    return out


def field_matches(name: str, got: Any, want: Any) -> bool:
    if name == "platform" and isinstance(got, str) and isinstance(want, str):
        return platform_right(got, want)
    if want is None or got is None:
        return want is None and (got is None or got == [] or got == "")
    if name == "title":
        return fold(got) == fold(want)
    if name == "abstract":
        return _similar(got, want) >= 0.9
    if name == "authors":
        return [fold(a.get("family") or "") for a in got] == [
            fold(a.get("family") or "") for a in want
        ]
    if name == "keywords":
        return {fold(k) for k in got} == {fold(k) for k in want}
    return bool(got == want)


def mismatches(record: Record, gold: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """{field: (got, want)} for every gold field the record gets wrong."""
    got = record.to_json()
    out = {}
    for name in GOLD_FIELDS:
        if name not in gold:
            continue
        if not field_matches(name, got.get(name), gold[name]):
            out[name] = (got.get(name), gold[name])
    return out


def load_gold(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
