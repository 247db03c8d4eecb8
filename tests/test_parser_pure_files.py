"""pure_markup.files: which anchors count as attached files, read one attribute at a time."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from harvester.parsers.pure_markup import files

P = "https://portal.example.org"
BASE = P + "/en/publications/x/"
PDF = "application/pdf"


@pytest.mark.parametrize(
    ("anchor", "want"),
    [
        ('<a href="/files/1/paper.pdf">Paper</a>', [(P + "/files/1/paper.pdf", "Paper", PDF)]),
        (
            '<a href="/portalfiles/portal/2/data.zip">Data</a>',
            [(P + "/portalfiles/portal/2/data.zip", "Data", None)],
        ),
        (
            '<a class="link document-link" href="/dl?id=3">Full text</a>',
            [(P + "/dl?id=3", "Full text", None)],
        ),
        (
            '<a class="document-links" href="/dl/4.PDF?x=1">Doc</a>',
            [(P + "/dl/4.PDF?x=1", "Doc", PDF)],
        ),
        ('<a href="&#47;files&#x2F;5.pdf">Spelt</a>', [(P + "/files/5.pdf", "Spelt", PDF)]),
        ('<a class="document-link">No href</a>', []),
        ('<a href="/en/persons/someone/">Menu entry</a>', []),
        ("<a href>Empty</a><a>None</a>", []),
        ('<a href="/Files/6.pdf">Case differs</a>', []),
    ],
)
def test_anchor_counts_as_file_by_href_or_document_link_class(
    anchor: str, want: list[tuple[str, str, str | None]]
) -> None:
    tree = LexborHTMLParser(f"<html><body><nav>{anchor}</nav></body></html>".encode())
    got = [(f.url, f.name, f.mime) for f in files(tree, BASE)]
    assert got == want


def test_same_file_linked_twice_is_listed_once_with_first_name() -> None:
    html = b'<a href="/files/7.pdf">First</a><p><a class="document-link" href="/files/7.pdf">2</a>'
    got = files(LexborHTMLParser(html), BASE)
    assert [(f.url, f.name) for f in got] == [(P + "/files/7.pdf", "First")]
