"""The local SQLite cache (SQLAlchemy Core + Alembic): key/value, cached lists, personal notes,
the outbox.

The cache is disposable — the server is the source of truth — except for the outbox (and the
notes it has not sent yet), so a damaged file never stops the app: `open()` moves it aside as
`cache.db.corrupt-<timestamp>` (kept for recovery), builds a fresh one and returns True so the UI
can tell the user once. `open()` reads the whole file only after an unclean shutdown (a marker
file lives beside the cache while it is open): then `PRAGMA quick_check`; a cleanly closed file
only gets its header checked. The app calls `open()` off the GUI thread.

Calls are synchronous and short (one small transaction each, or one `batch()` of them). Waiting
for a lock another process holds (a second HopDesk on the same profile, a backup or virus
scanner) blocks the calling thread, so the GUI thread waits at most `GUI_BUSY_TIMEOUT_MS` — then
the call raises "database is locked" as it did after the full wait — while other threads may
wait up to `BUSY_TIMEOUT_MS`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

HEAD_REVISION = "0002"  # the newest file in desktop/migrations/versions (a test checks)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_HEADER = b"SQLite format 3\x00"
OPEN_MARKER = ".open"  # `cache.db.open` exists while a HopDesk has the cache open
BUSY_TIMEOUT_MS = 2000  # other threads may wait this long for another process's lock
GUI_BUSY_TIMEOUT_MS = 20  # the GUI thread never waits longer (under the 50 ms stall threshold)

metadata = sa.MetaData()
kv = sa.Table(
    "kv",
    metadata,
    sa.Column("key", sa.String(), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
)
cached_meetings = sa.Table(
    "cached_meetings",
    metadata,
    sa.Column("scope", sa.String(), primary_key=True),
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
)
cached_documents = sa.Table(
    "cached_documents",
    metadata,
    sa.Column("scope", sa.String(), primary_key=True),
    sa.Column("box", sa.String(), primary_key=True),
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
)
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(), nullable=False, unique=True),
    sa.Column("scope", sa.String(), nullable=False),
    sa.Column("method", sa.String(), nullable=False),
    sa.Column("path", sa.String(), nullable=False),
    sa.Column("body", sa.Text(), nullable=True),
    sa.Column("created_at", sa.String(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("state", sa.String(), nullable=False, server_default="pending"),
    sa.Index("ix_outbox_scope_state", "scope", "state"),
)
notes = sa.Table(
    "notes",
    metadata,
    sa.Column("scope", sa.String(), primary_key=True),
    sa.Column("id", sa.String(), primary_key=True),
    sa.Column("target", sa.String(), nullable=False),
    sa.Column("page", sa.Integer(), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),  # the contract's Note JSON
    sa.Index("ix_notes_scope_target", "scope", "target"),
)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One queued action as stored."""

    key: str
    scope: str
    method: str
    path: str
    body: Any
    created_at: dt.datetime
    attempts: int
    last_error: str | None
    state: str  # "pending" or "failed"


def damage(path: Path, *, read_all: bool = True) -> str | None:
    """Why the file at `path` is not a usable SQLite database, or None if it is fine.

    `read_all`: also run `PRAGMA quick_check` (reads every page: O(size); skipped after a clean
    shutdown). quick_check finds what integrity_check finds except index/table mismatches,
    which a rebuilt cache would not notice either.
    """
    try:
        if not path.exists() or path.stat().st_size == 0:
            return None
        with open(path, "rb") as fh:
            if fh.read(16) != SQLITE_HEADER:
                return "not an SQLite database"
        if not read_all:
            return None
        con = sqlite3.connect(path)
        try:
            rows = con.execute("PRAGMA quick_check").fetchall()
        finally:
            con.close()
    except (OSError, sqlite3.DatabaseError) as exc:
        return str(exc)
    if rows != [("ok",)]:
        return "; ".join(str(row[0]) for row in rows[:5])
    return None


def _set_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # short commits, readers never blocked
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _set_busy_timeout(dbapi_connection: Any, _record: object, _proxy: object) -> None:
    """At every checkout: how long this thread may wait for another process's write lock."""
    gui = threading.current_thread() is threading.main_thread()
    timeout = GUI_BUSY_TIMEOUT_MS if gui else BUSY_TIMEOUT_MS
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={timeout}")
    cursor.close()


