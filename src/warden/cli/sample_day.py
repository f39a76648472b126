"""A small platform's day, as events: the accounts the decision core must get right.

Used by `warden demo` and by the tests of the decision core.

* ``escort`` — repeats an escort ad with a WeChat handle, once an hour, to strangers;
* ``scammer`` — a "deposit first" escort ad, then eight small payments from strangers;
* ``blaster`` — the same promotion to 60 strangers in half an hour;
* ``troll`` — insults one user, and is reported by five different people;
* ``alice`` and ``bob`` — friends whose chat has tricky but benign words (按摩椅, 喝茶,
  生日快乐, a flight, a room number, a price).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

T0 = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def scenario() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    old = (T0 - timedelta(days=200)).isoformat()
    for account in (
        "escort",
        "scammer",
        "blaster",
        "troll",
        "alice",
        "bob",
        *(f"r{i}" for i in range(5)),
    ):
        events.append(
            {
                "kind": "signup",
                "event_id": f"signup-{account}",
                "account_id": account,
                "ts": old,
                "device_id": f"d-{account}",
            }
        )
    events.append(
        {
            "kind": "profile",
            "event_id": "profile-escort",
            "account_id": "escort",
            "ts": at(0),
            "signature": "品茶 空降 v: mm_love520",
        }
    )
    for hour in range(6):
        events.append(
            {
                "kind": "message",
                "event_id": f"ad-{hour}",
                "account_id": "escort",
                "recipient_id": f"stranger{hour}",
                "ts": at(60 * hour + 1),
                "text": "新到学生妹 包夜1500 全套服务 加薇信：mm_love520",
            }
        )
    events.append(
        {
            "kind": "message",
            "event_id": "scam-ad",
            "account_id": "scammer",
            "recipient_id": "victim0",
            "ts": at(10),
            "text": "上门服务 包夜800，先付定金200才安排，加V: sweet_girl88",
        }
    )
    for i in range(8):
        events.append(
            {
                "kind": "payment",
                "event_id": f"deposit-{i}",
                "account_id": f"victim{i}",
                "payee_id": "scammer",
                "amount": 200,
                "memo": "定金",
                "ts": at(20 + i),
            }
        )
    for i in range(60):
        events.append(
            {
                "kind": "message",
                "event_id": f"blast-{i}",
                "account_id": "blaster",
                "recipient_id": f"target{i}",
                "ts": at(30 + i * 0.5),
                "text": "限时优惠！扫码进群 免费领取 代开发票 加微信 fp8888",
            }
        )
    events.append(
        {
            "kind": "message",
            "event_id": "insult",
            "account_id": "troll",
            "recipient_id": "alice",
            "ts": at(100),
            "text": "你个傻逼，去死吧",
        }
    )
    for i in range(5):
        events.append(
            {
                "kind": "report",
                "event_id": f"report-{i}",
                "account_id": f"r{i}",
                "target_account_id": "troll",
                "reason": "harassment",
                "ts": at(101 + i),
            }
        )
    benign = [
        "生日快乐！晚上一起喝茶聊天吧",
        "我新买了个按摩椅，周末来试试",
        "明天坐飞机去北京，航班 13:45",
        "会议改到房间 1302，报销 300元",
        "这个按摩椅多少钱？",
    ]
    for i, text in enumerate(benign):
        sender, recipient = ("alice", "bob") if i % 2 == 0 else ("bob", "alice")
        events.append(
            {
                "kind": "message",
                "event_id": f"chat-{i}",
                "account_id": sender,
                "recipient_id": recipient,
                "is_contact": True,
                "ts": at(200 + i),
                "text": text,
            }
        )
    events.append(
        {
            "kind": "payment",
            "event_id": "friends-pay",
            "account_id": "alice",
            "payee_id": "bob",
            "amount": 88,
            "memo": "生日红包",
            "payment_type": "red_packet",
            "ts": at(210),
        }
    )
    return sorted(events, key=lambda e: e["ts"])


def write_scenario(path: Path, *, with_bad_records: bool = False) -> Path:
    lines = [json.dumps(event, ensure_ascii=False) for event in scenario()]
    if with_bad_records:
        lines.insert(
            3,
            '{"kind": "message", "event_id": "bad-1", "account_id": "x", "ts": "2026-06-10T09:00:00Z", "text": "hi", "recipent_id": "y"}',
        )
        lines.insert(7, "{not json")
        lines.insert(
            9,
            '{"kind": "payment", "event_id": "bad-2", "account_id": "x", "payee_id": "y", "amount": -5, "ts": "2026-06-10T09:00:00Z"}',
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
