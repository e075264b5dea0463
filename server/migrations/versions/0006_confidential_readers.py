"""people explicitly named to read a confidential document or meeting paper (DESIGN §6)

Confidential items are visible only to the people named on them; besides creators, assignees
and a meeting's chair, secretary and presenter, these tables name the other readers.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table, parent in (("document_readers", "documents"), ("paper_readers", "papers")):
        item = f"{parent[:-1]}_id"
        op.create_table(
            table,
            sa.Column(item, sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint([item], [f"{parent}.id"], name=f"fk_{table}_{item}_{parent}"),
            sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=f"fk_{table}_user_id_users"),
            sa.PrimaryKeyConstraint(item, "user_id", name=f"pk_{table}"),
        )
        op.create_index(f"ix_{table}_user_id", table, ["user_id"])


def downgrade() -> None:
    for table in ("paper_readers", "document_readers"):
        op.drop_index(f"ix_{table}_user_id", table_name=table)
        op.drop_table(table)
