"""Standing follows from the actions in force, so reversing one restores exactly the rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warden.domain.actions import ActionType, Capability
from warden.enforce.standing import InForce, status_at

T0 = datetime(2026, 6, 10, tzinfo=UTC)
RESTRICT = InForce(ActionType.RESTRICT, (Capability.SEND_LINKS,), T0 + timedelta(days=7))
RESTRICT_MORE = InForce(ActionType.RESTRICT, (Capability.PAYMENTS,), T0 + timedelta(days=3))
LOCK = InForce(ActionType.LOCK, (), T0 + timedelta(days=14))


def test_active_without_actions() -> None:
    assert status_at([], T0).state == "active"
    assert status_at([InForce(ActionType.WARN, (), None)], T0).state == "active"


def test_restrictions_add_up_and_expire() -> None:
    status = status_at([RESTRICT, RESTRICT_MORE], T0)
    assert status.state == "restricted"
    assert status.restricted == {Capability.SEND_LINKS, Capability.PAYMENTS}
    assert status.restricted_until == T0 + timedelta(days=7)
    later = status_at([RESTRICT, RESTRICT_MORE], T0 + timedelta(days=5))
    assert later.restricted == {Capability.SEND_LINKS}
    assert status_at([RESTRICT], T0 + timedelta(days=8)).state == "active"


def test_lock_then_reversal_leaves_the_restriction() -> None:
    assert status_at([RESTRICT, LOCK], T0).state == "locked"
    assert status_at([RESTRICT], T0).state == "restricted"  # the lock was overturned


def test_close_wins() -> None:
    assert status_at([RESTRICT, LOCK, InForce(ActionType.CLOSE, (), None)], T0).state == "closed"
