"""Works of a batch of new publications: no override can name a publication the batch
just made, so none is read for them, while the stored publications they link to keep
theirs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

from pipelines.works_admin import merge_publication, split_publication, work_of
from tests.test_works import T1, groups, load, rec


def _override_reads(engine: Engine) -> tuple[list[str], Any]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "work_overrides" in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    return statements, count


def test_a_batch_of_unlinked_new_records_reads_no_overrides(engine: Engine) -> None:
    load(engine, "alpha", [rec("a1", doi="10.1/a")])
    statements, listener = _override_reads(engine)
    ids = load(engine, "beta", [rec(f"b{i}", f"Unrelated study number {i} of things",
                                    doi=f"10.1/b{i}") for i in range(5)])  # fmt: skip
    event.remove(engine, "before_cursor_execute", listener)
    assert statements == []
    assert len(groups(engine)) == 6 and len(ids) == 5


def test_a_new_record_with_a_split_publications_doi_stays_out_of_its_work(
    engine: Engine,
) -> None:
    a = load(engine, "alpha", [rec("a1", doi="10.1/x")])
    b = load(engine, "beta", [rec("b1", doi="10.1/x")])
    with engine.begin() as conn:
        split_publication(conn, b["b1"], now=T1)
    statements, listener = _override_reads(engine)
    c = load(engine, "gamma", [rec("c1", doi="10.1/x")], now=T1)
    event.remove(engine, "before_cursor_execute", listener)
    assert statements  # a1 and b1 came in through the DOI: their overrides were read
    assert groups(engine) == {frozenset({a["a1"], c["c1"]}), frozenset({b["b1"]})}


def test_a_new_record_linked_to_a_merged_publication_joins_the_merged_work(
    engine: Engine,
) -> None:
    a = load(engine, "alpha", [rec("a1", doi="10.1/x"), rec("a2", "Unrelated words here")])
    with engine.begin() as conn:
        merge_publication(conn, a["a2"], work_of(conn, a["a1"]), now=T1)
    b = load(engine, "beta", [rec("b1", "Unrelated words here", doi="10.1/y")], now=T1)
    c = load(engine, "gamma", [rec("c1", "Other", doi="10.1/y")], now=T1)
    assert groups(engine) == {frozenset({a["a1"], a["a2"], b["b1"], c["c1"]})}
