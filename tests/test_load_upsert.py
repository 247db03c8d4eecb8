"""The batched loader: new, changed and unchanged records on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, func, select, text

from harvester.types import (
    Citation,
    FileLink,
    Identifier,
    Metric,
    PageRange,
    PartialDate,
    Person,
    Record,
    Subject,
)
from pipelines.load import ensure_source, upsert_records
from pipelines.models import authorships, identifiers, keywords, metrics, persons, publications

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)


def make_record(n: int, **changes: Any) -> Record:
    record = Record(
        url=f"https://repo.test/en/publications/p{n}",
        platform="pure",
        source_key=f"uuid-{n}",
        type="article",
        title=f"Paper {n}",
        authors=(
            Person(f"Ann Smith {n}", family=f"Smith{n}", given="Ann"),
            Person("Bob Jones", family="Jones", given="Bob", orcid="0000-0002-1825-0097"),
        ),
        doi=f"10.1234/p{n}",
        journal="Journal of Tests",
        pages=PageRange("10", "19", None),
        published=PartialDate(2016, 6),
        keywords=("alpha", f"k{n}"),
        subjects=(Subject("asjc", "Physics", code="3100"),),
        identifiers=(Identifier("issn", "1234-5678"), Identifier("pure-uuid", f"uuid-{n}")),
        files=(FileLink(f"https://repo.test/files/{n}.pdf", mime="application/pdf"),),
        citations=(Citation("ris", f"TY  - JOUR\nTI  - Paper {n}"),),
        metrics=(Metric("citations", 3, source="scopus"),),
        provenance={"title": "meta:citation"},
    )
    return dataclasses.replace(record, **changes)


@pytest.fixture
def source_id(engine: Engine) -> int:
    with engine.begin() as conn:
        return ensure_source(conn, "repo", "pure", "https://repo.test", now=T0)


@pytest.fixture
def writes(engine: Engine) -> Iterator[list[str]]:
    """Every INSERT/UPDATE/DELETE statement sent to the database, first line only."""
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            seen.append(" ".join(statement.split()[:3]).lower())

    event.listen(engine, "after_cursor_execute", count)
    yield seen
    event.remove(engine, "after_cursor_execute", count)


def load(engine: Engine, source_id: int, records: list[Any], now: datetime = T0) -> Any:
    with engine.begin() as conn:
        return upsert_records(conn, source_id, records, now=now)


def snapshot(conn: Connection) -> list[tuple[Any, ...]]:
    cols: list[Any] = [publications.c.id, publications.c.content_hash, publications.c.last_changed,
            publications.c.last_seen, publications.c.record_json]  # fmt: skip
    if conn.dialect.name == "postgresql":
        cols.append(text("xmin::text"))  # changes whenever PostgreSQL rewrites the row
    return [tuple(r) for r in conn.execute(select(*cols).order_by(publications.c.id))]


def authors_of(conn: Connection, publication_id: int) -> list[tuple[int, str]]:
    query = (
        select(authorships.c.position, authorships.c.name)
        .where(authorships.c.publication_id == publication_id, authorships.c.role == "author")
        .order_by(authorships.c.position)
    )
    return [(p, n) for p, n in conn.execute(query)]


def test_three_new_records_are_inserted_with_their_children(engine: Engine, source_id: int) -> None:
    stats = load(engine, source_id, [make_record(n) for n in (1, 2, 3)])
    assert (stats.new, stats.changed, stats.unchanged) == (3, 0, 0)
    assert set(stats.ids) == {"uuid-1", "uuid-2", "uuid-3"}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(publications)).scalar() == 3
        assert conn.execute(select(func.count()).select_from(keywords)).scalar() == 6
        # Bob Jones (same ORCID) is one person across the three papers
        assert conn.execute(select(func.count()).select_from(persons)).scalar() == 4
        row = conn.execute(select(publications).where(publications.c.id == stats.ids["uuid-2"]))
        pub = row.one()
    assert (pub.published, pub.published_precision, pub.page_first, pub.page_count) == (
        "2016-06", "month", "10", None)
    assert json.loads(pub.record_json) == make_record(2).to_json()
    assert pub.first_seen == T0


def test_loading_the_same_records_again_writes_no_publication_row(
    engine: Engine, source_id: int, writes: list[str]
) -> None:
    records = [make_record(n) for n in (1, 2, 3)]
    load(engine, source_id, records)
    with engine.connect() as conn:
        before = snapshot(conn)
    writes.clear()

    stats = load(engine, source_id, records, now=T1)

    assert (stats.new, stats.changed, stats.unchanged) == (0, 0, 3)
    assert not [w for w in writes if "publications" in w], writes
    assert not [w for w in writes if "authorships" in w or "keywords" in w], writes
    with engine.connect() as conn:
        assert snapshot(conn) == before


def test_a_changed_record_is_updated_and_its_authors_replaced_in_order(
    engine: Engine, source_id: int
) -> None:
    first = load(engine, source_id, [make_record(n) for n in (1, 2, 3)])
    new_authors = (Person("Zoe Ng", "Ng", "Zoe"), Person("Ann Smith 2", "Smith2", "Ann"),
                   Person("Yan Li", "Li", "Yan"))  # fmt: skip
    edited = make_record(2, title="Paper 2 (revised)", authors=new_authors, keywords=("beta",))
    stats = load(engine, source_id, [make_record(1), edited, make_record(3)], now=T1)

    assert (stats.new, stats.changed, stats.unchanged) == (0, 1, 2)
    assert stats.ids == first.ids
    pid = stats.ids["uuid-2"]
    with engine.connect() as conn:
        assert authors_of(conn, pid) == [(1, "Zoe Ng"), (2, "Ann Smith 2"), (3, "Yan Li")]
        kws = conn.execute(select(keywords.c.keyword).where(keywords.c.publication_id == pid))
        assert list(kws.scalars()) == ["beta"]
        pub = conn.execute(select(publications).where(publications.c.id == pid)).one()
    assert pub.title == "Paper 2 (revised)"
    assert (pub.first_seen, pub.last_changed) == (T0, T1)


def test_changing_one_record_leaves_other_records_children_untouched(
    engine: Engine, source_id: int, writes: list[str]
) -> None:
    load(engine, source_id, [make_record(n) for n in (1, 2, 3)])
    with engine.connect() as conn:
        others = conn.execute(select(authorships).order_by(*authorships.primary_key)).all()
    writes.clear()
    stats = load(engine, source_id, [make_record(2, title="New title")], now=T1)
    assert stats.changed == 1
    with engine.connect() as conn:
        after = conn.execute(select(authorships).order_by(*authorships.primary_key)).all()
        ids_left = conn.execute(select(func.count()).select_from(identifiers)).scalar()
    pid = stats.ids["uuid-2"]
    assert [r for r in after if r.publication_id != pid] == [
        r for r in others if r.publication_id != pid
    ]
    assert ids_left == 6
    assert sum("update publications" in w for w in writes) == 1


def test_a_metric_change_alone_leaves_the_record_unchanged_but_stores_the_count(
    engine: Engine, source_id: int, writes: list[str]
) -> None:
    load(engine, source_id, [make_record(1)])
    writes.clear()
    bumped = make_record(1, metrics=(Metric("citations", 7, source="scopus"), Metric("views", 9)))
    stats = load(engine, source_id, [bumped], now=T1)
    assert (stats.new, stats.changed, stats.unchanged) == (0, 0, 1)
    assert not [w for w in writes if "publications" in w]
    with engine.connect() as conn:
        rows = conn.execute(select(metrics.c.name, metrics.c.source, metrics.c.value,
                                   metrics.c.seen).order_by(metrics.c.name)).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [("citations", "scopus", 7, "2024-05-02"),
                                        ("views", "", 9, "2024-05-02")]  # fmt: skip
