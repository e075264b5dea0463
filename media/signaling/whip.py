"""WHIP publishing (RFC 9725) and WHEP playback (draft-ietf-wish-whep) over HTTP.

Both are one HTTP exchange per peer connection: POST the complete SDP offer (`application/sdp`,
bearer token), get `201 Created` with the answer, the session's URL in `Location` and an `ETag`;
PATCH that URL with an `application/trickle-ice-sdpfrag` (RFC 8840) to trickle; DELETE it to leave.

aiortc gathers every candidate before the offer exists and cannot restart ICE, so we send the
complete offer and never trickle our own candidates; when the media path fails, the call makes a
new peer connection and this adapter DELETEs the old session before POSTing the new offer (RFC
9725 §4.3 permits a fresh session; the ICE-restart PATCH is for stacks that can restart).
STUN/TURN must be known before the offer, so `ice_servers_of` asks the endpoint with OPTIONS
(RFC 9725 §4.6, the `Link: <…>; rel="ice-server"` headers) before the call starts; the servers of
a 201 response are kept in `link_ice_servers` for the next connection.

The adapter speaks the `Signaling` interface: `join` announces the endpoint as the media server
we publish to (WHIP) or as the one participant that sends to us (WHEP), `send(Offer)` makes the
HTTP exchange and the answer comes back from `incoming()`. Every failure is a typed exception:
`WhipRefused` (401/403/404/405/406/409/415, retrying cannot help) or `WhipError` (5xx, timeouts,
an answer that is no SDP) — both `media.errors` signaling errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urljoin

import aiohttp
from aiortc.sdp import SessionDescription

from media.config import IceServer, WhipBackend
from media.errors import SignalingError, SignalingRefused
from media.signaling import (
    Answer,
    Candidate,
    Incoming,
    Offer,
    Outgoing,
    PeerInfo,
    Presence,
    View,
)

log = logging.getLogger(__name__)

HTTP_TIMEOUT = 10.0  # seconds for one POST/PATCH (the server waits for its media server)
LEAVE_TIMEOUT = 2.0
MAX_ANSWER = 64 * 1024  # bytes; a real answer is a few KB
SDP = "application/sdp"
SDPFRAG = "application/trickle-ice-sdpfrag"

# The ids the call sees. `Call` re-offers after an ICE failure only when its own id sorts
# before the peer's (the peer with the smaller id offers): ours do, so it is always us.
PUBLISHER, PLAYER = "publisher", "player"
WHIP_PEER, WHEP_PEER = "whip-endpoint", "whep-endpoint"

REFUSING = {
    401: "bad or missing token",
    403: "forbidden or already in use",
    404: "no such endpoint",
    405: "method not allowed",
    406: "not acceptable",
    409: "conflict: the endpoint is busy",
    415: "the endpoint does not take application/sdp",
}


class WhipError(SignalingError):
    """The WHIP/WHEP endpoint failed or sent something unusable; retrying may help."""


class WhipRefused(SignalingRefused):
    """The WHIP/WHEP endpoint refused us (`code` is the HTTP status); retrying cannot help."""


class WhipBadAnswer(WhipError):
    """The 201 carried no usable SDP answer or no `Location`."""


@dataclass(frozen=True, slots=True)
class _Session:
    """One WHIP/WHEP session (RFC 9725 §4.2 "WHIP session"): its URL and entity tag."""

    url: str
    etag: str | None
    can_trickle: bool


# --- RFC 8288 Link headers carrying ICE servers (RFC 9725 §4.6) ------------------------------

_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[\w*-]+\s*=\s*(?:\"[^\"]*\"|[^;,\s]*))*)")
_PARAM = re.compile(r";\s*([\w*-]+)\s*=\s*(?:\"([^\"]*)\"|([^;,\s]*))")


def parse_ice_links(headers: list[str]) -> tuple[IceServer, ...]:
    """The `rel="ice-server"` links of some `Link` header values; others and bad ones skipped."""
    servers: list[IceServer] = []
    for value in headers:
        for match in _LINK.finditer(value):
            params = {
                m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
                for m in _PARAM.finditer(match.group(2))
            }
            if params.get("rel", "").lower() != "ice-server":
                continue
            try:
                servers.append(
                    IceServer((match.group(1),), params.get("username"), params.get("credential"))
                )
            except ValueError as exc:
                log.warning("ignoring an unusable ICE server link: %s", exc)
    return tuple(servers)


async def ice_servers_of(
    http: aiohttp.ClientSession, backend: WhipBackend
) -> tuple[IceServer, ...]:
    """The STUN/TURN servers an endpoint offers (OPTIONS, RFC 9725 §4.6); () when it offers none
    or cannot be asked. Call this before the call starts: aiortc needs them before the offer."""
    try:
        async with asyncio.timeout(HTTP_TIMEOUT):
            async with http.options(backend.url, headers=_auth(backend)) as response:
                return parse_ice_links(response.headers.getall("Link", []))
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        log.info("no ICE servers from %s: %r", backend.url, exc)
        return ()


def _auth(backend: WhipBackend) -> dict[str, str]:
    return {"Authorization": f"Bearer {backend.token}"} if backend.token else {}


def _check_answer(body: bytes, content_type: str) -> str:
    """The SDP answer of a 201, or `WhipBadAnswer`."""
    if content_type != SDP:
        raise WhipBadAnswer(f"the answer is {content_type or 'untyped'}, not {SDP}")
    if len(body) > MAX_ANSWER:
        raise WhipBadAnswer(f"the answer is {len(body)} bytes, at most {MAX_ANSWER}")
    try:
        text = body.decode()
        parsed = SessionDescription.parse(text)
    except (UnicodeDecodeError, ValueError, KeyError, IndexError) as exc:
        raise WhipBadAnswer(f"the answer is no SDP: {exc!r}") from exc
    if not text.startswith("v=0") or not parsed.media:
        raise WhipBadAnswer("the answer is no SDP with media")
    return text


def _fail(status: int, reason: str, what: str) -> SignalingError:
    if status in REFUSING:
        return WhipRefused(status, f"{what}: {REFUSING[status]} ({reason})")
    return WhipError(f"{what}: HTTP {status} {reason}")


class WhipSignaling:
    """One WHIP publisher or WHEP player; implements `media.signaling.Signaling`.

    With `playback=False` (WHIP) the endpoint is the media server we publish to; with
    `playback=True` (WHEP) it is one participant whose media we receive (make the `Call` with
    no local tracks: it then offers receive-only)."""

    def __init__(
        self, http: aiohttp.ClientSession, backend: WhipBackend, *, playback: bool = False
    ) -> None:
        self._http = http
        self._backend = backend
        self._playback = playback
        self._peer = WHEP_PEER if playback else WHIP_PEER
        self._session: _Session | None = None
        # answers; an error that ends the link; None once we left
        self._answers: asyncio.Queue[Incoming | SignalingError | None] = asyncio.Queue()
        self.link_ice_servers: tuple[IceServer, ...] = ()  # from the last 201 (RFC 9725 §4.6)

    @property
    def session_url(self) -> str | None:
        """The current session's URL (the 201's `Location`), None before or after."""
        return self._session.url if self._session else None

    async def join(self) -> Presence:
        """Nothing to connect yet: the POST of the first offer opens the session."""
        if self._playback:
            return Presence(you=PLAYER, peers=[PeerInfo(WHEP_PEER)])
        return Presence(you=PUBLISHER, publish_to=WHIP_PEER)

    async def send(self, message: Outgoing) -> None:
        """POST an offer (after DELETE of a previous session); PATCH a candidate."""
        if isinstance(message, View):
            return  # the endpoint sends what it sends: nothing to ask of it
        if message.peer != self._peer:
            raise WhipError(f"no peer {message.peer!r} behind a WHIP/WHEP endpoint")
        if isinstance(message, Offer):
            await self._delete()
            try:
                answer = await self._post(message.sdp)
            except SignalingError as exc:
                # no link of ours would notice otherwise: a new offer after an ICE failure is
                # the only exchange mid-call, and the call would stay "connected" with no media
                self._answers.put_nowait(exc)  # `incoming` raises it: the call rejoins or fails
                raise
            await self._answers.put(Answer(self._peer, answer))
        elif isinstance(message, Candidate):
            await self._trickle(message)
        else:
            raise WhipError("a WHIP/WHEP client only offers: the endpoint never offers to us")

    async def incoming(self) -> AsyncIterator[Incoming]:
        """The answers to our offers, until we leave or an offer cannot be made."""
        while (message := await self._answers.get()) is not None:
            if isinstance(message, SignalingError):
                raise message
            yield message

    async def leave(self) -> None:
        """DELETE the session (RFC 9725 §4.3); idempotent, never longer than LEAVE_TIMEOUT."""
        with contextlib.suppress(SignalingError):
            await self._delete()
        self._answers.put_nowait(None)

    # --- the HTTP exchanges -----------------------------------------------------------------

    async def _post(self, offer: str) -> str:
        headers = {**_auth(self._backend), "Content-Type": SDP, "Accept": SDP}
        try:
            async with asyncio.timeout(HTTP_TIMEOUT):
                async with self._http.post(
                    self._backend.url, data=offer.encode(), headers=headers
                ) as response:
                    if response.status != 201:
                        raise _fail(response.status, response.reason or "", "POST of the offer")
                    body = await response.content.read(MAX_ANSWER + 1)
                    location = response.headers.get("Location")
                    if not location:
                        raise WhipBadAnswer("the 201 has no Location")
                    answer = _check_answer(body, response.content_type)
                    accepts = response.headers.get("Accept-Patch", "")
                    self.link_ice_servers = parse_ice_links(response.headers.getall("Link", []))
                    self._session = _Session(
                        # relative to the URL that answered (after any 307 redirect)
                        urljoin(str(response.url), location),
                        response.headers.get("ETag"),
                        SDPFRAG in accepts,
                    )
                    return answer
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise WhipError(f"cannot reach the WHIP/WHEP endpoint: {exc!r}") from exc

    async def _trickle(self, candidate: Candidate) -> None:
        """PATCH one candidate (RFC 8840 fragment, `If-Match` the session's ETag)."""
        session = self._session
        if session is None:
            raise WhipError("a candidate before the offer was answered")
        if not session.can_trickle:
            log.debug("the endpoint takes no trickle (no Accept-Patch): candidate dropped")
            return
        if candidate.candidate:
            line = "a=candidate:" + candidate.candidate.removeprefix("candidate:")
        else:
            line = "a=end-of-candidates"
        fragment = f"a=mid:{candidate.sdp_mid or '0'}\r\n{line}\r\n"
        headers = {**_auth(self._backend), "Content-Type": SDPFRAG, "If-Match": session.etag or "*"}
        try:
            async with asyncio.timeout(HTTP_TIMEOUT):
                async with self._http.patch(
                    session.url, data=fragment.encode(), headers=headers
                ) as response:
                    if response.status not in (200, 204):
                        raise _fail(response.status, response.reason or "", "PATCH of a candidate")
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise WhipError(f"cannot reach the WHIP/WHEP session: {exc!r}") from exc

    async def _delete(self) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            async with asyncio.timeout(LEAVE_TIMEOUT):
                async with self._http.delete(session.url, headers=_auth(self._backend)) as response:
                    if response.status not in (200, 204, 404):  # 404: already gone
                        log.warning("DELETE %s: HTTP %s", session.url, response.status)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.warning("could not DELETE the WHIP/WHEP session %s: %r", session.url, exc)


__all__ = [
    "WhipBadAnswer",
    "WhipError",
    "WhipRefused",
    "WhipSignaling",
    "ice_servers_of",
    "parse_ice_links",
]
