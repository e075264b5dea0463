"""meeting room agenda (issue 14): confidential meetings, personal papers, papers shared with
guests, and the version history of a paper replaced by a new file

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(
            sa.Column("confidential", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("papers") as batch:
        batch.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("shared_with_guests", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.create_foreign_key("fk_papers_owner_id_users", "users", ["owner_id"], ["id"])
    op.create_table(
        "paper_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], name="fk_paper_versions_paper_id_papers"
        ),
        sa.ForeignKeyConstraint(
            ["file_sha256"], ["file_blobs.sha256"], name="fk_paper_versions_file_sha256_file_blobs"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name="fk_paper_versions_created_by_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_paper_versions"),
        sa.UniqueConstraint("paper_id", "no", name="uq_paper_versions_paper_id"),
    )
    op.create_index("ix_paper_versions_paper_id", "paper_versions", ["paper_id"])
    op.create_index("ix_paper_versions_file_sha256", "paper_versions", ["file_sha256"])
    # Every paper with a file so far is its own first version.
    op.execute(
        "INSERT INTO paper_versions (paper_id, no, file_sha256, created_at) "
        "SELECT id, 1, file_sha256, CURRENT_TIMESTAMP FROM papers WHERE file_sha256 IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_paper_versions_file_sha256", table_name="paper_versions")
    op.drop_index("ix_paper_versions_paper_id", table_name="paper_versions")
    op.drop_table("paper_versions")
    with op.batch_alter_table("papers") as batch:
        batch.drop_constraint("fk_papers_owner_id_users", type_="foreignkey")
        for name in ("version", "shared_with_guests", "owner_id"):
            batch.drop_column(name)
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("confidential")
