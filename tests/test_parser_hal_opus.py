"""HAL and OPUS front doors: the real corpus pages against their gold records.

Plus own minimal fixtures (invented values, written here) for the HAL inline
metadata list and OPUS German labels, which the corpus pages do not show.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from gold import load_gold, mismatches

from harvester.errors import NotARecord
from harvester.parsers import hal, opus
from harvester.types import Page

GOLD_PAGES = [
    (hal, "other/hal-science-jpa-00235190"),
    (hal, "other/hal-theses-tel-02083632"),
    (opus, "other/opus3-dagstuhl-drops-4317-2017"),
    (opus, "other/opus4-frankfurt-frontdoor-38625"),
    (opus, "other/opus4-kobv-trr154"),
]


@pytest.mark.parametrize(("module", "stem"), GOLD_PAGES)
def test_corpus_page_matches_gold_on_every_field(
    corpus: Path, module: ModuleType, stem: str
) -> None:
    gold = load_gold(corpus / f"{stem}.expected.json")
    page = Page(url=gold["url"], body=(corpus / f"{stem}.html").read_bytes())
    assert mismatches(module.parse(page), gold) == {}


def test_hal_deposit_date_is_not_an_online_date(corpus: Path) -> None:
    body = (corpus / "other/hal-science-jpa-00235190.html").read_bytes()
    record = hal.parse(Page(url="https://hal.science/jpa-00235190", body=body))
    assert record.online is None
    assert record.provenance["type"] == "hal:markup"
    assert record.source_key == "jpa-00235190"


def test_opus_table_wins_and_keeps_provenance(corpus: Path) -> None:
    body = (corpus / "other/opus4-frankfurt-frontdoor-38625.html").read_bytes()
    record = opus.parse(Page(url="http://publikationen.ub.uni-frankfurt.de/x", body=body))
    assert record.provenance["published"] == "opus:table:online_date"
    assert record.provenance["language"] == "opus:table"


HAL_LIST = """<html><head><meta name="citation_title" content="Un titre inventé"></head><body>
<div class="header-section"><span class="typdoc label_COMM">Communication dans un congrès</span>
<span class="year strong">Année : 2019</span></div>
<h2 class="title-lang fr active">Un titre inventé</h2>
<div id="metadata-body"><table>
<tr><th>Date de publication</th><td>2019-06-04</td></tr>
<tr><th>Page/Identifiant</th><td>12-19</td></tr>
<tr><th>Langue</th><td>Français</td></tr></table></div></body></html>"""

OPUS_DE = """<html><body><h2 class="titlemain">Ein erfundener Titel</h2>
<table class="result-data frontdoordata">
<tr><th class="name">Autor:</th><td><a href="#">Erika Mustermann</a></td></tr>
<tr><th class="name">Dokumentart:</th><td>Teil eines Buches (Kapitel)</td></tr>
<tr><th class="name">Sprache:</th><td>Deutsch</td></tr>
<tr><th class="name">Veröffentlichungsdatum (online):</th><td>18.03.2020</td></tr>
<tr><th class="name">Jahr der Erstveröffentlichung:</th><td>2011</td></tr>
<tr><th class="name">Freies Schlagwort / Tag:</th><td>Erfindung</td></tr>
<tr><th class="name">Erste Seite:</th><td>33</td></tr>
<tr><th class="name">Letzte Seite:</th><td>47</td></tr>
</table></body></html>"""


def test_hal_inline_metadata_list_wins_over_header_year() -> None:
    record = hal.parse(Page(url="https://hal.science/hal-1", body=HAL_LIST.encode()))
    assert (str(record.published), record.type, record.language) == ("2019-06-04",
                                                                     "conference-paper", "fr")
    assert (record.pages.first, record.pages.last) == ("12", "19")


def test_opus_german_labels_and_earlier_first_publication() -> None:
    record = opus.parse(Page(url="https://opus.example.de/frontdoor/1", body=OPUS_DE.encode()))
    assert record.type == "chapter"
    assert record.language == "de"
    assert str(record.published) == "2011"  # appeared 2011, put online 2020
    assert record.keywords == ("Erfindung",)
    assert record.online is None
    assert (record.pages.first, record.pages.last) == ("33", "47")
    assert [p.family for p in record.authors] == ["Mustermann"]


@pytest.mark.parametrize("module", [hal, opus])
@pytest.mark.parametrize("body", [b"", b"<html><body><table><tr><th class=name>Autor:</th>",
                                  b"<h2 class='title-lang'></h2>"])
def test_pages_without_a_title_are_not_records(module: ModuleType, body: bytes) -> None:
    with pytest.raises(NotARecord):
        module.parse(Page(url="https://x.example/1", body=body))
