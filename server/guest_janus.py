"""A browser guest in a Janus VideoRoom meeting: the server speaks to Janus for it.

The guest page could talk to Janus directly, but then it would hold Janus' address and an API
that lists, creates, edits and destroys any room, starts recordings on the media server's disk
and forwards RTP anywhere (the VideoRoom's `create`, `destroy`, `enable_recording`,
`rtp_forward`, … are guarded only by room secrets a meeting record does not carry). Instead, on
the guest's own WebSocket (`/api/v1/guest-room`, after the one-time token), the server opens one
Janus WebSocket (`janus-protocol`) for that guest and passes on only what a participant of this
one meeting needs, in Janus' own message shapes so the page is an ordinary Janus client:

- `create` (one session), `attach` (the VideoRoom plugin only), `keepalive`, `trickle`,
  `detach`, `hangup` and `destroy`, each on the session and handles this connection created;
- plugin `message`s `join` (the meeting's room is put in, whatever the page asked, with the
  room's PIN when it has one, so the browser never learns it; a publisher is shown as the name
  on the link), `publish`, `configure`, `start`, `pause`, `leave` and
  `unpublish`, each with only the fields a participant uses (no `record`, no `filename`, no
  chosen publisher `id`), and a `jsep` with only its type and SDP.

Everything else is answered with a Janus `error` (403, 458 or 459, as Janus would) and goes no
further. Everything Janus sends on this connection is the guest's and is passed back as it is.
When the guest goes, the Janus connection is closed and Janus ends the session with it, so the
others see the guest leave. A guest that sends nothing (not even Janus keepalives) for `IDLE`
seconds is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field

from fastapi import WebSocket, WebSocketDisconnect
from websockets import ConnectionClosed, InvalidHandshake, InvalidURI, Subprotocol
from websockets.asyncio.client import ClientConnection, connect

log = logging.getLogger(__name__)

PLUGIN = "janus.plugin.videoroom"
MAX_MESSAGE = 64 * 1024  # bytes from the page; an SDP with every candidate is ~5–10 KB
MAX_FROM_JANUS = 1024 * 1024
MAX_HANDLES = 128  # one publisher and one subscriber per other participant
IDLE = 120.0  # seconds without a message from the page (it keeps Janus' session alive every 25)
CONNECT_TIMEOUT = 10.0
WS_MEDIA_UNREACHABLE = 4502  # the guest socket's close code when Janus cannot be reached

# The Janus core's error codes, so the page sees what a real Janus would say.
FORBIDDEN = 403
BAD_JSON = 454
NO_SESSION = 458
NO_HANDLE = 459

# Per VideoRoom request: the body fields passed on (besides `request`). `room` and `display`
# are never taken from the page: `Gate` writes them.
_BODY_FIELDS: dict[str, frozenset[str]] = {
    "join": frozenset({"ptype", "streams", "use_msid", "autoupdate", "private_id"}),
    "publish": frozenset({"audiocodec", "videocodec"}),
    "configure": frozenset({"streams", "keyframe", "restart"}),
    "start": frozenset(),
    "pause": frozenset(),
    "leave": frozenset(),
    "unpublish": frozenset(),
}
_STREAM_FIELDS = frozenset({"feed", "mid", "send", "substream", "temporal", "keyframe"})


class Refused(Exception):
    """A page message that does not go to Janus; `reply` is the Janus error sent back."""

    def __init__(self, transaction: object, code: int, reason: str) -> None:
        super().__init__(reason)
        self.reply = {
            "janus": "error",
            "transaction": transaction if isinstance(transaction, str) else None,
            "error": {"code": code, "reason": reason},
        }


@dataclass
class Gate:
    """What one guest may ask of Janus; pure (no I/O), so every rule has a plain unit test.

    `inbound` checks and rewrites a page message; `outbound` learns the session and handle ids
    from Janus' answers to this connection's own `create` and `attach`."""

    room: int
    display: str
    pin: str | None = None  # the room's, from the meeting record; never from the page
    session: int | None = None
    handles: set[int] = field(default_factory=set)
    _creating: set[str] = field(default_factory=set)
    _attaching: set[str] = field(default_factory=set)

    def inbound(self, raw: str | bytes) -> dict[str, object]:
        """The message to send to Janus for one from the page, or `Refused`."""
        if len(raw) > MAX_MESSAGE:
            raise Refused(None, BAD_JSON, f"message over {MAX_MESSAGE} bytes")
        try:
            message = json.loads(raw)
        except ValueError:
            raise Refused(None, BAD_JSON, "not JSON") from None
        if not isinstance(message, dict):
            raise Refused(None, BAD_JSON, "not a JSON object")
        kind, tx = message.get("janus"), message.get("transaction")
        if not isinstance(tx, str) or not 0 < len(tx) <= 64:
            raise Refused(None, BAD_JSON, "a transaction (string) is needed")
        out: dict[str, object] = {"janus": kind, "transaction": tx}
        if kind == "create":
            if self.session is not None or self._creating:
                raise Refused(tx, FORBIDDEN, "one session per guest")
            self._creating.add(tx)
            return out
        out["session_id"] = self._own_session(message, tx)
        if kind in ("keepalive", "destroy"):
            return out
        if kind == "attach":
            if message.get("plugin") != PLUGIN:
                raise Refused(tx, FORBIDDEN, f"only {PLUGIN}")
            if len(self.handles) + len(self._attaching) >= MAX_HANDLES:
                raise Refused(tx, FORBIDDEN, "too many handles")
            self._attaching.add(tx)
            out["plugin"] = PLUGIN
            return out
        handle = self._own_handle(message, tx)
        out["handle_id"] = handle
        if kind in ("hangup", "detach"):
            if kind == "detach":
                self.handles.discard(handle)
            return out
        if kind == "trickle":
            for key in ("candidate", "candidates"):
                if key in message:
                    out[key] = message[key]
            return out
        if kind == "message":
            out["body"] = self._body(message.get("body"), tx)
            jsep = message.get("jsep")
            if jsep is not None:
                out["jsep"] = _jsep(jsep, tx)
            return out
        raise Refused(tx, FORBIDDEN, f"{kind!r} is not for guests")

    def outbound(self, raw: str | bytes) -> None:
        """Learn this connection's session and handles from Janus' answers."""
        try:
            message = json.loads(raw)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        tx, data = message.get("transaction"), message.get("data")
        if not isinstance(tx, str) or tx not in self._creating | self._attaching:
            return
        success = message.get("janus") == "success" and isinstance(data, dict)
        ident = data.get("id") if success and isinstance(data, dict) else None
        if tx in self._creating:
            self._creating.discard(tx)
            if isinstance(ident, int):
                self.session = ident
        else:
            self._attaching.discard(tx)
            if isinstance(ident, int) and message.get("session_id") == self.session:
                self.handles.add(ident)

    def _own_session(self, message: dict[str, object], tx: str) -> int:
        session = message.get("session_id")
        if self.session is None or session != self.session:
            raise Refused(tx, NO_SESSION, "no such session")
        return self.session

    def _own_handle(self, message: dict[str, object], tx: str) -> int:
        handle = message.get("handle_id")
        if not isinstance(handle, int) or handle not in self.handles:
            raise Refused(tx, NO_HANDLE, "no such handle")
        return handle

    def _body(self, body: object, tx: str) -> dict[str, object]:
        if not isinstance(body, dict):
            raise Refused(tx, BAD_JSON, "a message needs a body")
        request = body.get("request")
        allowed = _BODY_FIELDS.get(request) if isinstance(request, str) else None
        if allowed is None:
            raise Refused(tx, FORBIDDEN, f"VideoRoom request {request!r} is not for guests")
        out: dict[str, object] = {"request": request}
        for key in allowed & body.keys():
            out[key] = _streams(body[key], tx) if key == "streams" else body[key]
        if request == "join":
            ptype = body.get("ptype")
            if ptype == "publisher":  # in the meeting's room, by the name on the link
                out = {"request": "join", "ptype": ptype, "display": self.display}
            elif ptype != "subscriber":
                raise Refused(tx, FORBIDDEN, "join as a publisher or a subscriber")
            out["room"] = self.room
            if self.pin:
                out["pin"] = self.pin
        elif request == "publish":
            out["display"] = self.display
        return out


def _streams(value: object, tx: str) -> list[dict[str, object]]:
    if not isinstance(value, list) or len(value) > MAX_HANDLES:
        raise Refused(tx, BAD_JSON, "streams is a list")
    streams = []
    for item in value:
        if not isinstance(item, dict):
            raise Refused(tx, BAD_JSON, "a stream is an object")
        streams.append({k: v for k, v in item.items() if k in _STREAM_FIELDS})
    return streams


def _jsep(value: object, tx: str) -> dict[str, str]:
    if (
        not isinstance(value, dict)
        or value.get("type") not in ("offer", "answer")
        or not isinstance(value.get("sdp"), str)
    ):
        raise Refused(tx, BAD_JSON, "jsep is {type: offer|answer, sdp}")
    return {"type": value["type"], "sdp": value["sdp"]}


async def serve(
    websocket: WebSocket, url: str, room: int, display: str, pin: str | None = None
) -> None:
    """Carry one admitted guest's Janus conversation until either side goes (`pin`: the
    room's, added to the guest's joins)."""
    try:
        janus = await asyncio.wait_for(
            connect(url, subprotocols=[Subprotocol("janus-protocol")], max_size=MAX_FROM_JANUS),
            CONNECT_TIMEOUT,
        )
    except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
        log.warning("guest: Janus at %s cannot be reached: %s", url, exc)
        with contextlib.suppress(Exception):
            await websocket.close(WS_MEDIA_UNREACHABLE, "media-server-unreachable")
        return
    gate = Gate(room, display, pin)
    up = asyncio.create_task(_page_to_janus(websocket, janus, gate), name="guest-janus-up")
    down = asyncio.create_task(_janus_to_page(janus, websocket, gate), name="guest-janus-down")
    try:
        done, _ = await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
        code = WS_MEDIA_UNREACHABLE if down in done else 1000
    finally:
        for task in (up, down):
            task.cancel()
        for task in (up, down):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await janus.close()  # Janus ends the guest's session: the others see it leave
    with contextlib.suppress(Exception):
        await websocket.close(code)


async def _page_to_janus(websocket: WebSocket, janus: ClientConnection, gate: Gate) -> None:
    while True:
        try:
            async with asyncio.timeout(IDLE):
                message = await websocket.receive()
        except TimeoutError:
            log.info("guest: nothing from the page for %s s, dropped", IDLE)
            return
        except (WebSocketDisconnect, RuntimeError):
            return
        if message["type"] == "websocket.disconnect":
            return
        raw = message.get("text")
        if raw is None:
            raw = message.get("bytes") or b""
        try:
            forward = gate.inbound(raw)
        except Refused as refused:
            log.info("guest: refused %s", refused)
            await websocket.send_text(json.dumps(refused.reply))
            continue
        try:
            await janus.send(json.dumps(forward))
        except ConnectionClosed:
            return


async def _janus_to_page(janus: ClientConnection, websocket: WebSocket, gate: Gate) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for raw in janus:
            gate.outbound(raw)
            text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
            await websocket.send_text(text)
    log.info("guest: the Janus connection closed")
