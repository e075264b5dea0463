"""WHEP playback (draft-ietf-wish-whep) of a Janus Streaming mountpoint.

Janus' Streaming plugin has no WHEP of its own, and Debian 12's Janus (1.1.2) takes no offer
from a viewer, which WHEP requires (server/whep_sdp.py says how the two offers are joined). With
`--whep-janus ws://…` the server is the WHEP endpoint of that Janus' mountpoints:

- `POST /api/v1/whep/{mountpoint}` (a signed-in user's bearer token, `application/sdp` offer):
  the server opens a Janus session for this viewer (`watch` the mountpoint), answers the viewer
  with 201, the answer, `Location: /api/v1/whep/sessions/{id}` and an `ETag`, and Janus with
  the answer made from the viewer's offer (`start`); media then go between Janus and the viewer;
- `DELETE` of that location (the same user) ends the Janus session; so does Janus hanging up
  (the viewer gone), or the server stopping.

No trickle (no `Accept-Patch`: the offer carries every candidate, as aiortc's always does) and
no ICE servers of its own. 404 `no-whep` without `--whep-janus`, 404 `no-mountpoint` for a
mountpoint Janus does not have, 502 when Janus cannot be reached or fails.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from websockets import ConnectionClosed, InvalidHandshake, InvalidURI, Subprotocol
from websockets.asyncio.client import ClientConnection, connect

from server.access import signed_in
from server.config import Config
from server.models import User
from server.problems import Problem, not_found, problem_responses
from server.whep_sdp import SdpError, answer, parse

log = logging.getLogger(__name__)
router = APIRouter(tags=["whep"])

SDP = "application/sdp"
PLUGIN = "janus.plugin.streaming"
JANUS_TIMEOUT = 10.0  # seconds for Janus to answer one request
KEEPALIVE = 25.0  # seconds; Janus ends a silent session after 60
NO_SUCH_MOUNTPOINT = 455  # the Streaming plugin's error code
MAX_SESSIONS = 500


class JanusFailed(Exception):
    """Janus refused a request (its code and reason) or went away."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code


@dataclass
class Viewer:
    """One WHEP session: a Janus session of its own, watching one mountpoint."""

    user_id: int
    janus: ClientConnection
    waiting: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    session: int = 0
    gone: asyncio.Event = field(default_factory=asyncio.Event)  # Janus hung up or went
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    async def request(self, body: dict[str, Any]) -> dict[str, Any]:
        """Janus' answer to one request (acks skipped), or `JanusFailed`."""
        tx = f"w{next(self._ids)}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[tx] = future
        message = {**body, "transaction": tx}
        if self.session:
            message["session_id"] = self.session
        try:
            await self.janus.send(json.dumps(message))
            async with asyncio.timeout(JANUS_TIMEOUT):
                reply = await future
        except (ConnectionClosed, TimeoutError) as exc:
            raise JanusFailed(502, f"Janus did not answer: {exc!r}") from exc
        finally:
            self.waiting.pop(tx, None)
        if reply.get("janus") == "error":
            error = reply.get("error") or {}
            raise JanusFailed(int(error.get("code", 500)), str(error.get("reason", "")))
        data = (reply.get("plugindata") or {}).get("data") or {}
        if "error_code" in data:
            raise JanusFailed(int(data["error_code"]), str(data.get("error", "")))
        return reply

    async def read(self) -> None:
        """Hand Janus' answers to their requests; a hangup or a closed socket ends it."""
        try:
            async for raw in self.janus:
                try:
                    message = json.loads(raw)
                except ValueError:
                    continue
                if not isinstance(message, dict):
                    continue
                kind = message.get("janus")
                future = self.waiting.get(str(message.get("transaction")))
                if future is not None and not future.done() and kind != "ack":
                    future.set_result(message)
                elif kind in ("hangup", "detached", "timeout"):
                    break
        except ConnectionClosed:
            pass
        finally:
            self.gone.set()
            gone = {"janus": "error", "error": {"code": 502, "reason": "Janus went away"}}
            for future in self.waiting.values():
                if not future.done():
                    future.set_result(gone)

    async def keep_alive(self) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE)
            await self.janus.send(
                json.dumps({"janus": "keepalive", "session_id": self.session, "transaction": "k"})
            )

    async def close(self) -> None:
        for task in self.tasks:
            if task is not asyncio.current_task():
                task.cancel()
        await self.janus.close()  # Janus ends the session and its PeerConnection


