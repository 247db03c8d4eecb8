"""What one page's fetch came to: the fetched_pages row, the record, the body to archive.

Pure helpers shared by the harvest pipeline (pipelines/pipeline.py): they decide
nothing about order or transactions, only what a page's row says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from harvester.normalize.identifiers import normalize_url
from harvester.types import Page, Record

from .state import FetchRow, PageState


@dataclass(frozen=True, slots=True)
class Outcome:
    url: str
    row: FetchRow | None
    record: Record | None = None
    page: Page | None = None  # a new body, to archive
    warc: bytes | None = None  # or its archive record, rendered already


def fetched_row(
    page: Page,
    sha256: str,
    source_key: str | None,
    at: datetime,
    *,
    reason: str | None = None,
    message: str | None = None,
    url: str | None = None,
) -> FetchRow:
    """The row for an answer with a body: new validators and its hash (computed once
    by the caller: hashing a 60 KB body costs a tenth of a millisecond). `url`: the
    normalised URL that was asked for, when the caller has it already."""
    return FetchRow(
        url=url if url is not None else normalize_url(page.requested_url or page.url),
        status=page.status,
        etag=page.headers.get("etag"),
        last_modified=page.headers.get("last-modified"),
        sha256=sha256,
        fetched_at=page.fetched_at or at,
        checked_at=at,
        source_key=source_key,
        error_reason=reason,
        error_message=message[:500] if message is not None else None,
    )


def known_row(
    url: str,
    state: PageState | None,
    at: datetime,
    *,
    status: int | None = None,
    reason: str | None = None,
    message: str | None = None,
) -> FetchRow:
    """The row for an answer without a new body (304, error): keep what we knew."""
    return FetchRow(
        url=url,
        status=status if status is not None else (state.status if state else None),
        etag=state.etag if state else None,
        last_modified=state.last_modified if state else None,
        sha256=state.sha256 if state else None,
        fetched_at=None,
        checked_at=at,
        source_key=state.source_key if state else None,
        error_reason=reason,
        error_message=message[:500] if message is not None else None,
    )
