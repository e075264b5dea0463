"""Outbox decisions without a server: what stays queued, what fails, order, one flush at a time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    local = LocalStore(tmp_path / "cache.db")
    local.open()
    yield local
    local.close()


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
    assert outbox.pending == 1


def test_scopes_are_separate(store: LocalStore) -> None:
    mine = Outbox(store, ScriptedApi([]), scope="me@x")
    theirs = Outbox(store, ScriptedApi([]), scope="you@x")
    mine.enqueue("POST", "/a", {})
    assert mine.pending == 1
    assert theirs.pending == 0
