"""The policy gate never skips a row where a rule could fire (and does skip quiet rows)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from warden.policy import load_pack

ROOT = Path(__file__).resolve().parents[2]
PACK = load_pack(ROOT / "policies" / "default.yaml")
CAMPAIGN = PACK.campaign("thunder-strike")
RING = frozenset({"ring.size", "ring.score"})

FEATURES = {
    **{
        f"score.{c}": st.sampled_from([0.0, 0.3, 0.5, 0.6, 0.65, 0.8, 0.85, 0.95])
        for c in PACK.categories
    },
    **{f"count.{c}": st.sampled_from([0.0, 1.0, 3.0, 5.0]) for c in PACK.categories},
    **{
        f"intent.{c}": st.sampled_from([0.0, 0.5, 0.6, 0.7, 1.2, 1.5, 2.5, 4.0])
        for c in PACK.categories
    },
    **{f"latest.{c}": st.sampled_from([0.0, 1.78e9]) for c in PACK.categories},
    **{f"media.score.{c}": st.sampled_from([0.0, 0.5, 0.7, 0.9]) for c in PACK.categories},
    **{f"media.bank_match.{b}": st.sampled_from([0.0, 1.0]) for b in PACK.banks},
    "media.qr_contacts": st.sampled_from([0.0, 1.0]),
    "features.msgs_per_hour": st.sampled_from([0.0, 5.0, 100.0, 300.0]),
    "features.distinct_recipients_day": st.sampled_from([0.0, 20.0, 60.0]),
    "features.stranger_ratio": st.sampled_from([0.0, 0.5, 0.9]),
    "features.friend_requests_per_hour": st.sampled_from([0.0, 30.0]),
    "features.group_invites_day": st.sampled_from([0.0, 50.0]),
    "features.near_duplicate_recipients_hour": st.sampled_from([0.0, 50.0, 200.0]),
    "features.payers_day": st.sampled_from([0.0, 2.0, 3.0]),
    "features.payments_out_day": st.sampled_from([0.0, 4.0]),
    "features.small_payments_after_ad_day": st.sampled_from([0.0, 5.0]),
    "features.reports_weighted": st.sampled_from([0.0, 3.0]),
    "features.account_age_days": st.sampled_from([0.5, 10.0, 100.0]),
    "entities.contact_handles": st.sampled_from([0.0, 1.0]),
    "entities.has_contact": st.booleans(),
    "ring.size": st.sampled_from([0.0, 3.0]),
    "ring.score": st.sampled_from([0.0, 0.8]),
}


@settings(max_examples=600, deadline=None)
@given(env=st.fixed_dictionaries(FEATURES), in_campaign=st.booleans())
def test_a_closed_gate_means_no_rule_fires(env: dict[str, object], in_campaign: bool) -> None:
    gate = PACK.gate(CAMPAIGN, unknown=RING)
    at = datetime(2026, 6, 20, tzinfo=UTC) if in_campaign else datetime(2026, 12, 1, tzinfo=UTC)
    fired = PACK.evaluate(env, account_id="a", at=at, campaign=CAMPAIGN)
    if not gate.may_fire(env.__getitem__):
        assert fired == []


def test_ordinary_rows_are_skipped_and_ring_names_are_never_used() -> None:
    gate = PACK.gate(CAMPAIGN, unknown=RING)
    quiet = dict.fromkeys(FEATURES, 0.0) | {
        "entities.has_contact": True,
        "features.account_age_days": 400.0,
        "ring.size": 9.0,
        "ring.score": 1.0,
    }
    assert not gate.may_fire(quiet.__getitem__)
    assert not {"ring.size", "ring.score"} & set(gate.names)
    assert gate.may_fire((quiet | {"score.sexual_services": 0.7}).__getitem__)


@settings(max_examples=300, deadline=None)
@given(env=st.fixed_dictionaries(FEATURES), slack=st.sampled_from([0.0, 0.1, 1.0]))
def test_upper_bounds_never_change_the_answer(env: dict[str, object], slack: float) -> None:
    gate = PACK.gate(CAMPAIGN, unknown=RING)

    ceilings = {n: float(v) + slack for n, v in env.items() if n.startswith("score.")}  # type: ignore[arg-type]
    assert gate.may_fire(env.__getitem__, ceilings) == gate.may_fire(env.__getitem__)
