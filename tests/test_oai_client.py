"""The async OAI client against httpx.MockTransport: tokens, retries, errors, gzip."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import UTC, date, datetime

import httpx
import pytest

from harvester.errors import HTTPStatusError, NetworkError
from harvester.oai.client import DAY, SECONDS, OAIClient, format_datestamp
from harvester.oai.protocol import (
    BadResumptionToken,
    ListPage,
    OAIError,
    RepeatedResumptionToken,
)

BASE = "http://oai.test/oai"
NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def envelope(inner: str, request: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        f"<responseDate>2024-05-01T12:00:00Z</responseDate><request {request}>{BASE}</request>"
        f"{inner}</OAI-PMH>"
    ).encode()


def records_page(ids: list[str], token: str | None, *, empty_token: bool = False) -> bytes:
    recs = "".join(
        f"<record><header><identifier>{i}</identifier><datestamp>2024-01-01</datestamp></header>"
        '<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T {i}</dc:title></oai_dc:dc>'
        "</metadata></record>"
        for i in ids
    )
    tok = ""
    if token is not None:
        tok = f'<resumptionToken completeListSize="5" cursor="0">{token}</resumptionToken>'
    elif empty_token:
        tok = '<resumptionToken completeListSize="5" cursor="4"/>'
    return envelope(f"<ListRecords>{recs}{tok}</ListRecords>")


def error_body(code: str) -> bytes:
    return envelope(f'<error code="{code}">explained</error>')


IDENTIFY = envelope(
    "<Identify><repositoryName>Test</repositoryName><baseURL>http://oai.test/oai</baseURL>"
    "<protocolVersion>2.0</protocolVersion><adminEmail>a@oai.test</adminEmail>"
    "<earliestDatestamp>2000-01-01</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
    "<granularity>YYYY-MM-DD</granularity></Identify>"
)


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


Handler = Callable[[httpx.Request], httpx.Response]


def make_client(handler: Handler, sleeps: Sleeps | None = None, **kw: object) -> OAIClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return OAIClient(BASE, client=http, sleep=sleeps or Sleeps(), now=lambda: NOW, **kw)  # type: ignore[arg-type]


async def collect(client: OAIClient, **kw: object) -> list[ListPage]:
    return [p async for p in client.list_records("oai_dc", **kw)]  # type: ignore[arg-type]


async def test_follows_tokens_to_the_end_including_an_empty_final_token() -> None:
    seen: list[dict[str, str]] = []
    pages = {
        None: records_page(["a", "b"], "t1"),
        "t1": records_page(["c", "d"], "t2"),
        "t2": records_page(["e"], None, empty_token=True),
    }

    def handler(req: httpx.Request) -> httpx.Response:
        params = dict(req.url.params)
        seen.append(params)
        return httpx.Response(200, content=pages[params.get("resumptionToken")])

    got = await collect(make_client(handler))
    assert [r.identifier for p in got for r in p.records] == ["a", "b", "c", "d", "e"]
    assert [p.resumption_token for p in got] == ["t1", "t2", None]
    assert seen[0] == {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    assert seen[1] == {"verb": "ListRecords", "resumptionToken": "t1"}
    # pages fetched by token still know their metadata prefix
    assert {r.metadata_prefix for p in got for r in p.records} == {"oai_dc"}


async def test_resuming_from_a_stored_token_starts_there() -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        assert req.url.params["resumptionToken"] == "t9"
        return httpx.Response(200, content=records_page(["z"], None))

    got = await collect(make_client(handler), resumption_token="t9")
    assert [r.identifier for r in got[0].records] == ["z"]


async def test_an_empty_page_with_a_token_continues() -> None:
    pages = {None: records_page([], "t1"), "t1": records_page(["a"], None)}

    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=pages[req.url.params.get("resumptionToken")])

    got = await collect(make_client(handler))
    assert [p.count for p in got] == [0, 1]


async def test_503_with_retry_after_seconds_sleeps_that_long_then_succeeds() -> None:
    calls = 0

    def handler(req: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return httpx.Response(503, headers={"Retry-After": "5"})
        return httpx.Response(200, content=records_page(["a"], None))

    sleeps = Sleeps()
    got = await collect(make_client(handler, sleeps))
    assert sleeps.calls == [5.0]
    assert got[0].records[0].identifier == "a"


async def test_retry_after_http_date_is_honoured() -> None:
    calls = 0

    def handler(req: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return httpx.Response(429, headers={"Retry-After": "Wed, 01 May 2024 12:00:30 GMT"})
        return httpx.Response(200, content=records_page(["a"], None))

    sleeps = Sleeps()
    await collect(make_client(handler, sleeps))
    assert sleeps.calls == [30.0]


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_server_errors_back_off_with_jitter_then_give_up(status: int) -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text="oops")

    sleeps = Sleeps()
    client = make_client(handler, sleeps, max_retries=3, backoff_base=2.0, backoff_max=5.0)
    with pytest.raises(HTTPStatusError) as info:
        await collect(client)
    assert info.value.status == status
    assert len(sleeps.calls) == 3
    # equal jitter: half of min(cap, base * 2**(n-1)) fixed, half random
    for n, slept in enumerate(sleeps.calls, start=1):
        ceiling = min(5.0, 2.0 * 2 ** (n - 1))
        assert ceiling / 2 <= slept <= ceiling


async def test_connection_errors_are_retried_then_reported_as_network_error() -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=req)

    sleeps = Sleeps()
    with pytest.raises(NetworkError):
        await collect(make_client(handler, sleeps, max_retries=2))
    assert len(sleeps.calls) == 2


async def test_retry_after_longer_than_allowed_gives_up_at_once() -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(503, headers={"Retry-After": "86400"})

    sleeps = Sleeps()
    with pytest.raises(HTTPStatusError):
        await collect(make_client(handler, sleeps))
    assert sleeps.calls == []


async def test_422_with_bad_resumption_token_raises_bad_resumption_token() -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        if "resumptionToken" in req.url.params:
            return httpx.Response(422, content=error_body("badResumptionToken"))
        return httpx.Response(200, content=records_page(["a"], "expired"))

    got: list[ListPage] = []
    with pytest.raises(BadResumptionToken) as info:
        async for page in make_client(handler).list_records("oai_dc"):
            got.append(page)
    assert info.value.code == "badResumptionToken"
    assert len(got) == 1  # the first page reached the caller before the failure


@pytest.mark.parametrize("status", [200, 422])
async def test_no_records_match_yields_nothing(status: int) -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=error_body("noRecordsMatch"))

    assert await collect(make_client(handler), from_="2030-01-01") == []


async def test_a_repeating_token_raises() -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=records_page(["a"], "same"))

    with pytest.raises(RepeatedResumptionToken):
        await collect(make_client(handler))


async def test_other_oai_errors_propagate_with_their_code() -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(400, content=error_body("cannotDisseminateFormat"))

    with pytest.raises(OAIError) as info:
        await collect(make_client(handler))
    assert info.value.code == "cannotDisseminateFormat"


async def test_a_404_html_page_is_an_http_error_not_an_oai_error() -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="<html>nope</html>")

    with pytest.raises(HTTPStatusError) as info:
        await collect(make_client(handler))
    assert info.value.status == 404


async def test_undeclared_gzip_body_is_read() -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=gzip.compress(records_page(["g"], None)))

    got = await collect(make_client(handler))
    assert got[0].records[0].identifier == "g"


async def test_malformed_page_is_recovered_with_warnings() -> None:
    body = records_page(["a"], None).replace(b"T a", b"T &eacute;")

    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    got = await collect(make_client(handler))
    assert got[0].records[0].identifier == "a"
    assert any("eacute" in w for w in got[0].warnings)


async def test_dates_are_sent_at_the_servers_granularity_from_identify() -> None:
    seen: list[dict[str, str]] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(dict(req.url.params))
        if req.url.params["verb"] == "Identify":
            return httpx.Response(200, content=IDENTIFY)
        return httpx.Response(200, content=records_page(["a"], None))

    since = datetime(2024, 3, 2, 10, 11, 12, tzinfo=UTC)
    await collect(make_client(handler), from_=since, until=date(2024, 4, 1), set_="s:1")
    assert seen[0]["verb"] == "Identify"
    assert seen[1] == {
        "verb": "ListRecords",
        "metadataPrefix": "oai_dc",
        "from": "2024-03-02",
        "until": "2024-04-01",
        "set": "s:1",
    }


async def test_seconds_rejected_as_bad_argument_falls_back_to_days() -> None:
    seen: list[dict[str, str]] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(dict(req.url.params))
        if "T" in req.url.params.get("from", ""):
            return httpx.Response(400, content=error_body("badArgument"))
        return httpx.Response(200, content=records_page(["a"], None))

    client = make_client(handler, granularity=SECONDS)
    got = await collect(client, from_=datetime(2024, 3, 2, 10, 11, 12, tzinfo=UTC))
    assert [s["from"] for s in seen] == ["2024-03-02T10:11:12Z", "2024-03-02"]
    assert got[0].count == 1
    assert client.granularity == DAY


async def test_identify_list_sets_formats_and_get_record() -> None:
    sets1 = envelope(
        "<ListSets><set><setSpec>a</setSpec><setName>A</setName></set>"
        "<resumptionToken>s2</resumptionToken></ListSets>"
    )
    sets2 = envelope("<ListSets><set><setSpec>b</setSpec><setName>B</setName></set></ListSets>")
    formats = envelope(
        "<ListMetadataFormats><metadataFormat><metadataPrefix>oai_dc</metadataPrefix>"
        "<schema>http://x/oai_dc.xsd</schema>"
        "<metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/</metadataNamespace>"
        "</metadataFormat></ListMetadataFormats>"
    )
    one = envelope(
        "<GetRecord>" + records_page(["r1"], None).decode().split("<ListRecords>")[1].split(
            "</ListRecords>"
        )[0] + "</GetRecord>"
    )

    def handler(req: httpx.Request) -> httpx.Response:
        p = req.url.params
        body = {
            "Identify": IDENTIFY,
            "ListSets": sets2 if p.get("resumptionToken") == "s2" else sets1,
            "ListMetadataFormats": formats,
            "GetRecord": one,
        }[p["verb"]]
        return httpx.Response(200, content=body)

    client = make_client(handler)
    ident = await client.identify()
    assert (ident.granularity, ident.deleted_record) == ("YYYY-MM-DD", "persistent")
    assert [s.spec async for s in client.list_sets()] == ["a", "b"]
    assert [f.prefix for f in await client.list_metadata_formats()] == ["oai_dc"]
    rec = await client.get_record("r1", "oai_dc")
    assert (rec.identifier, rec.metadata_prefix) == ("r1", "oai_dc")


async def test_no_set_hierarchy_lists_no_sets() -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=error_body("noSetHierarchy"))

    assert [s async for s in make_client(handler).list_sets()] == []


@pytest.mark.parametrize(
    ("value", "granularity", "expected"),
    [
        (datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), SECONDS, "2024-01-02T03:04:05Z"),
        (datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), DAY, "2024-01-02"),
        (datetime(2024, 1, 2, 3, 4, 5), SECONDS, "2024-01-02T03:04:05Z"),
        (date(2024, 1, 2), SECONDS, "2024-01-02"),
        ("2024-01-02T00:00:00Z", DAY, "2024-01-02T00:00:00Z"),
    ],
)
def test_format_datestamp(value: date | datetime | str, granularity: str, expected: str) -> None:
    assert format_datestamp(value, granularity) == expected


def test_format_datestamp_converts_other_zones_to_utc() -> None:
    from datetime import timedelta, timezone

    cet = timezone(timedelta(hours=2))
    late = datetime(2024, 1, 2, 1, 0, tzinfo=cet)
    assert format_datestamp(late, SECONDS) == "2024-01-01T23:00:00Z"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("5", 5.0),
        (" 120 ", 120.0),
        ("Wed, 01 May 2024 12:01:00 GMT", 60.0),
        ("Wed, 01 May 2024 11:00:00 GMT", 0.0),  # in the past: retry now
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after_reads_both_forms(header: str | None, expected: float | None) -> None:
    from harvester._fetch.retry import parse_retry_after

    assert parse_retry_after(header, NOW) == expected


async def test_list_identifiers_follows_tokens_and_counts_deleted_headers() -> None:
    def page(ids: list[str], token: str | None) -> bytes:
        status = ' status="deleted"'
        heads = "".join(
            f"<header{status if i.startswith('x') else ''}>"
            f"<identifier>{i}</identifier><datestamp>2024-01-01</datestamp></header>"
            for i in ids
        )
        tok = f"<resumptionToken>{token}</resumptionToken>" if token else ""
        return envelope(f"<ListIdentifiers>{heads}{tok}</ListIdentifiers>")

    def handler(req: httpx.Request) -> httpx.Response:
        if req.url.params.get("resumptionToken") == "n":
            return httpx.Response(200, content=page(["c"], None))
        assert req.url.params["verb"] == "ListIdentifiers"
        return httpx.Response(200, content=page(["a", "xb"], "n"))

    pages = [p async for p in make_client(handler).list_identifiers("oai_dc")]
    assert [h.identifier for p in pages for h in p.headers] == ["a", "xb", "c"]
    assert [h.deleted for p in pages for h in p.headers] == [False, True, False]


async def test_delay_paces_consecutive_requests_but_not_the_first() -> None:
    pages = {None: records_page(["a"], "t1"), "t1": records_page(["b"], None)}

    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=pages[req.url.params.get("resumptionToken")])

    sleeps = Sleeps()
    await collect(make_client(handler, sleeps, delay=2.5))
    assert sleeps.calls == [2.5]


async def test_every_answer_reaches_on_response_retries_and_errors_included() -> None:
    answers = iter([
        httpx.Response(503, headers={"Retry-After": "1"}, text="busy, come back"),
        httpx.Response(200, content=records_page(["a"], "t1")),
        httpx.Response(404, text="<html>nope</html>"),
    ])

    def handler(req: httpx.Request) -> httpx.Response:
        return next(answers)

    seen: list[tuple[str, int, bytes]] = []
    client = make_client(handler, on_response=lambda params, page: seen.append(
        (params["verb"], page.status, page.body)))
    with pytest.raises(HTTPStatusError):
        await collect(client)
    assert [(verb, status) for verb, status, _ in seen] == [
        ("ListRecords", 503), ("ListRecords", 200), ("ListRecords", 404)]
    assert seen[0][2] == b"busy, come back"  # the error's body is kept for the archive
    assert seen[2][2] == b"<html>nope</html>"
