"""Webhook delivery against a real HTTP server: signed, in order per account, retried, never lost."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest

from warden.domain.outbox import OutgoingMessage
from warden.enforce.webhooks import (
    WebhookClient,
    deliver_due,
    sign,
    verify_signature,
)

SECRET = "s3cret-for-tests"
T0 = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@dataclass
class Receiver:
    """What the platform's endpoint saw; ``fail_for`` makes it answer 503 for some accounts."""

    received: list[tuple[dict[str, object], bool]] = field(default_factory=list)
    fail_for: set[str] = field(default_factory=set)


@pytest.fixture
def endpoint() -> Iterator[tuple[str, Receiver]]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            payload = orjson.loads(body)
            valid = verify_signature(
                SECRET, body, self.headers["X-Warden-Signature"], now=T0.timestamp()
            )
            if payload["account_id"] in receiver.fail_for:
                self.send_response(503)
            else:
                receiver.received.append((payload, valid))
                self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/warden", receiver
    server.shutdown()
    server.server_close()


@dataclass
class ListOutbox:
    """The smallest OutboxPort: a list (the SQL outbox is tested with the store)."""

    rows: list[dict[str, object]]

    def due(self, now: datetime, limit: int) -> Sequence[OutgoingMessage]:
        ready = [
            r for r in self.rows
            if r["delivered"] is None and not r["dead"] and r["next"] <= now  # type: ignore[operator]
        ]  # fmt: skip
        return [
            OutgoingMessage(
                int(r["id"]),
                str(r["account"]),
                int(r["seq"]),
                dict(r["payload"]),
                int(r["attempts"]),
            )  # type: ignore[call-overload]
            for r in ready[:limit]
        ]

    def mark_delivered(self, message_id: int, at: datetime) -> None:
        self._row(message_id)["delivered"] = at

    def mark_failed(
        self, message_id: int, error: str, next_attempt_at: datetime, dead: bool
    ) -> None:
        row = self._row(message_id)
        row.update(attempts=int(row["attempts"]) + 1, next=next_attempt_at, dead=dead, error=error)  # type: ignore[call-overload]

    def _row(self, message_id: int) -> dict[str, object]:
        return next(r for r in self.rows if r["id"] == message_id)


def outbox(*messages: tuple[str, int, str]) -> ListOutbox:
    return ListOutbox([
        {"id": i, "account": account, "seq": seq, "attempts": 0, "next": T0, "delivered": None, "dead": False,
         "payload": {"account_id": account, "seq": seq, "action": action}}
        for i, (account, seq, action) in enumerate(messages, start=1)
    ])  # fmt: skip


def test_signed_and_in_order(endpoint: tuple[str, Receiver]) -> None:
    url, receiver = endpoint
    box = outbox(("b", 1, "warn"), ("a", 2, "lock"), ("a", 1, "restrict"))
    with WebhookClient(url) as post:
        report = deliver_due(box, post, SECRET, now=T0)
    assert sorted(report.delivered) == [1, 2, 3]
    assert [(p["account_id"], p["seq"]) for p, _ in receiver.received] == [
        ("a", 1),
        ("a", 2),
        ("b", 1),
    ]
    assert all(valid for _, valid in receiver.received)


def test_a_failure_holds_back_the_rest_of_that_account_only(endpoint: tuple[str, Receiver]) -> None:
    url, receiver = endpoint
    receiver.fail_for = {"a"}
    box = outbox(("a", 1, "lock"), ("a", 2, "close"), ("b", 1, "warn"))
    with WebhookClient(url) as post:
        report = deliver_due(box, post, SECRET, now=T0)
    assert report.delivered == [3]
    assert report.failed == [(1, "HTTP 503")]
    assert report.held_back == [2]  # the close must not overtake the lock
    assert box.rows[0]["next"] == T0 + timedelta(seconds=5)
    receiver.fail_for = set()
    with WebhookClient(url) as post:
        later = deliver_due(box, post, SECRET, now=T0 + timedelta(seconds=6))
    assert later.delivered == [1, 2]


def test_retries_back_off_then_stay_visible_as_dead(endpoint: tuple[str, Receiver]) -> None:
    url, receiver = endpoint
    receiver.fail_for = {"a"}
    box = outbox(("a", 1, "lock"))
    now = T0
    with WebhookClient(url) as post:
        for _ in range(3):
            report = deliver_due(box, post, SECRET, now=now, max_attempts=3)
            now = box.rows[0]["next"]  # type: ignore[assignment]
    assert report.dead == [1]
    assert box.rows[0]["dead"] is True
    assert box.rows[0]["attempts"] == 3
    assert box.rows[0] in box.rows  # still there, never deleted


def test_unreachable_endpoint_is_a_failure_not_a_crash() -> None:
    box = outbox(("a", 1, "warn"))
    with WebhookClient("http://127.0.0.1:9/nothing", timeout_s=0.5) as post:
        report = deliver_due(box, post, SECRET, now=T0)
    assert report.failed
    assert report.failed[0][0] == 1
    assert "ConnectError" in report.failed[0][1]


def test_signature_rejects_tampering_and_replay() -> None:
    body = b'{"action":"close"}'
    header = sign(SECRET, body, 1_000_000)
    assert verify_signature(SECRET, body, header, now=1_000_010)
    assert not verify_signature(SECRET, b'{"action":"warn"}', header, now=1_000_010)
    assert not verify_signature("other", body, header, now=1_000_010)
    assert not verify_signature(
        SECRET, body, header, now=1_000_000 + 3600
    )  # replayed an hour later
    assert not verify_signature(SECRET, body, "garbage", now=1_000_010)
