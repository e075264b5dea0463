"""Engine and sessions: SQLite (WAL, foreign keys, busy timeout) by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Executable, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker


def database_url(value: str) -> str:
    """Turn the `--db` option (a path or an SQLAlchemy URL) into a URL."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


# (pool_size, max_overflow): SQLAlchemy's defaults for SQLite (one writer at a time anyway), a
# larger pool for PostgreSQL; server/admission.py admits requests by the sum.
SQLITE_POOL = (5, 10)
POSTGRES_POOL = (10, 20)


def pool_connections(url: str) -> int:
    """The most connections the engine of `url` opens at once."""
    return sum(SQLITE_POOL if url.startswith("sqlite") else POSTGRES_POOL)


def make_engine(url: str) -> Engine:
    """An engine tuned for the dialect: SQLite gets its pragmas on every new connection."""
    if url.startswith("sqlite"):
        size, overflow = SQLITE_POOL
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=size,
            max_overflow=overflow,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=10000")  # several server processes share a file
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    size, overflow = POSTGRES_POOL
    return create_engine(url, pool_pre_ping=True, pool_size=size, max_overflow=overflow)


def is_postgres(engine: Engine) -> bool:
    """True when the engine talks to PostgreSQL (LISTEN/NOTIFY, advisory locks)."""
    return engine.dialect.name == "postgresql"


def rows_changed(session: Session, statement: Executable) -> int:
    """How many rows an UPDATE or DELETE changed (atomic claims and purges rely on it)."""
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (responses are built after it)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision stamped in the DB, or None for an empty DB (no Alembic import)."""
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:  # no table yet: an empty database
            return None


def upgrade(engine: Engine) -> None:
    """Bring the schema to head; skips Alembic's import cost when already there."""
    from server.migrations import HEAD

    if current_revision(engine) == HEAD:
        return
    from alembic import command

    from server.migrations import alembic_config

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
