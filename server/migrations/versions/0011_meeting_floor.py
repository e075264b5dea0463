"""the meeting room's floor (issue 14, room-floor): speak queue, chat, presenter page

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = sa.text("state IN ('queued', 'granted')")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    parent = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=f"fk_{table}_{column}_{parent}")


def upgrade() -> None:
    op.create_table(
        "meeting_floors",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("last_position", sa.Integer(), nullable=False),
        sa.Column("muted_until_floor", sa.Boolean(), nullable=False),
        _fk("meeting_floors", "meeting_id", "meetings.id"),
        sa.PrimaryKeyConstraint("meeting_id", name="pk_meeting_floors"),
    )
    op.create_table(
        "speak_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        _fk("speak_requests", "meeting_id", "meetings.id"),
        _fk("speak_requests", "user_id", "users.id"),
        _fk("speak_requests", "agenda_item_id", "agenda_items.id"),
        sa.PrimaryKeyConstraint("id", name="pk_speak_requests"),
        sa.UniqueConstraint("meeting_id", "position", name="uq_speak_requests_meeting_id"),
    )
    op.create_index(
        "uq_speak_requests_active",
        "speak_requests",
        ["meeting_id", "user_id"],
        unique=True,
        sqlite_where=_ACTIVE,
        postgresql_where=_ACTIVE,
    )
    op.create_table(
        "chat_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("chat_messages", "meeting_id", "meetings.id"),
        _fk("chat_messages", "sender_id", "users.id"),
        _fk("chat_messages", "recipient_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name="pk_chat_messages"),
    )
    op.create_index("ix_chat_messages_meeting_id_id", "chat_messages", ["meeting_id", "id"])
    op.create_table(
        "presenter_pages",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("presenter_id", sa.Integer(), nullable=True),
        sa.Column("paper_id", sa.Integer(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("zoom", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _fk("presenter_pages", "meeting_id", "meetings.id"),
        _fk("presenter_pages", "presenter_id", "users.id"),
        _fk("presenter_pages", "paper_id", "papers.id"),
        sa.PrimaryKeyConstraint("meeting_id", name="pk_presenter_pages"),
    )


def downgrade() -> None:
    op.drop_table("presenter_pages")
    op.drop_index("ix_chat_messages_meeting_id_id", table_name="chat_messages")
    op.drop_table("chat_messages")
    op.drop_index("uq_speak_requests_active", table_name="speak_requests")
    op.drop_table("speak_requests")
    op.drop_table("meeting_floors")
