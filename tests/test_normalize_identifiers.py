"""DOIs, ISBNs, ISSNs, ORCIDs and URLs in canonical form."""

from __future__ import annotations

import pytest

from harvester.normalize import (
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_orcid,
    normalize_url,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.1/ABC", "10.1/abc"),
        ("doi:10.1/abc", "10.1/abc"),
        ("DOI: 10.1/abc", "10.1/abc"),
        ("https://doi.org/10.1/ABC", "10.1/abc"),
        ("http://dx.doi.org/10.1/abc", "10.1/abc"),
        ("info:doi/10.1/abc", "10.1/abc"),
        ("10.1002%2Fpops.12622", "10.1002/pops.12622"),
        ("https://doi.org/10.1002%2FPOPS.12622", "10.1002/pops.12622"),
        ("10.1/abc.", "10.1/abc"),
        ("10.1/abc;", "10.1/abc"),
        ("see 10.1177/0022002719875521, p. 3", "10.1177/0022002719875521"),
        ("(doi:10.1016/S0140-6736(20)30183-5)", "10.1016/s0140-6736(20)30183-5"),
        ("10.1016/S0140-6736(20)30183-5", "10.1016/s0140-6736(20)30183-5"),
        ("10.4230/LIPIcs.TQC.2013.93", "10.4230/lipics.tqc.2013.93"),
        ("10.1000.10/xyz", "10.1000.10/xyz"),
        ("10.1/abc\u00a0(online)", "10.1/abc"),
        (
            "10.1002/(SICI)1097-4636(199706)35:4<503::AID-JBM12>3.0.CO;2-R",
            "10.1002/(sici)1097-4636(199706)35:4<503::aid-jbm12>3.0.co;2-r",
        ),
    ],
)
def test_dois_become_bare_and_lower_case(text: str, expected: str) -> None:
    assert normalize_doi(text) == expected


@pytest.mark.parametrize(
    "text",
    [None, "", "none", "10.1/", "10./abc", "11.1234/abc", "110.1234/abc", "https://example.org/x"],
)
def test_text_without_a_doi_gives_none(text: str | None) -> None:
    assert normalize_doi(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("978-3-16-148410-0", "9783161484100"),
        ("ISBN 978-3-16-148410-0 (pbk.)", "9783161484100"),
        ("ISBN-13: 9780306406157", "9780306406157"),
        ("ISBN 13 9780306406157", "9780306406157"),
        ("978 0 306 40615 7", "9780306406157"),
        ("0-306-40615-2", "0306406152"),
        ("0306406152", "0306406152"),
        ("080442957X", "080442957X"),
        ("0-8044-2957-x", "080442957X"),
        ("9780306406157; 0306406152", "9780306406157"),
    ],
)
def test_valid_isbns_become_digits(text: str, expected: str) -> None:
    assert normalize_isbn(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "0-306-40615-3",
        "978-3-16-148410-1",
        "12345",
        "X306406152",
        "1234567890123",
        "\u00b2" * 10,
        "\u0660\u0663\u0660\u0666\u0664\u0660\u0666\u0661\u0665\u0662",
    ],
)
def test_invalid_isbns_give_none(text: str | None) -> None:
    assert normalize_isbn(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0317-8471", "0317-8471"),
        ("03178471", "0317-8471"),
        ("1050-124X", "1050-124X"),
        ("1050-124x", "1050-124X"),
        ("ISSN 0378-5955", "0378-5955"),
        ("eISSN: 2049-3630", "2049-3630"),
    ],
)
def test_valid_issns_are_hyphenated(text: str, expected: str) -> None:
    assert normalize_issn(text) == expected


@pytest.mark.parametrize("text", [None, "", "1050-1241", "0317-8472", "123-4567", "abcd-efgh"])
def test_invalid_issns_give_none(text: str | None) -> None:
    assert normalize_issn(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("http://orcid.org/0000-0002-1825-0097/", "0000-0002-1825-0097"),
        ("0000000218250097", "0000-0002-1825-0097"),
        ("0000-0001-5109-3700", "0000-0001-5109-3700"),
        ("0000-0002-1694-233x", "0000-0002-1694-233X"),
    ],
)
def test_valid_orcids_are_bare(text: str, expected: str) -> None:
    assert normalize_orcid(text) == expected


@pytest.mark.parametrize("text", [None, "", "0000-0002-1825-0098", "0000-0002-1825", "orcid"])
def test_invalid_orcids_give_none(text: str | None) -> None:
    assert normalize_orcid(text) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.ORG/Path?Q=1#frag", "https://example.org/Path?Q=1"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("http://example.org:80/a", "http://example.org/a"),
        ("http://example.org:8080/a", "http://example.org:8080/a"),
        ("http://example.org", "http://example.org/"),
        ("  https://example.org/a  ", "https://example.org/a"),
        ("http://user@Host.ORG/", "http://user@host.org/"),
        ("http://[::1]:80/x", "http://[::1]/x"),
        ("https://example.org/a?b=1&c=2", "https://example.org/a?b=1&c=2"),
        ("http://[::1", "http://[::1"),
    ],
)
def test_urls_normalise_for_deduplication(url: str, expected: str) -> None:
    assert normalize_url(url) == expected
