"""Feature folding: the numbers each rule reads, from events as they happen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from warden import Screener
from warden.accounts.counters import MemoryCounters
from warden.accounts.features import FeatureFolder
from warden.domain.events import parse_event

T0 = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
CATEGORIES = ("sexual_services", "fraud", "spam", "harassment")


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.from_lexicons()


def feed(folder: FeatureFolder, screener: Screener, raw: dict[str, object]) -> set[str]:
    event = parse_event(raw)
    texts = list(event.texts().values())
    return folder.fold(event, screener.screen(texts) if texts else [])


def message(
    i: int, sender: str, to: str, text: str, minutes: float, contact: bool = False
) -> dict[str, object]:
    return {
        "kind": "message", "event_id": f"m{i}", "account_id": sender, "recipient_id": to,
        "text": text, "is_contact": contact, "ts": (T0 + timedelta(minutes=minutes)).isoformat(),
    }  # fmt: skip


def test_escort_ad_with_contact(screener: Screener) -> None:
    folder = FeatureFolder(MemoryCounters(), CATEGORIES)
    feed(folder, screener, message(1, "esc", "u1", "新到学生妹 包夜 加薇信：mm_love520", 0))
    f = folder.features("esc", T0 + timedelta(minutes=1))
    assert f["score.sexual_services"] >= 0.8
    assert f["count.sexual_services"] == 1
    assert f["entities.has_contact"] is True
    assert f["entities.contact_handles"] == 1
    assert f["features.stranger_ratio"] == 1.0


def test_blast_counts_near_duplicate_recipients(screener: Screener) -> None:
    folder = FeatureFolder(MemoryCounters(), CATEGORIES)
    for i in range(60):
        feed(
            folder,
            screener,
            message(i, "spammer", f"u{i}", f"限时优惠 点击领取 🎁{'!' * (i % 3)}", i * 0.5),
        )
    f = folder.features("spammer", T0 + timedelta(minutes=30))
    assert f["features.near_duplicate_recipients_hour"] == 60  # emoji and '!' do not hide it
    assert f["features.msgs_per_hour"] == 60
    assert f["features.distinct_recipients_day"] == 60


def test_deposit_first_payments_after_an_ad(screener: Screener) -> None:
    folder = FeatureFolder(MemoryCounters(), CATEGORIES)
    feed(folder, screener, message(0, "scam", "u0", "包夜500 先付定金 加V: xiaomei888", 0))
    for i in range(6):
        touched = feed(folder, screener, {
            "kind": "payment", "event_id": f"p{i}", "account_id": f"payer{i}", "payee_id": "scam",
            "amount": 200, "memo": "定金", "ts": (T0 + timedelta(hours=1, minutes=i)).isoformat(),
        })  # fmt: skip
        assert touched == {f"payer{i}", "scam"}
    feed(folder, screener, {
        "kind": "payment", "event_id": "big", "account_id": "payer9", "payee_id": "scam",
        "amount": 5000, "ts": (T0 + timedelta(hours=2)).isoformat(),
    })  # fmt: skip
    f = folder.features("scam", T0 + timedelta(hours=2))
    assert f["features.small_payments_after_ad_day"] == 6
    assert f["features.payers_day"] == 7
    assert folder.features("payer0", T0 + timedelta(hours=2))["features.payments_out_day"] == 1


def test_reports_are_deduplicated_and_weighted(screener: Screener) -> None:
    folder = FeatureFolder(MemoryCounters(), CATEGORIES)
    old = (T0 - timedelta(days=30)).isoformat()
    for reporter in ("r1", "r2"):
        feed(
            folder,
            screener,
            {"kind": "signup", "event_id": f"s-{reporter}", "account_id": reporter, "ts": old},
        )
    feed(
        folder,
        screener,
        {"kind": "signup", "event_id": "s-new", "account_id": "fresh", "ts": T0.isoformat()},
    )
    for i, reporter in enumerate(("r1", "r1", "r2", "fresh")):
        feed(folder, screener, {
            "kind": "report", "event_id": f"r{i}", "account_id": reporter, "target_account_id": "troll",
            "reason": "harassment", "ts": (T0 + timedelta(minutes=i)).isoformat(),
        })  # fmt: skip
    f = folder.features("troll", T0 + timedelta(minutes=10))
    assert f["features.reports_weighted"] == pytest.approx(
        2.3
    )  # r1 once, r2, and a day-old account at 0.3


def test_account_age_and_benign_chat(screener: Screener) -> None:
    folder = FeatureFolder(MemoryCounters(), CATEGORIES)
    feed(
        folder,
        screener,
        {
            "kind": "signup",
            "event_id": "s",
            "account_id": "me",
            "ts": (T0 - timedelta(days=400)).isoformat(),
        },
    )
    feed(folder, screener, message(1, "me", "mom", "生日快乐！晚上一起喝茶聊天吧", 0, contact=True))
    f = folder.features("me", T0)
    assert f["features.account_age_days"] == pytest.approx(400)
    assert all(f[f"score.{c}"] < 0.5 for c in CATEGORIES)
    assert f["features.stranger_ratio"] == 0.0
    assert f["entities.has_contact"] is False
