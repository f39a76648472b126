"""An account's standing, derived from the actions in force — never stored twice.

Whether an account is restricted, locked or closed follows from its applied actions; keeping
a separate status that could disagree with them is how systems end up locking accounts whose
lock was overturned. The store keeps a copy for fast reads, and every change recomputes it
here from the actions, so a reversal restores exactly what remains in force.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from warden.domain.actions import ActionStatus, ActionType, Capability
from warden.enforce.planner import Standing
from warden.policy.ladders import strikes_in_force
from warden.store.interfaces import ActionRecord

#: A strike as the store keeps it: (category, count, given at)
Strike = tuple[str, int, datetime]


@dataclass(frozen=True, slots=True)
class InForce:
    """The part of an applied action that matters for standing."""

    type: ActionType
    capabilities: tuple[Capability, ...]
    until: datetime | None


@dataclass(frozen=True, slots=True)
class AccountStatus:
    """What the platform must enforce for an account right now."""

    state: str  # active | restricted | locked | closed
    restricted: frozenset[Capability]
    restricted_until: datetime | None
    locked_until: datetime | None


def status_at(actions: Iterable[InForce], now: datetime) -> AccountStatus:
    """The account's status given its applied (not reversed) actions, at ``now``."""
    closed = False
    capabilities: set[Capability] = set()
    restricted_until: datetime | None = None
    locked_until: datetime | None = None
    for action in actions:
        live = action.until is None or action.until > now
        if action.type is ActionType.CLOSE:
            closed = True
        elif action.type is ActionType.LOCK and live and action.until is not None:
            locked_until = max(locked_until or action.until, action.until)
        elif action.type is ActionType.RESTRICT and live:
            capabilities |= set(action.capabilities)
            if action.until is not None:
                restricted_until = max(restricted_until or action.until, action.until)
    if closed:
        state = "closed"
    elif locked_until is not None:
        state = "locked"
    elif capabilities:
        state = "restricted"
    else:
        state = "active"
    return AccountStatus(state, frozenset(capabilities), restricted_until, locked_until)


def standing_at(
    account: str,
    records: Sequence[ActionRecord],
    strikes: Iterable[Strike],
    decay_days: Mapping[str, int],
    at: datetime,
) -> Standing:
    """The planner's view of ``account`` at ``at``, counting only what happened up to then:
    its action records, and its strikes per category still in force under each category's
    decay (``decay_days``; :func:`~warden.policy.ladders.strikes_in_force`).

    The one implementation of standing: online decisions read the records from the store,
    the sweep from its in-memory book, and both get the same answer for the same history —
    an event replayed late is judged by what had happened by its own time."""
    records = [r for r in records if r.action.at <= at]
    given = list(strikes)
    active = {
        category: strikes_in_force(
            ((count, when) for kind, count, when in given if kind == category), at, days
        )
        for category, days in decay_days.items()
    }
    applied = [r for r in records if r.status is ActionStatus.APPLIED]
    status = status_at(
        [InForce(r.action.type, r.action.capabilities, r.action.until) for r in applied], at
    )
    last: dict[str, datetime] = {}
    close_pending = False
    for record in records:
        if record.status in (ActionStatus.APPLIED, ActionStatus.PENDING_REVIEW):
            for rule in record.action.rule_ids:
                last[rule] = max(last.get(rule, record.action.at), record.action.at)
        close_pending |= (
            record.status is ActionStatus.PENDING_REVIEW and record.action.type is ActionType.CLOSE
        )
    return Standing(
        account_id=account,
        state=status.state,
        locked_until=status.locked_until,
        restricted=status.restricted,
        restricted_until=status.restricted_until,
        active_strikes=active,
        last_struck=last,
        close_pending=close_pending,
    )
