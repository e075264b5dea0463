"""Alembic environment: runs on the connection `LocalStore` hands over in config.attributes."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from desktop.migrations.schema import metadata

config = context.config
connection = config.attributes.get("connection")


def _run(conn: object) -> None:
    context.configure(
        connection=conn,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,  # SQLite needs batch mode for ALTERs
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # `alembic -x url=sqlite:///cache.db revision --autogenerate` during development
    url = context.get_x_argument(as_dictionary=True)["url"]
    with create_engine(url).connect() as conn:
        _run(conn)
        conn.commit()
