"""The raw archive: pages kept as WARC records, found again by (file, offset), and
`harvester reparse` that rewrites only the records a parser now reads differently."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import Engine, text
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import pipelines.reparse as reparse_module
from harvester.errors import ConfigError
from harvester.types import Page, Record
from harvester.warc import ArchiveError, ArchiveRef, WarcWriter, read_page
from pipelines.cli import main
from pipelines.config import load_settings, parse_settings
from pipelines.db import open_database
from pipelines.reparse import reparse
from pipelines.run import harvest
from pipelines.sample_site import SAMPLE_RECORDS, SampleSite

WHEN = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)


def page(n: int, size: int = 100) -> Page:
    return Page(
        url=f"https://repo.example.org/p/{n}",
        body=f"<html><title>{n}</title>".encode() + random.Random(n).randbytes(size),
        status=200,
        headers={"content-type": "text/html; charset=utf-8", "etag": f'"{n}"',
                 "content-encoding": "gzip", "content-length": "12"},
        fetched_at=WHEN + timedelta(seconds=n),
        requested_url=f"https://repo.example.org/p/{n}" if n % 2 else f"http://old.example/{n}",
    )


def test_pages_come_back_as_the_parser_saw_them(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path)
    refs = [writer.write(page(n)) for n in range(5)]
    writer.close()
    for n, ref in enumerate(refs):
        back = read_page(tmp_path, ref)
        want = page(n)
        wire_free = {k: v for k, v in want.headers.items()
                     if k not in ("content-encoding", "content-length")}
        assert back == dataclasses.replace(want, headers=wire_free)


def test_files_rotate_by_size_and_any_warc_reader_reads_them(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, max_bytes=2000)
    refs = [writer.write(page(n, size=3000)) for n in range(6)]
    writer.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) >= 3 and {r.file for r in refs} == set(files)
    uris = []
    for name in files:
        with open(tmp_path / name, "rb") as f:
            for r in ArchiveIterator(f, check_digests="raise"):
                uris.append(r.rec_headers.get_header("WARC-Target-URI"))
                r.content_stream().read()
                assert r.digest_checker.passed is True
    assert uris == [f"https://repo.example.org/p/{n}" for n in range(6)]
    for name in files:
        with gzip.open(tmp_path / name) as f:
            assert f.read(9) == b"WARC/1.1\r"


def test_a_wrong_offset_or_missing_file_is_an_archive_error(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path)
    ref = writer.write(page(1))
    writer.close()
    with pytest.raises(ArchiveError):
        read_page(tmp_path, ArchiveRef(ref.file, ref.offset + 7))
    with pytest.raises(ArchiveError, match="cannot read archive file"):
        read_page(tmp_path, ArchiveRef("nope.warc.gz", 0))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "{db}-archive"),
        (False, None),
        ("warcs", "{base}/warcs"),
        ({"dir": "/srv/warc", "max_file_mb": 5}, "/srv/warc"),
    ],
)
def test_archive_setting(tmp_path: Path, value: object, expected: str | None) -> None:
    data: dict[str, Any] = {"database": "h.db", "sources": []}
    if value is not None:
        data["archive"] = value
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    archive = load_settings(path, env={}).archive
    if expected is None:
        assert archive is None
        return
    assert archive is not None
    assert str(archive.directory) == expected.format(db=tmp_path / "h", base=tmp_path)
    if isinstance(value, dict):
        assert archive.max_file_bytes == 5 * 1024 * 1024


@pytest.mark.parametrize("value", [True, {"max_file_mb": 3}, {"dir": "x", "max_file_mb": 0}])
def test_bad_archive_setting_is_a_config_error(value: object) -> None:
    with pytest.raises(ConfigError, match=r"archive"):
        parse_settings({"archive": value, "sources": []}, path=None, env={})


@pytest.fixture
def site() -> Iterator[SampleSite]:
    with SampleSite() as s:
        yield s


def publications(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("select * from publications order by id"))]


def test_reparse_rewrites_nothing_then_exactly_what_a_changed_parser_changes(
    site: SampleSite, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = parse_settings({
        "database": db_url, "archive": str(tmp_path / "warc"),
        "user_agent": "harvester-tests (+mailto:t@example.org)",
        "sources": [{"name": "sample", "platform": "pure", "allow_private": True,
                     "politeness": {"concurrency": 4, "delay": 0}, "lastmod": "ignore",
                     "sitemap": f"{site.base_url}/sitemap.xml"}],
    }, path=None, env={})
    engine = open_database(settings.database_url)
    assert asyncio.run(harvest(settings, engine)).ok
    asyncio.run(harvest(settings, engine))  # all 304: the archive locations stay
    with engine.connect() as conn:
        refs = conn.execute(text("select url, warc_file, warc_offset, status from "
                                 "fetched_pages where url like '%/en/publications/%/'")).all()
    assert len(refs) == len(SAMPLE_RECORDS)
    assert all(r.warc_file and r.warc_offset is not None and r.status == 304 for r in refs)
    before = publications(engine)
    site.close()  # from here on there is no network to fall back on

    (same,) = asyncio.run(reparse(settings, engine))
    assert (same.pages, same.new, same.changed, same.unchanged) == (
        len(SAMPLE_RECORDS), 0, 0, len(SAMPLE_RECORDS)), same.summary_line()
    assert publications(engine) == before

    target = sorted(SAMPLE_RECORDS)[0]
    real = reparse_module.parse_page  # type: ignore[attr-defined]

    def improved(page: Page, platform: str) -> tuple[Record, str]:
        record, name = real(page, platform)
        if page.url.rstrip("/").endswith(target):
            record = dataclasses.replace(record, title=(record.title or "") + " [improved]")
        return record, name

    monkeypatch.setattr(reparse_module, "parse_page", improved)
    later = datetime.now(UTC) + timedelta(days=1)
    (none,) = asyncio.run(reparse(settings, engine, ["sample"], since=later))
    assert none.pages == 0
    (one,) = asyncio.run(reparse(settings, engine, ["sample"]))
    assert (one.new, one.changed, one.unchanged) == (0, 1, len(SAMPLE_RECORDS) - 1)
    after = publications(engine)
    differs = [b for a, b in zip(before, after, strict=True) if a != b]
    assert len(differs) == 1 and any("[improved]" in str(v) for v in differs[0])


def test_reparse_command_prints_a_line_per_source(site: SampleSite, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "database": "h.db", "user_agent": "harvester-tests (+mailto:t@example.org)",
        "sources": [{"name": "sample", "platform": "pure", "allow_private": True,
                     "politeness": {"delay": 0},
                     "urls": [site.url_for(s) for s in sorted(SAMPLE_RECORDS)[:2]]}],
    }))
    runner = CliRunner()
    assert runner.invoke(main, ["harvest", "--config", str(config)]).exit_code == 0
    assert (tmp_path / "h-archive").is_dir()
    result = runner.invoke(main, ["reparse", "--config", str(config), "--source", "sample",
                                  "--since", "2000-01-01"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sample: pages=2 new=0 changed=0 unchanged=2"
    off = runner.invoke(main, ["reparse", "--config", str(config), "--source", "nope"])
    assert off.exit_code == 2 and "no source named 'nope'" in off.output


def test_a_record_says_what_warcio_would_write(tmp_path: Path) -> None:
    """render_record writes by hand what warcio's writer wrote (it was 2x slower)."""
    want = page(4)
    ours = WarcWriter(tmp_path / "ours")
    ours.write(want)
    ours.close()
    out = BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    http = StatusAndHeaders("200 OK", [(k, v) for k, v in want.headers.items()
                                       if k not in ("content-encoding", "content-length")],
                            protocol="HTTP/1.1")
    extra = {"WARC-Date": "2026-03-04T05:06:11.891011Z",
             "WARC-Harvester-Requested-URI": "http://old.example/4"}
    writer.write_record(writer.create_warc_record(
        want.url, "response", payload=BytesIO(want.body), http_headers=http,
        warc_headers_dict=extra))

    def parts(stream: Any) -> tuple[dict[str, str], str, bytes]:
        (record,) = list(ArchiveIterator(stream))
        warc = {k: v for k, v in record.rec_headers.headers if k != "WARC-Record-ID"}
        return warc, record.http_headers.to_str(), record.content_stream().read()

    (name,) = list((tmp_path / "ours").iterdir())
    with open(name, "rb") as f:
        assert parts(f) == parts(BytesIO(out.getvalue()))
