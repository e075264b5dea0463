"""meeting room attendance (issue 14): decline reason, deputy representing a principal, check-in
on site, presence in the call, absence with a reason

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attendances") as batch:
        batch.add_column(
            sa.Column("reason", sa.String(length=500), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("represents_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("checked_in_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("in_call", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("joined_call_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("absent_reason", sa.String(length=500), nullable=True))
        batch.create_foreign_key(
            "fk_attendances_represents_id_users", "users", ["represents_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("attendances") as batch:
        batch.drop_constraint("fk_attendances_represents_id_users", type_="foreignkey")
        for name in (
            "absent_reason",
            "joined_call_at",
            "in_call",
            "checked_in_at",
            "represents_id",
            "reason",
        ):
            batch.drop_column(name)
