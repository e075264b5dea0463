"""Event stream pieces without a server: backoff, exactly-once delivery, owned tasks."""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from desktop.errors import NotSignedIn, ServerUnreachable
from desktop.events import EventStream, backoff_delay
from desktop.store import LocalStore
from desktop.watchdog import StallWatchdog
from tests.ui.conftest import until


class FakeStore:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value

    set_later = set


class UnreachableApi:
    def __init__(self) -> None:
        self.attempts = 0

    async def ws_connect(self, path: str, params: Any = None) -> Any:
        self.attempts += 1
        raise ServerUnreachable("http://x", "Connection refused")


class FakeSession:
    scope = "giamdoc@http://x"
    access_token = "t"

    def __init__(self) -> None:
        self.api = UnreachableApi()


def test_backoff_grows_to_the_cap_with_jitter() -> None:
    rng = random.Random(1)
    delays = [backoff_delay(n, 0.5, 30.0, rng) for n in range(12)]
    assert all(0.25 <= d <= 30.0 for d in delays)
    assert max(backoff_delay(20, 0.5, 30.0, rng) for _ in range(50)) <= 30.0
    assert backoff_delay(0, 0.5, 30.0, rng) <= 0.5
    assert len({round(backoff_delay(8, 0.5, 30.0, rng), 6) for _ in range(20)}) > 1


def test_each_seq_is_delivered_once_and_stored() -> None:
    store = FakeStore()
    store.values["events.last_seq:giamdoc@http://x"] = 3
    stream = EventStream(FakeSession(), store)
    seen: list[int] = []
    stream.event_received.connect(lambda e: seen.append(e.seq))
    for seq in (2, 3, 4, 4, 6, 5, 7):
        stream._deliver(json.dumps({"seq": seq, "type": "x", "at": None, "data": {}}))
    stream._deliver("not json")
    stream._deliver(json.dumps({"seq": "eight"}))
    assert seen == [4, 6, 7]
    assert store.values["events.last_seq:giamdoc@http://x"] == 7


def test_resync_moves_the_position_and_asks_for_a_reload() -> None:
    """`stream.resync` is not an event: it sets the position (also a lower one, e.g. after the
    server's database was recreated) and emits `resync_needed`; later events go on from it."""
    store = FakeStore()
    key = "events.last_seq:giamdoc@http://x"
    store.values[key] = 90
    stream = EventStream(FakeSession(), store)
    seen: list[int] = []
    reloads: list[bool] = []
    stream.event_received.connect(lambda e: seen.append(e.seq))
    stream.resync_needed.connect(lambda: reloads.append(True))
    resync = {"seq": 40, "type": "stream.resync", "at": None, "data": {"oldest_seq": 30}}
    stream._deliver(json.dumps(resync))
    assert (reloads, seen, stream.last_seq, store.values[key]) == ([True], [], 40, 40)
    for seq in (40, 41):
        stream._deliver(json.dumps({"seq": seq, "type": "x", "at": None, "data": {}}))
    assert seen == [41]


async def test_reconnects_with_backoff_and_close_cancels() -> None:
    session = FakeSession()
    stream = EventStream(session, FakeStore(), backoff=(0.01, 0.02))
    states: list[str] = []
    stream.state_changed.connect(states.append)
    stream.start()
    await until(lambda: session.api.attempts >= 3 and "offline" in states)
    assert states[:2] == ["reconnecting", "offline"]
    task = stream._task
    await stream.close()
    assert task is not None
    assert task.cancelled()  # ended by close(), not by itself
    assert stream.state == "offline"


class SignedOutSession(FakeSession):
    @property
    def api(self) -> Any:
        raise NotSignedIn()

    @api.setter
    def api(self, _value: Any) -> None:
        pass


async def test_stream_stops_when_signed_out() -> None:
    stream = EventStream(SignedOutSession(), FakeStore(), backoff=(0.01, 0.02))
    stream.start()
    task = stream._task
    assert task is not None
    await asyncio.wait_for(asyncio.shield(task), 10)  # ends by itself: nobody to stream for
    assert stream.state == "offline"
    await stream.close()


def test_events_arrive_while_another_process_holds_the_cache_s_write_lock(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """The position was written with `set` at every event: with another process (a second
    HopDesk on the profile, a backup tool) holding the cache's write lock, each event cost the
    GUI thread the 20 ms lock wait and then failed. Now the store's writer thread waits."""
    path = tmp_path / "cache.db"
    store = LocalStore(path)
    store.open()
    key = "events.last_seq:giamdoc@http://x"
    stream = EventStream(FakeSession(), store)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the write lock, as another process holds it
    watchdog = StallWatchdog(50.0)
    watchdog.start()
    try:
        delivered: list[bool] = []

        def deliver_all() -> None:
            for seq in range(1, 101):
                stream._deliver(json.dumps({"seq": seq, "type": "x", "at": None, "data": {}}))
            delivered.append(True)

        QTimer.singleShot(0, deliver_all)
        qtbot.waitUntil(lambda: bool(delivered))
        qtbot.wait(20)  # one more heartbeat after the deliveries: a stall is logged at it
        assert store.get(key) == 100
        assert other.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone() is None
    finally:
        watchdog.stop()
        other.execute("COMMIT")
        other.close()
    in_store = [s for s in watchdog.stalls if "store.py" in s.stack]
    assert not in_store, in_store[0].stack
    written = sqlite3.connect(path)
    try:
        qtbot.waitUntil(
            lambda: (
                written.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone() == ("100",)
            )
        )
    finally:
        written.close()
    store.close()
    reopened = LocalStore(path)
    reopened.open()
    assert EventStream(FakeSession(), reopened).last_seq == 100
    reopened.close()
