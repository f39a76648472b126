"""Hash banks for pictures: ``media_banks`` and their PDQ ``media_bank_entries``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_banks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_media_banks")),
    )
    op.create_table(
        "media_bank_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bank", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("content_id", sa.String(length=256), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=256), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank"], ["media_banks.name"], name=op.f("fk_media_bank_entries_bank_media_banks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_bank_entries")),
        sa.UniqueConstraint("bank", "hash", name=op.f("uq_media_bank_entries_bank_hash")),
    )
    op.create_index(
        op.f("ix_media_bank_entries_bank"), "media_bank_entries", ["bank"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_media_bank_entries_bank"), table_name="media_bank_entries")
    op.drop_table("media_bank_entries")
    op.drop_table("media_banks")
