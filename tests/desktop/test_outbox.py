"""Outbox decisions without a server: what stays queued, what fails, order, one flush at a time."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal

from desktop.errors import ApiError, Problem, ServerUnreachable, SessionExpired
from desktop.outbox import Outbox, retryable
from desktop.store import LocalStore


@pytest.mark.parametrize(
    ("error", "again"),
    [
        (ServerUnreachable("http://x", "refused"), True),
        (SessionExpired(), True),
        (ApiError(Problem(429)), True),
        (ApiError(Problem(408)), True),
        (ApiError(Problem(401)), True),
        (ApiError(Problem(503)), True),
        (ApiError(Problem(404)), False),
        (ApiError(Problem(422)), False),
        (ApiError(Problem(403)), False),
    ],
)
def test_retryable(error: Exception, again: bool) -> None:
    assert retryable(error) is again  # type: ignore[arg-type]


class ScriptedApi:
    """Answers each request with the next scripted outcome (an exception or a body)."""

    def __init__(self, outcomes: list[Any]) -> None:
        self.outcomes = outcomes
        self.sent: list[tuple[str, str, Any, str | None]] = []

    async def request(
        self, method: str, path: str, *, json_body: Any = None, idempotency_key: str | None = None
    ) -> Any:
        self.sent.append((method, path, json_body, idempotency_key))
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


async def test_network_error_stops_the_flush_and_keeps_order(store: LocalStore) -> None:
    api = ScriptedApi([ServerUnreachable("http://x", "refused"), {"id": 1}, {"id": 2}])
    outbox = Outbox(store, api, scope="me@x")
    pending: list[int] = []
    outbox.pending_changed.connect(pending.append)
    first = outbox.enqueue("post", "/a", {"n": 1})
    second = outbox.enqueue("POST", "/b", {"n": 2})
    assert await outbox.flush() == 0
    assert [r.key for r in outbox.rows()] == [first, second]
    assert outbox.rows()[0].attempts == 1
    assert await outbox.flush() == 2
    assert [s[3] for s in api.sent] == [first, first, second]  # same key on the retry
    assert api.sent[0][0] == "POST"
    assert pending == [1, 2, 2, 0]


async def test_refused_action_is_kept_as_failed(store: LocalStore) -> None:
    api = ScriptedApi([ApiError(Problem(422, detail="bad")), {"id": 2}])
    outbox = Outbox(store, api, scope="me@x")
    failed: list[Any] = []
    outbox.failed.connect(failed.append)
    bad = outbox.enqueue("POST", "/a", {})
    outbox.enqueue("POST", "/b", {})
    assert await outbox.flush() == 1
    assert [r.key for r in outbox.rows("failed")] == [bad]
    assert failed[0].key == bad
    outbox.retry(bad)
    await store.settled()  # written by the store's thread
    assert outbox.pending == 1


def test_scopes_are_separate(store: LocalStore) -> None:
    mine = Outbox(store, ScriptedApi([]), scope="me@x")
    theirs = Outbox(store, ScriptedApi([]), scope="you@x")
    mine.enqueue("POST", "/a", {})
    assert mine.pending == 1
    assert theirs.pending == 0


class GatedApi(ScriptedApi):
    """Holds every request until `gate` opens (to pile up calls while one flush runs)."""

    def __init__(self, outcomes: list[Any]) -> None:
        super().__init__(outcomes)
        self.gate = asyncio.Event()
        self.held = asyncio.Event()  # a request waits at the gate

    async def request(
        self, method: str, path: str, *, json_body: Any = None, idempotency_key: str | None = None
    ) -> Any:
        self.held.set()
        await self.gate.wait()
        return await super().request(
            method, path, json_body=json_body, idempotency_key=idempotency_key
        )

    async def first_held(self) -> None:
        """Until a flush has its first request on the way (after the outbox's writes landed)."""
        await self.held.wait()


async def test_flush_soon_coalesces_and_sends_what_came_during_a_flush(store: LocalStore) -> None:
    api = GatedApi([{"n": 1}, {"n": 2}])
    outbox = Outbox(store, api, scope="me@x")
    outbox.enqueue("POST", "/a", {})
    outbox.flush_soon()
    await api.first_held()  # the flush is now waiting on the first request
    outbox.enqueue("POST", "/b", {})
    for _ in range(5):
        outbox.flush_soon()
    api.gate.set()
    await outbox.wait()
    assert [path for _m, path, _b, _k in api.sent] == ["/a", "/b"]  # each once
    assert outbox.pending == 0
    await outbox.close()


async def test_supersede_keeps_only_the_last_pending_action_on_a_path(store: LocalStore) -> None:
    outbox = Outbox(store, ScriptedApi([]), scope="me@x")
    outbox.enqueue("PUT", "/notes/1", {"text": "một"}, supersede=True)
    other = outbox.enqueue("PUT", "/notes/2", {"text": "khác"}, supersede=True)
    outbox.enqueue("POST", "/notes/1", {"x": 1})  # not superseding: kept
    last = outbox.enqueue("DELETE", "/notes/1", None, supersede=True)
    assert outbox.pending_paths() == {"/notes/1", "/notes/2"}  # while still being written
    await store.settled()
    assert [r.key for r in outbox.rows()] == [other, last]
    assert outbox.pending_paths() == {"/notes/1", "/notes/2"}


async def test_refused_tells_the_sender_who_may_resolve_it(store: LocalStore) -> None:
    problem = Problem(409, type="about:stale", extensions={"current": {"n": 2}})
    api = ScriptedApi([ApiError(problem), ApiError(Problem(422)), {"ok": True}])
    outbox = Outbox(store, api, scope="me@x")
    refused: list[tuple[str, str, Problem]] = []
    failed: list[Any] = []
    outbox.failed.connect(failed.append)

    def resolve(key: str, path: str, problem: Problem) -> None:
        refused.append((key, path, problem))
        if path == "/resolvable":
            outbox.discard(key)

    outbox.refused.connect(resolve)
    first = outbox.enqueue("PUT", "/resolvable", {})
    second = outbox.enqueue("PUT", "/other", {})
    outbox.enqueue("PUT", "/fine", {})
    assert await outbox.flush() == 1
    assert [(k, p) for k, p, _ in refused] == [(first, "/resolvable"), (second, "/other")]
    assert refused[0][2].extensions["current"] == {"n": 2}
    assert [row.key for row in failed] == [second]  # the resolved one is not shown as failed
    assert [r.key for r in outbox.rows(None)] == [second]


class Stream(QObject):
    state_changed = Signal(str)


async def test_follow_is_idempotent(store: LocalStore) -> None:
    api = ScriptedApi([{"n": 1}])
    outbox = Outbox(store, api, scope="me@x")
    stream = Stream()
    outbox.follow(stream)
    outbox.follow(stream)  # a second service on the same outbox and stream
    outbox.enqueue("POST", "/a", {})
    stream.state_changed.emit("connected")
    await outbox.wait()
    assert len(api.sent) == 1
    await outbox.close()


async def test_an_action_superseded_during_a_flush_is_not_sent(store: LocalStore) -> None:
    api = GatedApi([{"n": 1}, {"n": 3}, {"n": 4}])
    outbox = Outbox(store, api, scope="me@x")
    outbox.enqueue("PUT", "/notes/a", {"v": 1}, supersede=True)
    outbox.enqueue("PUT", "/notes/b", {"v": 1}, supersede=True)
    flushing = asyncio.ensure_future(outbox.flush())
    await api.first_held()  # "/notes/a" is on its way
    outbox.enqueue("PUT", "/notes/b", {"v": 2}, supersede=True)  # before "b" v1 went out
    api.gate.set()
    assert await flushing == 1
    assert await outbox.flush() == 1
    assert [(path, body) for _m, path, body, _k in api.sent] == [
        ("/notes/a", {"v": 1}),
        ("/notes/b", {"v": 2}),
    ]
