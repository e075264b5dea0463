"""The local SQLite cache (sqlite3; Alembic migrations): key/value, cached lists, personal notes,
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
wait up to `BUSY_TIMEOUT_MS`. So the GUI thread does not write: the key-value cache entries
(view states, window geometry, remembered choices) go through `set_later` / `set_all_later`
(`get` answers from the value not yet written meanwhile), and every other write — cached lists,
the inbox index, notes, the outbox, the remembered account, the issue journal, signed-upload
records (a record read and written in its job) — is a job for the store's writer
thread (`submit`, or `run` to await it): it waits for the lock, the GUI thread does not. A job is
one transaction, tried again until the lock goes; jobs run one after the other in the order
they were given, so an awaited job is durable (committed) when `run` returns and every job given
before it has landed too (`settled`). Reads on the GUI thread stay synchronous: in WAL mode a
read never waits for another connection's write lock.

Within the process, transactions take turns (`LocalStore._turn`) instead of meeting in SQLite's
lock: on a loaded machine the writer thread can hold the file's write lock longer than the GUI
thread's 20 ms while it waits for the GIL between its statements, and a deferred transaction
that read before another connection's commit cannot write at all (SQLITE_BUSY_SNAPSHOT, no busy
wait helps). The writer waits for other processes only `GUI_BUSY_TIMEOUT_MS` per turn, then
lets go and tries again later, so its turn never holds the GUI thread longer than that.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

HEAD_REVISION = "0003"  # the newest file in desktop/migrations/versions (a test checks)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_HEADER = b"SQLite format 3\x00"
OPEN_MARKER = ".open"  # `cache.db.open` exists while a HopDesk has the cache open
BUSY_TIMEOUT_MS = 2000  # other threads may wait this long for another process's lock
GUI_BUSY_TIMEOUT_MS = 20  # the GUI thread never waits longer (under the 50 ms stall threshold)
WRITER_RETRY_SECONDS = 0.1  # the writer thread's pause after finding another process's lock


@dataclass(frozen=True, slots=True)
class _Job:
    """A write for the writer thread: `work` runs in one transaction, its result in `done`."""

    work: Callable[[], Any]
    done: concurrent.futures.Future[Any]


def locked(exc: sqlite3.Error) -> bool:
    """Whether `exc` says another connection holds the file (try again later), not damage."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


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


def _outbox_values(raw: tuple[Any, ...]) -> tuple[Any, ...]:
    """body, created_at, attempts, last_error, state of an outbox row, decoded."""
    body, created_at, attempts, last_error, state = raw
    return (
        None if body is None else json.loads(body),
        dt.datetime.fromisoformat(created_at),
        attempts,
        last_error,
        state,
    )


def _connect(path: Path, *, short_wait: bool = False) -> sqlite3.Connection:
    """A connection for the calling thread: autocommit mode (our own BEGIN/COMMIT), WAL, and
    how long this thread may wait for another process's lock (briefly on the GUI thread and
    for `short_wait`)."""
    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode=WAL")  # short commits, readers never blocked
    con.execute("PRAGMA synchronous=NORMAL")
    short = short_wait or threading.current_thread() is threading.main_thread()
    con.execute(f"PRAGMA busy_timeout={GUI_BUSY_TIMEOUT_MS if short else BUSY_TIMEOUT_MS}")
    return con


