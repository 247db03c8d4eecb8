"""Incremental works assignment equals a rebuild from scratch, and its reads stay
bounded by what links to the batch, not by the size of the database."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from harvester.types import PartialDate, Person, Record
from pipelines import works as works_module
from pipelines.models import work_members
from pipelines.works_admin import merge_publication, rebuild_works, split_publication, work_of
from pipelines.works_rows import MEMBER_COLUMNS
from tests.test_works import T0, T1, load, rec

# A small pool of everything, so (year, first author) blocks are big and full of links:
# spelling variants, an added word, a numbered part, a shared DOI.
FAMILIES = ("Lee", "Wu")
TITLES = (
    "Graphene transport in bilayer systems",
    "Graphene transport in bilayer system",
    "GRAPHENE TRANSPORT IN BI-LAYER SYSTEMS",
    "Graphene transport in trilayer systems",
    "Graphene transport in bilayer systems, Part II",
    "The behaviour of phonons in layered crystals",
    "The behavior of phonons in layered crystals",
    "Phonons in layered crystals",
    "A survey of harvesting protocols for repositories",
    "A survey of harvesting protocol for repositories today",
)
DOIS = (None, None, None, None, "10.1/a", "10.1/b", "10.1/c")


def _record(rng: random.Random, key: str) -> Record:
    family = rng.choice(FAMILIES)
    first = Person(f"A {family}", family=family, given="A")
    return rec(key, rng.choice(TITLES), doi=rng.choice(DOIS),
               published=PartialDate(rng.choice((2019, 2020))),
               type=rng.choice(("article", "article", "dataset")),
               authors=(first, Person("Bo Wu", family="Wu", given="Bo")))  # fmt: skip


def _members(engine: Engine) -> dict[int, tuple[Any, ...]]:
    columns = [work_members.c[c] for c in MEMBER_COLUMNS]
    with engine.connect() as conn:
        return {row[0]: tuple(row) for row in conn.execute(select(*columns))}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_many_batches_with_big_blocks_decide_as_a_rebuild_does(engine: Engine,
                                                                seed: int) -> None:  # fmt: skip
    rng = random.Random(seed)
    keys: dict[str, list[str]] = {"alpha": [], "beta": [], "gamma": []}
    for batch in range(16):
        source = rng.choice(sorted(keys))
        fresh = [f"{source}{len(keys[source]) + i}" for i in range(rng.randint(2, 10))]
        again = rng.sample(keys[source], min(len(keys[source]), rng.randint(0, 3)))
        keys[source].extend(fresh)
        load(engine, source, [_record(rng, k) for k in fresh + again],
             now=T0 + timedelta(hours=batch))
        if batch in (5, 9):  # a user's decisions, which later batches must obey
            pid, other = rng.sample(sorted(_members(engine)), 2)
            with engine.begin() as conn:
                if batch == 5:
                    split_publication(conn, pid, now=T1)
                else:
                    merge_publication(conn, pid, work_of(conn, other), now=T1)
    incremental = _members(engine)
    assert len(incremental) > 50
    assert len({row[1] for row in incremental.values()}) < len(incremental)  # works merged
    with engine.begin() as conn:
        stats = rebuild_works(conn, now=T1)
    assert stats.changed == 0
    assert _members(engine) == incremental


def _spy(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> dict[str, Any]:
    """Counts of what one assignment reads: its statements, member rows, the decided scope."""
    seen: dict[str, Any] = {"statements": 0, "members": 0, "scope": 0}

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen["statements"] += "work" in statement  # the loader's own vary (a new source)

    event.listen(engine, "before_cursor_execute", count)
    seen["listener"] = count
    for name in ("read_members", "read_linked"):
        real = getattr(works_module, name)

        def wrapped(*args: Any, _real: Any = real) -> Any:
            found = _real(*args)
            seen["members"] += len(found)
            return found

        monkeypatch.setattr(works_module, name, wrapped)
    real_decide = works_module.decide

    def decide(keys: Any, overrides: Any) -> Any:
        seen["scope"] += len(keys)
        return real_decide(keys, overrides)

    monkeypatch.setattr(works_module, "decide", decide)
    return seen


def test_a_batch_reads_the_same_members_however_many_unrelated_rows_exist(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows of the same first author in other years, of other authors in the same
    year, and of the same block with other titles never enter a batch's scope."""
    lee = Person("Ana Lee", family="Lee", given="Ana")

    def batch(n: int) -> dict[str, Any]:
        load(engine, "alpha", [rec(f"a{n}", f"Graphene study {n} in bilayer systems",
                                   authors=(lee,)),
                               rec(f"c{n}", "Another thing here", doi=f"10.1/{n}")])
        seen = _spy(monkeypatch, engine)
        load(engine, "beta", [rec(f"b{n}", f"Graphene study {n} in bilayer systems",
                                  authors=(lee,)),
                              rec(f"d{n}", "Else", doi=f"10.1/{n}")], now=T1)
        event.remove(engine, "before_cursor_execute", seen.pop("listener"))
        monkeypatch.undo()
        return seen

    small = batch(1)
    load(engine, "gamma", [rec(f"u{i}", f"Unrelated study number {i} of things",
                               authors=(lee if i % 3 else Person(f"X Y{i}", family=f"Y{i}"),),
                               published=PartialDate(2019 if i % 3 != 1 else 1990 + i % 20))
                           for i in range(300)])  # fmt: skip
    big = batch(2)
    # a{n} (title in b{n}'s block) and c{n} (d{n}'s DOI) join the scope, nothing else;
    # each is read twice: as a candidate, then as its work's member
    assert (big["members"], big["scope"]) == (small["members"], small["scope"]) == (4, 4)
    assert big["statements"] == small["statements"]
    assert len(_members(engine)) == 308
