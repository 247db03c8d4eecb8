"""Coverage-guided fuzzing of parse_page with atheris (libFuzzer), seeded from real pages.

    python bench/fuzz_atheris.py [--seconds 60] [--target parse|oai] [--out DIR]

Seeds are ../shared/corpus pages (when present) and tests/fixtures; the first
input byte picks the parser ("auto" or one by name), the rest is the page. Any
exception other than NotARecord (for `oai`: DiscoveryError/ParseError) is a
crash, and an input that takes longer than --timeout seconds is reported by
libFuzzer as a timeout; both are written to --out. Needs `pip install atheris`
(not a project dependency). Run by hand, not by pytest.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
from pathlib import Path

import atheris  # type: ignore[import-untyped]  # no stubs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports(include=["harvester"]):
    from harvester.errors import DiscoveryError, NotARecord, ParseError
    from harvester.oai.formats import FORMATS
    from harvester.oai.protocol import ListPage, parse_list_records
    from harvester.parsers import PARSERS, parse_page
    from harvester.types import Page

NAMES = ("auto", *PARSERS)
URLS = ("https://repo.example.org/en/publications/x", "https://zenodo.org/records/5",
        "https://arxiv.org/abs/1902.02534", "https://x.test/handle/1/2")  # fmt: skip


def fuzz_parse(data: bytes) -> None:
    if len(data) < 2:
        return
    name = NAMES[data[0] % len(NAMES)]
    url = URLS[data[1] % len(URLS)]
    try:
        record, _ = parse_page(Page(url=url, body=data[2:]), name)
    except NotARecord:
        return
    record.content_hash()


def fuzz_oai(data: bytes) -> None:
    try:
        page = parse_list_records(data, "https://oai.example.org/oai", recover=True)
    except (DiscoveryError, ParseError):
        return
    assert isinstance(page, ListPage)
    for rec in page.records:
        for mapper in dict.fromkeys(FORMATS.values()):
            with contextlib.suppress(ParseError):
                mapper(rec, source_url="https://oai.example.org/oai").content_hash()


def seeds(target: str, into: Path) -> int:
    corpus = ROOT.parent / "shared" / "corpus"
    pattern = "*.html" if target == "parse" else "*.xml"
    paths = sorted(corpus.glob(f"*/{pattern}")) + sorted((ROOT / "tests" / "fixtures").glob(
        f"**/{pattern}"))  # fmt: skip
    for i, path in enumerate(paths):
        prefix = bytes([i % len(NAMES), i % len(URLS)]) if target == "parse" else b""
        (into / f"seed-{i:03d}").write_bytes(prefix + path.read_bytes())
    return len(paths)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--target", choices=["parse", "oai"], default="parse")
    ap.add_argument("--timeout", type=int, default=2, help="seconds an input may take")
    ap.add_argument("--max-len", type=int, default=600_000)
    ap.add_argument("--out", type=Path, default=Path("fuzz-artifacts"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="harvester-fuzz-"))
    try:
        n = seeds(args.target, work)
        print(f"{n} seeds, {args.seconds} s, target {args.target}", flush=True)
        libfuzzer = [sys.argv[0], str(work), f"-max_total_time={args.seconds}",
                     f"-timeout={args.timeout}", f"-max_len={args.max_len}", "-rss_limit_mb=2048",
                     f"-artifact_prefix={args.out}/", "-print_final_stats=1"]  # fmt: skip
        target = fuzz_parse if args.target == "parse" else fuzz_oai
        atheris.Setup(libfuzzer, target)
        atheris.Fuzz()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
