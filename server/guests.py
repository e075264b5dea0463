"""Browser guests: a one-time link lets someone without HopDesk join an online meeting held on
the room relay (server/rooms.py) or on a Janus VideoRoom (server/guest_janus.py) from a browser,
with the browser's own WebRTC.

The chair or secretary makes a link (`POST /meetings/{id}/guest-invites`, a name to show for the
guest); the server keeps only the token's digest. The link is `/guest#{token}`: a fragment never
leaves the browser, so the token reaches no proxy, access log or Referer. `GET /guest` serves a
small static page (`guest_page/`), whose script reads the token from the fragment, opens the
WebSocket `/api/v1/guest-room` and sends `{"type": "auth", "guest_token": …}` first (a browser
cannot set headers on a WebSocket), then speaks the room relay's messages. The token is spent at
that moment, so a link preview that only fetches the page does not use it up. The first message
back is `{"type": "ice", "ice_servers": […]}` (the server's `--guest-ice-server`s, TURN
included), then, on the room relay, the relay's `presence`; on Janus, `{"type": "janus"}` and
from then on Janus' own messages, which the server passes to and from the meeting's Janus only
as far as a participant of that one room needs (server/guest_janus.py). A spent, expired or
unknown token is refused with 4401, like a bad access token.

A confidential meeting takes no browser guest: the link is refused when it is made and again when
it is used (the meeting may have become confidential in between).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Depends, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from server import audit, guest_janus
from server.access import signed_in, token_digest
from server.config import Config, browser_ice_server
from server.event_bus import WS_AUTH_FAILED
from server.events import AUTH_WAIT, WS_BAD_REQUEST
from server.inputs import Id, Input
from server.meeting_roles import require_meeting_role
from server.models import NORMAL, GuestInvite, Meeting, User, utcnow
from server.problems import Problem, not_found, problem_responses
from server.rooms import Member, RoomHub, serve
from server.unit_of_work import client_address, commit, get_session

router = APIRouter(tags=["guests"])  # mounted under the API prefix
page_router = APIRouter(include_in_schema=False)  # the page itself: /guest#{token}

GUEST_SUFFIX = " (khách mời)"
_PAGE_HEADERS = {
    # The page's own script only, and WebSockets back to this server; the token in the page's
    # URL must not leak through a Referer, a cache or a frame.
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; media-src 'self' blob:; img-src 'self' data:; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


class GuestInviteIn(Input):
    """Body of `POST /meetings/{id}/guest-invites`."""

    display: Annotated[str, Field(min_length=1, max_length=80)]
    valid_minutes: Annotated[int, Field(ge=5, le=7 * 24 * 60)] = 24 * 60


class GuestInviteOut(BaseModel):
    """The link to send to the guest (shown once: the server keeps only its digest)."""

    url: str
    expires_at: dt.datetime


def is_confidential(meeting: Meeting) -> bool:
    """Whether the meeting is closed to browser guests: a confidential meeting
    (server/confidential_meetings.py), or one with a MẬT or TỐI MẬT paper on its agenda."""
    if meeting.confidential:
        return True
    return any(p.confidentiality != NORMAL for item in meeting.agenda for p in item.papers)


@dataclass(frozen=True, slots=True)
class JanusRoom:
    """A meeting's Janus VideoRoom: the server's way to its WebSocket API, the room and its
    PIN, if it has one (written into the guest's joins by the server: the page never sees it)."""

    url: str
    room: int
    pin: str | None = field(default=None, repr=False)


def guest_media(meeting: Meeting) -> str | JanusRoom | None:
    """Where a guest of this meeting goes: a relay room's name, a Janus room, or nowhere (a
    meeting with no media, or on a WHIP server, which has no room a guest could join)."""
    media = meeting.media or {}
    kind, room, url = media.get("kind"), media.get("room"), media.get("url")
    if kind == "room" and isinstance(room, str):
        return room
    janus = kind == "janus" and isinstance(url, str) and url.startswith(("ws://", "wss://"))
    if janus and isinstance(room, int) and not isinstance(room, bool):
        pin = media.get("pin")
        return JanusRoom(str(url), room, pin if isinstance(pin, str) and pin else None)
    return None


@router.post(
    "/meetings/{meeting_id}/guest-invites",
    response_model=GuestInviteOut,
    status_code=201,
    responses=problem_responses(403, 404, 409),
)
def create_guest_invite(
    meeting_id: Id,
    body: GuestInviteIn,
    request: Request,
    user: Annotated[User, Depends(signed_in)],
    session: Annotated[Session, Depends(get_session)],
) -> GuestInviteOut:
    """A one-time browser link for a guest (chair or secretary; never for a confidential
    meeting; only for meetings held on the room relay or on Janus)."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise not_found("Meeting")
    require_meeting_role(meeting, user, "chair", "secretary")
    if is_confidential(meeting):
        raise Problem(
            409, "confidential-meeting", detail="A confidential meeting takes no browser guests."
        )
    if guest_media(meeting) is None:
        raise Problem(
            409,
            "no-browser-room",
            detail="Only meetings on the server's room relay or on Janus take guests.",
        )
    token = secrets.token_urlsafe(24)
    invite = GuestInvite(
        meeting_id=meeting.id,
        token_hash=token_digest(token),
        display=body.display.strip(),
        created_by=user.id,
        expires_at=utcnow() + dt.timedelta(minutes=body.valid_minutes),
    )
    session.add(invite)
    audit.record(
        session,
        "meeting.guest_invite",
        user_id=user.id,
        address=client_address(request),
        target=f"meeting:{meeting.id}",
    )
    commit(session)
    return GuestInviteOut(url=f"/guest#{token}", expires_at=invite.expires_at)


@dataclass(frozen=True, slots=True)
class _Admitted:
    room: str | JanusRoom
    display: str


def redeem(factory: sessionmaker[Session], token: str) -> _Admitted:
    """Spend a guest token (exactly once, also between server processes) or a 401/403 Problem."""
    with factory() as session:
        now = utcnow()
        spent = session.execute(
            update(GuestInvite)
            .where(
                GuestInvite.token_hash == token_digest(token),
                GuestInvite.used_at.is_(None),
                GuestInvite.expires_at > now,
            )
            .values(used_at=now)
            .returning(GuestInvite.meeting_id, GuestInvite.display)
        ).first()
        if spent is None:
            raise Problem(401, "guest-link-invalid", detail="The link is used, expired or unknown.")
        meeting = session.get(Meeting, spent.meeting_id)
        room = guest_media(meeting) if meeting is not None else None
        if meeting is None or room is None or is_confidential(meeting):
            raise Problem(403, "no-guests", detail="This meeting takes no browser guests.")
        session.commit()
        return _Admitted(room, spent.display + GUEST_SUFFIX)


async def _guest_token(websocket: WebSocket) -> str:
    """The `guest_token` of the first message, or "" when it does not come in time."""
    try:
        async with asyncio.timeout(AUTH_WAIT):
            data = json.loads(await websocket.receive_text())
    except (TimeoutError, ValueError, KeyError):
        return ""
    if not isinstance(data, dict) or data.get("type") != "auth":
        return ""
    token = data.get("guest_token")
    return token if isinstance(token, str) else ""


@router.websocket("/guest-room")
async def guest_room_ws(websocket: WebSocket) -> None:
    """The room relay for a browser guest, admitted by its one-time token."""
    factory: sessionmaker[Session] = websocket.app.state.sessions
    hub: RoomHub = websocket.app.state.rooms
    await websocket.accept()
    if websocket.query_params:  # a token there would end up in proxy and access logs
        await websocket.close(WS_BAD_REQUEST, "token-in-url")
        return
    try:
        token = await _guest_token(websocket)
        if not token:
            raise Problem(401, "unauthorized", detail="Send the guest token first.")
        admitted = await run_in_threadpool(redeem, factory, token)
    except Problem as problem:
        code = WS_AUTH_FAILED if problem.status == 401 else 4403
        await websocket.close(code, problem.slug)
        return
    except WebSocketDisconnect:
        return
    config: Config = websocket.app.state.config
    # before `presence`: the page makes its peer connections with these
    ice = [browser_ice_server(text) for text in config.guest_ice_servers]
    await websocket.send_text(json.dumps({"type": "ice", "ice_servers": ice}))
    if isinstance(admitted.room, JanusRoom):
        await websocket.send_text(json.dumps({"type": "janus"}))
        janus = admitted.room
        await guest_janus.serve(websocket, janus.url, janus.room, admitted.display, janus.pin)
        return
    member = Member("guest-" + secrets.token_urlsafe(9), None, admitted.display)
    await serve(websocket, hub, admitted.room, member)


def _asset(name: str) -> str:
    return (resources.files("server") / "guest_page" / name).read_text(encoding="utf-8")


@page_router.get("/guest", response_class=HTMLResponse)
def guest_page() -> HTMLResponse:
    """The guest page; its script takes the token from the URL's fragment and spends it only
    when the guest joins, so that a link preview does not use it up."""
    return HTMLResponse(_asset("index.html"), headers=_PAGE_HEADERS)


@page_router.get("/guest-assets/{name}")
def guest_asset(name: str) -> Response:
    """The page's scripts (ES modules) and style (never inline: the page's CSP forbids it)."""
    script = "text/javascript"
    types = {"guest.js": script, "relay.js": script, "janus.js": script, "guest.css": "text/css"}
    if name not in types:
        raise not_found("Asset")
    return Response(_asset(name), media_type=types[name], headers=_PAGE_HEADERS)
