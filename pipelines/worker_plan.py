"""A worker's plan for its next round, in one transaction: which host slots to hold
and which frontier rows to claim with them.

    rows whose holders died MAX_ATTEMPTS times ─▶ failed ('lease-expired')
    live workers of the group ─▶ fair share per host, ceil(concurrency / live)
    hosts without claimable rows: their slots freed
    over the share (a worker joined): the extra slots freed
    under it: one more slot taken (a lone worker ramps up a slot per round)
    rows claimed: `batch` per slot held, per host

Slot and row locks are SKIP LOCKED, so planning workers never wait for each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field

from sqlalchemy import Connection

from .frontier import Claimed, claim, claimable_hosts, give_up
from .frontier_hosts import HostPolicy, acquire_slot, release_slots
from .worker_presence import fair_share, live_workers

MAX_ATTEMPTS = 5  # claims of a page whose holders all died before it is failed


@dataclass(frozen=True)
class Plan:
    held: dict[str, set[int]]  # host -> slots held after planning (hosts left out: none)
    policies: dict[str, HostPolicy] = field(default_factory=dict)
    claimed: list[Claimed] = field(default_factory=list)


def plan_round(conn: Connection, *, owner: str, group: str, source_ids: Sequence[int],
               ttl: float, batch: int, held: Mapping[str, Set[int]]) -> Plan:
    give_up(conn, source_ids, MAX_ATTEMPTS)
    live = live_workers(conn, group)
    hosts = claimable_hosts(conn, source_ids)
    for host, slots in held.items():
        if slots and host not in hosts:
            release_slots(conn, owner, host)
    plan = Plan({}, hosts)
    for host, policy in hosts.items():
        mine = set(held.get(host, ()))
        share = fair_share(policy.concurrency, live)
        extra = sorted(mine)[share:]
        if extra:
            release_slots(conn, owner, host, extra)
            mine -= set(extra)
        elif len(mine) < share:
            slot = acquire_slot(conn, owner, host, ttl)
            if slot is not None:
                mine.add(slot.slot)
        if mine:
            plan.held[host] = mine
            plan.claimed.extend(claim(conn, owner, source_ids, host, batch * len(mine), ttl))
    return plan
