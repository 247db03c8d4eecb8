"""How many parse processes a run starts when nobody says: two on two or more usable
cores, none on one; HARVESTER_PARSE_WORKERS overrides either way."""

from __future__ import annotations

import os

import pytest

from pipelines import parse_pool
from pipelines.parse_pool import ENV_WORKERS, default_workers


@pytest.mark.parametrize(("cores", "expected"), [(1, 0), (2, 2), (8, 2)])
def test_default_workers_follow_the_usable_cores(monkeypatch: pytest.MonkeyPatch,
                                                 cores: int, expected: int) -> None:
    monkeypatch.delenv(ENV_WORKERS, raising=False)
    monkeypatch.setattr(parse_pool, "usable_cores", lambda: cores)
    assert default_workers() == expected


@pytest.mark.parametrize("value", ["0", "3"])
def test_environment_overrides_the_core_count(monkeypatch: pytest.MonkeyPatch,
                                              value: str) -> None:
    monkeypatch.setenv(ENV_WORKERS, value)
    monkeypatch.setattr(parse_pool, "usable_cores", lambda: 2)
    assert default_workers() == int(value)


def test_usable_cores_is_the_affinity_set_not_the_machine() -> None:
    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("no CPU affinity on this platform")
    assert parse_pool.usable_cores() == len(os.sched_getaffinity(0))
