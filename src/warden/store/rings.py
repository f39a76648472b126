"""Rings found by sweeps, and their members' evidence (SQL repository).

A ring is one ``rings`` row plus one ``ring_members`` row per account; each member row keeps
the links that tie the account in, as JSON ``[{"entity", "event_ids", "events"}, ...]``, so a
reviewer can see *why* the account is in the ring (:mod:`warden.domain.rings`).

:meth:`SqlRings.add` is idempotent by ``ring_id`` — the ring row is inserted with
``ON CONFLICT DO NOTHING`` and its members only when that insert happened — so a sweep that
stopped half way can run again and store only what is missing. Nothing here commits.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from warden.domain.rings import Ring, RingLink
from warden.errors import InputError
from warden.store.engine import insert_if_absent
from warden.store.schema import RingMemberRow, RingRow


class SqlRings:
    """Rings and their members."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, ring: Ring) -> bool:
        """Store ``ring``; ``False`` (and nothing changed) if its ``ring_id`` is already stored."""
        _check(ring)
        inserted = insert_if_absent(
            self._session,
            RingRow,
            {
                "ring_id": ring.ring_id,
                "sweep_id": ring.sweep_id,
                "size": ring.size,
                "score": float(ring.score),
                "found_at": ring.found_at,
                "entities": list(ring.entities),
            },
        )
        if not inserted:
            return False
        links: dict[str, builtins.list[dict[str, Any]]] = {m: [] for m in ring.members}
        for link in ring.links:
            links[link.account_id].append(
                {"entity": link.entity, "event_ids": list(link.event_ids), "events": link.events}
            )
        self._session.add_all(
            RingMemberRow(ring_id=ring.ring_id, account_id=member, links=links[member])
            for member in ring.members
        )
        self._session.flush()
        return True

    def get(self, ring_id: str) -> Ring | None:
        """The ring with its members and links, or ``None``."""
        found = self._load(select(RingRow).where(RingRow.ring_id == ring_id))
        return found[0] if found else None

    def for_account(self, account_id: str) -> builtins.list[Ring]:
        """Every ring ``account_id`` is a member of, oldest first."""
        member_of = select(RingMemberRow.ring_id).where(RingMemberRow.account_id == account_id)
        return self._load(select(RingRow).where(RingRow.ring_id.in_(member_of)))

    def list(self, sweep_id: str | None = None, limit: int | None = None) -> builtins.list[Ring]:
        """Rings (of one sweep if ``sweep_id`` is given), oldest first, at most ``limit``."""
        statement = select(RingRow)
        if sweep_id is not None:
            statement = statement.where(RingRow.sweep_id == sweep_id)
        return self._load(statement, limit)

    def size_counts(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> dict[int, int]:
        """Ring size → number of rings, sizes ascending (rings found in ``[since, until)``)."""
        statement = (
            select(RingRow.size, func.count())
            .where(*_found_between(since, until))
            .group_by(RingRow.size)
        )
        return {int(size): int(count) for size, count in sorted(self._session.execute(statement))}

    def member_count(self, since: datetime | None = None, until: datetime | None = None) -> int:
        """Distinct accounts in at least one ring found in ``[since, until)``."""
        statement = (
            select(func.count(func.distinct(RingMemberRow.account_id)))
            .join(RingRow, RingRow.ring_id == RingMemberRow.ring_id)
            .where(*_found_between(since, until))
        )
        return int(self._session.scalar(statement) or 0)

    def _load(self, statement: Select[RingRow], limit: int | None = None) -> builtins.list[Ring]:
        """The rings ``statement`` selects, oldest first, with their members in one query."""
        statement = statement.order_by(RingRow.found_at, RingRow.ring_id)
        if limit is not None:
            statement = statement.limit(limit)
        rows = builtins.list(self._session.scalars(statement))
        if not rows:
            return []
        members: dict[str, builtins.list[RingMemberRow]] = defaultdict(builtins.list)
        member_rows = self._session.scalars(
            select(RingMemberRow)
            .where(RingMemberRow.ring_id.in_([row.ring_id for row in rows]))
            .order_by(RingMemberRow.ring_id, RingMemberRow.account_id)
        )
        for member in member_rows:
            members[member.ring_id].append(member)
        return [_ring(row, members[row.ring_id]) for row in rows]


def _found_between(
    since: datetime | None, until: datetime | None
) -> builtins.list[ColumnElement[bool]]:
    clauses = []
    if since is not None:
        clauses.append(RingRow.found_at >= since)
    if until is not None:
        clauses.append(RingRow.found_at < until)
    return clauses


def _check(ring: Ring) -> None:
    """Refuse a ring that cannot be stored as it is meant (names the field and the value)."""
    if not ring.members:
        raise InputError(f"ring {ring.ring_id!r}: members is empty; expected at least one account")
    if len(set(ring.members)) != len(ring.members):
        raise InputError(
            f"ring {ring.ring_id!r}: members {builtins.list(ring.members)!r} repeat an account; "
            "expected distinct account ids"
        )
    members = set(ring.members)
    for link in ring.links:
        if link.account_id not in members:
            raise InputError(
                f"ring {ring.ring_id!r}: link account_id {link.account_id!r} is not a member; "
                "expected one of the ring's members"
            )
    if not 0.0 <= ring.score <= 1.0:
        raise InputError(
            f"ring {ring.ring_id!r}: score {ring.score!r}; expected a number in [0, 1]"
        )


def _ring(row: RingRow, members: Sequence[RingMemberRow]) -> Ring:
    links = tuple(
        RingLink(
            account_id=member.account_id,
            entity=str(link["entity"]),
            event_ids=tuple(str(e) for e in link["event_ids"]),
            events=int(link["events"]),
        )
        for member in members
        for link in member.links
    )
    return Ring(
        ring_id=row.ring_id,
        members=tuple(member.account_id for member in members),
        entities=tuple(row.entities),
        score=row.score,
        found_at=row.found_at,
        sweep_id=row.sweep_id,
        links=links,
    )
