"""Delivering the outbox to the platform: signed webhooks, retries, order per account.

Actions reach the platform (which actually blocks the account) through the outbox the
executor writes in the same transaction as the action. This module drains it:

* **signed** — each POST carries ``X-Warden-Signature: t=<unix seconds>,v1=<hex>`` where
  ``v1 = HMAC-SHA256(secret, "<t>." + body)``; the receiver recomputes it and rejects stale
  timestamps, so a captured request cannot be replayed later. ``X-Warden-Delivery`` is the
  outbox id: delivery is *at least once*, and receivers de-duplicate on it;
* **in order per account** — an account's messages go in sequence; after a failure the rest
  of that account's queue waits for the retry (a ``close`` must not overtake its ``lock``);
* **retries with backoff** — ``base · 2^attempts`` (capped at an hour); after
  ``max_attempts`` a message is marked *dead*: it stays in the outbox, visible to
  ``warden outbox list`` and retryable, and never silently vanishes.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import httpx
import orjson

from warden.domain.outbox import OutgoingMessage

MAX_BACKOFF = timedelta(hours=1)


class OutboxPort(Protocol):
    """What delivery needs from the store."""

    def due(self, now: datetime, limit: int) -> Sequence[OutgoingMessage]: ...

    def mark_delivered(self, message_id: int, at: datetime) -> None: ...

    def mark_failed(
        self, message_id: int, error: str, next_attempt_at: datetime, dead: bool
    ) -> None: ...


#: ``(body, headers) → HTTP status``; raises on a network error.
Post = Callable[[bytes, dict[str, str]], int]


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-Warden-Signature`` header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str, body: bytes, header: str, *, tolerance_s: int = 300, now: float | None = None
) -> bool:
    """Receiver side: whether ``header`` signs ``body`` and is fresh (for platform engineers)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance_s:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


class WebhookClient:
    """A :data:`Post` that sends to ``url`` with httpx; use it as a context manager."""

    def __init__(self, url: str, *, timeout_s: float = 10.0) -> None:
        self.url = url
        self._client = httpx.Client(timeout=timeout_s)

    def __call__(self, body: bytes, headers: dict[str, str]) -> int:
        return self._client.post(self.url, content=body, headers=headers).status_code

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> WebhookClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class DeliveryReport:
    """What one round of delivery did."""

    delivered: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    held_back: list[int] = field(default_factory=list)  # behind an earlier failure of the account


def deliver_due(
    outbox: OutboxPort,
    post: Post,
    secret: str,
    *,
    now: datetime,
    limit: int = 500,
    max_attempts: int = 8,
    base_backoff: timedelta = timedelta(seconds=5),
) -> DeliveryReport:
    """Deliver what is due, in order per account; see the module docstring."""
    report = DeliveryReport()
    blocked: set[str] = set()
    for message in sorted(outbox.due(now, limit), key=lambda m: (m.account_id, m.seq)):
        if message.account_id in blocked:
            report.held_back.append(message.id)
            continue
        body = orjson.dumps(message.payload, option=orjson.OPT_SORT_KEYS)
        headers = {
            "Content-Type": "application/json",
            "X-Warden-Delivery": str(message.id),
            "X-Warden-Signature": sign(secret, body, int(now.timestamp())),
        }
        try:
            status = post(body, headers)
            error = None if 200 <= status < 300 else f"HTTP {status}"
        except (httpx.HTTPError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        if error is None:
            outbox.mark_delivered(message.id, now)
            report.delivered.append(message.id)
            continue
        attempts = message.attempts + 1
        dead = attempts >= max_attempts
        wait = min(MAX_BACKOFF, base_backoff * (2 ** (attempts - 1)))
        outbox.mark_failed(message.id, error, now + wait, dead)
        if dead:
            report.dead.append(message.id)
        else:
            report.failed.append((message.id, error))
        blocked.add(message.account_id)
    return report
