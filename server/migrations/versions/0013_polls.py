"""polls and opinion forms (issue 14, room-votes): open ballots, secret participation and tallies

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _keyed_by_poll(table: str, second: str, *extra: sa.Column[int], user: bool = True) -> None:
    """A table keyed by (poll_id, `second`), `second` a user id when `user`."""
    constraints = [
        sa.ForeignKeyConstraint(["poll_id"], ["polls.id"], name=f"fk_{table}_poll_id_polls"),
        sa.PrimaryKeyConstraint("poll_id", second, name=f"pk_{table}"),
    ]
    if user:
        constraints.append(
            sa.ForeignKeyConstraint([second], ["users.id"], name=f"fk_{table}_{second}_users")
        )
    op.create_table(
        table,
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column(second, sa.Integer(), nullable=False, autoincrement=False),
        *extra,
        *constraints,
    )


def upgrade() -> None:
    op.create_table(
        "polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("named_voters", sa.Boolean(), nullable=False),
        sa.Column("allow_change", sa.Boolean(), nullable=False),
        sa.Column("show_live", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name="fk_polls_meeting_id_meetings"
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_polls_created_by_users"),
        sa.PrimaryKeyConstraint("id", name="pk_polls"),
    )
    op.create_index("ix_polls_meeting_id", "polls", ["meeting_id"])
    op.create_index("ix_polls_deadline", "polls", ["deadline"])
    _keyed_by_poll("poll_voters", "user_id")
    _keyed_by_poll("poll_votes", "user_id", sa.Column("option", sa.Integer(), nullable=False))
    _keyed_by_poll("poll_participations", "user_id")
    _keyed_by_poll(
        "poll_tallies", "option", sa.Column("count", sa.Integer(), nullable=False), user=False
    )


def downgrade() -> None:
    for table in ("poll_tallies", "poll_participations", "poll_votes", "poll_voters"):
        op.drop_table(table)
    op.drop_index("ix_polls_deadline", table_name="polls")
    op.drop_index("ix_polls_meeting_id", table_name="polls")
    op.drop_table("polls")
