"""The outbox: every state-changing action is written to the local store first, then sent.

Each action keeps one Idempotency-Key for its whole life, so however often it is sent (a lost
answer, a crash between send and delete, a restart) the server applies it once (contract.md
Idempotency). Network trouble, 401 (session), 408, 429 and 5xx keep the action queued for the
next flush — `follow(events)` flushes whenever the event stream (re)connects, and
`flush_soon()` right after a service queued something. Other 4xx answers mean the server will
never accept it: the action is marked failed, `refused` tells the service that queued it (which
may resolve it, e.g. take the server's newer copy and discard the action), and what is still
failed after that is kept for the UI (`failed`).

The GUI thread never writes the store itself (desktop/store.py): `enqueue` gives the write to
the store's writer thread and returns the key at once; `add` (or `written(key)`) awaits the
commit, for a caller that must not say "done" before the action would survive a crash. Inside
a store job or `batch()` (a note and its PUT, a signed file's record and its action) the action
is written in that transaction. `flush` first waits for the writes given before it, and before
it returns for those its `sent` slots gave (a signed file forgotten once its action went).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import uuid
from collections.abc import Callable
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
        # key -> (path, its write): actions given to the writer thread, until it reports back
        self._writing: dict[str, tuple[str, concurrent.futures.Future[None]]] = {}
        self._announced = -1  # the count `pending_changed` said last

    def _in_flight(self) -> list[str]:
        """The paths of the actions whose write has not landed yet."""
        entries = list(self._writing.values())  # one copy: the writer thread may ask too
        return [path for path, done in entries if not done.done()]

    @property
    def pending(self) -> int:
        """How many actions wait to be sent (those still being written included)."""
        return self.store.outbox_count(self.scope) + len(self._in_flight())

    def rows(self, state: str | None = None) -> list[OutboxRow]:
        """The stored actions (all, or `"pending"` / `"failed"` ones) for the UI."""
        return self.store.outbox_rows(self.scope, state)

    def enqueue(
        self, method: str, path: str, body: object = None, *, supersede: bool = False
    ) -> str:
        """Queue an action; returns its idempotency key at once. Call `flush()` or
        `flush_soon()`; await `written(key)` before telling the user it is kept.

        `supersede` drops the pending actions on the same path first: for a PUT or DELETE of
        a whole resource only the last one matters (ten offline edits of a note send one PUT).
        """
        key = str(uuid.uuid4())

        def write() -> None:
            if supersede:
                self.store.outbox_drop_pending(self.scope, path)
            self.store.outbox_add(self.scope, key, method.upper(), path, body)

        if self.store.in_batch():  # the caller's transaction (a store job, or `batch()`)
            write()
            self._announce()
            return key
        done = self.store.submit(write)
        self._writing[key] = (path, done)
        self.store.when_done(done, lambda _: self._on_written(key))
        self._announce()
        return key

    async def add(
        self, method: str, path: str, body: object = None, *, supersede: bool = False
    ) -> str:
        """`enqueue`, durable when it returns (committed by the writer thread)."""
        key = self.enqueue(method, path, body, supersede=supersede)
        await self.written(key)
        return key

    async def written(self, key: str) -> None:
        """Wait until the action `key` is committed (raises the write's error)."""
        entry = self._writing.get(key)
        if entry is not None:
            await asyncio.wrap_future(entry[1])

    def _on_written(self, key: str) -> None:
        """On the GUI thread, after the writer thread committed (or failed) an action: the
        count, if that changed it (a landed action was counted already while in flight)."""
        entry = self._writing.pop(key, None)
        if entry is not None and entry[1].exception() is not None:
            log.error("outbox: action on %s not written: %r", entry[0], entry[1].exception())
        if self.pending != self._announced:
            self._announce()

    def _announce(self) -> None:
        self._announced = self.pending
        self.pending_changed.emit(self._announced)

    def pending_paths(self) -> set[str]:
        """The paths with an action not yet accepted (a service keeps its local copy of those)."""
        return {row.path for row in self.store.outbox_rows(self.scope)} | set(self._in_flight())

    async def flush(self) -> int:
        """Send pending actions in order; stops at the first that cannot go now. Returns sent."""
        async with self._lock:  # one flush at a time keeps the order
            await self.store.settled()  # the actions queued so far are in the file
            sent = 0
            for row in self.store.outbox_rows(self.scope):
                if self._in_flight():  # one given since may supersede this row: let it land
                    await self.store.settled()
                if self.store.outbox_state(row.key) != "pending":
                    continue  # superseded or discarded while earlier ones were sent
                try:
                    response = await self.api.request(
                        row.method, row.path, json_body=row.body, idempotency_key=row.key
                    )
                except HopDeskError as exc:
                    if retryable(exc):
                        log.info("outbox: %s %s stays queued: %r", row.method, row.path, exc)
                        await self._attempted(row.key, str(exc))
                        break
                    log.warning("outbox: server refused %s %s: %r", row.method, row.path, exc)
                    await self._attempted(row.key, str(exc), "failed")
                    if isinstance(exc, ApiError):
                        self.refused.emit(row.key, row.path, exc.problem)
                        await self.store.settled()  # what the sender resolved has landed
                    if self.store.outbox_state(row.key) == "failed":  # nobody resolved it
                        self.failed.emit(row)
                    continue
                await self.store.run(functools.partial(self.store.outbox_remove, row.key))
                sent += 1
                self.sent.emit(row.key, getattr(response, "body", response))
            await self.store.settled()  # what the `sent` slots gave the writer thread landed
            self._announce()
            return sent

    async def _attempted(self, key: str, error: str, state: str = "pending") -> None:
        await self.store.run(lambda: self.store.outbox_attempted(key, error, state))

    def retry(self, key: str) -> None:
        """Queue a failed action again (the user fixed what was wrong)."""
        self._change(lambda: self.store.outbox_retry(key))

    def discard(self, key: str) -> None:
        """Forget an action (the user gave it up)."""
        self._change(lambda: self.store.outbox_remove(key))

    def _change(self, write: Callable[[], None]) -> None:
        """`write` in the caller's transaction, else by the writer thread; then the count."""
        if self.store.in_batch():
            write()
            self._announce()
            return
        done = self.store.submit(write)
        self.store.when_done(done, lambda _: self._on_written(""))

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
