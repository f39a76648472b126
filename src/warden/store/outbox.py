"""The outbox: messages to the platform, written with the action, delivered in order.

The executor adds a message in the same unit of work as the action it announces; the
deliverer (:func:`warden.enforce.webhooks.deliver_due`) drains it through this repository,
which satisfies :class:`warden.enforce.webhooks.OutboxPort`.

Order per account is the point: :meth:`SqlOutbox.add` gives each account's messages a
gapless ``seq`` (under a per-account lock, see :func:`warden.store.engine.lock_key`), and
:meth:`SqlOutbox.due` never returns a message while an earlier one of the same account is
undelivered and not due — waiting for a retry, or dead. A dead message therefore holds back
the rest of its account until an operator retries it (:meth:`SqlOutbox.retry`): a ``close``
must not reach the platform before the ``lock`` it follows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from warden.audit.chain import normalize_payload
from warden.domain.outbox import OutgoingMessage
from warden.errors import InputError
from warden.store.engine import OUTBOX_LOCK, lock_key
from warden.store.schema import OutboxRow


class SqlOutbox:
    """Messages waiting for (or done with) delivery to the platform."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, account_id: str, payload: Mapping[str, Any], at: datetime) -> int:
        """Queue ``payload`` for ``account_id`` as its next message; returns the message id."""
        lock_key(self._session, OUTBOX_LOCK, account_id)
        last = self._session.scalar(
            select(func.max(OutboxRow.seq)).where(OutboxRow.account_id == account_id)
        )
        row = OutboxRow(
            account_id=account_id,
            seq=(last or 0) + 1,
            payload=normalize_payload(payload),
            created_at=at,
            attempts=0,
            next_attempt_at=at,
            dead=False,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def due(self, now: datetime, limit: int) -> Sequence[OutgoingMessage]:
        """Up to ``limit`` deliverable messages, oldest first, sorted by account then seq."""
        earlier = aliased(OutboxRow)
        held_back = exists().where(
            earlier.account_id == OutboxRow.account_id,
            earlier.seq < OutboxRow.seq,
            earlier.delivered_at.is_(None),
            or_(earlier.dead.is_(True), earlier.next_attempt_at > now),
        )
        statement = (
            select(OutboxRow)
            .where(
                OutboxRow.delivered_at.is_(None),
                OutboxRow.dead.is_(False),
                OutboxRow.next_attempt_at <= now,
                ~held_back,
            )
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        messages = [
            OutgoingMessage(r.id, r.account_id, r.seq, dict(r.payload), r.attempts)
            for r in self._session.scalars(statement)
        ]
        return sorted(messages, key=lambda m: (m.account_id, m.seq))

    def mark_delivered(self, message_id: int, at: datetime) -> None:
        self._update(message_id, delivered_at=at)

    def mark_failed(
        self, message_id: int, error: str, next_attempt_at: datetime, dead: bool
    ) -> None:
        self._update(
            message_id,
            attempts=OutboxRow.attempts + 1,
            last_error=error,
            next_attempt_at=next_attempt_at,
            dead=dead,
        )

    def retry(self, message_id: int, at: datetime) -> None:
        """Bring a dead message back: due at ``at``, with its attempt count kept."""
        self._update(message_id, dead=False, next_attempt_at=at)

    def _update(self, message_id: int, **values: Any) -> None:
        statement = update(OutboxRow).where(OutboxRow.id == message_id).values(**values)
        if getattr(self._session.execute(statement), "rowcount", 0) != 1:
            raise InputError(f"message_id: no outbox message {message_id}")
