"""Seed URLs: normalised, de-duplicated in order, invalid ones named."""

from __future__ import annotations

import pytest

from harvester.discovery.seeds import iter_seeds, normalize_seed
from harvester.errors import DiscoveryError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "https://Portal.Example.EDU/en/publications/X#abstract",
            "https://portal.example.edu/en/publications/X",
        ),
        ("HTTP://portal.example.edu", "http://portal.example.edu/"),
        ("  https://portal.example.edu/a?b=1&a=2  ", "https://portal.example.edu/a?b=1&a=2"),
        ("https://portal.example.edu:8443/x/", "https://portal.example.edu:8443/x/"),
        ("http://[2001:DB8::1]:8080/p", "http://[2001:db8::1]:8080/p"),
        ("https://user:pw@Portal.example.edu/p", "https://user:pw@portal.example.edu/p"),
    ],
)
def test_seed_normalisation(raw: str, expected: str) -> None:
    assert normalize_seed(raw) == expected


def test_duplicates_after_normalisation_are_dropped_in_order() -> None:
    seeds = [
        "https://b.example.org/1",
        "https://A.example.org/2#top",
        "https://a.example.org/2",
        "",
        "https://b.example.org/1",
        "https://a.example.org/3",
    ]
    assert list(iter_seeds(seeds)) == [
        "https://b.example.org/1",
        "https://a.example.org/2",
        "https://a.example.org/3",
    ]


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://example.org/file",
        "example.org/no-scheme",
        "https://",
        "https://host:99999/",
        "https://exa mple.org/",
        "mailto:someone@example.org",
    ],
)
def test_invalid_seed_raises_discovery_error_naming_it(bad: str) -> None:
    with pytest.raises(DiscoveryError) as info:
        list(iter_seeds(["https://ok.example.org/", bad]))
    assert info.value.url == bad
    assert repr(bad) in str(info.value)


def test_seeds_are_lazy() -> None:
    seeds = iter_seeds(["https://ok.example.org/", "not a url"])
    assert next(seeds) == "https://ok.example.org/"
