"""What a harvest's start-up does not import: the platform parsers until a page is parsed
(pipelines.config names them from a written-out list), the PostgreSQL dialect for the
database module; and that written-out list is the parsers' registry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harvester.parsers import PARSERS
from pipelines.config import KNOWN_PLATFORMS

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
    ("import harvester.parsers", ["harvester.parsers.pure", "harvester.parsers.generic",
                                  "harvester.parsers.dspace"]),
])  # fmt: skip
def test_start_up_modules_leave_unneeded_ones_unimported(statement: str,
                                                         absent: list[str]) -> None:
    assert loaded_after(statement, absent) == dict.fromkeys(absent, False)


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
