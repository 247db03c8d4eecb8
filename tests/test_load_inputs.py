"""What the loader accepts: duplicate keys, non-Records, hostile text, sources, batch sizes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from harvester.types import Person
from pipelines.load import ensure_source
from pipelines.models import keywords, publications
from tests.test_load_upsert import T0, T1, load, make_record


@pytest.fixture
def source_id(engine: Engine) -> int:
    with engine.begin() as conn:
        return ensure_source(conn, "repo", "pure", "https://repo.test", now=T0)


def test_duplicate_source_keys_in_one_batch_keep_the_last_record(
    engine: Engine, source_id: int
) -> None:
    stats = load(engine, source_id, [make_record(1), make_record(1, title="Second")])
    assert (stats.new, stats.changed, stats.unchanged) == (1, 0, 0)
    with engine.connect() as conn:
        assert conn.execute(select(publications.c.title)).scalar_one() == "Second"


@pytest.mark.parametrize("bad", [{"url": "x"}, "a record", None, 42])
def test_anything_but_a_record_is_refused(engine: Engine, source_id: int, bad: Any) -> None:
    with pytest.raises(TypeError, match="Record"):
        load(engine, source_id, [make_record(1), bad])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(publications)).scalar() == 0


def test_unicode_and_sql_looking_text_is_stored_verbatim(engine: Engine, source_id: int) -> None:
    title = "Robert'); DROP TABLE publications;-- Ünïcödé 数据 \U0001f9ea e\u0301"
    abstract = "100% _wild_ \\ backslash \"quotes\" and a\nnewline"
    record = make_record(1, title=title, abstract=abstract, keywords=("%", "_", "'"),
                         authors=(Person("Željko O'Brien", "O'Brien", "Željko"),))  # fmt: skip
    load(engine, source_id, [record])
    with engine.connect() as conn:
        pub = conn.execute(select(publications.c.title, publications.c.abstract)).one()
        kws = conn.execute(select(keywords.c.keyword).order_by(keywords.c.position)).scalars()
        names = conn.execute(text("SELECT name FROM v_publication_authors")).scalars()
        assert (pub.title, pub.abstract) == (title, abstract)
        assert list(kws) == ["%", "_", "'"]
        assert list(names) == ["Željko O'Brien"]


def test_records_of_two_sources_with_the_same_key_stay_apart(
    engine: Engine, source_id: int
) -> None:
    with engine.begin() as conn:
        other = ensure_source(conn, "other", "dspace", None, now=T0)
    a = load(engine, source_id, [make_record(1)])
    b = load(engine, other, [make_record(1, title="Other")])
    assert (a.new, b.new) == (1, 1)
    assert a.ids["uuid-1"] != b.ids["uuid-1"]


def test_ensure_source_returns_the_same_id_and_updates_details(engine: Engine) -> None:
    with engine.begin() as conn:
        first = ensure_source(conn, "s", "pure", None, now=T0)
        again = ensure_source(conn, "s", "dspace", "https://s.test", now=T1)
        row = conn.execute(text("SELECT platform, base_url FROM sources WHERE id = :i"),
                           {"i": first}).one()  # fmt: skip
    assert first == again
    assert tuple(row) == ("dspace", "https://s.test")


def test_batches_larger_than_the_batch_size_all_load(
    engine: Engine, source_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pipelines.load.BATCH_SIZE", 7)
    stats = load(engine, source_id, [make_record(n) for n in range(30)])
    again = load(engine, source_id, [make_record(n) for n in range(30)])
    assert (stats.new, again.unchanged, len(again.ids)) == (30, 30, 30)


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_paused_per_batch_and_left_as_found(
    engine: Engine, source_id: int, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    import gc

    import pipelines.load as loader

    during: list[bool] = []
    real = loader._load_batch

    def spy(*args: Any) -> Any:
        during.append(gc.isenabled())
        if len(during) == 2:
            raise RuntimeError("second batch fails")
        return real(*args)

    monkeypatch.setattr(loader, "BATCH_SIZE", 1)
    monkeypatch.setattr(loader, "_load_batch", spy)
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(RuntimeError, match="second batch"):
            load(engine, source_id, [make_record(1), make_record(2)])
        assert (during, gc.isenabled()) == ([False, False], enabled)
    finally:
        (gc.enable if was else gc.disable)()
