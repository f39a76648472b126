"""The tables: one SQLAlchemy 2 declarative model per table, for SQLite and PostgreSQL alike.

This is the single source of the schema; the Alembic migrations in ``migrations/versions``
must produce exactly this (``tests/integration/test_store_migrations.py`` compares them).
Portable choices:

* timestamps are :class:`UTCDateTime` — timezone-aware UTC in Python on both databases
  (SQLite keeps no zone, so values are stored as naive UTC and given ``UTC`` back);
* JSON columns use :class:`sqlalchemy.JSON` (``json`` on PostgreSQL, text on SQLite);
* states are short strings with ``CHECK`` constraints listing the allowed values;
* constraint and index names follow :data:`NAMING_CONVENTION`, so migrations can name them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()!r}: expected a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


ACCOUNT_STATES = ("active", "restricted", "locked", "closed")
ACTION_TYPES = ("warn", "restrict", "lock", "close")
ACTION_STATUSES = ("pending_review", "applied", "rejected", "reversed", "expired")
CASE_KINDS = ("close_review", "cap_review", "appeal")
CASE_STATUSES = ("open", "escalated", "approved", "rejected", "overturned")
REVIEW_VERDICTS = ("approve", "reject", "escalate", "overturn", "uphold")


class Base(DeclarativeBase):
    """Declarative base carrying the shared metadata and naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class AccountRow(Base):
    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint(_in("state", ACCOUNT_STATES), name="state"),)

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="active")
    restricted_capabilities: Mapped[list[Any]] = mapped_column(default=list)
    locked_until: Mapped[datetime | None]
    first_seen: Mapped[datetime]
    contact_handles: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class EventSeenRow(Base):
    __tablename__ = "events_seen"
    #: (account, time): an account's newest events read backwards off the index — the
    #: console's timeline — and its count, without sorting an account's whole history
    __table_args__ = (Index("ix_events_seen_account_id_ts", "account_id", "ts"),)

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    ts: Mapped[datetime]
    ingested_at: Mapped[datetime]


class QuarantineRow(Base):
    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file: Mapped[str] = mapped_column(Text)
    line: Mapped[int | None]
    field: Mapped[str | None] = mapped_column(String(128))
    value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(index=True)


class DecisionRow(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(128), index=True)
    rule_id: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime]
    policy_version: Mapped[str] = mapped_column(String(64))
    campaign: Mapped[str | None] = mapped_column(String(128))
    evidence: Mapped[list[Any]]
    auto_close: Mapped[bool] = mapped_column(Boolean, default=False)
    jump_to: Mapped[str | None] = mapped_column(String(16))


class ActionRow(Base):
    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(_in("type", ACTION_TYPES), name="type"),
        CheckConstraint(_in("status", ACTION_STATUSES), name="status"),
        Index("ix_actions_account_id_created_at", "account_id", "created_at"),
        Index("ix_actions_category_created_at", "category", "created_at"),
        Index("ix_actions_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(64))
    rule_ids: Mapped[list[Any]]
    reason: Mapped[str] = mapped_column(Text)
    capabilities: Mapped[list[Any]]
    until: Mapped[datetime | None]
    policy_version: Mapped[str] = mapped_column(String(64))
    campaign: Mapped[str | None] = mapped_column(String(128))
    evidence: Mapped[list[Any]]
    needs_review: Mapped[str | None] = mapped_column(String(16))
    extra: Mapped[dict[str, Any]]
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    applied_at: Mapped[datetime | None]
    reversed_at: Mapped[datetime | None]
    reversal_reason: Mapped[str | None] = mapped_column(Text)
    strikes_after: Mapped[int]
    strikes_given: Mapped[int]


class StrikeRow(Base):
    __tablename__ = "strikes"
    __table_args__ = (Index("ix_strikes_account_id_category", "account_id", "category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(64))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"), index=True)
    count: Mapped[int]
    given_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]


