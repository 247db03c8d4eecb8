"""A page that used to carry a record and now answers 404/410 is confirmed gone after
`gone_after` runs in a row: its record is marked deleted (deleted_at), never removed,
and comes back to life when the page answers again. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from harvester.errors import ConfigError
from pipelines.config import parse_settings
from pipelines.db import open_database
from pipelines.run import harvest
from pipelines.sample_site import SAMPLE_RECORDS, SampleSite, expected_for
from pipelines.stats import SourceStats

SLUGS = sorted(SAMPLE_RECORDS)[:2]
REMOVED = SLUGS[0]


async def no_sleep(_seconds: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture
def site() -> Iterator[SampleSite]:
    with SampleSite() as s:
        yield s


def settings_for(db_url: str, urls: list[str], **source: Any) -> Any:
    # urls, not the sitemap: a removed page leaves the sitemap, and only a page that is
    # asked for again can confirm it is gone
    src = {"name": "sample", "platform": "pure", "allow_private": True,
           "politeness": {"concurrency": 2, "delay": 0}, "urls": urls, **source}
    return parse_settings(
        {"database": db_url, "user_agent": "harvester-tests (+mailto:t@example.org)",
         "fetch": {"max_retries": 0}, "sources": [src]},
        path=None, env={})


def run(settings: Any, engine: Engine) -> SourceStats:
    return asyncio.run(harvest(settings, engine, sleep=no_sleep)).sources[0]


def deleted(engine: Engine) -> dict[str, bool]:
    """Title of each record -> whether it is marked deleted, as the view shows it."""
    with engine.connect() as conn:
        rows = conn.execute(text("select title, deleted_at from v_publications")).all()
    return {r.title: r.deleted_at is not None for r in rows}


def title(slug: str) -> str:
    return str(expected_for(slug)["title"])


@pytest.mark.slow
@pytest.mark.parametrize("gone_after", [1, 2, 3])
def test_removed_page_is_marked_deleted_after_gone_after_runs_and_keeps_its_data(
    site: SampleSite, db_url: str, gone_after: int
) -> None:
    settings = settings_for(db_url, [site.url_for(s) for s in SLUGS], gone_after=gone_after)
    engine = open_database(settings.database_url)
    assert run(settings, engine).new == 2
    site.remove(REMOVED)
    for confirmations in range(1, gone_after + 1):
        stats = run(settings, engine)
        assert stats.skipped["gone"] == 1, stats.summary_line()
        done = confirmations == gone_after
        assert stats.gone_confirmed == (1 if done else 0), stats.summary_line()
        assert deleted(engine) == {title(REMOVED): done, title(SLUGS[1]): False}
    assert "gone_confirmed=1" in stats.summary_line()
    assert stats.to_json()["gone_confirmed"] == 1
    later = run(settings, engine)  # already deleted: not counted again
    assert later.gone_confirmed == 0 and "gone_confirmed" not in later.summary_line()
    assert deleted(engine)[title(REMOVED)] is True


@pytest.mark.slow
@pytest.mark.parametrize("same_page", [True, False], ids=["unchanged", "changed"])
def test_page_that_answers_again_is_live_again(
    site: SampleSite, db_url: str, same_page: bool
) -> None:
    settings = settings_for(db_url, [site.url_for(REMOVED)], gone_after=1)
    engine = open_database(settings.database_url)
    run(settings, engine)
    html = httpx.get(site.url_for(REMOVED)).text
    site.remove(REMOVED)
    assert run(settings, engine).gone_confirmed == 1
    assert deleted(engine) == {title(REMOVED): True}
    new_title = title(REMOVED) if same_page else title(REMOVED) + " (back)"
    site.set_page(REMOVED, html.replace(title(REMOVED), new_title))
    back = run(settings, engine)
    # an unchanged page answers 304 and its record is not rewritten: revived all the same
    assert (back.not_modified, back.changed) == ((1, 0) if same_page else (0, 1))
    assert deleted(engine) == {new_title: False}
    site.remove(REMOVED)
    assert run(settings, engine).gone_confirmed == 1, "a revived page is confirmed gone anew"


@pytest.mark.slow
def test_another_answer_between_404s_starts_the_count_again(
    site: SampleSite, db_url: str
) -> None:
    settings = settings_for(db_url, [site.url_for(REMOVED)], gone_after=2)
    engine = open_database(settings.database_url)
    run(settings, engine)
    site.remove(REMOVED)
    path = site.url_for(REMOVED).removeprefix(site.base_url)
    outcomes = []
    for failure in (None, 503, None, None):
        if failure is not None:
            site.fail_next(path, failure)
        outcomes.append(run(settings, engine).gone_confirmed)
    assert outcomes == [0, 0, 0, 1]
    assert deleted(engine) == {title(REMOVED): True}


@pytest.mark.slow
def test_404_for_a_url_that_never_had_a_record_marks_nothing(
    site: SampleSite, db_url: str
) -> None:
    settings = settings_for(db_url, [site.url_for(SLUGS[1]),
                                     f"{site.base_url}/en/publications/no-such-output/"],
                            gone_after=1)
    engine = open_database(settings.database_url)
    for _ in range(3):
        stats = run(settings, engine)
        assert stats.skipped["gone"] == 1 and stats.gone_confirmed == 0, stats.summary_line()
    assert deleted(engine) == {title(SLUGS[1]): False}
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from publications")).scalar_one() == 1


@pytest.mark.slow
def test_record_still_served_by_another_page_is_kept(site: SampleSite, db_url: str) -> None:
    """Two URLs, one record (an alias): one of them answering 410 does not delete it."""
    alias = f"{site.base_url}/en/publications/alias-of-{REMOVED}/"
    settings = settings_for(db_url, [site.url_for(SLUGS[1]), alias], gone_after=1)
    engine = open_database(settings.database_url)
    html = httpx.get(site.url_for(SLUGS[1])).text
    site.set_page(f"alias-of-{REMOVED}", html)
    run(settings, engine)
    site.remove(f"alias-of-{REMOVED}")
    stats = run(settings, engine)
    assert stats.skipped["gone"] == 1 and stats.gone_confirmed == 0, stats.summary_line()
    assert deleted(engine) == {title(SLUGS[1]): False}


@pytest.mark.parametrize(("value", "problem"), [
    (0, "sources[0].gone_after: must be an integer >= 1, got 0"),
    ("3", "sources[0].gone_after: must be an integer >= 1, got '3'"),
    (True, "sources[0].gone_after: must be an integer >= 1, got True"),
])
def test_gone_after_must_be_a_positive_integer(value: object, problem: str) -> None:
    with pytest.raises(ConfigError, match=r"^<config>: " + problem.replace("[", r"\[")
                       .replace("]", r"\]")):
        settings_for("sqlite://", ["http://127.0.0.1/x/"], gone_after=value)


def test_gone_after_defaults_to_three_and_is_refused_on_an_oai_source() -> None:
    assert settings_for("sqlite://", ["http://127.0.0.1/x/"]).sources[0].gone_after == 3
    with pytest.raises(ConfigError, match=r"sources\[0\]\.gone_after: only allowed"):
        parse_settings({"user_agent": "t (+mailto:t@example.org)", "sources": [
            {"name": "o", "oai": "http://127.0.0.1/oai", "gone_after": 2}]}, path=None, env={})
