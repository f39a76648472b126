"""What reviewers read: the content of events screening found something in, and user reports.

Warden decides on account-level evidence and never needed the text afterwards, but a human
confirming a close must read what the account wrote, with the matched words marked where
they were written. So the decision path keeps, in the same transaction as the decision,
the content of each event that screening *found something in* — a lexicon match, a contact
detail, a flagged score — and of every user report (:func:`retained`). Clean messages are
never kept: the console shows only evidence, and a private message's text is shown only
after the reviewer asks for it (an audit record, :mod:`warden.console`).

Beside the content, :class:`ContentEntityRow` rows index the contact details and payees seen
in an account's events, so the console can find an account by a phone number, a handle or a
payment account.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from warden.domain.events import (
    Event,
    FriendRequestEvent,
    MessageEvent,
    PaymentEvent,
    ReportEvent,
)
from warden.domain.verdicts import Verdict
from warden.store.engine import inserted_keys
from warden.store.schema import ContentEntityRow, EventContentRow

#: where an event's content was seen, by event kind (messages: private or group)
AUDIENCE = {
    "post": "public",
    "comment": "public",
    "profile": "profile",
    "payment": "payment",
    "report": "report",
    "friend_request": "private",
}


@dataclass(frozen=True, slots=True)
class Retained:
    """One event's kept content and the entities it shows (rows for the two tables)."""

    content: dict[str, Any] | None
    entities: tuple[dict[str, Any], ...] = ()


def audience(event: Event) -> str:
    """Who could read the event: ``private``, ``group``, ``public``, ``profile``, …"""
    if isinstance(event, MessageEvent):
        return "private" if event.recipient_id is not None else "group"
    return AUDIENCE.get(event.kind, event.kind)


def counterpart(event: Event) -> str | None:
    """The other side: the recipient, group, payee or reported account."""
    if isinstance(event, MessageEvent):
        return event.recipient_id or event.group_id
    if isinstance(event, PaymentEvent):
        return event.payee_id
    if isinstance(event, ReportEvent):
        return event.target_account_id
    if isinstance(event, FriendRequestEvent):
        return event.target_id
    return None


def found_something(verdict: Verdict) -> bool:
    return bool(verdict.matches or verdict.entities or verdict.flagged)


def retained(event: Event, verdicts: Sequence[Verdict]) -> Retained:
    """What to keep of ``event``: ``verdicts`` are its texts' (in the order of
    ``event.texts()``) and then its pictures' — whose read text and code payloads are kept
    as fields ``ocr:<media id>`` and ``qr:<media id>``."""
    texts = event.texts()
    entities = [
        _entity_row(f"{e.kind.value}:{e.value}", event) for v in verdicts for e in v.entities
    ]
    if isinstance(event, PaymentEvent):
        entities.append(_entity_row(f"payee:{event.payee_id}", event))
    keep = isinstance(event, ReportEvent) or any(found_something(v) for v in verdicts)
    if not keep:
        return Retained(None, tuple(entities))
    fields: dict[str, Any] = dict(texts)
    if isinstance(event, ReportEvent):
        fields = {"reason": event.reason, "target_event_id": event.target_event_id}
    named = dict(zip(texts, verdicts[: len(texts)], strict=True))
    for verdict in verdicts[len(texts) :]:  # a picture's: its read text, each code's payload
        spot = verdict.media
        if spot is not None and spot.source in ("ocr", "qr") and verdict.text:
            name = f"{spot.source}:{spot.media_id}"
            while name in named:
                name += "'"
            fields[name] = verdict.text
            named[name] = verdict
    row = {
        "event_id": event.event_id,
        "account_id": event.account_id,
        "kind": event.kind,
        "ts": event.ts,
        "audience": audience(event),
        "counterpart": counterpart(event),
        "fields": fields,
        "verdicts": {name: _shown(verdict) for name, verdict in named.items()},
    }
    return Retained(row, tuple(entities))


def _shown(verdict: Verdict) -> dict[str, Any]:
    """The parts of a verdict a reviewer reads (the text itself is in ``fields``)."""
    out = verdict.to_dict()
    out.pop("text", None)
    out.pop("models", None)
    return out


def _entity_row(entity: str, event: Event) -> dict[str, Any]:
    return {
        "entity": entity[:300],
        "account_id": event.account_id,
        "event_id": event.event_id,
        "ts": event.ts,
    }


@dataclass(frozen=True, slots=True)
class Content:
    """One kept event, as the console shows it."""

    event_id: str
    account_id: str
    kind: str
    ts: datetime
    audience: str
    counterpart: str | None
    fields: dict[str, Any]
    verdicts: dict[str, Any]


class SqlEventContent:
    """The kept content and the entity index (see the module docstring)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def keep(self, kept: Iterable[Retained]) -> int:
        """Store a batch's retained content and entities; events kept before are skipped."""
        contents: list[dict[str, Any]] = []
        entities: list[dict[str, Any]] = []
        for item in kept:
            if item.content is not None:
                contents.append(item.content)
            entities.extend(item.entities)
        fresh = inserted_keys(self._session, EventContentRow, contents)
        again = {c["event_id"] for c in contents} - fresh  # kept before: its entities too
        entities = [e for e in entities if e["event_id"] not in again]
        if entities:
            self._session.execute(insert(ContentEntityRow), entities)
        return len(fresh)

    def get_many(self, event_ids: Iterable[str]) -> dict[str, Content]:
        wanted = sorted(set(event_ids))
        out: dict[str, Content] = {}
        for start in range(0, len(wanted), 500):
            statement = select(EventContentRow).where(
                EventContentRow.event_id.in_(wanted[start : start + 500])
            )
            out.update((r.event_id, _content(r)) for r in self._session.scalars(statement))
        return out

    def for_account(self, account_id: str, limit: int = 100) -> list[Content]:
        """The account's kept content, newest first."""
        statement = (
            select(EventContentRow)
            .where(EventContentRow.account_id == account_id)
            .order_by(EventContentRow.ts.desc())
            .limit(limit)
        )
        return [_content(r) for r in self._session.scalars(statement)]

    def reports_against(self, account_id: str, since: datetime | None = None) -> list[Content]:
        """User reports whose target is ``account_id`` (after ``since``), oldest first."""
        statement = select(EventContentRow).where(
            EventContentRow.kind == "report", EventContentRow.counterpart == account_id
        )
        if since is not None:
            statement = statement.where(EventContentRow.ts > since)
        return [_content(r) for r in self._session.scalars(statement.order_by(EventContentRow.ts))]

    def accounts_with(self, entity: str, limit: int = 50) -> list[tuple[str, int]]:
        """Accounts whose events showed ``entity`` ("phone:+86…"), with how many events."""
        statement = (
            select(ContentEntityRow.account_id, func.count())
            .where(ContentEntityRow.entity == entity)
            .group_by(ContentEntityRow.account_id)
            .order_by(func.count().desc(), ContentEntityRow.account_id)
            .limit(limit)
        )
        return [(a, int(n)) for a, n in self._session.execute(statement)]


def _content(row: EventContentRow) -> Content:
    return Content(
        row.event_id,
        row.account_id,
        row.kind,
        row.ts,
        row.audience,
        row.counterpart,
        dict(row.fields),
        dict(row.verdicts),
    )
