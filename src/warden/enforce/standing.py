"""An account's standing, derived from the actions in force — never stored twice.

Whether an account is restricted, locked or closed follows from its applied actions; keeping
a separate status that could disagree with them is how systems end up locking accounts whose
lock was overturned. The store keeps a copy for fast reads, and every change recomputes it
here from the actions, so a reversal restores exactly what remains in force.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from warden.domain.actions import ActionType, Capability


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
