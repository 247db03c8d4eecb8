"""`platform: auto`: the registry picks the right parser for every page, generic last."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest
from conftest import CORPUS
from gold import gold_html_pages, load_gold, platform_right

import harvester.parsers as parsers
from harvester.parsers import DETECTION_ORDER, PARSERS, Signals, detect_platform
from harvester.types import Page

FIXTURES = Path(__file__).parent / "fixtures"


def _corpus_ids() -> list[str]:
    pages = gold_html_pages(CORPUS) if CORPUS.is_dir() else []
    return [str(html.relative_to(CORPUS)) for html, _ in pages] or ["absent"]


@pytest.mark.parametrize("name", _corpus_ids())
def test_every_corpus_page_is_detected_as_its_gold_platform(corpus: Path, name: str) -> None:
    html = corpus / name
    gold = load_gold(html.with_name(html.name.removesuffix(".html") + ".expected.json"))
    parser = detect_platform(Page(url=str(gold["url"]), body=html.read_bytes()))
    platform = "other" if parser in ("generic", "definition_list") else parser
    assert platform_right(platform, str(gold["platform"])), parser


@pytest.mark.parametrize(
    ("name", "expected"),
    [("invenio/zenodo-record-1196821-2018-legacy-ui.html", "invenio"),
     ("invenio/zenodo-record-1196821-inveniordm-ui.html", "invenio"),
     ("other/harvard-dataverse-dataset-NJ7XSO-2021.html", "dataverse"),
     ("other/harvard-dataverse-dataset-GAOC03-2018.html", "dataverse"),
     ("other/arxiv-abs-1902.02534.html", "arxiv"),
     ("other/pangaea-836178-2021.html", "pangaea")],
)
def test_detection_works_from_the_body_alone(corpus: Path, name: str, expected: str) -> None:
    """Saved copies and mirrors: the page is recognised without its own address."""
    page = Page(url="https://mirror.example.net/saved.html", body=(corpus / name).read_bytes())
    assert detect_platform(page) == expected


@pytest.mark.parametrize(
    ("fixture", "url", "expected"),
    [("ojs/article-ojs3.html", "https://journals.example.org/index.php/zez/article/view/4711",
      "ojs"),
     ("ojs/preprint-ops.html", "https://preprints.example.org/x", "ojs"),
     ("figshare/dataset.html", "https://figshare.com/articles/dataset/x/1234567", "figshare"),
     ("figshare/journal-contribution.html", "https://mirror.example.net/a", "figshare")],
)
def test_own_fixtures_are_detected(fixture: str, url: str, expected: str) -> None:
    assert detect_platform(Page(url=url, body=(FIXTURES / fixture).read_bytes())) == expected


@pytest.mark.parametrize(
    "body",
    [b"", b"<html><head><title>x</title></head></html>",
     b'<html><head><meta name="citation_title" content="T"></head></html>'],
)
def test_unknown_pages_fall_back_to_generic(body: bytes) -> None:
    assert detect_platform(Page(url="https://www.example.com/p/1", body=body)) == "generic"


def test_every_platform_module_is_in_the_detection_order() -> None:
    """A module with `looks_like` that is not listed would never be chosen by auto."""
    path = Path(parsers.__file__).parent
    for info in pkgutil.iter_modules([str(path)]):
        if info.name.startswith("_") or info.name == "generic":
            continue
        module = importlib.import_module(f"harvester.parsers.{info.name}")
        if hasattr(module, "looks_like") and hasattr(module, "parse"):
            assert info.name in DETECTION_ORDER, info.name
            assert info.name in PARSERS


def test_every_listed_module_that_exists_is_registered() -> None:
    for name in DETECTION_ORDER:
        exists = importlib.util.find_spec(f"harvester.parsers.{name}") is not None
        assert (name in PARSERS) == exists, name


def test_a_module_that_fails_to_import_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.find_spec("harvester.parsers.generic")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec)

    def broken(name: str) -> object:
        raise ImportError(f"broken {name}")

    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(ImportError):
        parsers._load("hyrax")


def test_a_module_not_written_yet_is_skipped() -> None:
    assert parsers._load("no_such_platform_module") is None


def test_signals_read_generator_and_meta_names_from_the_head() -> None:
    body = (b'<html><head><META NAME="Generator" CONTENT="DSpace 6.3">'
            b"<meta property='og:title' content='x'><meta name=citation_title content=T>"
            b'</head><body><meta name="late" content="no"></body></html>')
    s = Signals.of("https://Repo.Example.org/handle/1/2?x=1", body)
    assert s.generator == "dspace 6.3"
    assert s.meta_names == {"generator", "og:title", "citation_title"}
    assert (s.host, s.path) == ("repo.example.org", "/handle/1/2")
    assert s.host_is("example.org") and not s.host_is("ample.org")


def test_forced_platform_and_aliases() -> None:
    body = (FIXTURES / "figshare" / "dataset.html").read_bytes()
    page = Page(url="https://figshare.com/articles/dataset/x/1234567", body=body)
    assert parsers.parse_page(page, "other")[1] == "generic"
    assert parsers.parse_page(page, "Generic")[1] == "generic"
    with pytest.raises(ValueError, match="unknown platform"):
        parsers.parse_page(page, "nonsense")


@pytest.mark.parametrize(
    ("url", "head", "body", "expected"),
    [  # an address or head sign beats another platform's marker in the body
     ("https://zenodo.org/records/1", "", '<span class="typdoc">x</span>', "invenio"),
     ("https://repo.example.org/h/1", '<meta name="generator" content="DSpace 7">',
      '<div class="pkp_structure_page">', "dspace"),
     ("https://repo.example.org/concern/works/1", "", '<div class="ep_summary_content">',
      "hyrax"),
     # without one, the body markers decide in the detection order
     ("https://repo.example.org/x", "", '<div class="ep_summary_content dataverseHeader">',
      "dataverse"),
     ("https://repo.example.org/x", "", '<div class="ep_summary_content">', "eprints"),
     # a Pure marker near the top counts with the head signs, and Pure is asked first
     ("https://hal.science/x", "", '<div class="rendering_researchoutput">', "pure")],
)
def test_address_and_head_signs_are_asked_before_body_markers(
    url: str, head: str, body: str, expected: str
) -> None:
    page = Page(url=url, body=f"<html><head>{head}</head><body>{body}</body></html>".encode())
    assert detect_platform(page) == expected


def test_a_pure_marker_deep_in_the_page_yields_to_a_head_sign() -> None:
    deep = b"<html><head></head><body>" + b"<p>text</p>" * 3000
    marker = b'<div class="rendering_researchoutput">'
    assert detect_platform(Page(url="https://x.example.org/p", body=deep + marker)) == "pure"
    assert detect_platform(Page(url="https://hal.science/p", body=deep + marker)) == "hal"


@pytest.mark.parametrize(
    ("head", "name", "present"),
    [('<meta name="citation_arxiv_id" content="1">', "citation_arxiv_id", True),
     ("<META NAME=Citation_Arxiv_Id CONTENT=1>", "citation_arxiv_id", True),
     ('<meta property="citation_arxiv_id" content="1">', "citation_arxiv_id", True),
     ('<meta name="description" content="citation_arxiv_id">', "citation_arxiv_id", False),
     ("<script>var citation_arxiv_id = 1;</script>", "citation_arxiv_id", False),
     ('<meta name="citation_arxiv_id_v2" content="1">', "citation_arxiv_id", False),
     ('<meta name="x" content="citation_arxiv_id"><meta name="citation_arxiv_id" content="2">',
      "citation_arxiv_id", True)],
)
def test_has_meta_matches_meta_tag_names_only(head: str, name: str, present: bool) -> None:
    body = f"<html><head>{head}</head><body></body></html>".encode()
    assert Signals.of("https://a.example/", body).has_meta(name) is present
    # the same answer as the full set of the head's meta names
    assert (name in Signals.of("https://a.example/", body).meta_names) is present


def test_generator_joins_every_generator_tag_and_skips_other_mentions() -> None:
    body = (b'<html><head><meta name="description" content="our generator page">'
            b'<meta name="generator" content="Open Journal Systems 3.3">'
            b"<script>var generator = 1;</script><meta content='DSpace 6' name='Generator'>"
            b'</head><body><meta name="generator" content="late"></body></html>')
    s = Signals.of("https://a.example/", body)
    assert s.generator == "open journal systems 3.3 | dspace 6"
    assert s.has_meta_prefix("gener") and not s.has_meta_prefix("eprints.")


def test_a_pure_page_placed_by_its_body_is_scanned_for_markers_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from harvester.parsers import parse_page, pure

    body = (FIXTURES / "pure" / "danish-article.html").read_bytes()
    # a marker past in_head's 16 KB: detection needs the full scan, and parse() asks too
    page = Page(
        url="https://pure.example.org/en/publications/x/",
        body=body.replace(b"<body>", b"<body>" + b"<!-- pad -->" * 2000, 1),
    )
    scans: list[int] = []
    real = pure.looks_like_pure
    monkeypatch.setattr(
        pure, "looks_like_pure", lambda body, url="": scans.append(1) or real(body, url)
    )
    record, name = parse_page(page)
    assert name == "pure" and record.title
    assert len(scans) == 1
