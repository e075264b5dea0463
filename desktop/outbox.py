"""The outbox: every state-changing action is written to the local store first, then sent.

Each action keeps one Idempotency-Key for its whole life, so however often it is sent (a lost
answer, a crash between send and delete, a restart) the server applies it once (contract.md
Idempotency). Network trouble, 401 (session), 408, 429 and 5xx keep the action queued for the
next flush — `follow(events)` flushes whenever the event stream (re)connects, and
`flush_soon()` right after a service queued something. Other 4xx answers mean the server will
never accept it: the action is marked failed, `refused` tells the service that queued it (which
may resolve it, e.g. take the server's newer copy and discard the action), and what is still
failed after that is kept for the UI (`failed`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop.errors import ApiError, HopDeskError
from desktop.refresher import Refresher
from desktop.store import LocalStore, OutboxRow

if TYPE_CHECKING:
    from desktop.api import ApiClient
    from desktop.events import EventStream

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({401, 408, 429})


def retryable(exc: HopDeskError) -> bool:
    """Whether sending again later may succeed."""
    if isinstance(exc, ApiError):
        return exc.status in RETRYABLE_STATUSES or exc.status >= 500
    return True  # unreachable, TLS, session expired: fixable outside the action itself


class Outbox(QObject):
    """Queued actions of one user on one server."""

    pending_changed = Signal(int)  # actions not yet accepted (failed ones not counted)
    failed = Signal(object)  # OutboxRow the server refused for good (and nobody resolved)
    refused = Signal(str, str, object)  # key, path, Problem: the server refused it for good
    sent = Signal(str, object)  # key, the server's answer body

    def __init__(
        self,
        store: LocalStore,
        api: ApiClient,
        scope: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.api = api
        self.scope = scope if scope is not None else str(getattr(api.tokens, "scope", ""))
        self._lock = asyncio.Lock()
        self._flusher = Refresher(self.flush, "outbox flush")
        self._followed: list[EventStream] = []

    @property
    def pending(self) -> int:
        """How many actions wait to be sent."""
        return self.store.outbox_count(self.scope)

    def rows(self, state: str | None = None) -> list[OutboxRow]:
        """The stored actions (all, or `"pending"` / `"failed"` ones) for the UI."""
        return self.store.outbox_rows(self.scope, state)

    def enqueue(
        self, method: str, path: str, body: object = None, *, supersede: bool = False
    ) -> str:
        """Write an action; returns its idempotency key. Call `flush()` or `flush_soon()`.

        `supersede` drops the pending actions on the same path first: for a PUT or DELETE of
        a whole resource only the last one matters (ten offline edits of a note send one PUT).
        """
        key = str(uuid.uuid4())
        with self.store.batch():
            if supersede:
                self.store.outbox_drop_pending(self.scope, path)
            self.store.outbox_add(self.scope, key, method.upper(), path, body)
        self.pending_changed.emit(self.pending)
        return key

    def pending_paths(self) -> set[str]:
        """The paths with an action not yet accepted (a service keeps its local copy of those)."""
        return {row.path for row in self.store.outbox_rows(self.scope)}

    async def flush(self) -> int:
        """Send pending actions in order; stops at the first that cannot go now. Returns sent."""
        async with self._lock:  # one flush at a time keeps the order
            sent = 0
            for row in self.store.outbox_rows(self.scope):
                if self.store.outbox_state(row.key) != "pending":
                    continue  # superseded or discarded while earlier ones were sent
                try:
                    response = await self.api.request(
                        row.method, row.path, json_body=row.body, idempotency_key=row.key
                    )
                except HopDeskError as exc:
                    if retryable(exc):
                        log.info("outbox: %s %s stays queued: %r", row.method, row.path, exc)
                        self.store.outbox_attempted(row.key, str(exc))
                        break
                    log.warning("outbox: server refused %s %s: %r", row.method, row.path, exc)
                    self.store.outbox_attempted(row.key, str(exc), state="failed")
                    if isinstance(exc, ApiError):
                        self.refused.emit(row.key, row.path, exc.problem)
                    if self.store.outbox_state(row.key) == "failed":  # nobody resolved it
                        self.failed.emit(row)
                    continue
                self.store.outbox_remove(row.key)
                sent += 1
                self.sent.emit(row.key, getattr(response, "body", response))
            self.pending_changed.emit(self.pending)
            return sent

    def retry(self, key: str) -> None:
        """Queue a failed action again (the user fixed what was wrong)."""
        self.store.outbox_retry(key)
        self.pending_changed.emit(self.pending)

    def discard(self, key: str) -> None:
        """Forget an action (the user gave it up)."""
        self.store.outbox_remove(key)
        self.pending_changed.emit(self.pending)

    def flush_soon(self) -> None:
        """Flush in the background (an owned task); calls while one runs add one more flush."""
        self._flusher.schedule()

    async def wait(self) -> None:
        """Wait until the background flushes are done (tests, shutdown)."""
        await self._flusher.wait()

    def follow(self, events: EventStream) -> None:
        """Flush every time the event stream (re)connects: the server is back. Idempotent, so
        every service using this outbox may call it."""
        if any(known is events for known in self._followed):
            return
        self._followed.append(events)
        events.state_changed.connect(self._on_state)

    def _on_state(self, state: str) -> None:
        if state == "connected":
            self.flush_soon()

    async def close(self) -> None:
        """Cancel and await the background flush."""
        await self._flusher.close()