class LocalStore:
    """The cache file of one user profile.

    Plain `sqlite3` (importing SQLAlchemy cost every start a fifth of the app's CPU time before
    its first window); Alembic, and with it SQLAlchemy, loads only when the file needs a
    migration. Each thread gets its own connection; `close()` closes them all.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._open = False
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.checked = False  # whether the last open() read the whole file (unclean shutdown)
        # `set_later`: key -> (generation, JSON text) not yet in the file; the writer thread
        self._pending: dict[str, tuple[int, str | None]] = {}
        self._generation = 0
        self._writes: queue.SimpleQueue[tuple[str, ...] | _Job | None] = queue.SimpleQueue()
        self._close_deadline: float | None = None  # set by `close`: jobs stop retrying then
        self._writer: threading.Thread | None = None
        self._turn = threading.Lock()  # one transaction at a time in this process

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
                self._upgrade()
                self._open = True
                return False
            except sqlite3.DatabaseError as exc:
                problem = f"migration failed: {exc}"
                self._close_connections()
        moved = self._move_aside()
        log.error("local cache %s was damaged (%s); moved to %s", self.path, problem, moved)
        self.marker.touch()
        self._upgrade()
        self._open = True
        return True

    def close(self) -> None:
        """Release the file (the last connection checkpoints the WAL); the shutdown was clean.
        Waits for the writes `set_later` queued."""
        self._stop_writer()
        was_open, self._open = self._open, False
        self._close_connections()
        if was_open:
            self.marker.unlink(missing_ok=True)

    def _close_connections(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for con in connections:
            con.close()
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = _connect(self.path, short_wait=getattr(self._local, "short_wait", False))
            self._local.con = con
            with self._lock:
                self._connections.append(con)
        return con

    def _upgrade(self) -> None:
        """Alembic upgrade to head when the file is not at head (imported only then)."""
        con = _connect(self.path)
        try:
            try:
                revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
            except sqlite3.OperationalError:
                revision = None  # a new file
            if revision is not None and revision[0] == HEAD_REVISION:
                return
        finally:
            con.close()
        self._migrate()

    def _migrate(self) -> None:
        from alembic import command
        from alembic.config import Config as AlembicConfig
        from alembic.util.exc import CommandError
        from sqlalchemy import create_engine
        from sqlalchemy.exc import DBAPIError

        engine = create_engine(f"sqlite:///{self.path}")
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        try:
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except CommandError as exc:  # e.g. a file from a newer HopDesk: rebuild
            raise sqlite3.DatabaseError(str(exc)) from exc
        except DBAPIError as exc:
            raise sqlite3.DatabaseError(str(exc.orig)) from exc
        finally:
            engine.dispose()

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
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction on this thread's connection (or the thread's open `batch()`)."""
        if not self._open:
            raise RuntimeError("LocalStore is not open")
        con = self._connection()
        if getattr(self._local, "batch", False):  # inside `batch()`: join its transaction
            yield con
            return
        with self._turn:
            # The writer thread takes the write lock at once: a deferred transaction that read
            # before another connection's commit could not write at all (module doc).
            con.execute("BEGIN IMMEDIATE" if getattr(self._local, "writer", False) else "BEGIN")
            try:
                yield con
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection inside one transaction, for a module that keeps its own
        tables in the cache (desktop/inbox_index.py)."""
        with self._tx() as con:
            yield con

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Run several store calls as one transaction: all of them are kept, or none.

        A note and the outbox action that sends it must not be split by a crash.
        """
        if getattr(self._local, "batch", False):
            yield
            return
        with self._tx():
            self._local.batch = True
            try:
                yield
            finally:
                self._local.batch = False

    def in_batch(self) -> bool:
        """Whether this thread is inside `batch()` (or a job): a write joins that transaction."""
        return bool(getattr(self._local, "batch", False))

    def _one(self, sql: str, *params: object) -> Any:
        """The first column of the first row, or None."""
        with self._tx() as con:
            row = con.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def _column(self, sql: str, *params: object) -> list[Any]:
        """The first column of every row."""
        with self._tx() as con:
            return [row[0] for row in con.execute(sql, params)]

    def _run(self, sql: str, *params: object) -> int:
        """One statement; the number of rows it changed."""
        with self._tx() as con:
            return con.execute(sql, params).rowcount

    # --- key/value -------------------------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        """The JSON value stored under `key` (or given to `set_later`), or `default`."""
        with self._lock:
            pending = self._pending.get(key)
        raw = pending[1] if pending else self._one("SELECT value FROM kv WHERE key = ?", key)
        return default if raw is None else json.loads(raw)

    def set(self, key: str, value: Any) -> None:
        """Store a JSON value (None deletes the key). A key is written either with `set` or
        with `set_later`, never both: the writer thread could write an older value after."""
        self._put(key, None if value is None else json.dumps(value))

    def _put(self, key: str, text: str | None) -> None:
        """Write one key's JSON text (None deletes it)."""
        with self._tx() as con:
            con.execute("DELETE FROM kv WHERE key = ?", (key,))
            if text is not None:
                con.execute("INSERT INTO kv (key, value) VALUES (?, ?)", (key, text))

    def set_later(self, key: str, value: Any) -> None:
        """`set`, written by the store's writer thread: never waits for a lock another process
        holds. `get` returns the new value at once; several values for one key before the writer
        gets to it are written once (the last). A write that finds the file locked for longer
        than `GUI_BUSY_TIMEOUT_MS` is tried again later; what is still unwritten at `close` is
        logged (cache entries only: the event position, cached details, view states, window
        geometry)."""
        self.set_all_later({key: value})

    def set_all_later(self, values: Mapping[str, Any]) -> None:
        """`set_later` of several keys written in one transaction: all of them land, or none (a
        view state and the list that bounds how many are kept)."""
        texts = {key: None if value is None else json.dumps(value) for key, value in values.items()}
        with self._lock:
            self._generation += 1
            for key, text in texts.items():
                self._pending[key] = (self._generation, text)
            self._start_writer()
        self._writes.put(tuple(texts))

    def _start_writer(self) -> None:
        """Start the writer thread if it is not running (called holding `_lock`)."""
        if self._writer is None:
            self._close_deadline = None
            self._writer = threading.Thread(
                target=self._write_pending, name="store-writer", daemon=True
            )
            self._writer.start()

    # --- writes off the GUI thread --------------------------------------------------------------
    def submit(self, work: Callable[[], Any]) -> concurrent.futures.Future[Any]:
        """Run `work` (store calls) as one transaction on the writer thread; its result or error
        in the future. A file locked by another process is waited for there, as long as it takes
        (until `close`); jobs run in the order they were submitted."""
        job = _Job(work, concurrent.futures.Future())
        with self._lock:
            if not self._open:
                raise RuntimeError("LocalStore is not open")
            self._start_writer()
        self._writes.put(job)
        return job.done

    async def run(self, work: Callable[[], Any]) -> Any:
        """`submit` and wait for it without blocking the loop: durable when this returns."""
        return await asyncio.wrap_future(self.submit(work))

    def write_later(self, work: Callable[[], Any], what: str) -> None:
        """`submit` a cache write nobody waits for; a failure is logged as `what`."""

        def logged(done: concurrent.futures.Future[Any]) -> None:
            if not done.cancelled() and done.exception() is not None:
                log.warning("cache write (%s) failed: %r", what, done.exception())

        self.submit(work).add_done_callback(logged)

    @staticmethod
    def when_done(
        done: concurrent.futures.Future[Any], then: Callable[[concurrent.futures.Future[Any]], None]
    ) -> None:
        """Call `then(done)` on the calling thread's running event loop once the writer thread
        finished `done` (directly from the writer thread when no loop runs here)."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None

        def back(future: concurrent.futures.Future[Any]) -> None:
            if loop is None:
                then(future)
                return
            try:
                loop.call_soon_threadsafe(then, future)
            except RuntimeError:  # the loop closed meanwhile (shutdown): nobody to tell
                log.debug("store write finished after its loop closed")

        done.add_done_callback(back)

    async def settled(self) -> None:
        """Wait until every write submitted before this call has landed."""
        await self.run(lambda: None)

    def _run_job(self, job: _Job) -> None:
        """On the writer thread: one job's transaction, again after a pause while another
        process holds the file (each try holds this process's turn only briefly)."""
        if not job.done.set_running_or_notify_cancel():
            return
        while True:
            try:
                with self.batch():
                    result = job.work()
            except sqlite3.Error as exc:
                deadline = self._close_deadline
                if locked(exc) and (deadline is None or time.monotonic() < deadline):
                    time.sleep(WRITER_RETRY_SECONDS)
                    continue
                job.done.set_exception(exc)
            except BaseException as exc:  # the caller's error, given back to the caller
                job.done.set_exception(exc)
            else:
                job.done.set_result(result)
            return

    def _write_pending(self) -> None:
        """The writer thread: write the keys of each `set_all_later` (their newest values, in
        one transaction), and each job, in order."""
        self._local.short_wait = True  # its turn must not hold the GUI thread (module doc)
        self._local.writer = True
        while (item := self._writes.get()) is not None:
            if isinstance(item, _Job):
                self._run_job(item)
                continue
            with self._lock:  # an earlier turn may have written a key's newest value already
                entries = {key: self._pending[key] for key in item if key in self._pending}
            if not entries:
                continue
            try:
                with self.batch():
                    for key, (_, text) in entries.items():
                        self._put(key, text)
            except sqlite3.OperationalError as exc:  # another process holds the file
                log.warning("cache write of %s waits for a lock: %r", sorted(entries), exc)
                self._writes.put(item)  # again after what is queued (`get` answers meanwhile)
                time.sleep(WRITER_RETRY_SECONDS)
                continue
            except (sqlite3.Error, RuntimeError) as exc:  # damaged, or closed under us
                log.warning("cache write of %s failed: %r", sorted(entries), exc)
                continue
            with self._lock:
                for key, (generation, _) in entries.items():
                    if self._pending.get(key, (None, None))[0] == generation:
                        del self._pending[key]

    def _stop_writer(self) -> None:
        with self._lock:
            writer, self._writer = self._writer, None
        if writer is not None:
            # What is queued still lands, unless another process keeps the file locked longer
            # than a thread may wait: then those jobs fail (the caller hears of it).
            self._close_deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
            self._writes.put(None)
            writer.join()
        with self._lock:
            if self._pending:
                log.warning("cache writes not done at close: %s", sorted(self._pending))
            self._pending.clear()

    # --- cached lists ------------------------------------------------------------------------
    def save_meetings(self, scope: str, payloads: Iterable[dict[str, Any]]) -> None:
        """Replace the cached meeting list of `scope` (user@server) with the server's."""
        rows = [(scope, int(p["id"]), i, json.dumps(p)) for i, p in enumerate(payloads)]
        with self._tx() as con:
            con.execute("DELETE FROM cached_meetings WHERE scope = ?", (scope,))
            con.executemany(
                "INSERT INTO cached_meetings (scope, id, position, payload) VALUES (?, ?, ?, ?)",
                rows,
            )

    def load_meetings(self, scope: str) -> list[dict[str, Any]]:
        """The cached meeting payloads, in the server's order."""
        sql = "SELECT payload FROM cached_meetings WHERE scope = ? ORDER BY position"
        return [json.loads(raw) for raw in self._column(sql, scope)]

    def save_documents(self, scope: str, box: str, payloads: Iterable[dict[str, Any]]) -> None:
        """Replace one cached document list ("inbox" or "all") of `scope`."""
        rows = [(scope, box, int(p["id"]), i, json.dumps(p)) for i, p in enumerate(payloads)]
        with self._tx() as con:
            con.execute("DELETE FROM cached_documents WHERE scope = ? AND box = ?", (scope, box))
            con.executemany(
                "INSERT INTO cached_documents (scope, box, id, position, payload) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )

    def load_documents(self, scope: str, box: str) -> list[dict[str, Any]]:
        """The cached document payloads of one list, in the server's order."""
        sql = "SELECT payload FROM cached_documents WHERE scope = ? AND box = ? ORDER BY position"
        return [json.loads(raw) for raw in self._column(sql, scope, box)]

    # --- personal notes ----------------------------------------------------------------------
    def notes_of(self, scope: str, target: str) -> list[dict[str, Any]]:
        """The stored notes (Note JSON) of `scope` on one file, in page order."""
        sql = "SELECT body FROM notes WHERE scope = ? AND target = ? ORDER BY page, id"
        return [json.loads(raw) for raw in self._column(sql, scope, target)]

    def note(self, scope: str, note_id: str) -> dict[str, Any] | None:
        """One stored note, or None."""
        raw = self._one("SELECT body FROM notes WHERE scope = ? AND id = ?", scope, note_id)
        return None if raw is None else dict(json.loads(raw))

    def put_note(self, scope: str, body: dict[str, Any]) -> None:
        """Insert or replace a note (`body` is Note JSON with `id`, `target` and `page`)."""
        row = (
            scope,
            str(body["id"]),
            str(body["target"]),
            int(body["page"]),
            json.dumps(body, ensure_ascii=False),
        )
        with self._tx() as con:
            con.execute("DELETE FROM notes WHERE scope = ? AND id = ?", row[:2])
            con.execute(
                "INSERT INTO notes (scope, id, target, page, body) VALUES (?, ?, ?, ?, ?)", row
            )

    def delete_note(self, scope: str, note_id: str) -> bool:
        """Remove a note; True when there was one."""
        return bool(self._run("DELETE FROM notes WHERE scope = ? AND id = ?", scope, note_id))

    # --- outbox ------------------------------------------------------------------------------
    def outbox_add(self, scope: str, key: str, method: str, path: str, body: Any) -> None:
        """Write an action (committed before anything is sent)."""
        self._run(
            "INSERT INTO outbox (key, scope, method, path, body, created_at, attempts, state) "
            "VALUES (?, ?, ?, ?, ?, ?, 0, 'pending')",
            key,
            scope,
            method,
            path,
            None if body is None else json.dumps(body),
            dt.datetime.now(dt.UTC).isoformat(),
        )

    def outbox_rows(self, scope: str, state: str | None = "pending") -> list[OutboxRow]:
        """The actions of `scope` in the order they were written (one state, or all)."""
        sql = (
            "SELECT key, scope, method, path, body, created_at, attempts, last_error, state "
            "FROM outbox WHERE scope = ?"
        )
        params: tuple[object, ...] = (scope,)
        if state is not None:
            sql += " AND state = ?"
            params += (state,)
        with self._tx() as con:
            rows = con.execute(sql + " ORDER BY seq", params).fetchall()
        return [OutboxRow(*row[:4], *_outbox_values(row[4:])) for row in rows]

    def outbox_state(self, key: str) -> str | None:
        """The state of one action ("pending" / "failed"), or None once it is gone."""
        state = self._one("SELECT state FROM outbox WHERE key = ?", key)
        return None if state is None else str(state)

    def outbox_drop_pending(self, scope: str, path: str) -> int:
        """Drop the pending actions on `path` (a newer one replaces them); returns how many."""
        return self._run(
            "DELETE FROM outbox WHERE scope = ? AND path = ? AND state = 'pending'", scope, path
        )

    def outbox_count(self, scope: str, state: str = "pending") -> int:
        """How many actions of `scope` are in `state`."""
        sql = "SELECT count(*) FROM outbox WHERE scope = ? AND state = ?"
        return int(self._one(sql, scope, state) or 0)

    def outbox_attempted(self, key: str, error: str, state: str = "pending") -> None:
        """Record a failed attempt (and, for a refused action, the `failed` state)."""
        self._run(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, state = ? WHERE key = ?",
            error,
            state,
            key,
        )

    def outbox_retry(self, key: str) -> None:
        """Put a failed action back in the queue."""
        self._run("UPDATE outbox SET state = 'pending' WHERE key = ?", key)

    def outbox_remove(self, key: str) -> None:
        """Drop an action (the server applied it, or the user discarded it)."""
        self._run("DELETE FROM outbox WHERE key = ?", key)
