"""The event stream: a global, increasing `seq`, an audience per event, replay then live.

Writers call `emit()` inside their transaction. Readers wake up from an in-process signal sent
after commit; events written by other server processes sharing the database arrive through
PostgreSQL LISTEN/NOTIFY, and on every engine through a short poll of `max(seq)` (the safety
net: a dropped listener connection or SQLite). Everything is in the DB, so restarts lose nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, WebSocket, WebSocketDisconnect
from pydantic import BaseModel
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from server.access import authenticate, bearer_token, signed_in
from server.inputs import Seq
from server.models import Event, EventAudience, User
from server.problems import Problem
from server.unit_of_work import get_session

log = logging.getLogger(__name__)
router = APIRouter(tags=["events"])

_EMITTED = "events_emitted"
CHANNEL = "hopdesk_events"
_ADVISORY_LOCK = 0x48_4F_50  # serialises event inserts on PostgreSQL so seq order = commit order
WS_AUTH_FAILED = 4401
_BATCH = 500


def emit(session: Session, type_: str, data: dict[str, Any], audience: Iterable[int]) -> Event:
    """Record an event for these users; it is delivered once the transaction commits."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        # Sequence values are taken before commit; without this lock a reader could see seq 8
        # committed before seq 7 and skip 7 for ever.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK})
    event = Event(type=type_, data=data)
    session.add(event)
    session.flush()
    session.add_all(EventAudience(event_seq=event.seq, user_id=u) for u in set(audience))
    if bind.dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {CHANNEL}"))  # delivered at commit, folded per transaction
    session.info[_EMITTED] = True
    return event


class EventOut(BaseModel):
    """`Event` of the contract."""

    seq: int
    type: str
    at: dt.datetime
    data: dict[str, Any]


def events_for(session: Session, user_id: int, since: int, limit: int) -> list[Event]:
    """Stored events with seq > since that this user may see, oldest first."""
    return list(
        session.scalars(
            select(Event)
            .join(EventAudience, EventAudience.event_seq == Event.seq)
            .where(EventAudience.user_id == user_id, Event.seq > since)
            .order_by(Event.seq)
            .limit(limit)
        )
    )


class EventHub:
    """Wakes every waiting stream when new events may exist."""

    def __init__(self, engine: Engine, factory: sessionmaker[Session], poll: float) -> None:
        self._engine = engine
        self._factory = factory
        self._poll = poll
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._last_seq = 0

    async def start(self) -> None:
        """Begin polling (and listening, on PostgreSQL); called from the app's lifespan."""
        self._loop = asyncio.get_running_loop()
        self._changed = asyncio.Event()
        self._tasks = [asyncio.create_task(self._watch(), name="event-hub-poll")]
        if self._engine.dialect.name == "postgresql":
            self._tasks.append(asyncio.create_task(self._listen(), name="event-hub-listen"))

    async def stop(self) -> None:
        """Cancel and await the poller and the listener."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    def notify(self) -> None:
        """Thread-safe: called after a commit that emitted events."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._pulse)

    def _pulse(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self) -> None:
        """Return on the next pulse (callers bound it with a timeout)."""
        await self._changed.wait()

    def _max_seq(self) -> int:
        with self._factory() as session:
            return session.scalar(select(func.max(Event.seq))) or 0

    async def _watch(self) -> None:
        while True:
            try:
                seq = await run_in_threadpool(self._max_seq)
                if seq != self._last_seq:
                    self._last_seq = seq
                    self._pulse()
            except Exception:  # a DB hiccup must not stop the stream; try again soon
                log.exception("event poll failed")
            await asyncio.sleep(self._poll)

    async def _listen(self) -> None:
        """PostgreSQL LISTEN: other processes' commits wake us within milliseconds."""
        import psycopg

        dsn = self._engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._pulse()  # anything committed while we were not listening
                    async for _notify in conn.notifies():
                        self._pulse()
            except asyncio.CancelledError:
                raise
            except Exception:  # the poll keeps events flowing; reconnect after a pause
                log.warning("event listener lost its connection; retrying", exc_info=True)
                await asyncio.sleep(max(self._poll, 1.0))


def install_commit_hook(factory: sessionmaker[Session], hub: EventHub) -> None:
    """After any commit that emitted events, wake the streams at once (no poll delay)."""
    from sqlalchemy import event as sa_event

    @sa_event.listens_for(factory, "after_commit")
    def _after_commit(session: Session) -> None:
        if session.info.pop(_EMITTED, False):
            hub.notify()


class EventPage(BaseModel):
    """Body of `GET /events`."""

    events: list[EventOut]
    last_seq: int


@router.get("/events", response_model=EventPage)
def list_events(
    user: Annotated[User, Depends(signed_in)],
    session: Annotated[Session, Depends(get_session)],
    since: Annotated[Seq, Query()] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> EventPage:
    """HTTP catch-up: `last_seq` is where the next call (or the WebSocket) should resume."""
    rows = events_for(session, user.id, since, limit)
    last = rows[-1].seq if rows else since
    return EventPage(
        events=[EventOut.model_validate(r, from_attributes=True) for r in rows], last_seq=last
    )


def _ws_fetch(factory: sessionmaker[Session], token: str, since: int) -> list[dict[str, Any]]:
    """Re-check the token each round (4401 on expiry), then read the next batch."""
    with factory() as session:
        user = authenticate(session, token)
        rows = events_for(session, user.id, since, _BATCH)
        return [
            EventOut.model_validate(r, from_attributes=True).model_dump(mode="json") for r in rows
        ]


@router.websocket("/events/ws")
async def events_ws(
    websocket: WebSocket,
    since: Annotated[Seq, Query()] = 0,
    access_token: Annotated[str | None, Query()] = None,
) -> None:
    """Replay every visible event after `since`, then stream live ones."""
    factory: sessionmaker[Session] = websocket.app.state.sessions
    hub: EventHub = websocket.app.state.hub
    token = bearer_token(websocket.headers, access_token)
    await websocket.accept()  # accept first: a close code (4401) needs an open socket
    gone = asyncio.create_task(_until_disconnect(websocket))
    try:
        while not gone.done():
            try:
                batch = await run_in_threadpool(_ws_fetch, factory, token, since)
            except Problem as problem:
                await websocket.close(WS_AUTH_FAILED, problem.slug)
                return
            for item in batch:
                await websocket.send_json(item)
                since = item["seq"]
            if len(batch) < _BATCH:
                waiter = asyncio.create_task(hub.wait())
                await asyncio.wait({waiter, gone}, timeout=5.0, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client went away mid-send
    finally:
        gone.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await gone


async def _until_disconnect(websocket: WebSocket) -> None:
    """Drain client messages (none are expected) until it disconnects."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
