"""PANGAEA landing page (corpus capture of doi:10.1594/PANGAEA.836178)."""

from __future__ import annotations

from pathlib import Path

from harvester.parsers import pangaea
from harvester.types import Page


def test_abstract_comes_from_the_visible_block_and_the_supplement_is_ignored(
    corpus: Path,
) -> None:
    page = Page(url="https://doi.pangaea.de/10.1594/PANGAEA.836178",
                body=(corpus / "other" / "pangaea-836178-2021.html").read_bytes())
    record = pangaea.parse(page)
    assert record.provenance["abstract"] == "pangaea"
    assert record.abstract is not None and record.abstract.startswith("Few hydrological")
    # the supplemented ESSD article (JSON-LD @reverse) lends no journal, pages or DOI
    assert (record.journal, record.pages.first, record.doi) == (None, None,
                                                               "10.1594/pangaea.836178")
    assert record.authors[4].family == "van As"
    assert record.authors[4].orcid == "0000-0002-6553-8982"
