"""Shared by the sweep tests: a day with a ring, a family and a café, and how to compare."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from warden.cli.sample_day import T0, scenario

ROOT = Path(__file__).resolve().parents[2]
Row = tuple[Any, ...]
POLICY = ROOT / "policies" / "default.yaml"


def ring_scenario() -> list[dict[str, Any]]:
    """The sample day plus a ring: four accounts advertising one handle, a careful member
    whose own ads are mild, and a family and a café that share a device or an IP."""
    events = scenario()
    at = (T0).isoformat()
    for i in range(4):
        member = f"ring{i}"
        events.append(
            {"kind": "signup", "event_id": f"su-{member}", "account_id": member, "ts": at,
             "device_id": f"dev-ring-{i % 2}", "ip": f"10.9.8.{i + 1}"}
        )  # fmt: skip
        text = (
            "品茶 空降 上门 加V：honey_ring77"
            if i == 3
            else "全套服务 包夜1200 上门 加V：honey_ring77"
        )
        for hour in range(2):
            events.append(
                {"kind": "message", "event_id": f"ring-{i}-{hour}", "account_id": member,
                 "recipient_id": f"mark{i}{hour}", "text": text,
                 "ts": (T0.replace(hour=11 + hour, minute=i)).isoformat()}
            )  # fmt: skip
    for i in range(3):
        events.append(
            {"kind": "signup", "event_id": f"su-fam{i}", "account_id": f"fam{i}", "ts": at,
             "device_id": "family-tablet", "ip": "192.168.1.7"}
        )  # fmt: skip
    for i in range(30):
        events.append(
            {"kind": "login", "event_id": f"cafe-{i}", "account_id": f"guest{i}",
             "ts": T0.replace(hour=12).isoformat(), "device_id": f"phone{i}", "ip": "172.16.5.9"}
        )  # fmt: skip
    return sorted(events, key=lambda e: e["ts"])


def write_jsonl(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events))
    return path


def action_rows(records: Any) -> list[Row]:
    return sorted(
        (
            r.action.account_id,
            r.action.type.value,
            r.status.value,
            r.action.category,
            r.action.rule_ids,
            r.action.at,
            r.action.strikes_after,
            r.action.until,
        )
        for r in records
    )
