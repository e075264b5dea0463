"""meeting minutes (issue 14, room-minutes): conclusions per agenda item, the minutes' document

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agenda_conclusions",
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name="fk_agenda_conclusions_agenda_item_id_agenda_items",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name="fk_agenda_conclusions_meeting_id_meetings"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name="fk_agenda_conclusions_updated_by_users"
        ),
        sa.PrimaryKeyConstraint("agenda_item_id", name="pk_agenda_conclusions"),
    )
    op.create_index(
        "ix_agenda_conclusions_meeting_id", "agenda_conclusions", ["meeting_id"], unique=False
    )
    op.create_table(
        "meeting_minutes",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("boxes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name="fk_meeting_minutes_meeting_id_meetings"
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name="fk_meeting_minutes_document_id_documents"
        ),
        sa.PrimaryKeyConstraint("meeting_id", name="pk_meeting_minutes"),
        sa.UniqueConstraint("document_id", name="uq_meeting_minutes_document_id"),
    )


def downgrade() -> None:
    op.drop_table("meeting_minutes")
    op.drop_index("ix_agenda_conclusions_meeting_id", table_name="agenda_conclusions")
    op.drop_table("agenda_conclusions")
