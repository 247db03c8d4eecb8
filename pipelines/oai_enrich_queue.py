"""The queue of OAI records waiting for their landing page (`oai_records.enrich_state`):
store_page marks a record PENDING when it arrives or changes with a landing page, and
pipelines.oai_enrich drains the marks after the list is stored, setting DONE or FAILED.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, select, update

from harvester.types import Record

from .load_bulk import one_of
from .merge import record_from_json
from .models import oai_records, publications

PENDING, DONE, FAILED = "pending", "done", "failed"


@dataclass(frozen=True, slots=True)
class Pending:
    key: str
    url: str
    record: Record  # the stored OAI-only record


def pending_enrichment(conn: Connection, source_id: int, limit: int) -> list[Pending]:
    p, r = publications.c, oai_records.c
    query = (
        select(r.source_key, r.landing_url, p.record_json)
        .join(publications, and_(p.source_id == r.source_id, p.source_key == r.source_key))
        .where(r.source_id == source_id, r.enrich_state == PENDING)
        .order_by(r.source_key)
        .limit(limit)
    )
    return [Pending(k, url, record_from_json(json.loads(blob)))
            for k, url, blob in conn.execute(query)]


def set_enrich_state(conn: Connection, source_id: int, keys: Sequence[str], state: str) -> None:
    if keys:
        r = oai_records.c
        conn.execute(update(oai_records)
                     .where(r.source_id == source_id, one_of(conn, r.source_key, list(keys)))
                     .values(enrich_state=state))

