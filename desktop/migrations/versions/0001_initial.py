"""Initial cache schema: key/value, cached meetings and documents, the outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kv",
        sa.Column("key", sa.String(), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "cached_meetings",
        sa.Column("scope", sa.String(), primary_key=True),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
    )
    op.create_table(
        "cached_documents",
        sa.Column("scope", sa.String(), primary_key=True),
        sa.Column("box", sa.String(), primary_key=True),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(), nullable=False, unique=True),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("state", sa.String(), nullable=False, server_default="pending"),
    )
    op.create_index("ix_outbox_scope_state", "outbox", ["scope", "state"])


def downgrade() -> None:
    op.drop_index("ix_outbox_scope_state", "outbox")
    op.drop_table("outbox")
    op.drop_table("cached_documents")
    op.drop_table("cached_meetings")
    op.drop_table("kv")
