"""Rings: groups of accounts that work together, found by what they share.

A ring is a connected component of the account–entity graph built by a sweep: two accounts
are linked when they share a *specific* entity — a contact handle (or a group link) they
both advertise, in text or in a QR code, a payee their victims both pay, a device they both
log in from, an IP prefix (/24) they both use, a picture (near-identical copies) they both
post. Hub entities (a popular domain, a café's IP) are left out before components are found,
so ordinary users who happen to share one are not chained together.

Every ring keeps its evidence: for each member, which entity links it and in which events
it was seen — a reviewer must be able to see *why* these accounts are one operation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

ENTITY_KINDS = ("phone", "chat_handle", "qq", "group_link", "payee", "device", "ip24", "image")


@dataclass(frozen=True)
class RingLink:
    """One piece of a ring's evidence: ``account_id`` used ``entity`` in ``event_ids``."""

    account_id: str
    entity: str  # "<kind>:<value>", kind one of ENTITY_KINDS, e.g. "chat_handle:mm_love520"
    event_ids: tuple[str, ...]  # a few of the events that show it (not necessarily all)
    events: int  # how many events showed it in all


@dataclass(frozen=True)
class Ring:
    """A ring found by a sweep; ``ring_id`` is stable for the same members."""

    ring_id: str
    members: tuple[str, ...]  # sorted account ids
    entities: tuple[str, ...]  # sorted entities that link them
    score: float  # in [0, 1]: share of members whose own content was flagged
    found_at: datetime
    sweep_id: str
    links: tuple[RingLink, ...] = field(default=())

    @property
    def size(self) -> int:
        return len(self.members)


def ring_id_for(members: tuple[str, ...] | list[str]) -> str:
    """A stable id from the sorted member list: the same accounts give the same ring id."""
    digest = hashlib.blake2b("\n".join(sorted(members)).encode(), digest_size=8).hexdigest()
    return f"ring-{digest}"
