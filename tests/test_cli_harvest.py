"""`harvester harvest`'s start-up (pipelines/cli_harvest.py): no collections while it
imports and opens the database, and the collector back on afterwards, however it ends."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pipelines.cli import main


@pytest.fixture
def collecting() -> Iterator[None]:
    assert gc.isenabled()
    yield
    gc.enable()
    gc.unfreeze()  # the test process's objects go back to the collector


def _config(tmp_path: Path, source: dict[str, object]) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "database": str(tmp_path / "h.db"),
        "user_agent": "harvester-tests (+mailto:t@example.org)", "sources": [source]}))
    return config


def test_start_up_runs_without_collections_and_turns_them_back_on(
        tmp_path: Path, collecting: None, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []

    def load_settings_seen(path: Path) -> object:
        seen.append(gc.isenabled())
        raise SystemExit(3)  # stop here: what follows is the run

    import pipelines.config

    monkeypatch.setattr(pipelines.config, "load_settings", load_settings_seen)
    result = CliRunner().invoke(main, ["harvest", "--config", str(tmp_path / "any.yaml")])
    assert result.exit_code == 3
    assert seen == [False]  # start-up ran with the collector off
    assert gc.isenabled()  # and it is back on, though start-up did not finish


def test_a_config_error_leaves_the_collector_on(tmp_path: Path, collecting: None) -> None:
    config = _config(tmp_path, {"name": "x", "platform": "no-such-platform",
                                "urls": ["https://r.test/1"]})
    result = CliRunner().invoke(main, ["harvest", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert gc.isenabled()



def test_no_collection_runs_from_reading_the_config_to_opening_the_database(
        tmp_path: Path, collecting: None, monkeypatch: pytest.MonkeyPatch) -> None:
    collections: list[int] = []
    seen: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    def open_database_seen(url: str, **_options: object) -> object:
        seen.append(len(collections))
        raise SystemExit(3)  # stop here: what follows is the run

    import pipelines.config
    import pipelines.db

    real_load = pipelines.config.load_settings

    def load_settings_seen(path: Path) -> object:
        seen.append(len(collections))
        return real_load(path)

    monkeypatch.setattr(pipelines.config, "load_settings", load_settings_seen)
    monkeypatch.setattr(pipelines.db, "open_database", open_database_seen)
    config = _config(tmp_path, {"name": "x", "platform": "pure",
                                "urls": ["https://r.test/1"]})
    gc.collect()
    thresholds = gc.get_threshold()
    gc.set_threshold(1)  # any allocation while the collector is on starts a collection
    gc.callbacks.append(count)
    try:
        result = CliRunner().invoke(main, ["harvest", "--config", str(config),
                                           "--parse-workers", "0"])
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*thresholds)
    assert result.exit_code == 3, result.output
    assert len(seen) == 2 and seen[0] == seen[1]  # no collection in between: the
    # collector was off all the way, not turned back on between the two
    assert gc.isenabled()


def test_the_run_collects_its_young_objects_less_often_and_the_threshold_comes_back(
        tmp_path: Path, collecting: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines import cli_harvest, run

    seen: list[tuple[int, int, int]] = []

    async def harvest_seen(*args: object, **kwargs: object) -> object:
        seen.append(gc.get_threshold())
        raise SystemExit(3)  # stop here: the run itself is not under test

    monkeypatch.setattr(run, "harvest", harvest_seen)
    config = _config(tmp_path, {"name": "x", "platform": "pure",
                                "urls": ["https://r.test/1"]})
    before = gc.get_threshold()
    result = CliRunner().invoke(main, ["harvest", "--config", str(config),
                                       "--parse-workers", "0"])
    assert result.exit_code == 3, result.output
    assert seen == [(cli_harvest.YOUNG_THRESHOLD, *before[1:])]
    assert gc.get_threshold() == before
