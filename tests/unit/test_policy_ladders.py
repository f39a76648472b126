"""Ladders escalate and decay as documented; caps and the valve brake when they should."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from warden.domain.actions import ActionType, Capability, Severity
from warden.policy.caps import Caps, DailyCounts, Valve, cap_exceeded, rule_paused
from warden.policy.ladders import (
    DEFAULT_STRIKES,
    Ladder,
    LadderRung,
    LadderStep,
    active_strikes,
    next_step,
)

RESTRICTED = (Capability.MESSAGE_STRANGERS, Capability.SEND_LINKS)
LADDER = Ladder(
    strikes=DEFAULT_STRIKES,
    decay_days=90,
    steps=(
        LadderRung(1, ActionType.WARN),
        LadderRung(2, ActionType.RESTRICT, RESTRICTED, 7),
        LadderRung(3, ActionType.LOCK, (), 14),
        LadderRung(5, ActionType.CLOSE),
    ),
)
T0 = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before", "severity", "expected"),
    [
        (0, Severity.LOW, LadderStep(ActionType.WARN, (), None, 1)),
        (1, Severity.MEDIUM, LadderStep(ActionType.RESTRICT, RESTRICTED, 7, 2)),
        (0, Severity.HIGH, LadderStep(ActionType.RESTRICT, RESTRICTED, 7, 2)),
        (0, Severity.CRITICAL, LadderStep(ActionType.LOCK, (), 14, 3)),
        (3, Severity.LOW, LadderStep(ActionType.LOCK, (), 14, 4)),  # 4 is between 3 and 5
        (4, Severity.HIGH, LadderStep(ActionType.CLOSE, (), None, 6)),
    ],
)
def test_strikes_pick_the_highest_rung_reached(
    before: int, severity: Severity, expected: LadderStep
) -> None:
    assert next_step(LADDER, before, severity, None) == expected


def test_a_campaign_shift_moves_up_rungs_and_stops_at_the_top() -> None:
    assert next_step(LADDER, 0, Severity.LOW, None, shift=1).action is ActionType.RESTRICT
    assert next_step(LADDER, 0, Severity.LOW, None, shift=2).action is ActionType.LOCK
    step = next_step(LADDER, 2, Severity.LOW, None, shift=5)
    assert step == LadderStep(ActionType.CLOSE, (), None, 3)  # strikes are not inflated


def test_jump_to_is_never_milder_than_the_ladder() -> None:
    jumped = next_step(LADDER, 0, Severity.LOW, ActionType.LOCK)
    assert jumped == LadderStep(ActionType.LOCK, (), 14, 1)  # the lock rung's 14 days
    assert next_step(LADDER, 0, Severity.CRITICAL, ActionType.CLOSE).action is ActionType.CLOSE
    already_closing = next_step(LADDER, 4, Severity.LOW, ActionType.LOCK)
    assert already_closing.action is ActionType.CLOSE


def test_strikes_decay_after_their_days() -> None:
    times = [T0, T0, T0 + timedelta(days=10)]
    assert active_strikes(times, T0, 90) == 2
    assert active_strikes(times, T0 + timedelta(days=89, hours=23), 90) == 3
    assert active_strikes(times, T0 + timedelta(days=90), 90) == 1  # exactly N days: gone
    assert active_strikes(times, T0 + timedelta(days=100), 90) == 0
    assert active_strikes(times, T0 - timedelta(seconds=1), 90) == 0  # not given yet


def test_the_worked_example_in_the_docs() -> None:
    """docs/policy.md, "Worked example": four findings over four months."""
    given: list[datetime] = []

    def finding(day: int, severity: Severity) -> LadderStep:
        now = T0 + timedelta(days=day)
        step = next_step(LADDER, active_strikes(given, now, LADDER.decay_days), severity, None)
        given.extend([now] * LADDER.strikes[severity])
        return step

    assert finding(0, Severity.MEDIUM)[::3] == (ActionType.WARN, 1)
    assert finding(10, Severity.HIGH)[::3] == (ActionType.LOCK, 3)
    assert finding(95, Severity.MEDIUM)[::3] == (ActionType.LOCK, 3)
    assert finding(125, Severity.LOW)[::3] == (ActionType.RESTRICT, 2)


def test_caps_send_the_next_action_to_review() -> None:
    caps = Caps(per_rule_per_day={"escort_ad": 2}, per_category_per_day={"fraud": 5})
    assert not cap_exceeded(caps, "escort_ad", "sexual_services", DailyCounts({"escort_ad": 1}))
    assert cap_exceeded(caps, "escort_ad", "sexual_services", DailyCounts({"escort_ad": 2}))
    assert cap_exceeded(caps, "scam", "fraud", DailyCounts(categories={"fraud": 5}))
    assert not cap_exceeded(caps, "scam", "fraud", DailyCounts({"scam": 10**6}, {"fraud": 4}))
    assert not cap_exceeded(Caps(), "anything", "spam", DailyCounts({"anything": 10**9}))


def test_the_valve_needs_enough_appeals_and_a_high_overturn_rate() -> None:
    valve = Valve(pause_rule_when_overturn_rate_above=0.3, min_appeals=20)
    assert not rule_paused(overturned=15, decided=19, valve=valve)  # too few to judge
    assert not rule_paused(overturned=6, decided=20, valve=valve)  # 0.30 is not above 0.3
    assert rule_paused(overturned=7, decided=20, valve=valve)
    assert not rule_paused(overturned=0, decided=0, valve=Valve(min_appeals=1))
