"""meeting room core (issue 14): each invitee's role in the meeting, and when the chair really
opened and ended it

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attendances") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=20), nullable=False, server_default="delegate")
        )
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("opened_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
    # A guest account invited before this revision is a guest in its meetings too.
    op.execute(
        "UPDATE attendances SET role = 'guest' WHERE user_id IN "
        "(SELECT user_id FROM user_roles WHERE role = 'guest')"
    )


def downgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("closed_at")
        batch.drop_column("opened_at")
    with op.batch_alter_table("attendances") as batch:
        batch.drop_column("role")