class LocalStore:
    """The cache file of one user profile."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._engine: Engine | None = None
        self._batch: Connection | None = None
        self.checked = False  # whether the last open() read the whole file (unclean shutdown)

    @property
    def marker(self) -> Path:
        """Present while the cache is open: found at open, the last run did not close it."""
        return self.path.with_name(self.path.name + OPEN_MARKER)

    # --- life cycle --------------------------------------------------------------------------
    def open(self) -> bool:
        """Open (creating or migrating); True when a damaged file was moved aside and rebuilt.

        Blocking (migrations, and after an unclean shutdown a read of the whole file): call it
        off the GUI thread, as the app does.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.checked = self.marker.exists()
        problem = damage(self.path, read_all=self.checked)
        self.marker.touch()
        if problem is None:
            try:
                self._connect()
                return False
            except (sa.exc.DatabaseError, sqlite3.DatabaseError) as exc:
                problem = f"migration failed: {exc}"
                self.close()
        moved = self._move_aside()
        log.error("local cache %s was damaged (%s); moved to %s", self.path, problem, moved)
        self.marker.touch()
        self._connect()
        return True

    def close(self) -> None:
        """Release the file (checkpointing the WAL); the shutdown was clean."""
        engine, self._engine = self._engine, None
        if engine is not None:
            engine.dispose()
            self.marker.unlink(missing_ok=True)

    def _connect(self) -> None:
        engine = sa.create_engine(f"sqlite:///{self.path}")
        event.listen(engine, "connect", _set_pragmas)
        event.listen(engine, "checkout", _set_busy_timeout)
        self._engine = engine
        with engine.begin() as conn:
            if self._revision(conn) != HEAD_REVISION:
                self._migrate(conn)

    @staticmethod
    def _revision(conn: Connection) -> str | None:
        try:
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        except sa.exc.OperationalError:
            return None  # a new file

    @staticmethod
    def _migrate(conn: Connection) -> None:
        """Alembic upgrade to head on this connection (imported only when needed: start-up)."""
        from alembic import command
        from alembic.config import Config as AlembicConfig
        from alembic.util.exc import CommandError

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = conn
        try:
            command.upgrade(cfg, "head")
        except CommandError as exc:  # e.g. a file from a newer HopDesk: rebuild
            raise sa.exc.DatabaseError(str(exc), None, exc) from exc

    def _move_aside(self) -> Path:
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        self.path.replace(target)
        for suffix in ("-wal", "-shm", "-journal"):
            extra = self.path.with_name(self.path.name + suffix)
            if extra.exists():
                extra.replace(target.with_name(target.name + suffix))
        return target

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        if self._batch is not None:  # inside `batch()`: join its transaction
            yield self._batch
            return
        if self._engine is None:
            raise RuntimeError("LocalStore is not open")
        with self._engine.begin() as conn:
            yield conn

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Run several store calls as one transaction: all of them are kept, or none.

        A note and the outbox action that sends it must not be split by a crash.
        """
        if self._batch is not None:
            yield
            return
        with self._tx() as conn:
            self._batch = conn
            try:
                yield
            finally:
                self._batch = None

    # --- key/value -------------------------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        """The JSON value stored under `key`, or `default`."""
        with self._tx() as conn:
            raw = conn.execute(sa.select(kv.c.value).where(kv.c.key == key)).scalar()
        return default if raw is None else json.loads(raw)

    def set(self, key: str, value: Any) -> None:
        """Store a JSON value (None deletes the key)."""
        with self._tx() as conn:
            conn.execute(sa.delete(kv).where(kv.c.key == key))
            if value is not None:
                conn.execute(sa.insert(kv).values(key=key, value=json.dumps(value)))

    # --- cached lists ------------------------------------------------------------------------
    def save_meetings(self, scope: str, payloads: Iterable[dict[str, Any]]) -> None:
        """Replace the cached meeting list of `scope` (user@server) with the server's."""
        rows = [
            {"scope": scope, "id": int(p["id"]), "position": i, "payload": json.dumps(p)}
            for i, p in enumerate(payloads)
        ]
        with self._tx() as conn:
            conn.execute(sa.delete(cached_meetings).where(cached_meetings.c.scope == scope))
            if rows:
                conn.execute(sa.insert(cached_meetings), rows)

    def load_meetings(self, scope: str) -> list[dict[str, Any]]:
        """The cached meeting payloads, in the server's order."""
        query = (
            sa.select(cached_meetings.c.payload)
            .where(cached_meetings.c.scope == scope)
            .order_by(cached_meetings.c.position)
        )
        with self._tx() as conn:
            return [json.loads(raw) for raw in conn.execute(query).scalars()]

    def save_documents(self, scope: str, box: str, payloads: Iterable[dict[str, Any]]) -> None:
        """Replace one cached document list ("inbox" or "all") of `scope`."""
        rows = [
            {
                "scope": scope,
                "box": box,
                "id": int(p["id"]),
                "position": i,
                "payload": json.dumps(p),
            }
            for i, p in enumerate(payloads)
        ]
        table = cached_documents
        with self._tx() as conn:
            conn.execute(sa.delete(table).where(table.c.scope == scope, table.c.box == box))
            if rows:
                conn.execute(sa.insert(table), rows)

    def load_documents(self, scope: str, box: str) -> list[dict[str, Any]]:
        """The cached document payloads of one list, in the server's order."""
        table = cached_documents
        query = (
            sa.select(table.c.payload)
            .where(table.c.scope == scope, table.c.box == box)
            .order_by(table.c.position)
        )
        with self._tx() as conn:
            return [json.loads(raw) for raw in conn.execute(query).scalars()]

    # --- personal notes ----------------------------------------------------------------------
    def notes_of(self, scope: str, target: str) -> list[dict[str, Any]]:
        """The stored notes (Note JSON) of `scope` on one file, in page order."""
        query = (
            sa.select(notes.c.body)
            .where(notes.c.scope == scope, notes.c.target == target)
            .order_by(notes.c.page, notes.c.id)
        )
        with self._tx() as conn:
            return [json.loads(raw) for raw in conn.execute(query).scalars()]

    def note(self, scope: str, note_id: str) -> dict[str, Any] | None:
        """One stored note, or None."""
        query = sa.select(notes.c.body).where(notes.c.scope == scope, notes.c.id == note_id)
        with self._tx() as conn:
            raw = conn.execute(query).scalar()
        return None if raw is None else dict(json.loads(raw))

    def put_note(self, scope: str, body: dict[str, Any]) -> None:
        """Insert or replace a note (`body` is Note JSON with `id`, `target` and `page`)."""
        key = (notes.c.scope == scope) & (notes.c.id == str(body["id"]))
        row = {
            "scope": scope,
            "id": str(body["id"]),
            "target": str(body["target"]),
            "page": int(body["page"]),
            "body": json.dumps(body, ensure_ascii=False),
        }
        with self._tx() as conn:
            conn.execute(sa.delete(notes).where(key))
            conn.execute(sa.insert(notes).values(**row))

    def delete_note(self, scope: str, note_id: str) -> bool:
        """Remove a note; True when there was one."""
        with self._tx() as conn:
            result = conn.execute(
                sa.delete(notes).where(notes.c.scope == scope, notes.c.id == note_id)
            )
        return bool(result.rowcount)

    # --- outbox ------------------------------------------------------------------------------
    def outbox_add(self, scope: str, key: str, method: str, path: str, body: Any) -> None:
        """Write an action (committed before anything is sent)."""
        with self._tx() as conn:
            conn.execute(
                sa.insert(outbox).values(
                    key=key,
                    scope=scope,
                    method=method,
                    path=path,
                    body=None if body is None else json.dumps(body),
                    created_at=dt.datetime.now(dt.UTC).isoformat(),
                    attempts=0,
                    state="pending",
                )
            )

    def outbox_rows(self, scope: str, state: str | None = "pending") -> list[OutboxRow]:
        """The actions of `scope` in the order they were written (one state, or all)."""
        query = sa.select(outbox).where(outbox.c.scope == scope).order_by(outbox.c.seq)
        if state is not None:
            query = query.where(outbox.c.state == state)
        with self._tx() as conn:
            return [
                OutboxRow(
                    key=row.key,
                    scope=row.scope,
                    method=row.method,
                    path=row.path,
                    body=None if row.body is None else json.loads(row.body),
                    created_at=dt.datetime.fromisoformat(row.created_at),
                    attempts=row.attempts,
                    last_error=row.last_error,
                    state=row.state,
                )
                for row in conn.execute(query)
            ]

    def outbox_state(self, key: str) -> str | None:
        """The state of one action ("pending" / "failed"), or None once it is gone."""
        with self._tx() as conn:
            state = conn.execute(sa.select(outbox.c.state).where(outbox.c.key == key)).scalar()
        return None if state is None else str(state)

    def outbox_drop_pending(self, scope: str, path: str) -> int:
        """Drop the pending actions on `path` (a newer one replaces them); returns how many."""
        query = sa.delete(outbox).where(
            outbox.c.scope == scope, outbox.c.path == path, outbox.c.state == "pending"
        )
        with self._tx() as conn:
            return int(conn.execute(query).rowcount or 0)

    def outbox_count(self, scope: str, state: str = "pending") -> int:
        """How many actions of `scope` are in `state`."""
        query = (
            sa.select(sa.func.count())
            .select_from(outbox)
            .where(outbox.c.scope == scope, outbox.c.state == state)
        )
        with self._tx() as conn:
            return int(conn.execute(query).scalar() or 0)

    def outbox_attempted(self, key: str, error: str, state: str = "pending") -> None:
        """Record a failed attempt (and, for a refused action, the `failed` state)."""
        with self._tx() as conn:
            conn.execute(
                sa.update(outbox)
                .where(outbox.c.key == key)
                .values(attempts=outbox.c.attempts + 1, last_error=error, state=state)
            )

    def outbox_retry(self, key: str) -> None:
        """Put a failed action back in the queue."""
        with self._tx() as conn:
            conn.execute(sa.update(outbox).where(outbox.c.key == key).values(state="pending"))

    def outbox_remove(self, key: str) -> None:
        """Drop an action (the server applied it, or the user discarded it)."""
        with self._tx() as conn:
            conn.execute(sa.delete(outbox).where(outbox.c.key == key))
