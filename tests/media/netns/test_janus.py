"""Two HopDesk call engines through Debian's Janus VideoRoom, with synthetic media."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator

import aiohttp
import pytest

from media.call import Backoff, Call
from media.config import JanusBackend
from media.devices import TestPatternTrack, ToneTrack, read_stamp
from media.errors import SignalingRefused
from media.signaling.janus import JanusSignaling
from media.state import CallState
from tests.fixtures.janus import ROOM, JanusProcess

WAIT = 20.0  # seconds; a DTLS retransmit alone can take 1 s (RECIPES.md)
FAST = Backoff(base=0.2, cap=1.0)


@pytest.fixture
def janus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JanusProcess]:
    proc = JanusProcess(tmp_path_factory.mktemp("janus"))
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _call(
    http: aiohttp.ClientSession, janus: JanusProcess, name: str, tag: int, room: int = ROOM
) -> Call:
    backend = JanusBackend(janus.url, room)
    return Call(
        lambda: JanusSignaling(http, backend, name, keepalive=1.0),
        ice_servers=(),  # never aiortc's public STUN default
        video=TestPatternTrack(tag),
        audio=ToneTrack(),
        backoff=FAST,
    )


async def _until(check: Callable[[], bool], what: str, within: float = WAIT) -> None:
    """Wait for a condition the engine reaches by itself (polled, not a fixed sleep)."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def _stamp_from(call: Call, tag: int) -> int | None:
    """Milliseconds of the newest frame from the participant sending `tag`, if any."""
    for peer in call.participants():
        video = call.video(peer)
        if video is not None and video.last_frame is not None:
            stamp = read_stamp(video.last_frame)
            if stamp is not None and stamp.tag == tag:
                return stamp.millis
    return None


async def test_two_engines_receive_each_others_frames_through_janus(
    janus: JanusProcess, http: aiohttp.ClientSession
) -> None:
    alice = _call(http, janus, "Alice", tag=101)
    bob = _call(http, janus, "Bob", tag=202)
    states: list[str] = []
    alice.state_changed.connect(lambda state, _reason: states.append(state))
    speaking: list[tuple[str, bool]] = []
    alice.speaking_changed.connect(lambda peer, talking: speaking.append((peer, talking)))
    try:
        alice.join()
        await _until(lambda: alice.status.state is CallState.CONNECTED, "alice connected")
        bob.join()
        await _until(lambda: _stamp_from(alice, 202) is not None, "bob's frames at alice")
        await _until(lambda: _stamp_from(bob, 101) is not None, "alice's frames at bob")
        first = _stamp_from(alice, 202)
        await _until(lambda: (_stamp_from(alice, 202) or 0) > (first or 0), "frames keep coming")
        age = time.time() * 1000 - (_stamp_from(alice, 202) or 0)
        assert 0 <= age < 5000, age  # live frames, drawn moments ago by bob
        assert states == ["connecting", "connected"]
        assert list(alice.participants().values()) == ["Bob"]  # Janus itself is no participant
        assert list(bob.participants().values()) == ["Alice"]
        (bob_feed,) = alice.participants()
        # bob's tone is steady speech to Janus's audio levels: he becomes the active speaker
        await _until(lambda: (bob_feed, True) in speaking, "bob talking at alice")
    finally:
        await bob.close()
        await _until(lambda: not alice.participants(), "bob's leave reached alice")
        assert len(alice.roster) == 0  # his tile went away
        await alice.close()
    assert alice.task_count() == bob.task_count() == 0
    assert alice.status.state is bob.status.state is CallState.ENDED


async def test_a_room_that_does_not_exist_is_a_typed_refusal(
    janus: JanusProcess, http: aiohttp.ClientSession
) -> None:
    signaling = JanusSignaling(http, JanusBackend(janus.url, 999_999), "Alice")
    with pytest.raises(SignalingRefused) as refused:
        await signaling.join()
    assert refused.value.code == 426  # Janus VideoRoom: no such room
    await signaling.leave()  # idempotent after a failed join

    call = _call(http, janus, "Alice", tag=7, room=999_999)
    try:
        call.join()
        await _until(lambda: call.status.state is CallState.FAILED, "the call failed")
        assert call.status.reason  # a translated sentence, no retrying
    finally:
        await call.close()
    assert call.task_count() == 0


async def test_engines_rejoin_by_themselves_after_janus_restarts(
    janus: JanusProcess, http: aiohttp.ClientSession
) -> None:
    alice = _call(http, janus, "Alice", tag=31)
    bob = _call(http, janus, "Bob", tag=32)
    states: list[str] = []
    alice.state_changed.connect(lambda state, _reason: states.append(state))
    try:
        alice.join()
        await _until(lambda: alice.status.state is CallState.CONNECTED, "alice connected")
        bob.join()
        await _until(lambda: _stamp_from(alice, 32) is not None, "bob's frames at alice")
        await asyncio.to_thread(janus.restart)  # the link and the media drop under both
        await _until(lambda: "reconnecting" in states, "alice saw the drop")
        await _until(
            lambda: alice.status.state is bob.status.state is CallState.CONNECTED, "both back"
        )
        before = time.time() * 1000
        await _until(lambda: (_stamp_from(alice, 32) or 0) > before, "bob's new frames at alice")
        await _until(lambda: (_stamp_from(bob, 31) or 0) > before, "alice's new frames at bob")
        assert states[-1] == "connected"
    finally:
        await alice.close()
        await bob.close()
    assert alice.task_count() == bob.task_count() == 0
