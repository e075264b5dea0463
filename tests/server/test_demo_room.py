"""`hopdesk --demo`'s simulated delegates (server/demo_room.py) on the real demo server: the
chair, signed in through the real API, sees them ask to speak, vote and chat on the event stream,
and the server stops cleanly with the simulation running."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import signal
import time
from collections.abc import Callable
from typing import Any

import websockets

from server.demo_room import PEOPLE, is_live_meeting
from tests.fixtures.server import ServerFactory, ServerProcess
from tests.server.conftest import Api, api_for

WANTED = {"speak.queue", "chat.message", "poll.updated"}


async def _watch(
    server: ServerProcess, token: str, meeting_id: int, simulated: set[int]
) -> dict[str, list[Any]]:
    """Events of the meeting from the chair's live stream until each wanted type came with a
    simulated delegate's doing in it (a request in the queue, a message, a ballot counted)."""
    seen: dict[str, list[Any]] = {t: [] for t in WANTED}
    url = server.url.replace("http", "ws", 1) + "/api/v1/events/ws?since=0"
    headers = {"Authorization": f"Bearer {token}"}
    async with websockets.connect(url, additional_headers=headers) as sock:
        async with asyncio.timeout(60):
            while not all(seen.values()):
                event = json.loads(await sock.recv())
                data = event.get("data") or {}
                wanted = event.get("type") in WANTED and data.get("meeting_id") == meeting_id
                if wanted and _by(simulated, event["type"], data):
                    seen[event["type"]].append(data)
    return seen


def _by(simulated: set[int], type_: str, data: dict[str, Any]) -> bool:
    """Whether the event shows something a simulated delegate did."""
    if type_ == "speak.queue":
        return any(r["user"]["id"] in simulated for r in data["queue"])
    if type_ == "chat.message":
        return data["sender"]["id"] in simulated
    return bool(data["voted"])


def _get(chair: Callable[[], Api], path: str) -> Any:
    """GET `path` as the client `chair` gives; again with a new one when the token died first
    (tokens of one second: on a busy machine even a fresh one was gone by its first request)."""
    for _ in range(20):
        reply = chair().get(path)
        if reply.status != 401:
            assert reply.status == 200, reply.body
            return reply.json()
    raise AssertionError(f"every token expired before its request reached {path}")


def _live_meeting(chair: Callable[[], Api]) -> int:
    """The seed's live meeting, where the delegates act (today's clock may have put others of
    the seed in progress too)."""
    return next(
        m["id"]
        for m in _get(chair, "/meetings")
        if m["status"] == "in_progress" and is_live_meeting(_get(chair, f"/meetings/{m['id']}"))
    )


def test_simulated_delegates_speak_vote_and_chat(server_factory: ServerFactory) -> None:
    server = server_factory(extra_args=["--demo-delegates", "0.3"])
    anon = api_for(server)
    chair = anon.login("giamdoc")
    simulated = {int(anon.login(name).user["id"]) for name in PEOPLE}
    meeting_id = _live_meeting(lambda: chair)

    seen = asyncio.run(_watch(server, str(chair.token), meeting_id, simulated))

    askers = {r["user"]["id"] for q in seen["speak.queue"] for r in q["queue"]}
    assert askers <= simulated
    [poll] = chair.get(f"/meetings/{meeting_id}/polls").json()
    assert poll["status"] == "open"
    assert poll["voted"] >= 1
    assert chair.get(f"/meetings/{meeting_id}/chat").json()["messages"]
    proc = server.proc
    assert proc is not None
    server.stop()
    assert proc.returncode in (0, -signal.SIGTERM), server.stderr()[-2000:]  # not killed
    assert "Traceback" not in server.stderr()


def test_simulated_delegates_sign_in_again_when_their_tokens_expire(
    server_factory: ServerFactory,
) -> None:
    """Access tokens of one second: the delegates still act well after their first ones died."""
    server = server_factory(extra_args=["--demo-delegates", "0.2", "--access-ttl", "1"])
    anon = api_for(server)
    meeting_id = _live_meeting(lambda: anon.login("giamdoc"))  # a new token per request
    simulated = {int(anon.login(name).user["id"]) for name in PEOPLE}

    def stamps() -> list[dt.datetime]:
        """When each chat line of a simulated delegate was sent (a fresh token per look)."""
        page = _get(lambda: anon.login("giamdoc"), f"/meetings/{meeting_id}/chat?limit=200")
        return [
            dt.datetime.fromisoformat(m["created_at"])
            for m in page["messages"]
            if m["sender"]["id"] in simulated
        ]

    deadline = time.monotonic() + 60
    while not ((s := stamps()) and max(s) - min(s) > dt.timedelta(seconds=3)):
        assert time.monotonic() < deadline, "the delegates stopped when their tokens expired"
        time.sleep(0.2)  # polling for the next line; the assertion above bounds the wait
    assert "Traceback" not in server.stderr()
