"""The moderator console's tables: people and sessions, case claims and notes, reviewer QA,
the content of flagged events and user reports, searchable entities, report triage.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=64), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_console_sessions")),
    )
    with op.batch_alter_table("console_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_console_sessions_user_name"), ["user_name"], unique=False
        )

    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('viewer', 'reviewer', 'senior', 'admin')", name=op.f("ck_console_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_users")),
        sa.UniqueConstraint("name", name=op.f("uq_console_users_name")),
    )
    op.create_table(
        "content_entities",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=300), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_entities")),
    )
    op.create_index(
        "ix_content_entities_entity_account_id", "content_entities", ["entity", "account_id"]
    )
    op.create_index(
        "ix_content_entities_account_id_entity", "content_entities", ["account_id", "entity"]
    )
    # the console's timeline reads an account's newest events off (account, time)
    op.create_index("ix_events_seen_account_id_ts", "events_seen", ["account_id", "ts"])
    op.drop_index("ix_events_seen_account_id", table_name="events_seen")

    op.create_table(
        "event_content",
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("counterpart", sa.String(length=128), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("verdicts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_event_content")),
    )
    with op.batch_alter_table("event_content", schema=None) as batch_op:
        batch_op.create_index("ix_event_content_account_id_ts", ["account_id", "ts"], unique=False)
        batch_op.create_index(
            "ix_event_content_kind_counterpart", ["kind", "counterpart"], unique=False
        )

    op.create_table(
        "report_triage",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("target_account_id", sa.String(length=128), nullable=False),
        sa.Column("reviewer", sa.String(length=128), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("reports_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "verdict IN ('dismiss', 'confirm', 'escalate')", name=op.f("ck_report_triage_verdict")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_triage")),
    )
    with op.batch_alter_table("report_triage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_triage_target_account_id"), ["target_account_id"], unique=False
        )

    op.create_table(
        "case_claims",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=128), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_claims_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_claims")),
    )
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_notes_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_notes_case_id"), ["case_id"], unique=False)

    op.create_table(
        "qa_reviews",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=128), nullable=True),
        sa.Column("first_reviewer", sa.String(length=128), nullable=False),
        sa.Column("first_verdict", sa.String(length=16), nullable=False),
        sa.Column("sampled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("qa_reviewer", sa.String(length=128), nullable=True),
        sa.Column("qa_verdict", sa.String(length=16), nullable=True),
        sa.Column("agreed", sa.Boolean(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_qa_reviews_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_qa_reviews")),
    )
    with op.batch_alter_table("qa_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qa_reviews_first_reviewer"), ["first_reviewer"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_qa_reviews_rule_id"), ["rule_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("qa_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_reviews_rule_id"))
        batch_op.drop_index(batch_op.f("ix_qa_reviews_first_reviewer"))

    op.drop_table("qa_reviews")
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_notes_case_id"))

    op.drop_table("case_notes")
    op.drop_table("case_claims")
    with op.batch_alter_table("report_triage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_triage_target_account_id"))

    op.drop_table("report_triage")
    with op.batch_alter_table("event_content", schema=None) as batch_op:
        batch_op.drop_index("ix_event_content_kind_counterpart")
        batch_op.drop_index("ix_event_content_account_id_ts")

    op.drop_table("event_content")
    op.create_index("ix_events_seen_account_id", "events_seen", ["account_id"])
    op.drop_index("ix_events_seen_account_id_ts", table_name="events_seen")
    op.drop_index("ix_content_entities_account_id_entity", table_name="content_entities")
    op.drop_index("ix_content_entities_entity_account_id", table_name="content_entities")

    op.drop_table("content_entities")
    op.drop_table("console_users")
    with op.batch_alter_table("console_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_sessions_user_name"))

    op.drop_table("console_sessions")
