"""The transparency report on a store built by the real decision core, on SQLite and PostgreSQL.

The store: the sample day (``warden.cli.sample_day``) ingested on 2026-06-10; on 06-11 two
reviewers approve the scammer's close, the blaster's warning is appealed and overturned, the
troll's is appealed and upheld, and a sweep finds two rings; on 06-12 the escort appeals its
lock (left open). The report is made on 06-13 at noon.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from warden.audit.log import verify
from warden.cli.sample_day import T0, write_scenario
from warden.detect.screener import Screener
from warden.domain.actions import ActionType, CaseKind
from warden.domain.rings import Ring, RingLink, ring_id_for
from warden.enforce.ingest import Ingestor
from warden.io.events import read_events
from warden.policy import PolicyPack, load_pack
from warden.report import charts
from warden.report.transparency import MAPS, transparency_figures
from warden.report.transparency_page import render
from warden.review.outcomes import Verdict
from warden.review.service import appeal, decide
from warden.store import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
DAY1, DAY2, DAY3 = date(2026, 6, 10), date(2026, 6, 11), date(2026, 6, 12)
NOW = datetime(2026, 6, 13, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.from_lexicons()


@pytest.fixture(scope="module")
def pack() -> PolicyPack:
    return load_pack(ROOT / "policies" / "default.yaml")


def add_ring(uow: UnitOfWork, members: list[str], at: datetime) -> None:
    links = tuple(RingLink(m, "chat_handle:mm_love520", (f"ev-{m}",), 1) for m in sorted(members))
    ring = Ring(ring_id_for(members), tuple(sorted(members)), ("chat_handle:mm_love520",), 0.5, at, "sweep-1", links)  # fmt: skip
    assert uow.rings.add(ring)


@pytest.fixture
def store(engine: Engine, screener: Screener, pack: PolicyPack, tmp_path: Path) -> Engine:
    events = write_scenario(tmp_path / "day.jsonl", with_bad_records=True)
    assert Ingestor(engine, screener, pack).ingest(read_events(events)).adds_up
    day2 = T0 + timedelta(days=1)
    with UnitOfWork(engine) as uow:
        review = next(c for c in uow.cases.list(kind=CaseKind.CLOSE_REVIEW) if c.account_id == "scammer")  # fmt: skip
        decide(uow, review.id, "ana", Verdict.APPROVE, day2)
        decide(uow, review.id, "ben", Verdict.APPROVE, day2 + timedelta(hours=1))
        actions = {(r.action.account_id, r.action.type): r.id for r in uow.actions.list()}
        blaster = appeal(uow, actions["blaster", ActionType.WARN], "customers opted in", day2)
        decide(uow, blaster.id, "carol", Verdict.OVERTURN, day2 + timedelta(hours=2))
        troll = appeal(uow, actions["troll", ActionType.WARN], "it was a joke", day2)
        decide(uow, troll.id, "carol", Verdict.UPHOLD, day2 + timedelta(hours=3))
        appeal(uow, actions["escort", ActionType.LOCK], "not me", T0 + timedelta(days=2))
        add_ring(uow, ["escort", "scammer"], day2)
        add_ring(uow, ["a1", "a2", "a3"], day2 + timedelta(hours=5))
        uow.commit()
    return engine


def figures(engine: Engine, since: date | None = None, until: date | None = None) -> dict[str, Any]:
    return transparency_figures(engine, since, until, now=NOW).to_json()


def test_the_report_counts_what_the_decision_core_did(store: Engine) -> None:
    report = figures(store)
    assert report["headline"] == {
        "accounts_closed": 1,  # the scammer, closed when the second reviewer approved
        "closed_share_of_active": round(1 / 19, 6),
        "accounts_actioned": 4,  # escort, scammer, blaster, troll
        "actioned_share_of_active": round(4 / 19, 6),
        "active_accounts": 19,  # 6 named accounts, 5 reporters, 8 payers
        "actions_taken": 8,  # the scammer is locked while its close is reviewed
        "accounts_in_rings": 5,
        "appeal_overturn_rate": 0.5,
    }
    actions = report["actions"]
    assert actions["taken_by_type"] == {"warn": 2, "restrict": 3, "lock": 2, "close": 1}
    assert actions["taken_by_category"] == {"sexual_services": 3, "spam": 2, "fraud": 2, "harassment": 1}  # fmt: skip
    assert (actions["taken_then_reversed"], actions["reversed"]) == (1, 1)  # the blaster's warning
    assert actions["pending_review"] == 1  # the escort's close still waits
    assert actions["rejected_in_review"] == 0
    assert [(d["day"], d["taken"], d["held_for_review"], d["reversed"]) for d in actions["by_day"]] == [
        ("2026-06-10", 7, 1, 0),
        ("2026-06-11", 1, 0, 1),
    ]  # fmt: skip
    assert actions["by_day"][1]["by_type"]["close"] == 1
    assert report["accounts"]["by_type"]["close"] == {"accounts": 1, "share_of_active": round(1 / 19, 6)}  # fmt: skip
    assert report["accounts"]["by_category"]["sexual_services"]["accounts"] == 2
    assert report["rings"] == {
        "rings": 2,
        "accounts_in_rings": 5,
        "largest": 3,
        "size_counts": {"2": 1, "3": 1},
    }
    appeals = report["appeals"]
    assert (appeals["filed"], appeals["decided"], appeals["upheld"], appeals["overturned"]) == (3, 2, 1, 1)  # fmt: skip
    assert appeals["by_rule"]["spam_content"] == {"filed": 1, "decided": 1, "overturned": 1, "overturn_rate": 1.0}  # fmt: skip
    assert appeals["by_rule"]["harassment_reported"]["overturn_rate"] == 0.0
    assert appeals["by_rule"]["escort_ad"] == {"filed": 1, "decided": 0, "overturned": 0, "overturn_rate": None}  # fmt: skip
    cases = report["cases"]
    assert cases["opened_by_kind"] == {"close_review": 2, "cap_review": 0, "appeal": 3}
    assert cases["closed_by_kind"]["close_review"] == {"approved": 1, "rejected": 0, "overturned": 0}  # fmt: skip
    assert cases["closed_by_kind"]["appeal"] == {"approved": 0, "rejected": 1, "overturned": 1}
    backlog = cases["backlog"]
    assert backlog["total"] == 2
    assert backlog["by_kind"] == {"close_review": 1, "cap_review": 0, "appeal": 1}
    assert backlog["by_kind_and_age"]["close_review"]["3_to_7_days"] == 1  # opened 06-10 11:01
    assert backlog["by_kind_and_age"]["appeal"]["1_to_3_days"] == 1  # opened 06-12 09:00
    assert backlog["oldest_opened_at"] == "2026-06-10T11:01:00Z"
    assert report["rules"]["top_by_actions"][0] == {"rule_id": "escort_ad", "actions": 3}
    assert [r["rule_id"] for r in report["rules"]["top_by_overturns"]] == ["spam_content"]
    (version,) = report["policy"]["versions"]
    assert version.startswith("2026.12-2+")
    assert report["policy"]["versions"][version] == 9  # every action created, held ones too
    assert report["policy"]["campaigns"] == {}
    assert report["empty"] is False
    chain = verify(store)
    assert report["audit"] == {
        "verified": True,
        "records": chain.count,
        "head_seq": chain.head_seq,
        "head_hash": chain.head_hash,
        "problem": None,
        "bad_seq": None,
        "detail": "",
    }
    assert chain.count > 20  # decisions, actions, reviews, appeals: all on the record


def test_dates_filter_every_figure(store: Engine) -> None:
    day2 = figures(store, DAY2, DAY2)
    assert day2["period"]["start"] == "2026-06-11T00:00:00Z"
    assert day2["period"]["end"] == "2026-06-12T00:00:00Z"
    assert day2["actions"]["taken"] == 1
    assert day2["headline"]["accounts_closed"] == 1
    assert day2["headline"]["active_accounts"] == 0  # no event on 06-11
    assert day2["headline"]["closed_share_of_active"] is None  # nothing to divide by, not 0
    assert (day2["appeals"]["filed"], day2["appeals"]["decided"]) == (2, 2)
    assert day2["rings"]["rings"] == 2
    assert day2["cases"]["opened_by_kind"]["appeal"] == 2
    # the backlog at the end of 06-11: the escort's close review only (its appeal came later)
    assert day2["cases"]["backlog"]["by_kind"] == {"close_review": 1, "cap_review": 0, "appeal": 0}
    assert day2["period"]["as_of"] == "2026-06-12T00:00:00Z"

    day1 = figures(store, until=DAY1)
    assert day1["actions"]["taken"] == 7
    assert day1["headline"]["accounts_closed"] == 0
    assert day1["rings"]["rings"] == 0
    assert day1["cases"]["backlog"]["by_age"]["under_1_day"] == 2  # both closes, still waiting

    later = figures(store, since=DAY3)
    assert later["actions"]["taken"] == 0
    assert later["appeals"]["filed"] == 1
    assert later["period"]["as_of"] == "2026-06-13T12:00:00Z"

    quiet = transparency_figures(store, date(2026, 5, 1), date(2026, 5, 1), now=NOW)
    assert quiet.empty
    assert "Nothing to report yet" in render(quiet)
    with pytest.raises(ValueError, match="before since"):
        transparency_figures(store, DAY2, DAY1)


def test_the_page_shows_the_numbers_of_the_json(store: Engine) -> None:
    made = transparency_figures(store, now=NOW, title="Q2 <2026> report")
    report, page = made.to_json(), render(made)
    text = unescape(re.sub(r"(\s*<[^>]+>\s*)+", "|", page))  # the text, "|" between elements
    headline = report["headline"]
    assert "|1|Accounts closed|5.26% of 19 active accounts|" in text
    assert f"|{headline['actions_taken']}|Actions taken|" in text
    assert "|50.0%|Appeals overturned|1 of 2 decided appeals|" in text
    for category, n in report["actions"]["taken_by_category"].items():
        accounts = report["accounts"]["by_category"][category]
        share = f"{accounts['share_of_active'] * 100:.2f}%"
        assert f"<td>{category}</td><td class=\"num\">{n}</td><td class=\"num\">{accounts['accounts']}</td><td class=\"num\">{share}</td>" in page  # fmt: skip
    for rule, appeals in report["appeals"]["by_rule"].items():
        assert f"<td>{rule}</td><td class=\"num\">{appeals['filed']}</td><td class=\"num\">{appeals['decided']}</td>" in page  # fmt: skip
    assert report["audit"]["head_hash"] in page
    assert "<title>Q2 &lt;2026&gt; report</title>" in page  # data is escaped
    # the page stands alone: no script, stylesheet, image or font to fetch
    assert not re.search(r"<script|<link|<img|@import|url\(", page, flags=re.IGNORECASE)
    assert set(re.findall(r"https?://[^\"' )]+", page)) == {"http://www.w3.org/2000/svg"}
    assert page.count("<svg") == 5  # actions per day (2), review, rings, rules
    assert render(made) == page  # deterministic


def test_an_empty_store_gives_a_report_that_says_so(engine: Engine) -> None:
    made = transparency_figures(engine, now=NOW)
    report = made.to_json()
    assert report["empty"] is True
    assert report["headline"]["actions_taken"] == 0
    assert report["headline"]["closed_share_of_active"] is None
    assert report["actions"]["by_day"] == []
    assert report["rings"] == {"rings": 0, "accounts_in_rings": 0, "largest": None, "size_counts": {}}  # fmt: skip
    assert report["audit"]["verified"] is True
    assert report["audit"]["records"] == 0
    page = render(made)
    assert "Nothing to report yet" in page
    assert "Policy and integrity" in page


def test_a_session_gives_the_same_figures_as_an_engine(store: Engine) -> None:
    with Session(store) as session, session.begin():
        from_session = transparency_figures(session, now=NOW)
    assert from_session == transparency_figures(store, now=NOW)


def _paths(value: Any, prefix: str = "") -> set[str]:
    """Every key of the JSON as a dotted path (``a.b``, ``a.list[].c``); maps are leaves."""
    found: set[str] = set()
    if isinstance(value, dict) and prefix not in MAPS:
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            found |= {path} | _paths(item, path)
    elif isinstance(value, list) and value:
        found |= _paths(value[0], prefix + "[]")
    return found


def test_every_json_key_is_described_in_the_docs(store: Engine) -> None:
    doc = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    report = figures(store)
    paths = _paths(report)
    assert "actions.by_day[].held_for_review" in paths  # the walk goes into lists
    described = set(re.findall(r"^(?:\| |## )`([a-z_.\[\]]+)`", doc, flags=re.MULTILINE))
    undocumented = sorted(paths - described)
    assert not undocumented, f"not described in docs/report.md: {undocumented}"
    assert described - paths == set(), "docs/report.md describes keys the JSON does not have"
    assert paths >= MAPS
    inner = {k for m in ("accounts.by_category", "appeals.by_rule") for v in _at(report, m).values() for k in v}  # fmt: skip
    assert all(f"`{k}`" in doc for k in inner)  # the fields of map values are named too
    assert all(f"`{key}`" in doc for key in report["cases"]["backlog"]["by_age"])


def _at(report: dict[str, Any], path: str) -> dict[str, Any]:
    value: Any = report
    for key in path.split("."):
        value = value[key]
    assert isinstance(value, dict)
    return value


def test_chart_examples_hold() -> None:
    assert charts.nice_ticks(7) == [0, 2, 4, 6, 8]  # the module docstring's example
    assert charts.nice_ticks(1) == [0, 1]
    assert charts.nice_ticks(0.3) == [0, 0.1, 0.2, 0.3]
    empty = charts.stacked_bars("t", [], {}, x_label="x", y_label="y")
    assert "nothing in this period" in empty
    wide = charts.histogram("sizes", {2: 5, 3: 2, 150: 1}, x_label="size", y_label="rings")
    assert ">100–999<" in wide
    assert ">5–9<" in wide
