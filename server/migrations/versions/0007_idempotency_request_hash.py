"""idempotency records keep a digest of their request (a reused key with another body is
refused) and index their age (they are purged on a schedule)

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_records") as batch:
        batch.add_column(sa.Column("request_hash", sa.String(length=64), nullable=True))
    op.create_index(
        op.f("ix_idempotency_records_created_at"), "idempotency_records", ["created_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_idempotency_records_created_at"), table_name="idempotency_records")
    with op.batch_alter_table("idempotency_records") as batch:
        batch.drop_column("request_hash")
