"""Rings found by sweeps: ``rings`` and their ``ring_members`` with the linking evidence.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rings",
        sa.Column("ring_id", sa.String(length=64), nullable=False),
        sa.Column("sweep_id", sa.String(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("ring_id", name=op.f("pk_rings")),
    )
    op.create_index(op.f("ix_rings_found_at"), "rings", ["found_at"], unique=False)
    op.create_index(op.f("ix_rings_sweep_id"), "rings", ["sweep_id"], unique=False)

    op.create_table(
        "ring_members",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ring_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ring_id"], ["rings.ring_id"], name=op.f("fk_ring_members_ring_id_rings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ring_members")),
        sa.UniqueConstraint(
            "ring_id", "account_id", name=op.f("uq_ring_members_ring_id_account_id")
        ),
    )
    op.create_index(
        op.f("ix_ring_members_account_id"), "ring_members", ["account_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_ring_members_account_id"), table_name="ring_members")
    op.drop_table("ring_members")
    op.drop_index(op.f("ix_rings_sweep_id"), table_name="rings")
    op.drop_index(op.f("ix_rings_found_at"), table_name="rings")
    op.drop_table("rings")
