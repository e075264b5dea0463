"""the document workflow (issue 12): Decree 30 metadata, attachments, comment kinds, delegations,
number registers, internal recipients

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DOCUMENT_TEXT = (
    ("place", 200),
    ("signer_name", 200),
    ("signer_position", 300),
    ("received_number", 50),
)


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        for name, length in _DOCUMENT_TEXT:
            batch.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default="")
            )
        batch.add_column(sa.Column("recipients", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("received_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("signing_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("document_versions") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=20), nullable=False, server_default="version")
        )
    with op.batch_alter_table("comments") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=20), nullable=False, server_default="comment")
        )
        batch.add_column(sa.Column("on_behalf_of", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_comments_on_behalf_of_users", "users", ["on_behalf_of"], ["id"]
        )
    with op.batch_alter_table("document_readers") as batch:
        batch.add_column(sa.Column("received_at", sa.DateTime(), nullable=True))
    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("principal_id", sa.Integer(), nullable=False),
        sa.Column("deputy_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["principal_id"], ["users.id"], name="fk_delegations_principal_id_users"
        ),
        sa.ForeignKeyConstraint(["deputy_id"], ["users.id"], name="fk_delegations_deputy_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_delegations"),
    )
    op.create_index("ix_delegations_principal_id", "delegations", ["principal_id"])
    op.create_index("ix_delegations_deputy_id", "delegations", ["deputy_id"])
    op.create_table(
        "number_counters",
        sa.Column("register", sa.String(length=300), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("register", "year", name="pk_number_counters"),
    )


def downgrade() -> None:
    op.drop_table("number_counters")
    op.drop_index("ix_delegations_deputy_id", table_name="delegations")
    op.drop_index("ix_delegations_principal_id", table_name="delegations")
    op.drop_table("delegations")
    with op.batch_alter_table("document_readers") as batch:
        batch.drop_column("received_at")
    with op.batch_alter_table("comments") as batch:
        batch.drop_constraint("fk_comments_on_behalf_of_users", type_="foreignkey")
        batch.drop_column("on_behalf_of")
        batch.drop_column("kind")
    with op.batch_alter_table("document_versions") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("documents") as batch:
        for name in ("signing_sha256", "received_on", "recipients"):
            batch.drop_column(name)
        for name, _length in reversed(_DOCUMENT_TEXT):
            batch.drop_column(name)
