"""users count wrong passwords since their last sign-in, so the owner is told at the next one

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("last_failed_sign_in_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column(
                "last_failed_sign_in_address",
                sa.String(length=100),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_failed_sign_in_address")
        batch.drop_column("last_failed_sign_in_at")
        batch.drop_column("failed_sign_ins")
