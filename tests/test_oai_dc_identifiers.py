"""dc:identifier values into the DOI, the landing page, handles, ISBNs, ISSNs and files."""

from __future__ import annotations

import re
import sys

import pytest

from harvester.oai.formats.oai_dc import _HANDLE, _identifiers
from harvester.types import FileLink, Identifier


def test_every_handle_match_holds_hdl_once_lower_cased() -> None:
    # _identifiers tries the (case-insensitive) handle pattern only on values whose
    # lower-cased form holds "hdl": no code point may match a letter of it otherwise
    for letter in "hdl":
        pattern = re.compile(letter, re.I)
        odd = [c for c in map(chr, range(sys.maxunicode + 1))
               if pattern.fullmatch(c) and letter not in c.lower()]
        assert odd == [], letter
    assert _HANDLE.match("HDL:1765/99") and "hdl" in "HDL:1765/99".lower()


@pytest.mark.parametrize(
    ("raws", "expected"),
    [
        (["http://hdl.handle.net/1765/99", "https://doi.org/10.5281/ZENODO.7"],
         ("10.5281/zenodo.7", "http://hdl.handle.net/1765/99",
          (Identifier("handle", "1765/99"),), ())),
        (["hdl:1765/5", "https://repo.example.org/files/5.pdf", "https://repo.example.org/5"],
         (None, "https://repo.example.org/5", (Identifier("handle", "1765/5"),),
          (FileLink("https://repo.example.org/files/5.pdf", mime="application/pdf"),))),
        (["oai:zenodo.org:7", "https://dx.doi.org/10.1/a", "https://doi.org/10.1/b",
          "HTTPS://HDL.HANDLE.NET/1/2"],
         ("10.1/a", None, (Identifier("handle", "1/2"),), ())),  # upper-case: not read as http
        (["ISSN 0378-5955", "urn:isbn:978-3-16-148410-0", "Steijn, A.J. (2001) a title"],
         (None, None, (Identifier("issn", "0378-5955"), Identifier("isbn", "9783161484100")),
          ())),
    ],
)
def test_identifiers_give_doi_landing_page_handles_and_files(
    raws: list[str], expected: tuple[object, ...]
) -> None:
    assert _identifiers(raws) == expected
