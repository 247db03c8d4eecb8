"""Works across sources and version history, on SQLite and PostgreSQL, through the loader."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import Engine, select, text

from harvester.types import PartialDate, Person, Record
from pipelines.cli import main
from pipelines.load import ensure_source, upsert_records
from pipelines.models import work_members, works
from pipelines.works import assign_works
from pipelines.works_admin import (
    WorkNotFound,
    explain_lines,
    explain_work,
    merge_publication,
    rebuild_works,
    split_publication,
    work_of,
)
from tests.test_sql_docs import QUERIES

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)
LEE = Person("Ana Lee", family="Lee", given="Ana")
LEE_ACCENT = Person("Ána Lée", family="Lée", given="Ána")
WU = Person("Bo Wu", family="Wu", given="Bo")
TITLE = "Graphene transport in bilayer systems"


def rec(key: str, title: str = TITLE, **values: Any) -> Record:
    base: dict[str, Any] = {"type": "article", "authors": (LEE, WU),
                            "published": PartialDate(2019, 6)}  # fmt: skip
    base.update(values)
    return Record(url=f"https://repo.test/{key}", platform="pure", source_key=key,
                  title=title, **base)  # fmt: skip


def load(engine: Engine, source: str, records: list[Record], now: datetime = T0,
         **kwargs: Any) -> dict[str, int]:  # fmt: skip
    with engine.begin() as conn:
        sid = ensure_source(conn, source, "pure", None, now=now)
        return dict(upsert_records(conn, sid, records, now=now, **kwargs).ids)


def rows(engine: Engine, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def groups(engine: Engine) -> set[frozenset[int]]:
    with engine.connect() as conn:
        found: dict[int, set[int]] = {}
        for pid, wid in conn.execute(select(work_members.c.publication_id,
                                            work_members.c.work_id)):  # fmt: skip
            found.setdefault(wid, set()).add(pid)
    return {frozenset(g) for g in found.values()}


def test_same_doi_from_two_sources_is_one_work_with_two_sources(engine: Engine) -> None:
    a = load(engine, "alpha", [rec("a1", doi="10.1234/x", journal=None)])
    b = load(engine, "beta", [rec("b1", "Graphene: a different title", doi="10.1234/X",
                                  journal="Journal of Carbon", volume="3")])
    assert rows(engine, "SELECT title, doi, journal, n_sources, n_publications FROM v_works") \
        == [("Graphene: a different title", "10.1234/X", "Journal of Carbon", 2, 2)]
    assert rows(engine, "SELECT publication_id, source, reason FROM v_work_sources "
                        "ORDER BY publication_id") == [
        (a["a1"], "alpha", "first"), (b["b1"], "beta", "doi")]


def test_without_doi_title_year_and_first_author_make_one_work(engine: Engine) -> None:
    load(engine, "alpha", [rec("a1")])
    load(engine, "beta", [rec("b1", "Graphene Transport in Bi-layer Systems.",
                              authors=(LEE_ACCENT,), published=PartialDate(2019))])
    assert rows(engine, "SELECT n_sources, n_publications FROM v_works") == [(2, 2)]
    assert [r[0] for r in rows(engine, "SELECT reason FROM v_work_sources ORDER BY "
                                       "publication_id")] == ["first", "title-year-author"]


@pytest.mark.parametrize("other", [
    rec("b1", TITLE + ", Part II"),
    rec("b1", published=PartialDate(2020)),
    rec("b1", authors=(WU, LEE)),
    rec("b1", "Graphene transport in trilayer systems"),
    rec("b1", doi="10.1/other"),
    rec("b1", type="dataset"),
], ids=["part-ii", "another-year", "another-first-author", "another-word", "another-doi",
        "dataset"])  # fmt: skip
def test_different_works_with_similar_titles_stay_apart(engine: Engine, other: Record) -> None:
    first = rec("a1", TITLE + ", Part I") if "Part II" in (other.title or "") else rec("a1")
    load(engine, "alpha", [dataclasses.replace(first, doi="10.1/one") if other.doi else first])
    load(engine, "beta", [other])
    assert rows(engine, "SELECT n_sources FROM v_works") == [(1,), (1,)]


def test_best_values_come_from_the_fullest_member_ties_to_the_earliest(engine: Engine) -> None:
    load(engine, "alpha", [rec("a1", doi="10.1/x")])
    load(engine, "beta", [rec("b1", "Same work, beta's title", doi="10.1/x")], now=T1)
    assert rows(engine, "SELECT title FROM v_works") == [(TITLE,)]  # tie: earliest
    load(engine, "gamma", [rec("c1", "Fullest", doi="10.1/x", journal="J", volume="1")])
    assert rows(engine, "SELECT title, journal, n_sources FROM v_works") == [("Fullest", "J", 3)]


def test_a_record_whose_doi_changes_moves_and_its_old_work_keeps_its_id(engine: Engine) -> None:
    a = load(engine, "alpha", [rec("a1", "Alpha one two", doi="10.1/x")])
    b = load(engine, "beta", [rec("b1", "Beta three four", doi="10.1/x"),
                              rec("b2", "Beta five six", doi="10.1/y")])  # fmt: skip
    with engine.connect() as conn:
        old_work = work_of(conn, a["a1"])
    load(engine, "beta", [rec("b1", "Beta three four", doi="10.1/y")], now=T1)
    assert groups(engine) == {frozenset({a["a1"]}), frozenset({b["b1"], b["b2"]})}
    with engine.connect() as conn:
        assert work_of(conn, a["a1"]) == old_work
        assert conn.execute(select(works.c.id)).scalars().all().__len__() == 2


def test_a_bridge_leaving_splits_the_chain(engine: Engine) -> None:
    """b1 links a1 (DOI) and c1 (title): when b1 changes both, three works remain."""
    a = load(engine, "alpha", [rec("a1", "Alpha one two", doi="10.1/x")])
    b = load(engine, "beta", [rec("b1", doi="10.1/x")])
    c = load(engine, "gamma", [rec("c1")])
    assert groups(engine) == {frozenset({a["a1"], b["b1"], c["c1"]})}
    load(engine, "beta", [rec("b1", "Something else entirely now", doi="10.1/z")], now=T1)
    assert groups(engine) == {frozenset({a["a1"]}), frozenset({b["b1"]}),
                              frozenset({c["c1"]})}  # fmt: skip


def test_overrides_are_obeyed_and_survive_rebuild_and_reloads(engine: Engine) -> None:
    a = load(engine, "alpha", [rec("a1", doi="10.1/x"), rec("a2", "Unrelated words here")])
    b = load(engine, "beta", [rec("b1", doi="10.1/x")])
    with engine.begin() as conn:
        split_publication(conn, b["b1"], now=T1)
        merge_publication(conn, a["a2"], work_of(conn, a["a1"]), now=T1)
    expected = {frozenset({a["a1"], a["a2"]}), frozenset({b["b1"]})}
    assert groups(engine) == expected
    with engine.begin() as conn:
        rebuild_works(conn, now=T1)
    assert groups(engine) == expected
    load(engine, "beta", [rec("b1", doi="10.1/x", volume="9")], now=T1)  # changed record
    assert groups(engine) == expected
    assert sorted(rows(engine, "SELECT reason FROM v_work_sources")) == [
        ("first",), ("manual",), ("manual",)]
    with engine.begin() as conn:  # a merge after the split undoes it
        merge_publication(conn, b["b1"], work_of(conn, a["a1"]), now=T1)
    assert groups(engine) == {frozenset({a["a1"], a["a2"], b["b1"]})}


def test_split_or_merge_of_unknown_ids_is_refused(engine: Engine) -> None:
    a = load(engine, "alpha", [rec("a1")])
    with engine.begin() as conn, pytest.raises(WorkNotFound):
        split_publication(conn, 999)
    with engine.begin() as conn, pytest.raises(WorkNotFound):
        merge_publication(conn, a["a1"], 999)


def test_rebuild_assigns_publications_stored_without_a_work(engine: Engine) -> None:
    load(engine, "alpha", [rec("a1", doi="10.1/x")])
    load(engine, "beta", [rec("b1", doi="10.1/x"), rec("b2", "Another piece of work")])
    before = groups(engine)
    with engine.begin() as conn:  # as after upgrading a database that had records
        conn.execute(work_members.delete())
        conn.execute(works.delete())
    with engine.begin() as conn:
        stats = rebuild_works(conn, now=T1)
    assert (stats.publications, stats.works, stats.changed) == (3, 2, 3)
    assert groups(engine) == before


def test_incremental_assignment_equals_a_rebuild(engine: Engine) -> None:
    variants = [rec(f"k{i}", [TITLE, TITLE.upper(), "Phonons in layered crystals today",
                              "Phonons in layered crystal today"][i % 4],
                    doi="10.1/p" if i in (1, 6) else None,
                    published=PartialDate(2019 + i % 2)) for i in range(12)]  # fmt: skip
    for i, source in enumerate(("alpha", "beta", "gamma")):
        load(engine, source, variants[i::3])
    incremental = groups(engine)
    with engine.begin() as conn:
        rebuild_works(conn, now=T1)
        assign_works(conn, [1, 2, 3], now=T1)
    assert groups(engine) == incremental
    assert len(incremental) == 3  # four (title, year) blocks, two joined by a DOI


def test_explain_prints_each_members_reason_score_and_matched_values(
    engine: Engine, tmp_path: Path
) -> None:
    a = load(engine, "alpha", [rec("a1", doi="10.1/x")])
    load(engine, "beta", [rec("b1", doi="10.1/x")])
    c = load(engine, "gamma", [rec("c1", "Graphene transport in bilayer system")])
    with engine.connect() as conn:
        work = work_of(conn, a["a1"])
        lines = explain_lines(work, explain_work(conn, work))
    text_ = "\n".join(lines)
    assert lines[0] == f"work {work}: 3 publication(s) from 3 source(s)"
    assert "reason first: the work's earliest publication" in text_
    assert f"reason doi: same DOI 10.1/x as publication {a['a1']}, score 1.00" in text_
    assert "reason title-year-author: with publication" in text_
    assert "'graphene transport in bilayer system' ~ 'graphene transport in bilayer systems'" \
        in text_
    assert "year 2019; first author 'lee'" in text_
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"database": str(engine.url.render_as_string(False)),
                                   "sources": []}))  # fmt: skip
    result = CliRunner().invoke(main, ["works", "--config", str(cfg), "--explain", str(work)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == lines
    split = CliRunner().invoke(main, ["works", "split", "--config", str(cfg), str(c["c1"])])
    assert split.exit_code == 0, split.output
    missing = CliRunner().invoke(main, ["works", "--config", str(cfg), "--explain", "999"])
    assert missing.exit_code == 1 and "no work 999" in missing.output


@pytest.mark.parametrize("number", ["18", "19"])
def test_documented_work_queries_find_the_duplicates(engine: Engine, number: str) -> None:
    a = load(engine, "alpha", [rec("a1", doi="10.1234/a1")])
    b = load(engine, "beta", [rec("b1", "Graphene transport in bilayer systems.",
                                  doi="10.1234/A1")])  # fmt: skip
    expected = {
        "18": [(TITLE, "10.1234/a1", 2, 2)],
        "19": [("alpha", "https://repo.test/a1", "first"),
               ("beta", "https://repo.test/b1", "doi")],
    }  # fmt: skip
    assert a and b
    for _dialect, sql in QUERIES[number]:
        assert rows(engine, sql) == expected[number]
