"""LocalStore: migrations, key/value, cached lists, outbox rows, corrupt files moved aside."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from desktop.store import (
    BUSY_TIMEOUT_MS,
    GUI_BUSY_TIMEOUT_MS,
    HEAD_REVISION,
    MIGRATIONS,
    LocalStore,
    damage,
)
from tests.fixtures.store_lock import locked_elsewhere


def test_head_revision_constant_matches_the_migrations() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


def test_key_value(store: LocalStore) -> None:
    assert store.get("missing", 7) == 7
    store.set("account", {"server": "https://x", "username": "giamdoc"})
    assert store.get("account") == {"server": "https://x", "username": "giamdoc"}
    store.set("account", None)
    assert store.get("account") is None


def test_cached_lists_keep_order_and_scope(store: LocalStore) -> None:
    store.save_meetings("a@x", [{"id": 3}, {"id": 1}])
    store.save_meetings("b@x", [{"id": 9}])
    assert store.load_meetings("a@x") == [{"id": 3}, {"id": 1}]
    store.save_meetings("a@x", [{"id": 1}])
    assert store.load_meetings("a@x") == [{"id": 1}]
    store.save_documents("a@x", "inbox", [{"id": 5}])
    store.save_documents("a@x", "all", [{"id": 5}, {"id": 6}])
    assert store.load_documents("a@x", "inbox") == [{"id": 5}]
    assert store.load_documents("a@x", "all") == [{"id": 5}, {"id": 6}]
    assert store.load_documents("b@x", "all") == []


def test_outbox_rows(store: LocalStore) -> None:
    store.outbox_add("a@x", "k1", "POST", "/p", {"text": "một"})
    store.outbox_add("a@x", "k2", "DELETE", "/q", None)
    store.outbox_add("b@x", "k3", "POST", "/p", {})
    assert [r.key for r in store.outbox_rows("a@x")] == ["k1", "k2"]
    store.outbox_attempted("k1", "offline")
    store.outbox_attempted("k2", "404", state="failed")
    first = store.outbox_rows("a@x")[0]
    assert (first.attempts, first.last_error, first.body) == (1, "offline", {"text": "một"})
    assert store.outbox_count("a@x") == 1
    assert [r.key for r in store.outbox_rows("a@x", "failed")] == ["k2"]
    store.outbox_retry("k2")
    assert store.outbox_count("a@x") == 2
    store.outbox_remove("k1")
    assert [r.key for r in store.outbox_rows("a@x", None)] == ["k2"]


def test_reopen_keeps_data(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "cache.db")
    store.open()
    store.set("x", 1)
    store.close()
    assert store.open() is False
    assert store.get("x") == 1
    store.close()


def corrupt_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("cache.db.corrupt-*"))


def test_not_a_database_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    store = LocalStore(path)
    assert store.open() is True
    [aside] = corrupt_files(tmp_path)
    assert aside.read_bytes().startswith(b"this is not sqlite")
    store.set("fresh", True)
    assert store.get("fresh") is True
    store.close()
    assert store.open() is False  # told once
    store.close()


def test_damage_after_an_unclean_shutdown_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    store = LocalStore(path)
    store.open()
    store.save_meetings("a@x", [{"id": i, "title": "x" * 500} for i in range(200)])
    store.close()
    store.marker.touch()  # as if the app had died with the cache open
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data) - page, page):  # scribble over interior pages
        data[offset + 10 : offset + 200] = b"\xff" * 190
    path.write_bytes(bytes(data))
    assert damage(path) is not None
    assert store.open() is True
    assert store.checked
    assert len(corrupt_files(tmp_path)) == 1
    assert store.load_meetings("a@x") == []
    store.close()


def test_the_whole_file_is_read_only_after_an_unclean_shutdown(tmp_path: Path) -> None:
    """Reading every page at each start cost start-up time for nothing after a clean exit."""
    store = LocalStore(tmp_path / "cache.db")
    assert store.open() is False
    assert store.marker.exists()
    store.close()
    assert not store.marker.exists()
    assert store.open() is False
    assert not store.checked  # closed cleanly: header only
    # The process dies here: close() never runs.
    again = LocalStore(tmp_path / "cache.db")
    assert again.open() is False
    assert again.checked  # quick_check after the crash
    again.close()
    store.close()


def busy_timeout(store: LocalStore) -> int:
    with store._tx() as conn:
        return int(conn.execute("PRAGMA busy_timeout").fetchone()[0])


def test_the_gui_thread_never_waits_long_for_a_lock(tmp_path: Path) -> None:
    """Another process holding the write lock stalled the GUI thread for up to 2 s per call:
    the GUI thread gives up after GUI_BUSY_TIMEOUT_MS, other threads still wait their turn."""
    path = tmp_path / "cache.db"
    store = LocalStore(path)
    store.open()
    assert busy_timeout(store) == GUI_BUSY_TIMEOUT_MS
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(busy_timeout, store).result() == BUSY_TIMEOUT_MS

        other = sqlite3.connect(path, isolation_level=None)  # another process's connection
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                store.set("x", 1)
            waiting = pool.submit(store.set, "y", 2)  # waits for the lock
            assert not waiting.done()
        finally:
            other.execute("COMMIT")
            other.close()
        waiting.result(timeout=10)
    assert store.get("y") == 2
    assert store.get("x") is None
    store.close()


def test_the_gui_thread_waits_its_turn_behind_this_process_s_own_writes(tmp_path: Path) -> None:
    """A transaction of another thread of this process (the writer thread, slow on a loaded
    machine) holds the file longer than the GUI thread's 20 ms: the GUI thread's write waits
    for it instead of failing with "database is locked" (the flaky inbox index errors)."""
    store = LocalStore(tmp_path / "cache.db")
    store.open()
    inside = threading.Event()

    def slow_transaction() -> None:
        with store.transaction() as con:
            con.execute("INSERT INTO kv (key, value) VALUES ('slow', '1')")
            inside.set()
            time.sleep(10 * GUI_BUSY_TIMEOUT_MS / 1000)  # descheduled while holding the lock

    with ThreadPoolExecutor(1) as pool:
        done = pool.submit(slow_transaction)
        assert inside.wait(10)
        store.set("x", 1)  # before: sqlite3.OperationalError: database is locked
        done.result(timeout=10)
    assert store.get("x") == 1
    assert store.get("slow") == 1
    store.close()


def test_set_later_is_read_back_at_once_and_kept_across_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    store = LocalStore(path)
    store.open()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the writer thread must wait: nothing reaches the file
    try:
        for seq in range(1, 50):
            store.set_later("position", seq)
        store.set_later("gone", {"a": 1})
        store.set_later("gone", None)
        assert store.get("position") == 49
        assert store.get("gone", "default") == "default"
        assert other.execute("SELECT count(*) FROM kv").fetchone() == (0,)
    finally:
        other.execute("COMMIT")
        other.close()
    store.close()  # waits for the writer
    reopened = LocalStore(path)
    reopened.open()
    assert reopened.get("position") == 49
    assert reopened.get("gone") is None
    reopened.close()


def test_empty_file_is_just_new(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    path.touch()
    store = LocalStore(path)
    assert store.open() is False
    store.close()


def test_notes_rows(store: LocalStore) -> None:
    note = {"id": "n1", "target": "t", "page": 2, "kind": "text", "text": "một"}
    store.put_note("a@x", note)
    store.put_note("a@x", {**note, "id": "n0", "page": 1})
    store.put_note("b@x", {**note, "id": "n9"})
    assert [n["id"] for n in store.notes_of("a@x", "t")] == ["n0", "n1"]  # page order
    store.put_note("a@x", {**note, "text": "hai"})
    assert store.note("a@x", "n1") == {**note, "text": "hai"}
    assert store.note("b@x", "n1") is None
    assert store.delete_note("a@x", "n1") is True
    assert store.delete_note("a@x", "n1") is False
    assert [n["id"] for n in store.notes_of("a@x", "t")] == ["n0"]


def test_batch_is_all_or_nothing(store: LocalStore) -> None:
    def half_done() -> None:
        with store.batch():
            store.set("a", 1)
            store.outbox_add("a@x", "k1", "PUT", "/notes/1", {})
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        half_done()
    assert store.get("a") is None
    assert store.outbox_rows("a@x") == []
    with store.batch():
        store.set("a", 1)
        with store.batch():  # nested: joins the outer one
            store.outbox_add("a@x", "k1", "PUT", "/notes/1", {})
    assert store.get("a") == 1
    assert store.outbox_state("k1") == "pending"


def test_a_0001_cache_is_upgraded_keeping_its_outbox(tmp_path: Path) -> None:
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    path = tmp_path / "old.db"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(
            sa.text(
                "INSERT INTO outbox (key, scope, method, path, created_at, attempts, state) "
                "VALUES ('k', 'a@x', 'POST', '/p', '2026-01-01T00:00:00+00:00', 0, 'pending')"
            )
        )
    engine.dispose()
    local = LocalStore(path)
    assert local.open() is False
    assert [r.key for r in local.outbox_rows("a@x")] == ["k"]
    local.put_note("a@x", {"id": "n", "target": "t", "page": 0})
    assert local.note("a@x", "n") is not None
    local.close()


class NoServer:
    """The outbox's API for a test that never flushes."""

    async def request(self, *_args: object, **_kwargs: object) -> None:
        raise AssertionError("nothing is sent in this test")


