"""Version history of publications, written by the loader next to the works."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from harvester.types import PageRange
from pipelines.versions import FetchRef
from tests.test_works import T0, T1, TITLE, load, rec, rows


def versions(conn: Connection | Engine) -> list[tuple[Any, ...]]:
    return rows(conn, "SELECT publication_id, version, change, changed_fields, diff, "  # type: ignore[arg-type]
                      "fetch_url, fetch_sha256 FROM v_publication_versions "
                      "ORDER BY publication_id, version")  # fmt: skip


def test_a_changed_record_gets_a_version_row_with_the_changed_fields(engine: Engine) -> None:
    first = rec("a1", volume="3", pages=PageRange("1", "9"))
    ids = load(engine, "alpha", [first])
    changed = dataclasses.replace(first, title="Graphene transport in bilayers", volume="7")
    load(engine, "alpha", [changed], now=T1,
         fetches={"a1": FetchRef("https://repo.test/a1?v=2", "ab" * 32)})
    (new, change) = versions(engine)
    assert new == (ids["a1"], 1, "new", None, None, "https://repo.test/a1", None)
    assert change[:4] == (ids["a1"], 2, "changed", '["title", "volume"]')
    assert json.loads(change[4]) == {"title": {"old": TITLE, "new": changed.title},
                                     "volume": {"old": "3", "new": "7"}}  # fmt: skip
    assert change[5:] == ("https://repo.test/a1?v=2", "ab" * 32)
    since = rows(engine, "SELECT publication_id FROM v_publication_versions "
                         "WHERE changed_at >= :t", t=T0 + timedelta(hours=12))
    assert since == [(ids["a1"],)]


def test_an_unchanged_reload_writes_no_version_row(engine: Engine) -> None:
    load(engine, "alpha", [rec("a1"), rec("a2", "Other words in title")])
    before = versions(engine)
    load(engine, "alpha", [rec("a1"), rec("a2", "Other words in title")], now=T1)
    assert versions(engine) == before and len(before) == 2


def test_a_third_change_is_version_three(engine: Engine) -> None:
    load(engine, "alpha", [rec("a1", volume="1")])
    load(engine, "alpha", [rec("a1", volume="2")], now=T1)
    load(engine, "alpha", [rec("a1", volume="2", issue="4")], now=T1 + timedelta(days=1))
    assert [(v[1], v[3]) for v in versions(engine)] == [
        (1, None), (2, '["volume"]'), (3, '["issue"]')]
