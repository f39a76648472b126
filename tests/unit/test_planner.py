"""The planner turns decisions into the right rung of the ladder, and nothing more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warden.domain.actions import ActionType, Capability, CaseKind, Decision, Severity
from warden.enforce.planner import Standing, Step, plan

T0 = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
STRIKES = {Severity.LOW: 1, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}
STEPS = [
    (1, ActionType.WARN, (), None),
    (2, ActionType.RESTRICT, (Capability.MESSAGE_STRANGERS, Capability.SEND_LINKS), 7),
    (3, ActionType.LOCK, (), 14),
    (5, ActionType.CLOSE, (), None),
]


def ladder(
    category: str, before: int, severity: Severity, jump: ActionType | None, shift: int
) -> Step:
    after = before + STRIKES[severity]
    reached = [s for s in STEPS if s[0] <= after]
    index = min(len(STEPS) - 1, STEPS.index(reached[-1]) + shift) if reached else max(-1, shift - 1)
    _, action, caps, days = STEPS[index] if index >= 0 else STEPS[0]
    if jump is not None and jump.rank > action.rank:
        action, caps, days = jump, (), (14 if jump is ActionType.LOCK else None)
    return Step(action, caps, days, after)


def no_caps(rule: str, category: str) -> bool:
    return False


def decision(
    rule: str = "escort_ad", severity: Severity = Severity.MEDIUM, minutes: float = 0, **kw: object
) -> Decision:
    return Decision(
        account_id="a", rule_id=rule, category=str(kw.pop("category", "sexual_services")), severity=severity,
        confidence=float(kw.pop("confidence", 0.9)), at=T0 + timedelta(minutes=minutes), policy_version="v1", **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_climbs_the_ladder_one_strike_at_a_time() -> None:
    first = plan([decision()], Standing("a"), ladder=ladder, cap_exceeded=no_caps)
    assert [(a.type, a.strikes_after) for a in first.actions] == [(ActionType.WARN, 1)]
    second = plan(
        [decision()],
        Standing("a", active_strikes={"sexual_services": 1}),
        ladder=ladder,
        cap_exceeded=no_caps,
    )
    action = second.actions[0]
    assert action.type is ActionType.RESTRICT
    assert action.capabilities == (Capability.MESSAGE_STRANGERS, Capability.SEND_LINKS)
    assert action.until == T0 + timedelta(days=7)
    assert "strike 2 → restrict" in action.reason


def test_one_incident_one_strike() -> None:
    standing = Standing("a", active_strikes={"sexual_services": 1}, last_struck={"escort_ad": T0})
    result = plan([decision(minutes=10)], standing, ladder=ladder, cap_exceeded=no_caps)
    assert result.actions == ()
    assert "struck this account" in result.set_aside[0][1]


def test_strongest_decision_per_category_wins() -> None:
    weak = decision("weak", Severity.LOW)
    strong = decision("strong", Severity.HIGH)
    other = decision("fraud_rule", Severity.MEDIUM, category="fraud")
    result = plan([weak, strong, other], Standing("a"), ladder=ladder, cap_exceeded=no_caps)
    assert sorted((a.category, a.rule_ids) for a in result.actions) == [
        ("fraud", ("fraud_rule",)),
        ("sexual_services", ("strong",)),
    ]
    assert [d.rule_id for d, _ in result.set_aside] == ["weak"]


def test_close_needs_review_unless_auto_close() -> None:
    standing = Standing("a", active_strikes={"sexual_services": 4})
    held = plan([decision()], standing, ladder=ladder, cap_exceeded=no_caps).actions[0]
    assert (held.type, held.needs_review) == (ActionType.CLOSE, CaseKind.CLOSE_REVIEW)
    auto = plan([decision(auto_close=True)], standing, ladder=ladder, cap_exceeded=no_caps).actions[
        0
    ]
    assert (auto.type, auto.needs_review) == (ActionType.CLOSE, None)


def test_jump_to_and_no_second_close_review() -> None:
    terror = decision("terror", Severity.CRITICAL, category="terror", jump_to=ActionType.CLOSE)
    assert (
        plan([terror], Standing("a"), ladder=ladder, cap_exceeded=no_caps).actions[0].type
        is ActionType.CLOSE
    )
    pending = Standing("a", close_pending=True)
    assert plan([terror], pending, ladder=ladder, cap_exceeded=no_caps).actions == ()


def test_nothing_for_closed_accounts_and_paused_rules() -> None:
    assert (
        plan(
            [decision()], Standing("a", state="closed"), ladder=ladder, cap_exceeded=no_caps
        ).actions
        == ()
    )
    paused = plan(
        [decision()],
        Standing("a"),
        ladder=ladder,
        cap_exceeded=no_caps,
        paused_rules=frozenset({"escort_ad"}),
    )
    assert paused.actions == ()
    assert "paused" in paused.set_aside[0][1]


def test_no_shorter_lock_and_no_duplicate_restriction() -> None:
    locked = Standing(
        "a",
        state="locked",
        locked_until=T0 + timedelta(days=30),
        active_strikes={"sexual_services": 2},
    )
    assert plan([decision()], locked, ladder=ladder, cap_exceeded=no_caps).actions == ()
    restricted = Standing(
        "a", state="restricted", restricted=frozenset({Capability.MESSAGE_STRANGERS, Capability.SEND_LINKS}),
        restricted_until=T0 + timedelta(days=9), active_strikes={"sexual_services": 1},
    )  # fmt: skip
    assert plan([decision()], restricted, ladder=ladder, cap_exceeded=no_caps).actions == ()


def test_caps_send_actions_to_review() -> None:
    result = plan(
        [decision()],
        Standing("a"),
        ladder=ladder,
        cap_exceeded=lambda rule, cat: rule == "escort_ad",
    )
    assert result.actions[0].needs_review is CaseKind.CAP_REVIEW


def test_campaign_shift_steepens_the_ladder() -> None:
    shifted = plan(
        [decision(campaign="thunder-strike")],
        Standing("a"),
        ladder=ladder,
        cap_exceeded=no_caps,
        campaign_shift={"sexual_services": 1},
    )
    action = shifted.actions[0]
    assert action.type is ActionType.RESTRICT
    assert "campaign thunder-strike shifts the ladder by 1" in action.reason
