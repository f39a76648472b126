"""The HTTP API end to end, in process, on SQLite and PostgreSQL: keys and scopes, screening,
events (sync, async, idempotent), review, audit, errors and limits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from warden.audit.log import verify
from warden.cli.sample_day import scenario
from warden.service.app import Service, create_app
from warden.service.keys import Scope, create_key, revoke_key
from warden.settings import Settings
from warden.store import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
AD = "新到学生妹 包夜 加薇信：mm_love520"


@pytest.fixture
def service(engine: Engine) -> Service:
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False))
    return Service.build(settings=settings, engine=engine, rate=1e6, burst=1e6)


@pytest.fixture
def client(service: Service) -> Iterator[TestClient]:
    with TestClient(create_app(service)) as client:
        yield client


def bearer(engine: Engine, name: str, *scopes: Scope) -> dict[str, str]:
    secret, _ = create_key(engine, name, frozenset(scopes))
    return {"Authorization": f"Bearer {secret}"}


def test_check_screens_texts_with_a_screen_key(client: TestClient, engine: Engine) -> None:
    headers = bearer(engine, "chat-app", Scope.SCREEN)
    response = client.post("/v1/check", json={"texts": [AD, "明天一起吃饭吧"]}, headers=headers)
    assert response.status_code == 200
    ad, benign = response.json()["verdicts"]
    assert ad["categories"]["sexual_services"] > 0.9
    assert any(e["value"] == "mm_love520" for e in ad["entities"])
    assert benign["categories"] == {} or max(benign["categories"].values()) < 0.5


def test_keys_scopes_and_revocation(client: TestClient, engine: Engine) -> None:
    screen = bearer(engine, "screener", Scope.SCREEN)
    body = {"texts": ["hello"]}
    assert client.post("/v1/check", json=body).status_code == 401
    wrong = {"Authorization": "Bearer wk_000000000000_" + "x" * 43}
    assert client.post("/v1/check", json=body, headers=wrong).status_code == 401
    refused = client.post("/v1/events", json=[], headers=screen)
    assert refused.status_code == 403
    assert refused.json()["error"]["expected"] == "ingest"
    revoke_key(engine, "screener")
    time.sleep(2.1)  # the key ring trusts a lookup for two seconds
    after = client.post("/v1/check", json=body, headers=screen)
    assert after.status_code == 401
    with UnitOfWork(engine) as uow:  # creation and revocation are audited
        kinds = uow.session.execute(
            text("select payload from audit_log where kind = 'api_key' order by seq")
        ).all()
    assert [orjson.loads(p)["event"] if isinstance(p, str) else p["event"] for (p,) in kinds] == [
        "created",
        "revoked",
    ]


def test_events_are_decided_once_and_audited_with_the_key_as_actor(
    client: TestClient, engine: Engine
) -> None:
    headers = bearer(engine, "platform", Scope.INGEST)
    events = scenario()
    first = client.post("/v1/events", json=events, headers=headers).json()
    assert first["counts"] == {"processed": len(events), "duplicate": 0, "quarantined": 0}
    actions = [a for r in first["results"] for a in r["actions"]]
    assert any(a["account_id"] == "escort" for a in actions)
    assert not any(a["account_id"] in ("alice", "bob") for a in actions)
    again = client.post("/v1/events", json={"events": events}, headers=headers).json()
    assert again["counts"] == {"processed": 0, "duplicate": len(events), "quarantined": 0}
    with UnitOfWork(engine) as uow:
        actors = {
            actor
            for (actor,) in uow.session.execute(
                text("select distinct actor from audit_log where kind in ('decision', 'action')")
            )
        }
        stored = len(uow.actions.list())
        assert verify(uow.session).ok
    assert actors == {"platform"}
    assert stored == len(actions)


def test_bad_records_are_quarantined_and_the_good_ones_kept(
    client: TestClient, engine: Engine
) -> None:
    headers = bearer(engine, "platform", Scope.INGEST)
    good = scenario()[:3]
    bad = [
        {"kind": "telepathy", "event_id": "x1", "account_id": "a", "ts": good[0]["ts"]},
        {**good[0], "event_id": "x2", "ts": "yesterday"},
        "not an object",
    ]
    body = client.post("/v1/events", json=[bad[0], *good, bad[1], bad[2]], headers=headers).json()
    assert body["counts"] == {"processed": 3, "duplicate": 0, "quarantined": 3}
    statuses = [(r["index"], r["status"], r.get("field")) for r in body["results"]]
    assert statuses[0] == (0, "quarantined", "kind")
    assert statuses[4] == (4, "quarantined", "ts")
    assert statuses[5][1] == "quarantined"
    assert "expected a JSON object" in body["results"][5]["reason"]
    with UnitOfWork(engine) as uow:
        kept = uow.quarantine.list(file="api:platform")
    assert sorted(q.line for q in kept) == [0, 4, 5]


def test_idempotency_key_returns_the_first_response(client: TestClient, engine: Engine) -> None:
    headers = bearer(engine, "platform", Scope.INGEST)
    events = scenario()[:20]
    retry = {**headers, "Idempotency-Key": "batch-0001"}
    first = client.post("/v1/events", json=events, headers=retry)
    for _ in range(200):
        again = client.post("/v1/events", json=events, headers=retry)
        assert again.status_code == 200
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
    other = client.post("/v1/events", json=events[:5], headers=retry)
    assert other.status_code == 422
    assert other.json()["error"]["field"] == "Idempotency-Key"
    with UnitOfWork(engine) as uow:
        seen = uow.session.scalar(text("select count(*) from events_seen"))
    assert seen == 20


def test_async_batches_report_through_their_job(client: TestClient, engine: Engine) -> None:
    headers = bearer(engine, "platform", Scope.INGEST)
    accepted = client.post("/v1/events?async=true", json=scenario(), headers=headers)
    assert accepted.status_code == 202
    job_id = accepted.json()["job_id"]
    deadline = time.monotonic() + 60
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job["status"] == "done", job
    assert job["result"]["counts"]["processed"] == len(scenario())


def test_malformed_wrong_and_oversized_requests_get_clear_errors(
    client: TestClient, service: Service, engine: Engine
) -> None:
    headers = bearer(engine, "ops", Scope.ADMIN)
    malformed = client.post(
        "/v1/events",
        content=b'[{"kind": "message",',
        headers={**headers, "content-type": "application/json"},
    )
    assert malformed.status_code == 422
    assert malformed.json()["error"]["field"] == "body"
    wrong = client.post("/v1/check", json={"texts": 5}, headers=headers)
    assert wrong.status_code == 422
    assert wrong.json()["error"]["field"] == "texts"
    empty = client.post("/v1/check", json={"texts": []}, headers=headers)
    assert empty.json()["error"]["field"] == "texts"
    too_many = client.post("/v1/events", json=[{}] * 1001, headers=headers)
    assert too_many.status_code == 422
    assert too_many.json()["error"]["value"] == 1001
    service.max_body = 10_000
    huge = client.post("/v1/check", json={"texts": ["x" * 20_000]}, headers=headers)
    assert huge.status_code == 413
    assert huge.json()["error"]["field"] == "body"
    with UnitOfWork(engine) as uow:
        assert uow.session.scalar(text("select count(*) from events_seen")) == 0


def test_rate_limit_answers_429_with_retry_after(engine: Engine) -> None:
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False))
    service = Service.build(settings=settings, engine=engine, rate=1.0, burst=3.0)
    headers = bearer(engine, "busy", Scope.SCREEN)
    with TestClient(create_app(service)) as client:
        codes = [
            client.post("/v1/check", json={"texts": ["hi"]}, headers=headers).status_code
            for _ in range(5)
        ]
        limited = client.post("/v1/check", json={"texts": ["hi"]}, headers=headers)
    assert codes[:3] == [200, 200, 200]
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1


def test_review_through_the_api_keeps_the_two_person_rule(
    client: TestClient, engine: Engine
) -> None:
    ingest = bearer(engine, "platform", Scope.INGEST)
    review = bearer(engine, "console", Scope.REVIEW)
    client.post("/v1/events", json=scenario(), headers=ingest)
    cases = client.get("/v1/cases?kind=close_review&status=open", headers=review).json()["cases"]
    scammer = next(c for c in cases if c["account_id"] == "scammer")
    url = f"/v1/cases/{scammer['id']}/decide"
    first = client.post(url, json={"verdict": "approve", "reviewer": "ana"}, headers=review)
    assert first.status_code == 200
    assert first.json()["status"] == "open"
    twice = client.post(url, json={"verdict": "approve", "reviewer": "ana"}, headers=review)
    assert twice.status_code == 409
    second = client.post(url, json={"verdict": "approve", "reviewer": "ben"}, headers=review)
    assert second.json()["status"] == "approved"
    account = client.get("/v1/accounts/scammer", headers=review).json()
    assert account["state"] == "closed"
    assert client.get("/v1/accounts/nobody", headers=review).status_code == 404
    escort = client.get("/v1/actions?account_id=escort&status=applied", headers=review).json()
    applied = escort["actions"][0]
    assert applied["evidence"], "actions carry their evidence"
    appeal = client.post(
        "/v1/appeals", json={"action_id": applied["id"], "reason": "not me"}, headers=review
    )
    assert appeal.status_code == 201
    reverse = client.post(
        f"/v1/actions/{applied['id']}/reverse", json={"reason": "platform mistake"}, headers=review
    )
    assert reverse.json()["status"] == "reversed"
    with UnitOfWork(engine) as uow:
        reviewers = {
            actor
            for (actor,) in uow.session.execute(
                text(
                    "select distinct actor from audit_log where kind in ('review', 'reversal', 'appeal')"
                )
            )
        }
    assert {"console/ana", "console/ben", "console"} <= reviewers


def test_audit_report_and_operations_routes(client: TestClient, engine: Engine) -> None:
    admin = bearer(engine, "ops", Scope.ADMIN)
    client.post("/v1/events", json=scenario(), headers=admin)
    head = client.get("/v1/audit/head", headers=admin).json()
    assert head["seq"] > 0
    verified = client.get("/v1/audit/verify", headers=admin).json()
    assert verified["ok"]
    assert verified["head_seq"] == head["seq"]
    export = client.get("/v1/audit/export", headers=admin)
    lines = export.content.splitlines()
    assert len(lines) == head["seq"]
    assert orjson.loads(lines[-1])["hash"] == head["hash"]
    report = client.get("/v1/report", headers=admin).json()
    assert report["report"] == "transparency"
    assert report["headline"]["actions_taken"] >= 5
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"
    metrics = client.get("/metrics").text
    assert 'warden_events_total{outcome="processed"}' in metrics
    assert "warden_http_request_seconds_bucket" in metrics
    assert 'route="/v1/events"' in metrics


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_ten_thousand_identical_retries_change_nothing(client: TestClient, engine: Engine) -> None:
    """A client stuck in a retry loop: the first answer, ten thousand times over; one set of
    events, one set of actions, and the bad record quarantined once."""
    headers = {**bearer(engine, "platform", Scope.INGEST), "Idempotency-Key": "retry-storm"}
    events = [*scenario()[:30], {"kind": "message", "event_id": "bad"}]
    first = client.post("/v1/events", json=events, headers=headers)
    assert first.status_code == 200
    for _ in range(10_000):
        again = client.post("/v1/events", json=events, headers=headers)
        assert again.status_code == 200
        assert again.content == first.content
    plain = {"Authorization": headers["Authorization"]}
    for _ in range(50):  # without the key: decided again, every event a duplicate
        counts = client.post("/v1/events", json=events, headers=plain).json()["counts"]
        assert counts == {"processed": 0, "duplicate": 30, "quarantined": 1}
    with UnitOfWork(engine) as uow:
        assert uow.session.scalar(text("select count(*) from events_seen")) == 30
        assert uow.session.scalar(text("select count(*) from quarantine")) == 1
        assert verify(uow.session).ok
        actions = len(uow.actions.list())
    assert actions == sum(len(r.get("actions", [])) for r in first.json()["results"])
