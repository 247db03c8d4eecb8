"""The list verbs' paging: resumption tokens followed to the end, one request ahead.

OAIClient (harvester.oai.client) builds a list's first request and reads each
answer; `Paging.pages` follows the tokens, refuses a repeated one, retries a
rejected seconds-granular window by day, and, given `peek`, sends the next
request while the page is read (harvester/oai/prefetch.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Protocol, TypeVar

from harvester.oai.model import NoRecordsMatch, OAIError, RepeatedResumptionToken
from harvester.oai.transport import OAITransport

DAY = "YYYY-MM-DD"


class _Page(Protocol):
    @property
    def resumption_token(self) -> str | None: ...


P = TypeVar("P", bound=_Page)
_Answer = asyncio.Future[tuple[bytes, str]]


class Paging(OAITransport):
    """The transport plus the list verbs' paging; OAIClient adds the verbs."""

    async def pages(
        self,
        verb: str,
        process: Callable[[bytes, str], Awaitable[P]],
        params: dict[str, str],
        *,
        peek: Callable[[bytes], str | None] | None = None,
    ) -> AsyncGenerator[P, None]:
        """The pages of a list verb from its first request's `params` (OAIClient builds
        them), each answer read by `process`, to the end of the list. noRecordsMatch
        yields nothing; BadResumptionToken and every other error propagate; a repeated
        token raises RepeatedResumptionToken.

        `peek` guesses the next token from an answer's bytes, so that request goes out
        while `process` reads the page (harvester/oai/prefetch.py). The token `process`
        reads is the one that counts: a wrong guess is dropped and the right request
        sent. Pages still come out one at a time, in order; an error answer to the
        request sent ahead is raised only when the caller asks for the next page."""
        token = params.get("resumptionToken")
        seen: set[str] = {token} if token else set()
        first = token is None
        fetch: _Answer = asyncio.ensure_future(self._get(params))
        ahead: _Answer | None = None
        try:
            while True:
                body, url = await fetch
                guess = peek(body) if peek is not None else None
                if guess is not None and guess not in seen:
                    ahead = asyncio.ensure_future(
                        self._get({"verb": verb, "resumptionToken": guess}))
                    await asyncio.sleep(0)  # the request starts even if `process` runs inline
                try:
                    page = await process(body, url)
                except NoRecordsMatch:
                    return
                except OAIError as exc:
                    # servers that announce seconds granularity but reject it: retry by day
                    if not (first and exc.code == "badArgument" and self._coarsen(params)):
                        raise
                    await _drop(ahead)
                    ahead, fetch = None, asyncio.ensure_future(self._get(params))
                    continue
                first = False
                if ahead is not None and page.resumption_token != guess:
                    await _drop(ahead)
                    ahead = None
                yield page
                if not page.resumption_token:
                    return
                self._check_token(page.resumption_token, seen)
                params = {"verb": verb, "resumptionToken": page.resumption_token}
                fetch, ahead = ahead or asyncio.ensure_future(self._get(params)), None
        finally:
            await _drop(fetch, ahead)

    def _coarsen(self, params: dict[str, str]) -> bool:
        """Cut seconds-granular from/until to days in place; False if nothing to cut."""
        changed = False
        for key in ("from", "until"):
            if key in params and "T" in params[key]:
                params[key] = params[key].split("T", 1)[0]
                changed = True
        if changed:
            self.granularity = DAY
        return changed

    def _check_token(self, token: str, seen: set[str]) -> None:
        if token in seen:
            msg = f"server repeated token {token[:60]!r}"
            raise RepeatedResumptionToken("repeatedResumptionToken", msg, url=self.base_url)
        seen.add(token)


async def _drop(*futures: _Answer | None) -> None:
    """Cancel requests no page will come from; their outcomes (errors too) are of no use."""
    held = [f for f in futures if f is not None]
    for f in held:
        f.cancel()
    await asyncio.gather(*held, return_exceptions=True)
