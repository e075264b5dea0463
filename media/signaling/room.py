"""The reference server's room relay over a WebSocket (docs/contract.md, Rooms).

The wire messages are the structs of `media.signaling`; this adapter authenticates with the
`Authorization` header, answers the server's pings, and maps every failure to `SignalingError`
(`SignalingRefused` when retrying cannot help: not invited, no such room, bad
token).

It also pings the server itself (WebSocket pings, `media.signaling.HEARTBEAT`): when the
network goes, nothing arrives and nothing fails — TCP retransmits for minutes — so without them
a call would show "connected" through a drop of any length (tests/media/netns/
test_network_drop.py: still so 30 s into one), the user told nothing, and the rejoin waiting for
the server's close to get through TCP's retransmission backoff once the network is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp

from media.config import RoomBackend
from media.errors import SignalingError, SignalingRefused
from media.signaling import (
    HEARTBEAT,
    MAX_MESSAGE,
    BadMessage,
    ErrorMessage,
    Incoming,
    Outgoing,
    PeerLeft,
    Ping,
    Pong,
    Presence,
    Resubscribe,
    ShowVideo,
    Wire,
    decode,
    encode,
)

log = logging.getLogger(__name__)

JOIN_TIMEOUT = 10.0  # seconds to connect and be admitted
LEAVE_TIMEOUT = 2.0
REFUSING_CLOSE_CODES = {4400, 4401, 4403, 4404}


class RoomSignaling:
    """One connection to one relay room; implements `media.signaling.Signaling`."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        backend: RoomBackend,
        token: str,
        *,
        heartbeat: float = HEARTBEAT,
    ) -> None:
        self._http = http
        self._heartbeat = heartbeat
        self._backend = backend
        self._token = token
        self._ws: aiohttp.ClientWebSocketResponse | None = None

    async def join(self) -> Presence:
        """Connect and wait for the presence message."""
        try:
            async with asyncio.timeout(JOIN_TIMEOUT):
                self._ws = await self._http.ws_connect(
                    self._backend.url,
                    headers={"Authorization": f"Bearer {self._token}"},
                    max_msg_size=4 * MAX_MESSAGE,
                    autoping=True,
                    heartbeat=self._heartbeat,
                )
                first = await self._receive()
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            await self.leave()
            raise SignalingError(f"cannot reach the room relay: {exc!r}") from exc
        if not isinstance(first, Presence):
            await self.leave()
            raise SignalingError(f"expected presence, got {type(first).__name__}")
        return first

    async def send(self, message: Outgoing) -> None:
        """Send an offer, answer or candidate to the peer it names."""
        if isinstance(message, Resubscribe | ShowVideo):
            log.debug("no SFU behind the room relay: nothing to resubscribe or pause")
            return
        await self._send(message)

    async def _send(self, message: Wire) -> None:
        if self._ws is None or self._ws.closed:
            raise SignalingError("the room relay link is closed")
        try:
            await self._ws.send_str(encode(message).decode())
        except (aiohttp.ClientError, ConnectionError) as exc:
            raise SignalingError(f"cannot send to the room relay: {exc!r}") from exc

    async def _receive(self) -> Wire | None:
        """The next wire message; None for one we could not parse (logged); raises on close."""
        assert self._ws is not None
        message = await self._ws.receive()
        if message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
            try:
                return decode(message.data)
            except BadMessage as exc:
                log.warning("room relay sent a message we cannot use: %s", exc)
                return None
        code = self._ws.close_code or 0
        if code in REFUSING_CLOSE_CODES:
            raise SignalingRefused(code, str(message.extra or ""))
        raise SignalingError(f"the room relay closed the link ({code})")

    async def incoming(self) -> AsyncIterator[Incoming]:
        """Messages for the call until the link drops (`SignalingError`)."""
        while True:
            message = await self._receive()
            if message is None:
                continue
            if isinstance(message, Ping):
                await self._send(Pong())
            elif isinstance(message, Pong):
                continue
            elif isinstance(message, ErrorMessage):
                log.warning("room relay refused a message: %s %s", message.code, message.detail)
                yield message
            else:
                yield message

    async def leave(self) -> None:
        """Say goodbye and close; idempotent, never longer than LEAVE_TIMEOUT."""
        ws, self._ws = self._ws, None
        if ws is None or ws.closed:
            return
        with contextlib.suppress(Exception):
            async with asyncio.timeout(LEAVE_TIMEOUT):
                await ws.send_str(encode(PeerLeft()).decode())
                await ws.close()
        if not ws.closed:
            ws._response.close()  # the server did not answer the close: drop the socket


__all__ = ["RoomSignaling"]
