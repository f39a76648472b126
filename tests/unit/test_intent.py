"""Intent vs mention: talking about abuse is not doing it; memos are about the payee; one
message, one strike."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta

import pytest

import warden.detect.corpora
import warden.detect.split
import warden.text.intent
from warden.accounts.counters import MemoryCounters
from warden.accounts.features import FeatureFolder
from warden.detect.screener import Screener
from warden.domain.actions import Decision, Severity
from warden.domain.events import MessageEvent, PaymentEvent
from warden.enforce.planner import struck_already
from warden.text.intent import MENTION_ONLY, MENTION_WITH_CONTACT

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.from_lexicons()


@pytest.mark.parametrize("module", [warden.text.intent, warden.detect.split, warden.detect.corpora])
def test_the_examples_in_docstrings_hold(module: object) -> None:
    failures, tried = doctest.testmod(module)  # type: ignore[arg-type]
    assert tried > 0
    assert failures == 0


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("新闻说警方抓了一批卖淫嫖娼的，真可怕", MENTION_ONLY),
        ("大家谨防重金求子骗局，我同事被骗了两万", MENTION_ONLY),
        ("Police say the escort ads with outcall service were a scam", MENTION_ONLY),
        ("小心！骗子说加微信 abc12345 就能解冻，千万别信", MENTION_WITH_CONTACT),
        ("新到学生妹 包夜 加薇信：mm_love520", 1.0),
        ("您好，我是市公安局民警，您涉嫌洗钱，请将资金转入安全账户", 1.0),
        ("WINNER!! claim your FREE prize, call 09061701461", 1.0),
    ],
)
def test_mentions_weigh_less_than_solicitations(
    screener: Screener, text: str, weight: float
) -> None:
    verdict = screener.check(text)
    assert verdict.categories, "the lexicons should score these texts"
    assert verdict.intent == weight, verdict.intent_cues
    assert verdict.to_dict()["intent"]["weight"] == weight


def _message(n: int, text: str, *, contact: bool, at: datetime) -> MessageEvent:
    return MessageEvent(
        event_id=f"m{n}",
        account_id="a",
        ts=at,
        text=text,
        recipient_id=f"r{n}",
        is_contact=contact,
    )


def test_the_same_messages_count_ten_times_more_to_strangers_than_to_contacts(
    screener: Screener,
) -> None:
    text = "包夜服务 全套 加微信 mm_love520"
    totals = {}
    for contact in (True, False):
        folder = FeatureFolder(MemoryCounters(), ["sexual_services"])
        for n in range(3):
            event = _message(n, text, contact=contact, at=T0 + timedelta(minutes=n))
            folder.fold(event, screener.screen([text]))
        totals[contact] = folder.feature("a", T0 + timedelta(hours=1), "intent.sexual_services")
    assert totals[False] == pytest.approx(10 * totals[True])
    assert totals[False] >= 1.5  # three ads to strangers: escort_ad_repeated fires


def test_news_about_a_raid_told_to_a_friend_three_times_is_no_evidence(
    screener: Screener,
) -> None:
    text = "新闻说警方抓了一批卖淫嫖娼的，真可怕"
    folder = FeatureFolder(MemoryCounters(), ["sexual_services"])
    for n in range(3):
        event = _message(n, text, contact=True, at=T0 + timedelta(hours=n))
        folder.fold(event, screener.screen([text]))
    features = folder.features("a", T0 + timedelta(hours=3))
    assert features["intent.sexual_services"] < 0.1
    assert features["latest.sexual_services"] == 0.0  # no incident to strike


def test_a_payment_memo_is_evidence_about_the_payee_not_the_payer(screener: Screener) -> None:
    folder = FeatureFolder(MemoryCounters(), ["fraud"])
    memo = "解冻费"
    verdicts = screener.screen([memo])
    assert verdicts[0].categories.get("fraud", 0) >= 0.5
    for n in range(3):
        payment = PaymentEvent(
            event_id=f"p{n}",
            account_id=f"victim{n}",
            ts=T0 + timedelta(minutes=n),
            payee_id="scammer",
            amount=300,
            memo=memo,
        )
        folder.fold(payment, verdicts)
    at = T0 + timedelta(hours=1)
    assert folder.feature("victim0", at, "score.fraud") == 0.0
    assert folder.feature("victim0", at, "intent.fraud") == 0.0
    assert folder.feature("scammer", at, "score.fraud") >= 0.5
    assert folder.feature("scammer", at, "intent.fraud") >= 0.6
    assert folder.feature("scammer", at, "features.payers_day") == 3


def _decision(at: datetime, content_at: datetime | None) -> Decision:
    return Decision(
        account_id="a",
        rule_id="fraud_content",
        category="fraud",
        severity=Severity.HIGH,
        confidence=0.85,
        at=at,
        policy_version="test",
        content_at=content_at,
    )


def test_one_message_never_earns_the_same_rule_two_strikes() -> None:
    struck = T0
    # a payment two days later re-evaluates the rule over the same old message
    assert struck_already(_decision(T0 + timedelta(days=2), content_at=T0), struck)
    # ... or over one sent within the incident (the cooldown)
    assert struck_already(_decision(T0 + timedelta(days=2), T0 + timedelta(minutes=20)), struck)
    # a new message after the incident is a new strike
    assert not struck_already(_decision(T0 + timedelta(days=2), T0 + timedelta(days=2)), struck)
    # a rule that reads behaviour only keeps the plain cooldown
    assert not struck_already(_decision(T0 + timedelta(hours=2), None), struck)
    assert struck_already(_decision(T0 + timedelta(minutes=30), None), struck)
    assert not struck_already(_decision(T0, T0), None)
