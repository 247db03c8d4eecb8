"""Dataverse dataset pages: the two Harvard Dataverse captures in the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.parsers import dataverse
from harvester.types import Page

BASE = "https://dataverse.harvard.edu/dataset.xhtml?persistentId="


def _parse(corpus: Path, name: str, pid: str) -> Page:
    return Page(url=BASE + pid, body=(corpus / "other" / f"harvard-dataverse-dataset-{name}.html")
                .read_bytes())


@pytest.mark.parametrize(("name", "pid"), [("GAOC03-2018", "doi:10.7910/DVN/GAOC03"),
                                           ("NJ7XSO-2021", "doi:10.7910/DVN/NJ7XSO")])
def test_dataset_is_keyed_by_its_persistent_id(corpus: Path, name: str, pid: str) -> None:
    record = dataverse.parse(_parse(corpus, name, pid))
    assert (record.platform, record.type, record.source_key) == ("dataverse", "dataset",
                                                                 pid.lower())
    assert record.type_raw == "Dataset"


def test_keywords_come_whole_from_json_ld(corpus: Path) -> None:
    record = dataverse.parse(_parse(corpus, "NJ7XSO-2021", "doi:10.7910/DVN/NJ7XSO"))
    assert record.keywords == ("Medicine, Health and Life Sciences",
                               "Genome-Wide Association Studies", "Ankylosing spondylitis")
    assert record.provenance["keywords"] == "jsonld"


def test_organisation_author_stays_whole(corpus: Path) -> None:
    record = dataverse.parse(_parse(corpus, "GAOC03-2018", "doi:10.7910/DVN/GAOC03"))
    assert [(a.family, a.given) for a in record.authors] == [("Badan Pusat Statistik", None)]