class CaseRow(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(_in("kind", CASE_KINDS), name="kind"),
        CheckConstraint(_in("status", CASE_STATUSES), name="status"),
        Index("ix_cases_status_kind", "status", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str] = mapped_column(String(128), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text)


class CaseReviewRow(Base):
    __tablename__ = "case_reviews"
    __table_args__ = (CheckConstraint(_in("verdict", REVIEW_VERDICTS), name="verdict"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    reviewer: Mapped[str] = mapped_column(String(128), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("account_id", "seq"),
        Index("ix_outbox_pending", "delivered_at", "dead", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(128))
    seq: Mapped[int]
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    dead: Mapped[bool] = mapped_column(Boolean, default=False)


class RingRow(Base):
    """A ring found by a sweep (:class:`warden.domain.rings.Ring`); members in ``ring_members``."""

    __tablename__ = "rings"

    ring_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sweep_id: Mapped[str] = mapped_column(String(128), index=True)
    size: Mapped[int]
    score: Mapped[float] = mapped_column(Float)
    found_at: Mapped[datetime] = mapped_column(index=True)
    entities: Mapped[list[Any]]


class RingMemberRow(Base):
    """One account of a ring, with the links (entity, events) that tie it in."""

    __tablename__ = "ring_members"
    __table_args__ = (UniqueConstraint("ring_id", "account_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ring_id: Mapped[str] = mapped_column(ForeignKey("rings.ring_id"))
    account_id: Mapped[str] = mapped_column(String(128), index=True)
    links: Mapped[list[Any]]


class AuditRow(Base):
    """One audit record; see :mod:`warden.audit.chain` for how ``hash`` is computed."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(String(256), index=True)
    payload: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class ApiKeyRow(Base):
    """A key for the HTTP API (``warden keys create``): only a hash of the secret is kept.

    The secret is ``wk_<prefix>_<random>``; ``prefix`` finds the row, ``secret_hash``
    (SHA-256 of the whole secret — it has 256 bits of entropy, so a slow hash adds nothing)
    proves it. ``name`` is the actor the audit log records for every change made with it."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[Any]]
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class IdempotencyRow(Base):
    """The first response to a request sent with an ``Idempotency-Key`` header (per API key),
    returned again — not recomputed — when the same request is retried."""

    __tablename__ = "idempotency"

    key: Mapped[str] = mapped_column(String(256), primary_key=True)  # "<api key name>:<header>"
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int]
    body: Mapped[dict[str, Any]]
    at: Mapped[datetime] = mapped_column(index=True)


class FeedbackRow(Base):
    """Labelled text sent back by a platform (Akismet's submit-spam / submit-ham): training
    data that ``warden models build`` can read (``label`` is ``spam`` or ``ham``)."""

    __tablename__ = "feedback"
    __table_args__ = (CheckConstraint(_in("label", ("spam", "ham")), name="label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    label: Mapped[str] = mapped_column(String(8), index=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(64))  # e.g. akismet
    fields: Mapped[dict[str, Any]]
    submitted_by: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime]


class CounterBucketRow(Base):
    """One time bucket of a windowed counter (:mod:`warden.accounts.counters`), for the
    embedded default's persistent counters: ``kind`` is ``sum``, ``max`` or ``set``; sums and
    maxima keep ``value``, sets keep their ``members``."""

    __tablename__ = "counter_buckets"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(256), primary_key=True)
    size: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    value: Mapped[float] = mapped_column(Float, default=0.0)
    members: Mapped[list[Any] | None]


class CounterValueRow(Base):
    """A plain value (``Counters.put``) or a remembered member (``Counters.remember``, with
    its expiry as a UNIX time) of the embedded default's persistent counters."""

    __tablename__ = "counter_values"

    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires: Mapped[float | None] = mapped_column(Float)


# --- the moderator console (warden.console) ---------------------------------------------------

CONSOLE_ROLES = ("viewer", "reviewer", "senior", "admin")


class ConsoleUserRow(Base):
    """A person who signs in to the console (``warden users create``). Only an argon2id hash
    of the password is kept; ``failed_logins`` and ``locked_until`` are the lockout."""

    __tablename__ = "console_users"
    __table_args__ = (CheckConstraint(_in("role", CONSOLE_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256))
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]


class ConsoleSessionRow(Base):
    """A signed-in browser: the cookie carries a random token, the table its SHA-256 (a
    stolen database does not sign anyone in) and the session's CSRF token."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(String(64), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class CaseClaimRow(Base):
    """A case locked to one reviewer until ``expires_at`` (or until released or decided)."""

    __tablename__ = "case_claims"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    reviewer: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class CaseNoteRow(Base):
    """A reviewer's note on a case (not a verdict)."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class QaReviewRow(Base):
    """A decided case drawn for quality assurance: the first verdict, and a second reviewer's
    blind verdict on the same evidence (``agreed`` once given)."""

    __tablename__ = "qa_reviews"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    rule_id: Mapped[str | None] = mapped_column(String(128), index=True)
    first_reviewer: Mapped[str] = mapped_column(String(128), index=True)
    first_verdict: Mapped[str] = mapped_column(String(16))
    sampled_at: Mapped[datetime]
    qa_reviewer: Mapped[str | None] = mapped_column(String(128))
    qa_verdict: Mapped[str | None] = mapped_column(String(16))
    agreed: Mapped[bool | None] = mapped_column(Boolean)
    at: Mapped[datetime | None]


class EventContentRow(Base):
    """The content of an event screening found something in (a match, a contact, a flagged
    score) and of every user report, with what screening found, so reviewers see evidence
    as it was written. Clean messages are never kept."""

    __tablename__ = "event_content"
    __table_args__ = (
        Index("ix_event_content_account_id_ts", "account_id", "ts"),
        Index("ix_event_content_kind_counterpart", "kind", "counterpart"),
    )

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    ts: Mapped[datetime]
    audience: Mapped[str] = mapped_column(String(16))  # private | group | public | report …
    counterpart: Mapped[str | None] = mapped_column(String(128))
    fields: Mapped[dict[str, Any]]
    verdicts: Mapped[dict[str, Any]]


class ContentEntityRow(Base):
    """A contact detail or payee seen in an account's events, for the console's search."""

    __tablename__ = "content_entities"
    #: both ways round, so "which entities has this account shown" and "who else showed
    #: them" are index-only scans (a busy handle has tens of thousands of rows)
    __table_args__ = (
        Index("ix_content_entities_entity_account_id", "entity", "account_id"),
        Index("ix_content_entities_account_id_entity", "account_id", "entity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(300))  # "phone:+86…", "payee:u42"
    account_id: Mapped[str] = mapped_column(String(128))
    event_id: Mapped[str] = mapped_column(String(128))
    ts: Mapped[datetime]


class ReportTriageRow(Base):
    """A reviewer's answer to the user reports against one account up to ``reports_until``."""

    __tablename__ = "report_triage"
    __table_args__ = (
        CheckConstraint(_in("verdict", ("dismiss", "confirm", "escalate")), name="verdict"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target_account_id: Mapped[str] = mapped_column(String(128), index=True)
    reviewer: Mapped[str] = mapped_column(String(128))
    verdict: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(64))
    reports_until: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class MediaBankRow(Base):
    """A hash bank (:mod:`warden.media.banks`): rules read its matches as
    ``media.bank_match.<name>``."""

    __tablename__ = "media_banks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class MediaBankEntryRow(Base):
    """One PDQ hash in a bank; the same hash is in a bank at most once."""

    __tablename__ = "media_bank_entries"
    __table_args__ = (UniqueConstraint("bank", "hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bank: Mapped[str] = mapped_column(ForeignKey("media_banks.name"), index=True)
    hash: Mapped[str] = mapped_column(String(64))
    content_id: Mapped[str] = mapped_column(String(256))
    tags: Mapped[list[Any]]
    source: Mapped[str] = mapped_column(String(256), default="")
    added_at: Mapped[datetime]
