"""The moderator console in process, on SQLite and PostgreSQL: sign-in and sessions, the
refusals every state-changing route owes (CSRF, role, session, claim), the two-person rule,
overturning a close, reveal auditing, rings in bulk, user reports, reviewer QA, search, and
hostile text rendered as text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text, update

from warden.cli.sample_day import T0, scenario
from warden.console.people import MAX_FAILURES, People, Role
from warden.domain.rings import Ring, RingLink
from warden.service.app import Service, create_app
from warden.service.keys import Scope, create_key
from warden.settings import Settings
from warden.store import UnitOfWork
from warden.store.schema import AuditRow, ConsoleSessionRow, ConsoleUserRow

PASSWORD = "correct-horse-battery"
PEOPLE = {"ana": Role.REVIEWER, "bo": Role.REVIEWER, "sam": Role.SENIOR, "sue": Role.SENIOR,
          "vic": Role.VIEWER}  # fmt: skip
HOSTILE_NICK = '"><img src=x onerror=alert(1)>'
HOSTILE_TEXT = "<script>alert('x')</script> 加微信 mm_love520 javascript:alert(1) \u202eevil"


def _service(engine: Engine, share: float = 0.0) -> Service:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False), console_qa_share=share
    )
    return Service.build(settings=settings, engine=engine, rate=1e6, burst=1e6)


def _people(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        people = People(uow.session)
        for name, role in PEOPLE.items():
            people.create(name, role, PASSWORD, datetime.now(UTC))
        uow.commit()


def _events() -> list[dict[str, object]]:
    hostile = [
        {"kind": "profile", "event_id": "hostile-profile", "account_id": "<script>x</script>",
         "ts": T0.isoformat(), "nickname": HOSTILE_NICK},
        {"kind": "message", "event_id": "hostile-msg", "account_id": "<script>x</script>",
         "ts": (T0 + timedelta(minutes=1)).isoformat(), "text": HOSTILE_TEXT,
         "recipient_id": "stranger-h"},
        {"kind": "report", "event_id": "hostile-report", "account_id": "alice",
         "ts": (T0 + timedelta(minutes=2)).isoformat(), "target_account_id": "<script>x</script>",
         "reason": "sexual_services"},
    ]  # fmt: skip
    return [*scenario(), *hostile]


@pytest.fixture
def console(engine: Engine) -> Iterator[TestClient]:
    service = _service(engine, share=1.0)
    with TestClient(create_app(service)) as client:
        secret, _ = create_key(engine, "platform", frozenset({Scope.INGEST}))
        response = client.post(
            "/v1/events", json=_events(), headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 200, response.text
        _people(engine)
        yield client


class _Tags(HTMLParser):
    """Every inline event handler, inline script and javascript: link of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")
        if tag == "script" and not dict(attrs).get("src"):
            self.found.append("inline script")


def handlers_and_scripts(page: str) -> list[str]:
    parser = _Tags()
    parser.feed(page)
    return parser.found


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign ``name`` in on ``client``; the session's CSRF token."""
    client.cookies.clear()
    page = client.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post(
        "/console/login",
        data={"name": name, "password": password, "csrf": token.group(1), "next": "/console/"},
    )
    assert response.status_code == 200, response.text
    home = client.get("/console/")
    found = re.search(r'name="csrf" value="([^"]+)"', home.text)
    assert found is not None, "not signed in"
    return found.group(1)


def close_case(client: TestClient, engine: Engine, account: str = "scammer") -> int:
    with UnitOfWork(engine) as uow:
        case = next(
            c
            for c in uow.cases.list(kind=None)
            if c.account_id == account and c.kind == "close_review"
        )
    return case.id


