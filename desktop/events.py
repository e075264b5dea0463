"""The event stream: one WebSocket per session (contract.md Events), resumable by sequence.

The stream connects with `since=<last seq>` (kept in the local store per user and server), so a
reconnect — after a network drop or a server restart — replays what was missed. Each sequence
number is delivered at most once per process (anything `<= last_seq` is dropped) and the
position is stored after delivery, so after a crash an event may come again but is never lost.
Close code 4401 means the access token expired: refresh it and reconnect at once. Other
failures reconnect with capped exponential backoff and jitter.

The server keeps a bounded window of events: when the stored position is outside it (a laptop
back after weeks, a recreated server database) the first message is `stream.resync` instead of
a replay with a hole. The stream then goes on from the position it names and emits
`resync_needed`, on which the list services reload everything from the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop.api import load_aiohttp
from desktop.domain import Event
from desktop.errors import HopDeskError, MalformedResponse, NotSignedIn, SessionExpired

if TYPE_CHECKING:
    import aiohttp

    from desktop.session import Session
    from desktop.store import LocalStore

log = logging.getLogger(__name__)

WS_AUTH_FAILED = 4401
RESYNC = "stream.resync"
CLOSE_TIMEOUT = 2.0
OFFLINE_AFTER = 3  # failed attempts in a row before "reconnecting" becomes "offline"


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Full-jitter exponential backoff: uniform in [base/2, min(cap, base * 2**attempt)]."""
    ceiling = min(cap, base * (2 ** min(attempt, 30)))
    return rng.uniform(min(base / 2, ceiling), ceiling)


class AuthRejected(Exception):
    """The server closed the stream with 4401."""


class EventStream(QObject):
    """Owns the WebSocket task; `close()` cancels and awaits it."""

    state_changed = Signal(str)  # "connected" | "reconnecting" | "offline"
    event_received = Signal(object)  # Event
    resync_needed = Signal()  # events were missed for good: reload the data from the server

    def __init__(
        self,
        session: Session,
        store: LocalStore,
        *,
        backoff: tuple[float, float] = (0.5, 30.0),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.store = store
        self.backoff = backoff
        self.state = "offline"
        self._key = f"events.last_seq:{session.scope}"
        self.last_seq: int = int(store.get(self._key, 0) or 0)
        self._task: asyncio.Task[None] | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._rng = random.Random()

    def start(self) -> None:
        """Connect in the background (needs the running loop)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="event-stream")

    async def close(self) -> None:
        """Stop for good: cancel the task, close the socket, state "offline"."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._close_ws()
        self._set_state("offline")

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            log.info("event stream %s (last seq %d)", state, self.last_seq)
            self.state_changed.emit(state)

    async def _close_ws(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None and not ws.closed:
            try:  # a hung server must not hold up sign-out or quitting
                await asyncio.wait_for(ws.close(), CLOSE_TIMEOUT)
            except TimeoutError:
                log.info("event stream did not close in time; dropped")

    async def _run(self) -> None:
        aiohttp = await load_aiohttp()
        failures = 0
        while True:
            try:
                await self._connect_and_read()
            except AuthRejected:
                try:
                    await self.session.refresh_access(self.session.access_token)
                    continue  # a fresh token: reconnect at once
                except SessionExpired:
                    await self._close_ws()
                    self._set_state("offline")  # the session signals signed_out
                    return
                except HopDeskError as exc:
                    log.info("token refresh failed: %r", exc)
            except NotSignedIn:
                self._set_state("offline")  # signed out under us: nothing to stream
                return
            except (HopDeskError, aiohttp.ClientError, TimeoutError, OSError) as exc:
                log.info("event stream lost: %r", exc)
            finally:
                await self._close_ws()
            # A connection that worked starts the backoff afresh.
            failures = 1 if self.state == "connected" else failures + 1
            self._set_state("offline" if failures >= OFFLINE_AFTER else "reconnecting")
            await asyncio.sleep(backoff_delay(failures - 1, *self.backoff, self._rng))

    async def _connect_and_read(self) -> None:
        aiohttp = await load_aiohttp()
        self._ws = ws = await self.session.api.ws_connect(
            "/events/ws", params={"since": self.last_seq}
        )
        self._set_state("connected")
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                self._deliver(message.data)
            elif message.type == aiohttp.WSMsgType.ERROR:
                raise ConnectionError(f"WebSocket error: {ws.exception()!r}")
        if ws.close_code == WS_AUTH_FAILED:
            raise AuthRejected()
        raise ConnectionError(f"WebSocket closed ({ws.close_code})")

    def _deliver(self, raw: str) -> None:
        try:
            event = Event.from_json(json.loads(raw))
        except (ValueError, MalformedResponse) as exc:
            log.warning("ignoring a malformed event: %r", exc)
            return
        if event.type == RESYNC:  # before the seq check: the new position may be lower
            log.info("event position %d outside the server's window; reloading", self.last_seq)
            self.last_seq = event.seq
            self.store.set_later(self._key, event.seq)
            self.resync_needed.emit()
            return
        if event.seq <= self.last_seq:
            return  # already delivered (a replay after a reconnect)
        self.last_seq = event.seq
        self.event_received.emit(event)
        self.store.set_later(self._key, event.seq)
