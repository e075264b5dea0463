"""The room relay: WebRTC signaling between the people of one online meeting (mesh calls).

`/api/v1/rooms/{name}` is a WebSocket. The client authenticates as on the event stream (an
`Authorization` header, else a first `{"type": "auth", "access_token": …}` message); the room
name is the `room` of a meeting whose media record is `{"kind": "room", …}`, and only that
meeting's chair, secretary, creator and invitees may enter. The server then sends `presence`
(your peer id, who is there), `join`/`leave` as people come and go, relays `offer`, `answer`,
`candidate` and `view` to the peer they name (rewriting `peer` to the sender), and pings: a
peer that sends nothing for two ping intervals is dropped and its leave announced. A message
that is too large, not JSON, of an unknown type or addressed to nobody is answered with an
`error` message and the connection goes on. Rooms live in this process's memory
(docs/contract.md, Rooms).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import Annotated, Literal

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from server.access import authenticate
from server.event_bus import WS_AUTH_FAILED
from server.events import WS_BAD_REQUEST, websocket_token
from server.models import Meeting, User
from server.problems import Problem

log = logging.getLogger(__name__)
router = APIRouter(tags=["rooms"])

MAX_MESSAGE = 64 * 1024  # bytes; an SDP with every candidate is ~5–10 KB
MAX_QUEUED = 256  # messages waiting for one slow peer before it is dropped
WS_FORBIDDEN = 4403
WS_NO_ROOM = 4404
WS_GONE = 4408  # no answer to two pings
WS_TOO_SLOW = 1013

PeerId = Annotated[str, Field(min_length=1, max_length=64)]


class _Relayed(BaseModel):
    peer: PeerId


class OfferIn(_Relayed):
    type: Literal["offer"]
    sdp: str


class AnswerIn(_Relayed):
    type: Literal["answer"]
    sdp: str


class CandidateIn(_Relayed):
    type: Literal["candidate"]
    candidate: str | None = None
    sdp_mid: str | None = None
    sdp_mline_index: int | None = None


class ViewIn(_Relayed):
    """How large the sender shows `peer`'s video (its largest tile's height in pixels, 0 not at
    all): `peer` sends at the size that needs (640×360 for a tile), more only when shown
    large."""

    type: Literal["view"]
    height: int = Field(ge=0, le=8192)


class PongIn(BaseModel):
    type: Literal["pong"]


class LeaveIn(BaseModel):
    type: Literal["leave"]


Incoming = Annotated[
    OfferIn | AnswerIn | CandidateIn | ViewIn | PongIn | LeaveIn, Field(discriminator="type")
]
_incoming: TypeAdapter[Incoming] = TypeAdapter(Incoming)
_KNOWN = {"offer", "answer", "candidate", "view", "pong", "leave"}
Relayed = OfferIn | AnswerIn | CandidateIn | ViewIn


class RelayError(Exception):
    """One unusable message: answered with `{"type": "error", "code", "detail"}`."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


def parse(raw: str | bytes) -> Relayed | PongIn | LeaveIn:
    """One client message, or `RelayError` saying what is wrong with it."""
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > MAX_MESSAGE:
        raise RelayError("too-large", f"{size} bytes, at most {MAX_MESSAGE}")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RelayError("bad-json", str(exc)) from exc
    kind = data.get("type") if isinstance(data, dict) else None
    if kind not in _KNOWN:
        raise RelayError("unknown-type", f"unknown message type {str(kind)[:40]!r}")
    try:
        return _incoming.validate_python(data)
    except ValidationError as exc:
        raise RelayError("bad-message", exc.errors()[0]["msg"]) from exc


@dataclass(eq=False)
class Member:
    """One connection in a room; everything it is sent goes through its queue."""

    peer: str
    user_id: int | None  # None for a browser guest (server/guests.py)
    display: str
    queue: asyncio.Queue[str | None] = field(default_factory=lambda: asyncio.Queue(MAX_QUEUED))
    dropped: bool = False

    def post(self, message: dict[str, object]) -> None:
        """Queue a message; a peer this far behind is dropped (its writer closes it)."""
        if self.dropped:
            return
        try:
            self.queue.put_nowait(json.dumps(message, ensure_ascii=False))
        except asyncio.QueueFull:
            self.dropped = True
            self.queue = asyncio.Queue(1)
            self.queue.put_nowait(None)


