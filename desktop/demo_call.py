"""Synthetic participants for `hopdesk --demo`: a newcomer who opens the online meeting on one
machine sees a live grid, not an empty room.

Each participant is a seeded user signed in to the demo server and an aiortc call in this
process, joined to the meeting's room on the server's relay like any client, sending a moving
test pattern with their name drawn in and a tone that speaks in turns (so the big tile follows
the speaker). They start with the demo user's call and leave with it (desktop/call_service.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import aiohttp

from media.call import Call
from media.config import RoomBackend
from media.devices import TestPatternTrack, ToneTrack
from media.errors import MediaError
from media.signaling import Signaling
from media.signaling.room import RoomSignaling

log = logging.getLogger(__name__)

PEOPLE = ("phogiamdoc", "chuyenvien1", "chuyenvien2")  # seeded members of the demo meetings
PASSWORD = "hopdesk-demo"  # the reference server's documented demo password
COUNT = 2
# (seconds on, seconds off, offset): the two take turns of 6 s, with a pause between them
TURNS = ((6.0, 8.0, 0.0), (6.0, 8.0, 7.0))
SIZE = (480, 272)  # smaller than a camera's: the demo encodes all of it on one machine


class DemoParticipants:
    """Up to `COUNT` synthetic participants in one room of the demo server."""

    def __init__(self, server_url: str, backend: RoomBackend, me: str) -> None:
        self.server_url = server_url.rstrip("/")
        self.backend = backend
        self.me = me
        self.calls: list[Call] = []
        self._http: aiohttp.ClientSession | None = None

    async def start(self, people: Sequence[str] = PEOPLE) -> None:
        """Sign the participants in and let them join; one that cannot is skipped (logged)."""
        self._http = http = aiohttp.ClientSession()
        others = [p for p in people if p != self.me][:COUNT]
        for index, username in enumerate(others):
            try:
                token, name = await self._sign_in(http, username)
            except (aiohttp.ClientError, OSError, KeyError, ValueError) as exc:
                log.warning("demo participant %s cannot sign in: %r", username, exc)
                continue
            call = Call(
                self._connector(http, token),
                video=TestPatternTrack(900 + index, *SIZE, label=name),
                audio=ToneTrack(330.0 + 110.0 * index, talk=TURNS[index % len(TURNS)]),
            )
            self.calls.append(call)
            call.join()
        log.info("demo participants in %s: %d", self.backend.room, len(self.calls))

    def _connector(self, http: aiohttp.ClientSession, token: str) -> Callable[[], Signaling]:
        return lambda: RoomSignaling(http, self.backend, token)

    async def _sign_in(self, http: aiohttp.ClientSession, username: str) -> tuple[str, str]:
        url = f"{self.server_url}/api/v1/auth/login"
        body = {"username": username, "password": PASSWORD}
        async with http.post(url, json=body) as reply:
            reply.raise_for_status()
            pair = await reply.json()
        return str(pair["access_token"]), str(pair["user"]["full_name"])

    async def close(self) -> None:
        """Every participant leaves; idempotent."""
        calls, self.calls = self.calls, []
        for call in calls:
            try:
                await call.close()
            except MediaError:
                log.warning("demo participant did not leave cleanly", exc_info=True)
        http, self._http = self._http, None
        if http is not None:
            await http.close()
