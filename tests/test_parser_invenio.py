"""Invenio (legacy Zenodo UI and InvenioRDM) on the five real Zenodo captures in the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.parsers import invenio
from harvester.types import Page, PartialDate

LEGACY = ("2018-legacy-ui", "2020-legacy-ui", "2021-legacy-ui")


def _parse(corpus: Path, name: str, url: str = "https://zenodo.org/records/1196821") -> Page:
    return Page(url=url, body=(corpus / "invenio" / f"zenodo-record-{name}.html").read_bytes())


@pytest.mark.parametrize("ui", [*LEGACY, "inveniordm-ui"])
def test_one_record_reads_the_same_across_ui_generations(corpus: Path, ui: str) -> None:
    record = invenio.parse(_parse(corpus, f"1196821-{ui}"))
    assert record.platform == "invenio"
    assert record.source_key.endswith(":1196821")
    assert (record.type, record.doi, record.published) == (
        "dataset", "10.5281/zenodo.1196821", PartialDate(2018, 3, 14))
    assert [a.family for a in record.authors] == [
        "Staib", "Castegnetti", "Tzovara", "Paulus", "Hofer", "Bach"]


@pytest.mark.parametrize("ui", [*LEGACY, "inveniordm-ui"])
def test_data_curators_are_not_authors(corpus: Path, ui: str) -> None:
    record = invenio.parse(_parse(corpus, f"1196821-{ui}"))
    assert not {"Moser", "Gerster"} & {a.family for a in record.authors}


def test_orcids_come_from_json_ld_when_citation_author_lacks_them(corpus: Path) -> None:
    record = invenio.parse(_parse(corpus, "1196821-2018-legacy-ui"))
    assert record.authors[0].orcid == "0000-0001-9688-838X"
    assert record.authors[1].orcid is None


def test_inveniordm_date_and_language_come_from_the_page(corpus: Path) -> None:
    record = invenio.parse(_parse(corpus, "1196821-inveniordm-ui"))
    assert record.provenance["published"] == "invenio:page"
    assert record.language == "en"


def test_resource_type_other_keeps_its_label(corpus: Path) -> None:
    record = invenio.parse(_parse(corpus, "13004-2022-legacy-ui", "https://zenodo.org/record/13004"))
    assert (record.type, record.type_raw, record.language) == ("other", "Other", None)


def test_page_layer_reads_a_minimal_rdm_page() -> None:
    """Invented InvenioRDM-style markup (not Zenodo) with only the visible blocks."""
    html = ('<html><head><meta name="generator" content="InvenioRDM 12.0">'
            '<meta name="citation_title" content="Owl counts"></head><body>'
            '<span title="Publication date">Published June 3, 2022</span>'
            '<a aria-label="Resource type">Software</a>'
            "<dl><dt>Languages</dt><dd>German</dd></dl></body></html>")
    record = invenio.parse(Page(url="https://rdm.example.org/records/abc12-3de45",
                                body=html.encode()))
    assert (record.type, record.published, record.language, record.source_key) == (
        "software", PartialDate(2022, 6, 3), "de", "rdm.example.org:abc12-3de45")
