"""Field accuracy of the parsers (platform auto) on the corpus pages that have a gold record.

    python bench/accuracy.py [--corpus ../shared/corpus] [--verbose]

For every HTML page beside a `<page>.expected.json` (the OAI-PMH XML gold
records belong to another harness), parse with `platform: auto` and compare
each GOLD.md field under GOLD.md's rules (tests/gold.py holds the one
comparison, shared with the golden tests). Prints right/total per field, the
failures per page, the overall share and the detection accuracy. A page the
parser refuses (NotARecord) counts every field wrong. Run by hand; not a test.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the one gold comparison lives beside the tests

from gold import (  # noqa: E402
    GOLD_FIELDS,
    field_matches,
    gold_html_pages,
    load_gold,
    platform_right,
)

from harvester.errors import NotARecord  # noqa: E402
from harvester.parsers import parse_page  # noqa: E402
from harvester.types import Page  # noqa: E402


def evaluate(html: Path, gold: dict[str, Any]) -> tuple[str, dict[str, tuple[bool, Any, Any]]]:
    """(parser name, {field: (right, got, want)})."""
    page = Page(url=gold["url"], body=html.read_bytes())
    try:
        record, parser = parse_page(page)
    except NotARecord as exc:
        return "none", {f: (False, f"NotARecord: {exc}", gold[f]) for f in GOLD_FIELDS if f in gold}
    got = record.to_json()
    out: dict[str, tuple[bool, Any, Any]] = {}
    for name in GOLD_FIELDS:
        if name not in gold:
            continue
        ok = field_matches(name, got.get(name), gold[name])
        out[name] = (ok, got.get(name), gold[name])
    return parser, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--verbose", action="store_true", help="print got/want of every miss")
    args = ap.parse_args()
    pairs = gold_html_pages(args.corpus)
    if not pairs:
        sys.exit(f"no gold pages under {args.corpus}")
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    detected = 0
    failures: list[str] = []
    for html, gold_path in pairs:
        gold = load_gold(gold_path)
        parser, fields = evaluate(html, gold)
        want = gold.get("platform", "other")
        if platform_right(parser if parser != "generic" else "other", want):
            detected += 1
        else:
            failures.append(f"{html.relative_to(args.corpus)}: detected {parser}, gold {want}")
        for name, (ok, got, expected) in fields.items():
            total[name] += 1
            right[name] += ok
            if not ok:
                line = f"{html.relative_to(args.corpus)}: {name}"
                if args.verbose:
                    line += f"\n    got  {str(got)[:160]}\n    want {str(expected)[:160]}"
                failures.append(line)
    print(f"{len(pairs)} corpus pages with gold records\n")
    print(f"{'field':<10} {'right':>5} / {'total':<5} share")
    for name in GOLD_FIELDS:
        if total[name]:
            print(f"{name:<10} {right[name]:>5} / {total[name]:<5} {right[name] / total[name]:.3f}")
    all_right, all_total = sum(right.values()), sum(total.values())
    print(f"\noverall    {all_right:>5} / {all_total:<5} {all_right / all_total:.3f}")
    print(f"detection  {detected:>5} / {len(pairs):<5} {detected / len(pairs):.3f}")
    worst = min(right[n] / total[n] for n in total)
    print(f"lowest field share {worst:.3f}")
    if failures:
        print("\nmisses:")
        for line in failures:
            print("  " + line)


if __name__ == "__main__":
    main()
