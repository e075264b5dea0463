"""A call through Debian's coturn when the peers cannot reach each other directly: the
namespace drops every UDP datagram that does not go to or come from coturn, the TURN server
comes from a configuration string, and both engines still receive each other's frames over a
relayed candidate pair."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest

from media.call import Call
from media.config import IceServer, RoomBackend, parse_ice_servers
from media.devices import TestPatternTrack, ToneTrack
from media.signaling.room import RoomSignaling
from tests.fixtures.server import ServerProcess
from tests.fixtures.turn import DirectUdpBlock, TurnProcess
from tests.media.netns.engines import FAST, stamp_from, until
from tests.server.conftest import api_for

ROOM = "cds-cap-xa"  # seeded online meeting (chuyenvien1, chuyenvien2 are invited)


@pytest.fixture
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("relay"))
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def turn(tmp_path: Path) -> Iterator[TurnProcess]:
    proc = TurnProcess(tmp_path)
    proc.start()
    yield proc
    proc.stop()


def _call(
    http: aiohttp.ClientSession,
    server: ServerProcess,
    user: str,
    tag: int,
    ice: tuple[IceServer, ...],
) -> Call:
    token = str(api_for(server).login(user).token)
    backend = RoomBackend(server.url.replace("http", "ws", 1) + f"/api/v1/rooms/{ROOM}", ROOM)
    return Call(
        lambda: RoomSignaling(http, backend, token),
        ice_servers=ice,
        video=TestPatternTrack(tag),
        audio=ToneTrack(),
        backoff=FAST,
    )


def _nominated_types(call: Call) -> set[tuple[str, str]]:
    """(local, remote) candidate types of the pairs ICE chose; aiortc has no public API for it."""
    types = set()
    for link in call._peers.values():
        if link.pc is None:
            continue
        for transceiver in link.pc.getTransceivers():
            connection = transceiver.receiver.transport.transport._connection
            for pair in connection._nominated.values():
                types.add((pair.local_candidate.type, pair.remote_candidate.type))
    return types


def _udp_arrives() -> bool:
    """Whether a datagram between two ordinary sockets of the namespace gets through."""
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender,
    ):
        receiver.bind(("127.0.0.2", 0))
        receiver.settimeout(0.5)
        sender.bind(("127.0.0.2", 0))
        try:
            sender.sendto(b"direct?", receiver.getsockname())
            return receiver.recv(64) == b"direct?"
        except PermissionError:  # an output rule's drop refuses the send itself
            return False
        except TimeoutError:
            return False


async def test_peers_that_cannot_reach_each_other_talk_through_turn(
    relay: ServerProcess, turn: TurnProcess, http: aiohttp.ClientSession
) -> None:
    config = [f"turn://{quote(turn.username)}:{quote(turn.password)}@{turn.url.split(':', 1)[1]}"]
    ice = parse_ice_servers(config)
    assert _udp_arrives()  # before: direct UDP works in the namespace
    with DirectUdpBlock(turn.port):
        assert not _udp_arrives()  # now only coturn's ports carry UDP
        alice = _call(http, relay, "chuyenvien1", 111, ice)
        bob = _call(http, relay, "chuyenvien2", 222, ice)
        try:
            alice.join()
            bob.join()
            await until(lambda: stamp_from(alice, 222) is not None, "bob's frames at alice")
            await until(lambda: stamp_from(bob, 111) is not None, "alice's frames at bob")
            for call in (alice, bob):
                pairs = _nominated_types(call)
                assert pairs, "no nominated pair"
                assert all("relay" in pair for pair in pairs), pairs
            assert turn.allocations() >= 1
        finally:
            await alice.close()
            await bob.close()
    assert _udp_arrives()  # the block is gone for the other tests of the namespace
