"""The approval inbox: every document of the six lists once (sortable columns beside the
payload) and a full-text index of their metadata and PDF text (FTS5, diacritics folded).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_documents",
        sa.Column("scope", sa.String(), primary_key=True),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("boxes", sa.String(), nullable=False),  # " waiting incoming " …
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("urgency", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.String(), nullable=True),
        sa.Column("doc_type", sa.String(), nullable=False),
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
    )
    op.create_index("ix_inbox_documents_scope_urgency", "inbox_documents", ["scope", "urgency"])
    # One row per inbox_documents row, sharing its rowid (kept by upserts).
    op.execute(
        "CREATE VIRTUAL TABLE inbox_text USING fts5("
        "metadata, body, tokenize = 'unicode61 remove_diacritics 2')"
    )


def downgrade() -> None:
    op.execute("DROP TABLE inbox_text")
    op.drop_index("ix_inbox_documents_scope_urgency", "inbox_documents")
    op.drop_table("inbox_documents")
