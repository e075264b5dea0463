"""The outbox: every state-changing action is written to the local store first, then sent.

Each action keeps one Idempotency-Key for its whole life, so however often it is sent (a lost
answer, a crash between send and delete, a restart) the server applies it once (contract.md
Idempotency). Network trouble, 401 (session), 408, 429 and 5xx keep the action queued for the
next flush — `follow(events)` flushes whenever the event stream (re)connects. Other 4xx
answers mean the server will never accept it: the action is marked failed and kept for the UI.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.errors import ApiError, HopDeskError
from desktop.store import LocalStore, OutboxRow

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
    failed = Signal(object)  # OutboxRow the server refused for good
    sent = Signal(str, object)  # key, the server's answer body

    def __init__(
        self,
        store: LocalStore,
        api: Any,
        scope: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.api = api
        self.scope = scope if scope is not None else str(getattr(api.tokens, "scope", ""))
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    @property
    def pending(self) -> int:
        """How many actions wait to be sent."""
        return self.store.outbox_count(self.scope)

    def rows(self, state: str | None = None) -> list[OutboxRow]:
        """The stored actions (all, or `"pending"` / `"failed"` ones) for the UI."""
        return self.store.outbox_rows(self.scope, state)

    def enqueue(self, method: str, path: str, body: object = None) -> str:
        """Write an action; returns its idempotency key. Call `flush()` to send it."""
        key = str(uuid.uuid4())
        self.store.outbox_add(self.scope, key, method.upper(), path, body)
        self.pending_changed.emit(self.pending)
        return key

    async def flush(self) -> int:
        """Send pending actions in order; stops at the first that cannot go now. Returns sent."""
        async with self._lock:  # one flush at a time keeps the order
            sent = 0
            for row in self.store.outbox_rows(self.scope):
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

    def follow(self, events: Any) -> None:
        """Flush every time the event stream (re)connects: the server is back."""
        events.state_changed.connect(self._on_state)

    def _on_state(self, state: str) -> None:
        if state == "connected" and (self._task is None or self._task.done()):
            self._task = asyncio.get_running_loop().create_task(self._flush_quietly())

    async def _flush_quietly(self) -> None:
        try:
            await self.flush()
        except HopDeskError:
            log.warning("outbox flush failed", exc_info=True)

    async def close(self) -> None:
        """Cancel and await the background flush."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
