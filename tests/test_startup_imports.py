"""What a harvest's start-up does not import: the platform parsers until a page is parsed
(pipelines.config names them from a written-out list), the PostgreSQL dialect for the
database module, warcio (only reading the archive needs it), aiohttp (only its transport
and the OAI client's need it); and that written-out list is
the parsers' registry. What start-up built is frozen out of the collector's sight."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from harvester.parsers import PARSERS
from pipelines.cli import main
from pipelines.config import KNOWN_PLATFORMS
from pipelines.sample_site import SAMPLE_RECORDS, SampleSite

ROOT = Path(__file__).resolve().parent.parent


def loaded_after(statement: str, modules: list[str]) -> dict[str, bool]:
    """Which of `modules` a fresh interpreter holds after running `statement`."""
    code = (f"import sys\n{statement}\n"
            f"print(' '.join(str(m in sys.modules) for m in {modules!r}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return dict(zip(modules, (word == "True" for word in done.stdout.split()), strict=True))


def test_config_platform_names_are_the_parser_registrys() -> None:
    assert ("auto", *sorted(PARSERS)) == KNOWN_PLATFORMS


@pytest.mark.parametrize(("statement", "absent"), [
    ("import pipelines.config", ["harvester.parsers", "harvester.parsers.pure"]),
    ("import pipelines.db", ["sqlalchemy.dialects.postgresql"]),
    ("import pipelines.load, pipelines.works", ["sqlalchemy.dialects.postgresql"]),
    ("import pipelines.progress, pipelines.run", ["warcio", "aiohttp"]),
    ("import asyncio\nfrom harvester.http import Fetcher\nfrom harvester.politeness import "
     "FetchSettings\nasyncio.run(Fetcher(FetchSettings()).__aenter__())", ["aiohttp"]),
    ("import harvester.parsers", ["harvester.parsers.pure", "harvester.parsers.generic",
                                  "harvester.parsers.dspace"]),
    ("import pipelines.run", ["harvester.normalize.dates", "harvester.normalize.names",
                              "harvester.normalize.text", "harvester.normalize.languages"]),
])  # fmt: skip
def test_start_up_modules_leave_unneeded_ones_unimported(statement: str,
                                                         absent: list[str]) -> None:
    assert loaded_after(statement, absent) == dict.fromkeys(absent, False)


def test_the_normalize_package_still_hands_out_each_function() -> None:
    import harvester.normalize as package
    from harvester.normalize import clean, parse_date, to_iso639_1
    from harvester.normalize.dates import parse_date as dated
    from harvester.normalize.text import clean as cleaned

    assert (clean, parse_date) == (cleaned, dated)
    assert to_iso639_1("English") == "en"
    assert set(package.__all__) <= set(dir(package))
    with pytest.raises(AttributeError):
        package.no_such_function  # noqa: B018


def test_the_parsers_load_when_first_asked_for() -> None:
    modules = ["harvester.parsers.pure", "harvester.parsers.dspace"]
    asked = loaded_after("from harvester.parsers import PARSERS; PARSERS['pure']", modules)
    assert asked == dict.fromkeys(modules, True)
    parsed = loaded_after(
        "from harvester.errors import NotARecord\nfrom harvester.parsers import parse_page\n"
        "from harvester.types import Page\n"
        "try:\n    parse_page(Page(url='https://x.test/', body=b'<html></html>'))\n"
        "except NotARecord:\n    pass", modules)
    assert parsed == dict.fromkeys(modules, True)


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process's objects go back to the collector


def test_a_harvest_freezes_what_its_start_up_built(tmp_path: Path, unfrozen: None) -> None:
    config = tmp_path / "config.yaml"
    with SampleSite() as site:
        config.write_text(yaml.safe_dump({
            "database": "h.db", "user_agent": "harvester-tests (+mailto:t@example.org)",
            "sources": [{"name": "sample", "platform": "pure", "allow_private": True,
                         "politeness": {"delay": 0},
                         "urls": [site.url_for(sorted(SAMPLE_RECORDS)[0])]}],
        }))
        result = CliRunner().invoke(main, ["harvest", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() > 0
