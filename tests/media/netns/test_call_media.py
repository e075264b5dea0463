"""Two HopDesk call engines through the real server's room relay, with synthetic media."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import qasync
import websockets
from PySide6.QtWidgets import QApplication

from media.state import CallState
from tests.fixtures.server import ServerProcess
from tests.media.netns.engines import (
    frames,
    relay_backend,
    relay_call,
    stamp_from,
    states_of,
    until,
)
from tests.server.conftest import api_for


async def test_two_engines_receive_each_others_frames(
    relay: ServerProcess, http: aiohttp.ClientSession
) -> None:
    alice = relay_call(http, relay, "chuyenvien1", tag=101)
    bob = relay_call(http, relay, "chuyenvien2", tag=202)
    states = states_of(alice)
    try:
        alice.join()
        await until(lambda: alice.status.state is CallState.CONNECTED, "alice connected")
        bob.join()
        await until(lambda: stamp_from(alice, 202) is not None, "bob's frames at alice")
        await until(lambda: stamp_from(bob, 101) is not None, "alice's frames at bob")
        first = stamp_from(alice, 202)
        await until(lambda: (stamp_from(alice, 202) or 0) > (first or 0), "frames keep coming")
        age = time.time() * 1000 - (stamp_from(alice, 202) or 0)
        assert 0 <= age < 5000, age  # frames are live, drawn moments ago by bob
        assert states == ["connecting", "connected"]
        assert [p.has_video for p in (alice.roster[0], bob.roster[0])] == [True, True]
        await alice.stats()  # the first sample; rates come from the next
        before = frames(alice)
        await until(lambda: frames(alice) > before + 30, "a second of video")
        (figures,) = (await alice.stats()).values()
        assert figures.received_kbps > 50
        assert figures.sent_kbps > 50
        assert 5 < figures.fps < 40
        assert 0 <= figures.loss < 0.5
        await until(lambda: alice.roster[0].media == "connected", "alice's roster says connected")
        assert set(alice.participants().values()) == {
            api_for(relay).login("chuyenvien2").user["full_name"]
        }
    finally:
        await bob.close()
        await until(lambda: not alice.participants(), "bob's leave reached alice")
        await alice.close()
    assert alice.task_count() == bob.task_count() == 0
    assert alice.status.state is bob.status.state is CallState.ENDED


async def test_a_peer_sends_tile_size_until_it_is_shown_large(
    relay: ServerProcess, http: aiohttp.ClientSession
) -> None:
    alice = relay_call(http, relay, "chuyenvien1", tag=41, size=(1280, 720))  # an HD camera
    bob = relay_call(http, relay, "chuyenvien2", tag=42)

    def size_at_bob() -> tuple[int, int] | None:
        video = next((v for p in bob.participants() if (v := bob.video(p))), None)
        last = video.last_frame if video is not None else None
        return (last.width, last.height) if last is not None else None

    try:
        alice.join()
        await until(lambda: alice.status.state is CallState.CONNECTED, "alice connected")
        bob.join()
        await until(lambda: size_at_bob() is not None, "alice's frames at bob")
        assert size_at_bob() == (640, 360)  # a tile's size until bob shows her larger
        (peer,) = bob.participants()
        bob.show_video({peer: 700})  # bob's big tile: alice's camera at 720 lines
        await until(lambda: size_at_bob() == (1280, 720), "alice's video at 720 lines")
        bob.show_video({peer: 240})  # back to a tile
        await until(lambda: size_at_bob() == (640, 360), "alice's video at 360 lines again")
        assert alice.self_view.last_frame is not None
        assert alice.self_view.last_frame.height == 720  # her own view is never scaled
    finally:
        await bob.close()
        await alice.close()


async def test_malformed_signaling_is_answered_and_the_call_goes_on(
    relay: ServerProcess, http: aiohttp.ClientSession
) -> None:
    alice = relay_call(http, relay, "chuyenvien1", tag=11)
    bob = relay_call(http, relay, "chuyenvien2", tag=22)
    try:
        alice.join()
        await until(lambda: alice.status.state is CallState.CONNECTED, "alice connected")
        bob.join()
        await until(lambda: stamp_from(alice, 22) is not None, "bob's frames at alice")
        token = str(api_for(relay).login("khach").token)
        headers = {"Authorization": f"Bearer {token}"}
        async with websockets.connect(relay_backend(relay).url, additional_headers=headers) as evil:
            presence = json.loads(await evil.recv())
            target = next(iter(presence["peers"]))["peer"]
            hostile: list[tuple[str, str | None]] = [
                ("{nope", "bad-json"),
                ('{"type": "hijack"}', "unknown-type"),
                (json.dumps({"type": "offer", "peer": target, "sdp": "x" * 70_000}), "too-large"),
                (json.dumps({"type": "offer", "peer": target, "sdp": "v=0\r\nm=junk"}), None),
                (json.dumps({"type": "answer", "peer": target, "sdp": "not sdp"}), None),
                (json.dumps({"type": "candidate", "peer": target, "candidate": "garbage"}), None),
            ]
            for raw, code in hostile:
                await evil.send(raw)
                if code is not None:  # the relay answers the sender with an error
                    reply = json.loads(await evil.recv())
                    assert (reply["type"], reply["code"]) == ("error", code)
            # the engines took the relayed garbage, logged it, and kept their call
            count = {c: frames(c) for c in (alice, bob)}
            await until(lambda: all(frames(c) > count[c] + 15 for c in count), "media goes on")
            assert alice.status.state is bob.status.state is CallState.CONNECTED
    finally:
        await alice.close()
        await bob.close()


async def test_server_down_at_join_says_so_and_retries(
    relay: ServerProcess, http: aiohttp.ClientSession
) -> None:
    alice = relay_call(http, relay, "chuyenvien1", tag=1)
    seen: list[tuple[str, str]] = []
    alice.state_changed.connect(lambda state, reason: seen.append((state, reason)))
    relay.stop()
    try:
        alice.join()
        await until(lambda: alice.status.state is CallState.RECONNECTING, "reconnecting")
        assert alice.status.reason  # a translated sentence for the user
        await asyncio.to_thread(relay.restart)
        await until(lambda: alice.status.state is CallState.CONNECTED, "joined after retry")
        states = [s for s, _ in seen]
        assert states[:2] == ["connecting", "reconnecting"]
        assert states[-1] == "connected"
    finally:
        await alice.close()
    assert alice.task_count() == 0


async def test_both_engines_rejoin_after_the_relay_restarts_mid_call(
    relay: ServerProcess, http: aiohttp.ClientSession
) -> None:
    alice = relay_call(http, relay, "chuyenvien1", tag=31)
    bob = relay_call(http, relay, "chuyenvien2", tag=32)
    states = states_of(alice)
    try:
        alice.join()
        await until(lambda: alice.status.state is CallState.CONNECTED, "alice connected")
        bob.join()
        await until(lambda: stamp_from(alice, 32) is not None, "bob's frames at alice")
        await asyncio.to_thread(relay.restart)  # the link drops under both calls
        await until(lambda: "reconnecting" in states, "alice saw the drop")
        await until(
            lambda: alice.status.state is bob.status.state is CallState.CONNECTED, "both back"
        )
        before = time.time() * 1000
        await until(lambda: (stamp_from(alice, 32) or 0) > before, "bob's new frames at alice")
        await until(lambda: (stamp_from(bob, 31) or 0) > before, "alice's new frames at bob")
        assert states[-1] == "connected"
    finally:
        await alice.close()
        await bob.close()
    assert alice.task_count() == bob.task_count() == 0


def test_the_engines_run_in_the_apps_qasync_loop(relay: ServerProcess, qapp: QApplication) -> None:
    """The app runs Qt and asyncio in one thread through qasync (desktop/app.py): aiortc's UDP
    sockets, executors and timers must work there, not only in pytest's plain asyncio loop."""
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)

    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            alice = relay_call(http, relay, "chuyenvien1", tag=41)
            bob = relay_call(http, relay, "chuyenvien2", tag=42)
            try:
                alice.join()
                await until(lambda: alice.status.state is CallState.CONNECTED, "alice in")
                bob.join()
                await until(lambda: stamp_from(alice, 42) is not None, "bob's frames at alice")
                await until(lambda: stamp_from(bob, 41) is not None, "alice's frames at bob")
            finally:
                await bob.close()
                await alice.close()
            assert alice.task_count() == bob.task_count() == 0

    try:
        loop.run_until_complete(asyncio.wait_for(scenario(), 60))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
