"""Where personal notes are kept: a Protocol the host app implements, and a standalone SQLite store.

The host (desktop/) injects its own store, which also queues notes for the server; a viewer used
on its own uses `SqliteAnnotationStore`. Either way a note is saved at the moment it changes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

from viewer.annotations.model import Annotation


class AnnotationStoreError(OSError):
    """A store could not read or write (disk full, locked, corrupt): the model tells the user."""


@contextmanager
def _sqlite_errors() -> Iterator[None]:
    """Turn sqlite3 errors into AnnotationStoreError, the one error type of the Protocol."""
    try:
        yield
    except sqlite3.Error as exc:
        raise AnnotationStoreError(str(exc)) from exc


@runtime_checkable
class AnnotationStore(Protocol):
    """Persistent notes, keyed by document SHA-256 and user. Each call must be durable against
    the app being killed once it returns, and fast (it runs on the GUI thread: a few ms)."""

    def load(self, target_sha256: str, user: str) -> list[Annotation]:
        """Every note of `user` on the document."""
        ...

    def save(self, user: str, annotation: Annotation) -> None:
        """Insert or replace a note (by id); raises AnnotationStoreError (an OSError)."""
        ...

    def delete(self, target_sha256: str, user: str, annotation_id: str) -> None:
        """Remove a note; unknown ids are ignored."""
        ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS annotation (
    user TEXT NOT NULL,
    id TEXT NOT NULL,
    target_sha256 TEXT NOT NULL,
    page INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (user, id)
);
CREATE INDEX IF NOT EXISTS annotation_doc ON annotation (target_sha256, user, page);
"""


class SqliteAnnotationStore:
    """Notes in one SQLite file, each change committed before the call returns.

    WAL with synchronous=NORMAL: a commit is in the OS's hands when `save` returns, so killing
    the app loses nothing (only a power cut may lose the last commits), at ~0.1 ms per note
    instead of an fsync each.
    """

    def __init__(self, path: str | Path) -> None:
        self._path = str(path)
        self._lock = threading.Lock()
        with _sqlite_errors():
            self._db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)

    def load(self, target_sha256: str, user: str) -> list[Annotation]:
        """Every note of `user` on the document, in page order."""
        with self._lock, _sqlite_errors():
            rows = self._db.execute(
                "SELECT body FROM annotation WHERE target_sha256 = ? AND user = ? ORDER BY page",
                (target_sha256, user),
            ).fetchall()
        return [Annotation.from_json(json.loads(body)) for (body,) in rows]

    def save(self, user: str, annotation: Annotation) -> None:
        """Insert or replace a note, committed at once."""
        body = json.dumps(annotation.to_json(), ensure_ascii=False)
        with self._lock, _sqlite_errors(), self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO annotation (user, id, target_sha256, page, body) "
                "VALUES (?, ?, ?, ?, ?)",
                (user, annotation.id, annotation.target_sha256, annotation.page, body),
            )

    def delete(self, target_sha256: str, user: str, annotation_id: str) -> None:
        """Remove a note, committed at once."""
        with self._lock, _sqlite_errors(), self._db:
            self._db.execute(
                "DELETE FROM annotation WHERE target_sha256 = ? AND user = ? AND id = ?",
                (target_sha256, user, annotation_id),
            )

    def close(self) -> None:
        """Close the database (the WAL is checkpointed)."""
        with self._lock:
            self._db.close()


class MemoryAnnotationStore:
    """Notes in memory only: for tests and for documents the user must not keep notes on."""

    def __init__(self) -> None:
        self._notes: dict[tuple[str, str], Annotation] = {}

    def load(self, target_sha256: str, user: str) -> list[Annotation]:
        """Every note of `user` on the document."""
        return [
            a
            for (u, _id), a in self._notes.items()
            if u == user and a.target_sha256 == target_sha256
        ]

    def save(self, user: str, annotation: Annotation) -> None:
        """Insert or replace a note."""
        self._notes[(user, annotation.id)] = annotation

    def delete(self, target_sha256: str, user: str, annotation_id: str) -> None:
        """Remove a note."""
        self._notes.pop((user, annotation_id), None)
