"""The event stream: a global, increasing `seq`, an audience per event, replay then live.

Writers call `emit()` inside their transaction (who may see the event is the caller's choice).
After commit the process's event bus (server/event_bus.py) reads each new event once and pushes
it to the connected streams of its audience; other processes sharing a PostgreSQL database are
woken by the NOTIFY sent in the same transaction. Everything is in the database, so a restart
loses nothing; a bounded window of events is kept, and a client asking from before it is told
to resynchronise instead of being given a gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ValidationError
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from server.access import authenticate, bearer_token, signed_in, token_digest
from server.event_bus import (
    CHANNEL,
    WS_AUTH_FAILED,
    DirectSocket,
    EventBus,
    EventOut,
    Grant,
    Stream,
    event_text,
    must_resync,
    window,
)
from server.inputs import Seq
from server.models import AccessToken, Event, EventAudience, User, utcnow
from server.problems import Problem
from server.unit_of_work import get_session

log = logging.getLogger(__name__)
router = APIRouter(tags=["events"])

_EMITTED = "events_emitted"
_ADVISORY_LOCK = 0x48_4F_50  # serialises event inserts on PostgreSQL so seq order = commit order
WS_BAD_REQUEST = 4400  # e.g. a token in the URL: a client bug, not worth a refresh
RESYNC = "stream.resync"
AUTH_WAIT = 10.0  # seconds a stream without an Authorization header has to send its token
_BATCH = 500


def emit(session: Session, type_: str, data: dict[str, Any], audience: Iterable[int]) -> Event:
    """Record an event for these users; it is delivered once the transaction commits."""
    bind = session.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        # Sequence values are taken before commit; without this lock a reader could see seq 8
        # committed before seq 7 and skip 7 for ever.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK})
    event = Event(type=type_, data=data)
    session.add(event)
    session.flush()
    # One multi-row INSERT in this transaction: an ORM object per reader cost ~25 ms for a
    # meeting of 200, on every change of the room.
    rows = [{"event_seq": event.seq, "user_id": u} for u in sorted(set(audience))]
    if rows:
        session.execute(insert(EventAudience), rows)
    if postgres:  # delivered at commit, to every process's listener (payload: the seq)
        session.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": str(event.seq)})
    session.info[_EMITTED] = True
    return event


def install_commit_hook(factory: sessionmaker[Session], bus: EventBus) -> None:
    """After any commit that emitted events, wake this process's reader at once."""
    from sqlalchemy import event as sa_event

    @sa_event.listens_for(factory, "after_commit")
    def _after_commit(session: Session) -> None:
        if session.info.pop(_EMITTED, False):
            bus.notify()


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


def resync_event(seq: int, oldest: int) -> EventOut:
    """The message telling a client its position is outside the window: reload, go on at seq."""
    return EventOut(seq=seq, type=RESYNC, at=utcnow(), data={"oldest_seq": oldest})


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
    kept = window(session)
    if must_resync(since, kept):
        return EventPage(events=[resync_event(kept[1], kept[0])], last_seq=kept[1])
    rows = events_for(session, user.id, since, limit)
    last = rows[-1].seq if rows else since
    return EventPage(
        events=[EventOut.model_validate(r, from_attributes=True) for r in rows], last_seq=last
    )


# --- WebSocket ------------------------------------------------------------------------------


class AuthMessage(BaseModel):
    """The first message of a stream opened without an Authorization header."""

    type: str
    access_token: str


def _grant(factory: sessionmaker[Session], token: str) -> Grant:
    """Check the token once, when the stream connects (a 401 Problem when it is not valid)."""
    with factory() as session:
        user = authenticate(session, token)
        row = session.get(AccessToken, token_digest(token))
        assert row is not None  # authenticate() found it
        return Grant(user.id, row.token_hash, row.expires_at)


Replayed = tuple[int, int] | list[tuple[int, str]]


def _replay(factory: sessionmaker[Session], user_id: int, since: int, first: bool) -> Replayed:
    """The next stored batch for this user, or (on the first call) the window when too old."""
    with factory() as session:
        if first:
            kept = window(session)
            if must_resync(since, kept):
                return kept
        return [(e.seq, event_text(e)) for e in events_for(session, user_id, since, _BATCH)]


async def websocket_token(websocket: WebSocket) -> str:
    """The access token: the Authorization header, else a first `{"type": "auth"}` message."""
    token = bearer_token(websocket.headers)
    if token:
        return token
    try:
        async with asyncio.timeout(AUTH_WAIT):
            raw = await websocket.receive_text()
        message = AuthMessage.model_validate_json(raw)
    except (TimeoutError, ValidationError, KeyError):
        return ""
    return message.access_token if message.type == "auth" else ""


@router.websocket("/events/ws")
async def events_ws(websocket: WebSocket, since: Annotated[Seq, Query()] = 0) -> None:
    """Replay every visible event after `since` (or say resync), then stream live ones."""
    factory: sessionmaker[Session] = websocket.app.state.sessions
    bus: EventBus = websocket.app.state.bus
    await websocket.accept()  # accept first: a close code (4401) needs an open socket
    if "access_token" in websocket.query_params:  # it would end up in proxy and access logs
        await websocket.close(WS_BAD_REQUEST, "token-in-url")
        return
    try:
        grant = await run_in_threadpool(_grant, factory, await websocket_token(websocket))
    except Problem as problem:
        await websocket.close(WS_AUTH_FAILED, problem.slug)
        return
    except WebSocketDisconnect:
        return
    stream = Stream(grant, bus.settings.max_pending, bus.settings.max_buffered)
    head = bus.subscribe(stream)
    gone = asyncio.create_task(_until_disconnect(websocket, stream), name="event-stream-receive")
    try:
        sent = await _send_replay(websocket, factory, grant.user_id, since, head)
        await _send_live(websocket, stream, sent, DirectSocket.of(websocket.scope))
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client went away mid-send
    finally:
        bus.unsubscribe(stream)
        gone.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await gone


async def _send_replay(
    websocket: WebSocket, factory: sessionmaker[Session], user_id: int, since: int, head: int
) -> int:
    """Send the stored events after `since` (or the resync message); returns the last seq."""
    first = True
    while True:
        batch = await run_in_threadpool(_replay, factory, user_id, since, first)
        if isinstance(batch, tuple):  # the window, `since` is outside it
            await websocket.send_text(resync_event(head, batch[0]).model_dump_json())
            return head
        first = False
        for seq, message in batch:
            await websocket.send_text(message)
            since = seq
        if len(batch) < _BATCH:
            return since


async def _send_live(
    websocket: WebSocket, stream: Stream, sent: int, direct: DirectSocket | None
) -> None:
    """Send pushed events newer than `sent` until the stream ends, then close with its code.

    Events queued during the replay go through ASGI; then (when the connection allows it) the
    bus writes the next ones straight to the connection and this task only waits for the end.
    """
    while direct is None or not stream.go_direct(direct, sent):
        batch = await stream.next_batch()
        if batch is None:
            break
        for seq, message in batch:
            if seq > sent:  # the replay already sent the overlap
                await websocket.send_text(message)
                sent = seq
    while await stream.next_batch() is not None:
        pass  # direct mode: nothing is queued any more, this waits for the end
    assert stream.ending is not None
    code, reason = stream.ending
    if code != 1000 and not stream.closed_directly:
        await websocket.close(code, reason)


async def _until_disconnect(websocket: WebSocket, stream: Stream) -> None:
    """Drain client messages (none are expected) until it disconnects, then end the stream."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
    stream.end(1000, "")