def test_sign_in_lockout_logout_and_no_plain_passwords(
    console: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    csrf = sign_in(console, "ana")
    assert "ana" in console.get("/console/").text
    console.post("/console/logout", data={"csrf": csrf})
    # the old cookie no longer signs anyone in: pages ask to sign in, changes are refused
    assert console.get("/console/", follow_redirects=False).status_code == 303
    with UnitOfWork(engine) as uow:
        ended = uow.session.scalars(select(ConsoleSessionRow.ended_at)).all()
    assert ended
    assert all(e is not None for e in ended)

    console.cookies.clear()
    page = console.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    for _ in range(MAX_FAILURES):
        wrong = console.post(
            "/console/login", data={"name": "bo", "password": "wrong-password!", "csrf": token}
        )
        assert wrong.status_code == 401
        token = re.search(r'name="csrf" value="([^"]+)"', wrong.text).group(1)  # type: ignore[union-attr]
    locked = console.post(
        "/console/login", data={"name": "bo", "password": PASSWORD, "csrf": token}
    )
    assert locked.status_code == 401, "a locked account is refused even with its password"
    with UnitOfWork(engine) as uow:
        hashes = uow.session.scalars(select(ConsoleUserRow.password_hash)).all()
        dump = " ".join(str(row) for row in uow.session.execute(text("select * from audit_log")))
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert PASSWORD not in dump
    assert PASSWORD not in caplog.text


def test_state_changing_routes_refuse_missing_csrf_viewer_expired_and_claimed(
    console: TestClient, engine: Engine
) -> None:
    case_id = close_case(console, engine)
    routes = {
        f"/console/cases/{case_id}/claim": {},
        f"/console/cases/{case_id}/release": {},
        f"/console/cases/{case_id}/decide": {"verdict": "approve"},
        f"/console/cases/{case_id}/notes": {"text": "looks like an ad"},
        "/console/accounts/scammer/reveal": {"events": "x"},
        "/console/queues/close_review/next": {},
        "/console/reports/alice/triage": {"verdict": "dismiss"},
        "/console/rings/ring-x/preview": {"category": "fraud"},
        "/console/rings/ring-x/apply": {"category": "fraud", "confirmed": "x"},
        f"/console/qa/{case_id}": {"verdict": "approve"},
        "/console/logout": {},
        "/console/language": {"language": "zh"},
    }
    csrf = sign_in(console, "vic")
    for route, form in routes.items():
        assert console.post(route, data=form).status_code == 403, f"{route} without a token"
        wrong = {**form, "csrf": "forged"}
        assert console.post(route, data=wrong).status_code == 403, f"{route} with a wrong token"
        if route not in ("/console/logout", "/console/language"):
            viewer = console.post(route, data={**form, "csrf": csrf})
            assert viewer.status_code == 403, f"{route} by a viewer"
    cross = console.post(
        "/console/language",
        data={"csrf": csrf, "language": "zh"},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403

    csrf = sign_in(console, "ana")
    with UnitOfWork(engine) as uow:
        uow.session.execute(
            update(ConsoleSessionRow).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        uow.commit()
    for route, form in routes.items():
        assert console.post(route, data={**form, "csrf": csrf}).status_code == 401, route

    bo = sign_in(console, "bo")
    assert console.post(f"/console/cases/{case_id}/claim", data={"csrf": bo}).status_code == 200
    ana = sign_in(console, "ana")
    for route, form in list(routes.items())[:4]:
        if route.endswith(("/claim", "/decide", "/notes")):
            answer = console.post(route, data={**form, "csrf": ana})
            assert answer.status_code == 409, f"{route} on bo's claim"
    with UnitOfWork(engine) as uow:
        assert uow.cases.reviews_for(case_id) == []


def test_two_person_close_and_overturn_needs_a_senior(console: TestClient, engine: Engine) -> None:
    case_id = close_case(console, engine)
    ana = sign_in(console, "ana")
    first = console.post(
        f"/console/cases/{case_id}/decide", data={"csrf": ana, "verdict": "approve"}
    )
    assert first.status_code == 200
    page = console.get(f"/console/cases/{case_id}").text
    assert "You gave the first approval" in page
    assert 'id="decide-form"' not in page
    again = console.post(
        f"/console/cases/{case_id}/decide", data={"csrf": ana, "verdict": "approve"}
    )
    assert again.status_code == 409
    assert "already given a verdict" in again.text
    bo = sign_in(console, "bo")
    assert "First approval by" in console.get(f"/console/cases/{case_id}").text
    console.post(f"/console/cases/{case_id}/decide", data={"csrf": bo, "verdict": "approve"})
    with UnitOfWork(engine) as uow:
        case = uow.cases.get(case_id)
        assert case is not None
        assert case.status == "approved"
        assert uow.accounts.get("scammer").state == "closed"  # type: ignore[union-attr]
        close = case.action_id
        from warden.review.service import appeal

        appealed = appeal(uow, close, "I only sold phone cases", datetime.now(UTC))  # type: ignore[arg-type]
        uow.commit()
        actors = set(
            uow.session.scalars(select(AuditRow.actor).where(AuditRow.kind == "review")).all()
        )
    assert {"ana", "bo"} <= actors
    appeal_page = console.get(f"/console/cases/{appealed.id}")
    assert "I only sold phone cases" in appeal_page.text
    ana = sign_in(console, "ana")
    refused = console.post(
        f"/console/cases/{appealed.id}/decide", data={"csrf": ana, "verdict": "overturn"}
    )
    assert refused.status_code == 403
    assert "senior" in refused.text
    for senior in ("sam", "sue"):
        token = sign_in(console, senior)
        console.post(
            f"/console/cases/{appealed.id}/decide", data={"csrf": token, "verdict": "overturn"}
        )
    with UnitOfWork(engine) as uow:
        assert uow.cases.get(appealed.id).status == "overturned"  # type: ignore[union-attr]
        assert uow.accounts.get("scammer").state != "closed"  # type: ignore[union-attr]
        told = [m.payload for m in uow.outbox.due(datetime.now(UTC) + timedelta(days=1), 1000)]
    assert sum(p.get("action_id") == close for p in told) >= 2, "applied, then reversed"
    assert any(p.get("action_id") == close and "revers" in str(p) for p in told), told


def test_private_messages_are_withheld_until_revealed_and_the_reveal_is_audited(
    console: TestClient, engine: Engine
) -> None:
    ana = sign_in(console, "ana")
    page = console.get("/console/accounts/escort").text
    assert "hidden until revealed" in page
    events = re.search(r'name="events" value="([^"]+)"', page)
    assert events is not None
    hidden = events.group(1).split(",")
    revealed = console.post(
        "/console/accounts/escort/reveal",
        data={"csrf": ana, "events": ",".join(hidden), "back": "/console/accounts/escort"},
    )
    assert revealed.status_code == 200
    assert "hidden until revealed" not in revealed.text
    assert "<mark" in revealed.text, "matched spans are marked in the text as written"
    with UnitOfWork(engine) as uow:
        reveal = uow.session.scalars(select(AuditRow).where(AuditRow.kind == "reveal")).one()
        assert reveal.actor == "ana"
        assert reveal.subject == "escort"
        assert set(reveal.payload["events"]) == set(hidden)
    bo = sign_in(console, "bo")
    assert "hidden until revealed" in console.get("/console/accounts/escort").text, (
        "a reveal is the revealing reviewer's alone"
    )
    del bo


def test_hostile_ids_nicknames_and_texts_render_as_text(console: TestClient) -> None:
    sign_in(console, "ana")
    hostile = "%3Cscript%3Ex%3C%2Fscript%3E"
    pages = [
        console.get(f"/console/accounts/{hostile}"),
        console.get(f"/console/reports/{hostile}"),
        console.get("/console/queues/report"),
        console.get("/console/search", params={"q": "<script>x</script>"}),
        console.get("/console/search", params={"q": HOSTILE_NICK}),
    ]
    for page in pages:
        assert page.status_code == 200, page.text[:500]
        assert "<script>x" not in page.text
        assert "<img src=x" not in page.text
        assert not handlers_and_scripts(page.text), "no inline handlers or scripts"
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
    assert "&lt;script&gt;x&lt;/script&gt;" in pages[0].text
    ana = sign_in(console, "ana")
    events = re.search(r'name="events" value="([^"]+)"', pages[0].text)
    assert events is not None
    shown = console.post(
        f"/console/accounts/{hostile}/reveal",
        data={"csrf": ana, "events": events.group(1), "back": f"/console/accounts/{hostile}"},
    )
    assert "&lt;script&gt;alert(" in shown.text
    assert "<script>alert" not in shown.text
    assert not re.search(r'href="javascript:', shown.text)
    redirect = console.get("/console/login", params={"next": "https://evil.example/x"})
    assert 'value="/console/"' in redirect.text, "no open redirect after sign-in"


def test_ring_bulk_action_previews_confirms_and_audits_one_batch(
    console: TestClient, engine: Engine
) -> None:
    members = ("r0", "r1", "r2", "r3", "r4")
    with UnitOfWork(engine) as uow:
        uow.rings.add(
            Ring(
                ring_id="ring-test",
                members=members,
                entities=("chat_handle:ring_handle",),
                score=0.8,
                found_at=datetime.now(UTC),
                sweep_id="test",
                links=tuple(
                    RingLink(m, "chat_handle:ring_handle", (f"e-{m}",), 3) for m in members
                ),
            )
        )
        uow.commit()
    ana = sign_in(console, "ana")
    assert (
        console.post(
            "/console/rings/ring-test/preview", data={"csrf": ana, "category": "fraud"}
        ).status_code
        == 403
    )
    sam = sign_in(console, "sam")
    page = console.get("/console/rings/ring-test")
    assert "<svg" in page.text
    assert "chat_handle:ring_handle" in page.text
    preview = console.post(
        "/console/rings/ring-test/preview",
        data={"csrf": sam, "category": "sexual_services", "severity": "high"},
    )
    assert preview.status_code == 200
    digest = re.search(r'name="confirmed" value="([^"]+)"', preview.text)
    assert digest is not None
    assert preview.text.count("<td>r") >= len(members)
    stale = console.post(
        "/console/rings/ring-test/apply",
        data={"csrf": sam, "category": "sexual_services", "severity": "high", "confirmed": "0"},
    )
    assert stale.status_code == 409
    assert "preview" in stale.text
    applied = console.post(
        "/console/rings/ring-test/apply",
        data={"csrf": sam, "category": "sexual_services", "severity": "high",
              "confirmed": digest.group(1)},
    )  # fmt: skip
    assert applied.status_code == 200
    assert "Applied as batch" in applied.text
    with UnitOfWork(engine) as uow:
        batch = uow.session.scalars(select(AuditRow).where(AuditRow.kind == "ring_action")).one()
        actor, payload = batch.actor, dict(batch.payload)
        actions = [a for m in members for a in uow.actions.list(account_id=m)]
    assert actor == "sam"
    assert payload["accounts"] == list(members)
    assert sorted(payload["actions"]) == sorted(
        a.id for a in actions if a.action.rule_ids == ("console.ring_action",)
    )
    assert len(payload["actions"]) == len(members)


def test_user_reports_queue_and_triage(console: TestClient, engine: Engine) -> None:
    ana = sign_in(console, "ana")
    queue = console.get("/console/queues/report").text
    assert "troll" in queue or "escort" in queue
    target = re.search(r'href="/console/reports/([^"]+)"', queue)
    assert target is not None
    account = target.group(1)
    page = console.get(f"/console/reports/{account}")
    assert page.status_code == 200
    assert "User reports" in page.text
    done = console.post(
        f"/console/reports/{account}/triage",
        data={"csrf": ana, "verdict": "confirm", "category": "harassment", "severity": "medium"},
    )
    assert done.status_code == 200
    assert f'/console/reports/{account}"' not in console.get("/console/queues/report").text
    with UnitOfWork(engine) as uow:
        confirmed = uow.session.scalars(
            select(AuditRow).where(AuditRow.kind == "report_confirmed")
        ).one()
        assert confirmed.actor == "ana"
        assert confirmed.subject == unquote(account)


def test_reviewer_qa_is_blind_and_counts_agreement(console: TestClient, engine: Engine) -> None:
    case_id = close_case(console, engine)
    ana = sign_in(console, "ana")
    console.post(f"/console/cases/{case_id}/decide", data={"csrf": ana, "verdict": "reject"})
    assert f"/console/qa/{case_id}" not in console.get("/console/qa").text, "not to oneself"
    bo = sign_in(console, "bo")
    blind = console.get(f"/console/qa/{case_id}")
    assert blind.status_code == 200
    assert "Blind review" in blind.text
    assert "ana" not in re.sub(r'<span id="me"[^<]*</span>', "", blind.text)
    console.post(f"/console/qa/{case_id}", data={"csrf": bo, "verdict": "approve"})
    sign_in(console, "sam")
    stats = console.get("/console/qa").text
    assert re.search(r"<td>ana</td><td>1</td><td>0</td><td>0%</td>", stats)
    assert "Needs a look" in stats
    sign_in(console, "ana")
    assert "Agreement per reviewer" not in console.get("/console/qa").text


def test_search_by_id_handle_phone_and_payee(console: TestClient) -> None:
    sign_in(console, "vic")
    by_id = console.get("/console/search", params={"q": "escort"}).text
    assert 'href="/console/accounts/escort"' in by_id
    by_handle = console.get("/console/search", params={"q": "mm_love520"}).text
    assert 'href="/console/accounts/escort"' in by_handle
    nothing = console.get("/console/search", params={"q": "no-such-thing-42"}).text
    assert "No account found." in nothing


def test_queues_order_by_severity_then_age_with_deadlines(
    console: TestClient, engine: Engine
) -> None:
    sign_in(console, "vic")
    home = console.get("/console/")
    assert re.search(r'data-queue="close_review".*?class="count">(\d+)<', home.text, re.S)
    page = console.get("/console/queues/close_review").text
    severities = re.findall(r'<tr class="sev-(\w+)', page)
    rank = ["low", "medium", "high", "critical"]
    assert severities == sorted(severities, key=lambda s: -rank.index(s))
    assert "overdue" in page, "the scenario's cases are months old: past their deadline"
    assert re.search(r'id="pager">1–\d+ / \d+', page)
    beyond = console.get("/console/queues/close_review", params={"page": 99})
    assert beyond.status_code == 200, "a page past the end shows the last page"


def test_the_console_speaks_chinese(console: TestClient) -> None:
    csrf = sign_in(console, "vic")
    console.post("/console/language", data={"csrf": csrf, "language": "zh"})
    assert "封号复核" in console.get("/console/").text


def test_an_enforcing_sweep_keeps_what_its_actions_rest_on(engine: Engine, tmp_path: Path) -> None:
    """Cases opened by a sweep show their texts, with spans, like online ones."""
    from warden.cli.sample_day import write_scenario
    from warden.detect.screener import Screener
    from warden.policy import default_pack_path
    from warden.sweep.local import LocalEngine
    from warden.sweep.pipeline import SweepOptions, run_sweep

    events = write_scenario(tmp_path / "events.jsonl")
    options = SweepOptions(
        events=events, policy=default_pack_path(), out=tmp_path / "out", mode="enforce"
    )
    run_sweep(options, LocalEngine(Screener.from_lexicons()), store=engine)
    with UnitOfWork(engine) as uow:
        actions = [a for c in uow.cases.list() if (a := uow.actions.get(c.action_id or 0))]
        counted = {e.ref for a in actions for e in a.action.evidence if e.kind == "content"}
        pointed = counted | {
            e.ref.rsplit("@", 1)[-1]
            for a in actions
            for e in a.action.evidence
            if e.kind == "match"
        }
        kept = uow.content.get_many(pointed)
        reports = uow.session.scalar(
            text("select count(*) from event_content where kind = 'report'")
        )
    assert counted, "the sample day's closes rest on messages"
    assert set(kept) == pointed, "every message an action counted, and every matched one"
    assert any(v.get("matches") for c in kept.values() for v in c.verdicts.values())
    assert reports == sum(1 for e in scenario() if e["kind"] == "report")


def test_escalated_cases_and_reports_are_for_a_senior(console: TestClient, engine: Engine) -> None:
    case_id = close_case(console, engine)
    ana = sign_in(console, "ana")
    console.post(f"/console/cases/{case_id}/decide", data={"csrf": ana, "verdict": "escalate"})
    bo = sign_in(console, "bo")
    page = console.get(f"/console/cases/{case_id}").text
    assert 'id="for-senior"' in page
    assert 'id="decide-form"' not in page
    refused = console.post(
        f"/console/cases/{case_id}/decide", data={"csrf": bo, "verdict": "approve"}
    )
    assert refused.status_code == 403
    nxt = console.post("/console/queues/close_review/next", data={"csrf": bo})
    assert f"/console/cases/{case_id}" not in str(nxt.url), "work next skips it for a reviewer"
    console.post(f"/console/cases/{case_id}/release", data={"csrf": bo})
    sam = sign_in(console, "sam")
    assert 'id="decide-form"' in console.get(f"/console/cases/{case_id}").text
    decided = console.post(
        f"/console/cases/{case_id}/decide", data={"csrf": sam, "verdict": "reject"}
    )
    assert decided.status_code == 200

    reported = "%3Cscript%3Ex%3C%2Fscript%3E"
    ana = sign_in(console, "ana")
    console.post(f"/console/reports/{reported}/triage", data={"csrf": ana, "verdict": "escalate"})
    assert "escalated" in console.get("/console/queues/report").text
    dismissed = console.post(
        f"/console/reports/{reported}/triage", data={"csrf": ana, "verdict": "dismiss"}
    )
    assert dismissed.status_code == 403
    sam = sign_in(console, "sam")
    answered = console.post(
        f"/console/reports/{reported}/triage", data={"csrf": sam, "verdict": "dismiss"}
    )
    assert answered.status_code == 200
    assert reported not in console.get("/console/queues/report").text
