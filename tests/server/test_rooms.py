"""The room relay (server/rooms.py) against the real server process: admission by meeting
membership, presence, relaying to a named peer, bad messages answered, vanished peers dropped."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import websockets

from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api, api_for

ROOM = "cds-cap-xa"  # seeded: chair phogiamdoc, secretary chanhvp, chuyenvien1/2 and khach
PING = 0.5  # seconds, --room-ping: a silent peer is gone within two of these
WAIT = 10.0


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("rooms"), extra_args=["--room-ping", str(PING)])
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def tokens(relay: ServerProcess) -> dict[str, str]:
    api: Api = api_for(relay)
    names = ["chuyenvien1", "chuyenvien2", "khach", "chanhvp", "vanthu"]
    return {name: str(api.login(name).token) for name in names}


def _url(server: ServerProcess, room: str = ROOM) -> str:
    return server.url.replace("http", "ws", 1) + f"/api/v1/rooms/{room}"


class Peer:
    """One relay connection that answers pings, as the client adapter does."""

    def __init__(self, sock: Any) -> None:
        self.sock = sock
        self.id = ""

    async def next(self) -> dict[str, Any]:
        """The next message other than a ping (pings are answered)."""
        async with asyncio.timeout(WAIT):
            while True:
                message = json.loads(await self.sock.recv())
                if message["type"] != "ping":
                    return message
                await self.sock.send(json.dumps({"type": "pong"}))

    async def send(self, message: dict[str, Any] | str | bytes) -> None:
        await self.sock.send(message if isinstance(message, str | bytes) else json.dumps(message))


@asynccontextmanager
async def joined(server: ServerProcess, token: str, *, header: bool = True) -> AsyncIterator[Peer]:
    """In the room, with the presence message read (`peer.id`, `peer.presence`)."""
    headers = {"Authorization": f"Bearer {token}"} if header else {}
    async with websockets.connect(_url(server), additional_headers=headers) as sock:
        peer = Peer(sock)
        if not header:  # first-message authentication, as on the event stream
            await peer.send({"type": "auth", "access_token": token})
        presence = await peer.next()
        assert presence["type"] == "presence", presence
        peer.id = presence["you"]
        peer.presence = presence  # type: ignore[attr-defined]
        yield peer


async def _drain(sock: Any) -> None:
    async with asyncio.timeout(WAIT):
        while True:
            await sock.recv()


async def _close_code(sock: Any) -> int:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await _drain(sock)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


def test_presence_joins_and_leaves(relay: ServerProcess, tokens: dict[str, str]) -> None:
    async def scenario() -> None:
        async with joined(relay, tokens["chuyenvien1"]) as a:
            assert a.presence["peers"] == []  # type: ignore[attr-defined]
            async with joined(relay, tokens["khach"], header=False) as b:
                assert b.presence["peers"] == [  # type: ignore[attr-defined]
                    {"peer": a.id, "display": a_name}
                ]
                came = await a.next()
                assert (came["type"], came["peer"]) == ("join", b.id)
                assert came["display"]
                await b.send({"type": "leave"})
                assert await _close_code(b.sock) == 1000
                assert await a.next() == {"type": "leave", "peer": b.id}

    a_name = api_for(relay).login("chuyenvien1").user["full_name"]
    asyncio.run(scenario())


def test_offer_answer_and_candidates_reach_the_named_peer_only(
    relay: ServerProcess, tokens: dict[str, str]
) -> None:
    async def scenario() -> None:
        async with (
            joined(relay, tokens["chuyenvien1"]) as a,
            joined(relay, tokens["chuyenvien2"]) as b,
            joined(relay, tokens["chanhvp"]) as c,
        ):
            assert (await a.next())["peer"] == b.id
            assert (await a.next())["peer"] == c.id
            assert (await b.next())["peer"] == c.id
            await a.send({"type": "offer", "peer": b.id, "sdp": "v=0 offer"})
            assert await b.next() == {"type": "offer", "peer": a.id, "sdp": "v=0 offer"}
            await b.send({"type": "answer", "peer": a.id, "sdp": "v=0 answer"})
            assert await a.next() == {"type": "answer", "peer": b.id, "sdp": "v=0 answer"}
            line = "candidate:1 1 udp 2130706431 127.0.0.2 5000 typ host"
            await b.send({"type": "candidate", "peer": a.id, "candidate": line, "sdp_mid": "0"})
            got = await a.next()
            assert (got["type"], got["peer"], got["candidate"]) == ("candidate", b.id, line)
            # c saw none of it: the next thing it receives is what is sent to it now
            await a.send({"type": "offer", "peer": c.id, "sdp": "for c"})
            assert await c.next() == {"type": "offer", "peer": a.id, "sdp": "for c"}
            # how large a shows c's video: for c only, as coming from a
            await a.send({"type": "view", "peer": c.id, "height": 720})
            assert await c.next() == {"type": "view", "peer": a.id, "height": 720}

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("who", "room", "how", "code"),
    [
        ("vanthu", ROOM, "header", 4403),  # signed in, not invited
        ("bad-token", ROOM, "header", 4401),
        ("bad-token", ROOM, "message", 4401),
        ("chuyenvien1", "no-such-room", "header", 4404),
        ("chuyenvien1", ROOM, "url", 4400),  # a token in the URL ends up in logs
    ],
)
def test_who_may_not_enter(
    relay: ServerProcess, tokens: dict[str, str], who: str, room: str, how: str, code: int
) -> None:
    token = tokens.get(who, "not-a-token")

    async def scenario() -> int:
        url = _url(relay, room) + (f"?access_token={token}" if how == "url" else "")
        headers = {"Authorization": f"Bearer {token}"} if how == "header" else {}
        async with websockets.connect(url, additional_headers=headers) as sock:
            if how == "message":
                await sock.send(json.dumps({"type": "auth", "access_token": token}))
            return await _close_code(sock)

    assert asyncio.run(scenario()) == code


def test_bad_messages_are_answered_and_the_connection_goes_on(
    relay: ServerProcess, tokens: dict[str, str]
) -> None:
    bad: list[tuple[str | bytes, str]] = [
        ("{not json", "bad-json"),
        (b"\xff\xfe\x00", "bad-json"),
        ('{"type": "teleport", "peer": "x"}', "unknown-type"),
        ("[1, 2]", "unknown-type"),
        ('{"type": "offer", "peer": "x"}', "bad-message"),  # no sdp
        ('{"type": "offer", "peer": "x", "sdp": 5}', "bad-message"),
        (json.dumps({"type": "offer", "peer": "x", "sdp": "x" * 70_000}), "too-large"),
        ('{"type": "offer", "peer": "nobody", "sdp": "v=0"}', "no-such-peer"),
        ('{"type": "view", "peer": "x", "height": -1}', "bad-message"),
        ('{"type": "view", "peer": "x", "height": "large"}', "bad-message"),
    ]

    async def scenario() -> None:
        async with joined(relay, tokens["chuyenvien1"]) as a, joined(relay, tokens["khach"]) as b:
            await a.next()  # b's join
            for raw, code in bad:
                await a.send(raw)
                answer = await a.next()
                assert (answer["type"], answer["code"]) == ("error", code), raw[:60]
            await a.send({"type": "offer", "peer": a.id, "sdp": "to myself"})
            assert (await a.next())["code"] == "no-such-peer"
            await a.send({"type": "offer", "peer": b.id, "sdp": "still here"})
            assert await b.next() == {"type": "offer", "peer": a.id, "sdp": "still here"}

    asyncio.run(scenario())


def test_a_peer_that_stops_answering_is_dropped(
    relay: ServerProcess, tokens: dict[str, str]
) -> None:
    async def scenario() -> int:
        async with joined(relay, tokens["chuyenvien2"]) as watcher:
            headers = {"Authorization": f"Bearer {tokens['khach']}"}
            # answers WebSocket pings (the library does) but never the relay's own pings
            async with websockets.connect(_url(relay), additional_headers=headers) as silent:
                presence = json.loads(await silent.recv())
                came = await watcher.next()
                assert came == {"type": "join", "peer": presence["you"], "display": came["display"]}
                assert await watcher.next() == {"type": "leave", "peer": presence["you"]}
                return await _close_code(silent)

    assert asyncio.run(scenario()) == 4408