async def test_writes_wait_for_another_process_s_lock_off_the_gui_thread(tmp_path: Path) -> None:
    """Another process holds the write lock: the cached lists, the inbox index and an outbox
    action are given to the store's writer thread, the GUI thread's loop never stalls over 50 ms
    (a timer-gap probe), and they land when the lock goes; the outbox action is durable only
    then (before: each write raised "database is locked" on the GUI thread after 20 ms)."""
    from desktop.inbox_index import InboxIndex
    from desktop.outbox import Outbox

    path = tmp_path / "cache.db"
    store = LocalStore(path)
    store.open()
    outbox = Outbox(store, NoServer(), scope="me@x")  # type: ignore[arg-type]
    index = InboxIndex(store, "me@x")
    async with locked_elsewhere(path) as lock:
        started = time.monotonic()
        store.write_later(lambda: store.save_meetings("me@x", [{"id": 7}]), "meetings")
        indexing = asyncio.ensure_future(
            store.run(lambda: index.replace([{"id": 1, "summary": "Tờ trình"}], [], []))
        )
        key = outbox.enqueue("POST", "/documents/1/comments", {"text": "đã xem"})
        durable = asyncio.ensure_future(outbox.written(key))
        store.set_later("position", 42)
        assert time.monotonic() - started < 0.05  # handed over, not waited for
        await lock.hold()
        assert not durable.done()
        assert not indexing.done()
        assert outbox.pending == 1
        assert outbox.pending_paths() == {"/documents/1/comments"}
        assert store.get("position") == 42  # answered from memory meanwhile
    await asyncio.wait_for(asyncio.gather(durable, indexing), 10)
    await store.settled()
    assert [row.key for row in outbox.rows()] == [key]
    assert store.load_meetings("me@x") == [{"id": 7}]
    assert index.counts()["waiting"] == 1
    lock.assert_loop_kept_turning()
    store.close()
    reopened = LocalStore(path)  # and they are in the file
    reopened.open()
    assert [row.key for row in reopened.outbox_rows("me@x")] == [key]
    assert reopened.get("position") == 42
    reopened.close()
