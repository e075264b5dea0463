"""The local cache's tables as SQLAlchemy metadata, for `alembic revision --autogenerate` only:
desktop/store.py talks to SQLite through the standard library (SQLAlchemy cost start-up time)
and desktop/migrations/versions/ holds the real history."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
kv = sa.Table(
    "kv",
    metadata,
    sa.Column("key", sa.String(), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
)
cached_meetings = sa.Table(
    "cached_meetings",
    metadata,
    sa.Column("scope", sa.String(), primary_key=True),
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
)
cached_documents = sa.Table(
    "cached_documents",
    metadata,
    sa.Column("scope", sa.String(), primary_key=True),
    sa.Column("box", sa.String(), primary_key=True),
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
)
outbox = sa.Table(
    "outbox",
    metadata,
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
    sa.Index("ix_outbox_scope_state", "scope", "state"),
)
notes = sa.Table(
    "notes",
    metadata,
    sa.Column("scope", sa.String(), primary_key=True),
    sa.Column("id", sa.String(), primary_key=True),
    sa.Column("target", sa.String(), nullable=False),
    sa.Column("page", sa.Integer(), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),  # the contract's Note JSON
    sa.Index("ix_notes_scope_target", "scope", "target"),
)
inbox_documents = sa.Table(
    "inbox_documents",
    metadata,
    sa.Column("scope", sa.String(), primary_key=True),
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("boxes", sa.String(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("urgency", sa.Integer(), nullable=False),
    sa.Column("deadline", sa.String(), nullable=True),
    sa.Column("doc_type", sa.String(), nullable=False),
    sa.Column("agency", sa.String(), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
    sa.Index("ix_inbox_documents_scope_urgency", "scope", "urgency"),
)
# inbox_text: FTS5 (metadata, body; rowid = inbox_documents.rowid), raw SQL in 0003.