class RoomHub:
    """Every room of this process: who is in which, and relaying between them."""

    def __init__(self, ping_interval: float) -> None:
        self.ping_interval = ping_interval
        self._rooms: dict[str, dict[str, Member]] = {}

    def enter(self, room: str, member: Member) -> None:
        """Add a member: it gets the presence list, the others a `join`."""
        members = self._rooms.setdefault(room, {})
        others = [{"peer": m.peer, "display": m.display} for m in members.values()]
        member.post({"type": "presence", "you": member.peer, "peers": others})
        for other in members.values():
            other.post({"type": "join", "peer": member.peer, "display": member.display})
        members[member.peer] = member

    def leave(self, room: str, member: Member) -> None:
        """Remove a member (idempotent) and tell the others."""
        members = self._rooms.get(room, {})
        if members.pop(member.peer, None) is None:
            return
        for other in members.values():
            other.post({"type": "leave", "peer": member.peer})
        if not members:
            del self._rooms[room]

    def relay(self, room: str, sender: Member, message: Relayed) -> None:
        """Hand a message to the peer it names, as coming from `sender`."""
        target = self._rooms.get(room, {}).get(message.peer)
        if target is None or target is sender:
            raise RelayError("no-such-peer", f"no peer {message.peer!r} in this room")
        out = message.model_dump()
        out["peer"] = sender.peer
        target.post(out)

    def peers(self, room: str) -> list[str]:
        """Peer ids in a room (for tests and logs)."""
        return list(self._rooms.get(room, {}))


def meeting_of_room(session: Session, room: str) -> Meeting | None:
    """The online meeting whose media record names this relay room."""
    for meeting in session.scalars(select(Meeting).where(Meeting.online.is_(True))):
        media = meeting.media or {}
        if media.get("kind") == "room" and media.get("room") == room:
            return meeting
    return None


def _admit(factory: sessionmaker[Session], token: str, room: str) -> tuple[int, str]:
    """(user id, display name) of someone allowed in the room, else a Problem (401/403/404)."""
    with factory() as session:
        user: User = authenticate(session, token)
        meeting = meeting_of_room(session, room)
        if meeting is None:
            raise Problem(404, detail="No online meeting uses this room.", slug="no-room")
        allowed = {meeting.chair_id, meeting.secretary_id, meeting.created_by}
        allowed.update(a.user_id for a in meeting.attendances)
        if user.id not in allowed:
            raise Problem(403, detail="You are not invited to this meeting.", slug="not-invited")
        return user.id, user.full_name


_CLOSE_FOR_STATUS = {401: WS_AUTH_FAILED, 403: WS_FORBIDDEN, 404: WS_NO_ROOM}


@router.websocket("/rooms/{name}")
async def room_ws(websocket: WebSocket, name: str) -> None:
    """Admit, announce, then relay until the peer leaves, disconnects or stops answering."""
    factory: sessionmaker[Session] = websocket.app.state.sessions
    hub: RoomHub = websocket.app.state.rooms
    await websocket.accept()
    if "access_token" in websocket.query_params:  # it would end up in proxy and access logs
        await websocket.close(WS_BAD_REQUEST, "token-in-url")
        return
    try:
        token = await websocket_token(websocket)
        user_id, display = await run_in_threadpool(_admit, factory, token, name)
    except Problem as problem:
        await websocket.close(_CLOSE_FOR_STATUS.get(problem.status, WS_FORBIDDEN), problem.slug)
        return
    except WebSocketDisconnect:
        return
    await serve(websocket, hub, name, Member(secrets.token_urlsafe(9), user_id, display))


async def serve(websocket: WebSocket, hub: RoomHub, name: str, member: Member) -> None:
    """Announce an admitted member, then relay until it leaves, disconnects or stops answering
    (also for browser guests, server/guests.py)."""
    hub.enter(name, member)
    writer = asyncio.create_task(_write(websocket, member), name=f"room-writer-{member.peer}")
    try:
        code = await _read(websocket, hub, name, member)
    except (WebSocketDisconnect, RuntimeError):
        code = None  # gone mid-read
    finally:
        hub.leave(name, member)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await writer
    if code is not None:
        with contextlib.suppress(Exception):
            await websocket.close(code)


async def _write(websocket: WebSocket, member: Member) -> None:
    """Send the member's queue in order; a `None` (dropped as too slow) closes it."""
    while (text := await member.queue.get()) is not None:
        await websocket.send_text(text)
    await websocket.close(WS_TOO_SLOW, "too-slow")


async def _read(websocket: WebSocket, hub: RoomHub, room: str, member: Member) -> int | None:
    """Handle the member's messages; returns the close code to send (None: it is gone)."""
    pinged = False
    while True:
        try:
            async with asyncio.timeout(hub.ping_interval):
                message = await websocket.receive()
        except TimeoutError:
            if pinged:
                log.info("room %s: peer %s stopped answering", room, member.peer)
                return WS_GONE
            member.post({"type": "ping"})
            pinged = True
            continue
        if message["type"] == "websocket.disconnect":
            return None
        pinged = False
        raw = message.get("text")
        if raw is None:
            raw = message.get("bytes") or b""
        try:
            parsed = parse(raw)
            if isinstance(parsed, LeaveIn):
                return 1000
            if not isinstance(parsed, PongIn):
                hub.relay(room, member, parsed)
        except RelayError as exc:
            log.info("room %s: peer %s sent a bad message: %s", room, member.peer, exc.detail)
            member.post({"type": "error", "code": exc.code, "detail": exc.detail[:300]})
