"""Simulated delegates for `hopdesk --demo`: the demo's meeting in progress comes alive.

One person trying the demo signs in as the chair; these seeded delegates ask to speak, vote on
any open poll and chat, so the chair's side has something to do and a second client signed in
as `chuyenvien2` (left free for a human) sees a busy room. They act through the server's real
HTTP API with their own tokens, exactly as a desktop would, from one asyncio task in the
server process (never in the desktop's GUI thread), a few seconds apart; the task is cancelled
when the server shuts down.

They arrive one step (`pace`) after the server listens, and aiohttp is imported then, in a
thread: `hopdesk --demo` signs in and loads its first lists from this server right after the
`listening on` line, and three sign-ins (argon2, each tens of ms of CPU) and aiohttp's import
(~0.2 s) at that moment delayed the app's first window on a two-core machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import random
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from server.seed import LIVE_ROOM

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger(__name__)

# The two whom `hopdesk --demo` also shows in the call (desktop/demo_call.py); chuyenvien2 stays
# free for a human trying the delegate's side.
PEOPLE = ("phogiamdoc", "chuyenvien1")
SECRETARY = "chanhvp"
PASSWORD = "hopdesk-demo"  # the seed's documented demo password
PACE = 4.0  # seconds between two actions
MAX_WAITING = 3  # the simulated delegates keep the queue this short
ASK, TALK = 0.6, 0.35  # chances of asking to speak (when not in the queue) and of a chat line
FIRST_POLL = "Thông qua chương trình cuộc họp"
LINES = (
    "Tôi đề nghị bổ sung số liệu tháng này vào báo cáo.",
    "Phòng chúng tôi thống nhất với nội dung dự thảo.",
    "Đề nghị làm rõ tiến độ triển khai ở cấp huyện.",
    "Tài liệu trang 2 có số liệu cần cập nhật.",
    "Xin ý kiến chủ trì về thời hạn hoàn thành.",
)
Json = dict[str, object]


def is_live_meeting(meeting: Json) -> bool:
    """Whether a meeting's detail (`GET /meetings/{id}`) is the seed's live meeting."""
    media = meeting.get("media")
    return isinstance(media, dict) and media.get("room") == LIVE_ROOM


@dataclass
class _Member:
    """One simulated person: their name and current access token."""

    username: str
    token: str = ""
    user_id: int = 0
    voted: set[int] = field(default_factory=set)


class DemoDelegates:
    """The simulation against the server at `base_url` (`…/api/v1`)."""

    def __init__(self, base_url: str, pace: float = PACE, seed: int | None = None) -> None:
        self.base = base_url.rstrip("/")
        self.pace = pace
        self.random = random.Random(seed)
        self.members = [_Member(name) for name in PEOPLE]
        self.secretary = _Member(SECRETARY)
        self.http: aiohttp.ClientSession | None = None
        self.said = 0  # chat lines go round LINES: no one repeats the line just said

    async def run(self) -> None:
        """Act until cancelled; a failed step is logged and the next one tried."""
        await asyncio.sleep(self.pace)
        aiohttp = await asyncio.to_thread(importlib.import_module, "aiohttp")
        async with aiohttp.ClientSession() as http:
            self.http = http
            try:
                meeting_id = await self._meeting()
                if meeting_id is not None:
                    await self._first_poll(meeting_id)
            except (aiohttp.ClientError, OSError, KeyError, ValueError) as exc:
                log.warning("demo delegates cannot start: %r", exc)
                return
            if meeting_id is None:
                log.warning("demo delegates: no meeting in progress")
                return
            turn = 0
            while True:
                member = self.members[turn % len(self.members)]
                turn += 1
                try:
                    await self.act(member, meeting_id)
                except (aiohttp.ClientError, OSError, KeyError, ValueError) as exc:
                    log.info("demo delegate %s: %r", member.username, exc)
                await asyncio.sleep(self.pace)

    async def act(self, member: _Member, meeting_id: int) -> None:
        """One step of one delegate: vote where they may, else perhaps ask to speak, else
        perhaps say a line in the chat (not every step: a room, not a flood)."""
        for poll in cast(
            list[Json], await self._call(member, "GET", f"/meetings/{meeting_id}/polls")
        ):
            poll_id = cast(int, poll["id"])
            if poll["status"] == "open" and poll["may_vote"] and not poll["i_voted"]:
                options = cast(list[str], poll["options"])
                body: Json = {"option": self.random.randrange(len(options))}
                await self._call(
                    member, "POST", f"/meetings/{meeting_id}/polls/{poll_id}/vote", body
                )
                return
        floor = cast(
            Json, await self._call(member, "GET", f"/meetings/{meeting_id}/speak-requests")
        )
        queue = cast(list[Json], floor["queue"])
        speaker = cast(Json | None, floor["speaker"])
        mine = [r for r in queue if cast(Json, r["user"])["id"] == member.user_id]
        speaking = speaker is not None and cast(Json, speaker["user"])["id"] == member.user_id
        if not mine and not speaking and len(queue) < MAX_WAITING and self.random.random() < ASK:
            await self._call(member, "POST", f"/meetings/{meeting_id}/speak-requests", {})
        elif self.random.random() < TALK:
            text = LINES[self.said % len(LINES)]
            self.said += 1
            await self._call(member, "POST", f"/meetings/{meeting_id}/chat", {"text": text})

    async def _meeting(self) -> int | None:
        """The seed's live meeting, whose members the simulated delegates are (not any meeting
        that today's clock has put in progress)."""
        member = self.members[0]
        meetings = cast(list[Json], await self._call(member, "GET", "/meetings"))
        for meeting in meetings:
            if meeting["status"] != "in_progress":
                continue
            detail = cast(Json, await self._call(member, "GET", f"/meetings/{meeting['id']}"))
            if is_live_meeting(detail):
                return cast(int, meeting["id"])
        return None

    async def _first_poll(self, meeting_id: int) -> None:
        """A meeting without polls gets an open one from the secretary: voting shows at once."""
        polls = await self._call(self.secretary, "GET", f"/meetings/{meeting_id}/polls")
        if polls:
            return
        created = cast(
            Json,
            await self._call(
                self.secretary, "POST", f"/meetings/{meeting_id}/polls", {"title": FIRST_POLL}
            ),
        )
        await self._call(
            self.secretary, "POST", f"/meetings/{meeting_id}/polls/{created['id']}/open"
        )

    async def _sign_in(self, member: _Member) -> None:
        assert self.http is not None
        body = {"username": member.username, "password": PASSWORD}
        async with self.http.post(f"{self.base}/auth/login", json=body) as reply:
            reply.raise_for_status()
            pair = await reply.json()
        member.token = str(pair["access_token"])
        member.user_id = int(pair["user"]["id"])

    async def _call(
        self, member: _Member, method: str, path: str, body: Json | None = None
    ) -> object:
        """One request as `member`, signing in first and again when the token expired."""
        assert self.http is not None
        for attempt in range(2):
            if not member.token:
                await self._sign_in(member)
            headers = {"Authorization": f"Bearer {member.token}"}
            if method != "GET":
                headers["Idempotency-Key"] = str(uuid.uuid4())
            async with self.http.request(
                method, self.base + path, json=body, headers=headers
            ) as reply:
                if reply.status == 401 and attempt == 0:
                    member.token = ""
                    continue
                reply.raise_for_status()
                return await reply.json()
        raise ValueError("not signed in")


class DemoDelegatesTask:
    """The simulation's task in the server's loop: started after start-up, cancelled at stop."""

    def __init__(self, base_url: str, pace: float = PACE) -> None:
        self.simulation = DemoDelegates(base_url, pace)
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(
            self.simulation.run(), name="demo-delegates"
        )

    async def stop(self) -> None:
        task, self.task = self.task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
