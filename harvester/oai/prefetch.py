"""ListRecords with the next request in flight while a page is read and mapped.

The resumption token sits at the end of a page, after every record, so a client
that reads the page first asks for the next one only after all its parsing.
`mapped_pages` reads the token from the page's tail with a regex (`peek_token`),
sends that request at once and hands the page to `process` (which may run in a
worker process). The token `process` reads is the one that counts: a guess that
differs from it is dropped and the right request sent. Pages still come out one
at a time and in order, so the caller commits page N, with page N's token, before
it sees page N+1; an error answer to the request sent ahead is raised only when
the caller asks for the page after the one it holds, as without the lookahead.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing

from harvester.oai.client import OAIClient, Stamp
from harvester.oai.mapped import MappedPage

__all__ = ["Process", "mapped_pages", "peek_token"]

Process = Callable[[bytes, str], Awaitable[MappedPage]]

#: the token ends a page; a longer one than this is not guessed (read, then asked for)
TAIL = 16_384
_TOKEN = re.compile(
    rb"<(?:[\w.-]+:)?resumptionToken\b[^>]*?(?:/>|>([^<]*)</(?:[\w.-]+:)?resumptionToken\s*>)"
)


def peek_token(body: bytes) -> str | None:
    """The last resumptionToken in the page's tail, entities decoded; None when the
    tail holds none or an empty one. A guess: CDATA, comments or an unusual
    encoding can make it wrong, which costs one request, never a record."""
    found = None
    for found in _TOKEN.finditer(body, max(0, len(body) - TAIL)):  # noqa: B007 (the last)
        pass
    if found is None or found.group(1) is None:
        return None
    text = html.unescape(found.group(1).decode("utf-8", "replace")).strip()
    return text or None


async def mapped_pages(
    client: OAIClient,
    prefix: str,
    process: Process,
    *,
    from_: Stamp | None = None,
    until: Stamp | None = None,
    set_: str | None = None,
    resumption_token: str | None = None,
) -> AsyncGenerator[MappedPage, None]:
    """OAIClient.list_records with `process` in place of the parser and one request
    ahead (Paging.pages with `peek_token`)."""
    params = await client._first_params("ListRecords", prefix, from_, until, set_,
                                        resumption_token)
    # closed with this generator, so a caller leaving early cancels the request ahead
    async with aclosing(client.pages("ListRecords", process, params, peek=peek_token)) as pages:
        async for page in pages:
            yield page
