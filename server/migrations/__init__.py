"""Alembic migrations of the server schema, configured in code (no alembic.ini at run time)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection

# The newest revision; server.db.upgrade compares against it to skip Alembic on a current DB.
# tests/server/test_migrations.py checks it against the scripts.
HEAD = "0016"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at this package, optionally bound to an open connection."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent))
    cfg.attributes["connection"] = connection
    return cfg