class Viewers:
    """The WHEP sessions of this server process, by id."""

    def __init__(self) -> None:
        self.by_id: dict[str, Viewer] = {}

    def add(self, viewer: Viewer) -> str:
        ident = secrets.token_urlsafe(12)
        self.by_id[ident] = viewer

        async def end_when_gone() -> None:
            await viewer.gone.wait()
            if self.by_id.pop(ident, None) is viewer:
                await viewer.close()

        viewer.tasks.append(asyncio.create_task(end_when_gone(), name=f"whep-{ident}"))
        return ident

    async def close(self) -> None:
        viewers, self.by_id = list(self.by_id.values()), {}
        for viewer in viewers:
            await viewer.close()


async def _watch(url: str, user_id: int, mountpoint: int, offer_text: str) -> tuple[Viewer, str]:
    """A Janus session watching `mountpoint` for this offer; the viewer's answer."""
    try:
        offer = parse(offer_text)
    except SdpError as exc:
        raise Problem(400, "bad-sdp", detail=str(exc)) from exc
    try:
        janus = await asyncio.wait_for(
            connect(url, subprotocols=[Subprotocol("janus-protocol")], max_size=1 << 20),
            JANUS_TIMEOUT,
        )
    except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
        log.warning("whep: Janus at %s cannot be reached: %s", url, exc)
        raise Problem(502, "media-server-unreachable", detail="Janus cannot be reached.") from exc
    viewer = Viewer(user_id, janus)
    viewer.tasks.append(asyncio.create_task(viewer.read(), name="whep-janus-reader"))
    try:
        viewer.session = int((await viewer.request({"janus": "create"}))["data"]["id"])
        viewer.tasks.append(asyncio.create_task(viewer.keep_alive(), name="whep-keepalive"))
        handle = int((await viewer.request({"janus": "attach", "plugin": PLUGIN}))["data"]["id"])
        watch = {"request": "watch", "id": mountpoint}
        watched = await viewer.request({"janus": "message", "handle_id": handle, "body": watch})
        janus_offer = parse(str((watched.get("jsep") or {}).get("sdp", "")))
        to_viewer = answer(offer, janus_offer, sender=True)
        to_janus = {"type": "answer", "sdp": answer(janus_offer, offer, sender=False)}
        start = {"janus": "message", "handle_id": handle, "body": {"request": "start"}}
        await viewer.request({**start, "jsep": to_janus})
    except JanusFailed as exc:
        await viewer.close()
        if exc.code == NO_SUCH_MOUNTPOINT:
            raise not_found("Mountpoint") from exc
        raise Problem(502, "media-server-failed", detail=str(exc)) from exc
    except SdpError as exc:
        await viewer.close()
        raise Problem(422, "no-common-media", detail=str(exc)) from exc
    return viewer, to_viewer


@router.post(
    "/whep/{mountpoint}",
    status_code=201,
    response_class=Response,
    responses={201: {"content": {SDP: {}}}, **problem_responses(400, 404, 415, 422, 502, 503)},
)
async def whep_post(
    mountpoint: int, request: Request, user: Annotated[User, Depends(signed_in)]
) -> Response:
    """Play a Janus Streaming mountpoint: the viewer's SDP offer in, the answer out."""
    config: Config = request.app.state.config
    viewers: Viewers = request.app.state.whep
    if not config.whep_janus:
        raise Problem(404, "no-whep", detail="This server offers no WHEP playback.")
    if request.headers.get("content-type", "").split(";")[0].strip() != SDP:
        raise Problem(415, detail="The offer is application/sdp.")
    if len(viewers.by_id) >= MAX_SESSIONS:
        raise Problem(503, "too-many-viewers", detail="Too many WHEP sessions.")
    offer = (await request.body()).decode("utf-8", "replace")
    viewer, sdp = await _watch(config.whep_janus, user.id, mountpoint, offer)
    ident = viewers.add(viewer)
    return Response(
        sdp,
        status_code=201,
        media_type=SDP,
        headers={"Location": f"/api/v1/whep/sessions/{ident}", "ETag": f'"{ident}"'},
    )


@router.delete("/whep/sessions/{ident}", responses=problem_responses(404))
async def whep_delete(
    ident: str, request: Request, user: Annotated[User, Depends(signed_in)]
) -> Response:
    """End a WHEP session (only its own user may)."""
    viewers: Viewers = request.app.state.whep
    viewer = viewers.by_id.get(ident)
    if viewer is None or viewer.user_id != user.id:
        raise not_found("WHEP session")
    del viewers.by_id[ident]
    await viewer.close()
    return Response(status_code=200)
