"""Call engine figures through the room relay and through Janus, each against a reference
measured in the same run.

Run on demand (not collected by pytest); it re-runs itself inside scripts/netns-run (root):
    .venv/bin/python tests/bench/call.py [--backend both|relay|janus] [--runs 5] [--seconds 3]
Janus (tests/bench/call_janus.py): a HopDesk call and headless Chromium (Debian's chromium,
fake media, tests/bench/janus_page.html) take turns joining the same Janus room in the same
run; join → first remote frame, end-to-end latency and frame rate of each, side by side.
Relay, each run: two HopDesk `Call`s (synthetic 640×360 pattern + tone) join a room of the real
server's relay; measured are the time from the second one's `join()` to the first stamped frame
of each side, and the end-to-end frame latency (capture time drawn into the frame, read back
when the frame reaches the receiver's QVideoSink) with the frame rate over `--seconds`.
Reference, same run: two bare aiortc peer connections in one process exchanging SDP directly
(no relay, no Qt), the same tracks, latency read when aiortc hands the decoded frame over.
Prints the medians and writes tests/bench/results/call.json (or `--out`), with the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "tests" / "bench" / "results" / "call.json"
sys.path.insert(0, str(ROOT))

ROOM = "cds-cap-xa"


def _now_ms() -> float:
    return time.time() * 1000


async def engine_run(server_url: str, tokens: tuple[str, str], seconds: float) -> dict[str, float]:
    """One HopDesk pair through the relay: join→first frame (both ways), latency, fps."""
    import aiohttp

    from media.call import Backoff, Call
    from media.config import RoomBackend
    from media.devices import TestPatternTrack, ToneTrack, read_stamp
    from media.signaling.room import RoomSignaling
    from media.state import CallState

    backend = RoomBackend(server_url.replace("http", "ws", 1) + f"/api/v1/rooms/{ROOM}", ROOM)
    latencies: list[float] = []
    first: dict[int, float] = {}
    both, connected = asyncio.Event(), asyncio.Event()
    async with aiohttp.ClientSession() as http:

        def make(token: str, tag: int) -> Call:
            return Call(
                lambda: RoomSignaling(http, backend, token),
                video=TestPatternTrack(tag),
                audio=ToneTrack(),
                backoff=Backoff(0.2, 1.0),
            )

        alice, bob = make(tokens[0], 1), make(tokens[1], 2)

        def watch(call: Call, expect: int) -> None:
            def added(peer: str) -> None:
                video = call.video(peer)
                assert video is not None

                def frame(_f: object) -> None:
                    assert video is not None
                    assert video.last_frame is not None
                    stamp = read_stamp(video.last_frame)
                    if stamp is None or stamp.tag != expect:
                        return
                    now = _now_ms()
                    first.setdefault(expect, now)
                    if len(first) == 2:
                        both.set()
                    if expect == 2:
                        latencies.append(now - stamp.millis)

                video.sink.videoFrameChanged.connect(frame)

            call.video_added.connect(added)

        watch(alice, 2)
        watch(bob, 1)
        alice.state_changed.connect(
            lambda state, _r: connected.set() if state == CallState.CONNECTED else None
        )
        alice.join()
        await connected.wait()
        start = _now_ms()
        bob.join()
        await both.wait()
        latencies.clear()
        await asyncio.sleep(seconds)
        count = len(latencies)
        result = {
            "join_to_first_frame_ms_at_joiner": first[1] - start,
            "join_to_first_frame_ms_at_other": first[2] - start,
            "latency_ms_median": statistics.median(latencies),
            "fps": count / seconds,
        }
        await bob.close()
        await alice.close()
    return result


async def reference_run(seconds: float) -> dict[str, float]:
    """Bare aiortc, both ways with audio as the engine pair: offer/answer handed over in
    memory, latency read at track.recv() of one side."""
    from aiortc import RTCConfiguration, RTCPeerConnection
    from av import VideoFrame

    from media.devices import TestPatternTrack, ToneTrack, read_stamp

    latencies: list[float] = []
    first: list[float] = []
    got_first = asyncio.Event()
    tasks: list[asyncio.Future[None]] = []
    config = RTCConfiguration(iceServers=[])
    sender, receiver = RTCPeerConnection(config), RTCPeerConnection(config)
    sender.addTrack(ToneTrack())
    sender.addTrack(TestPatternTrack(1))

    @sender.on("track")
    def drain(track: object) -> None:
        async def read() -> None:
            while True:
                await track.recv()  # type: ignore[attr-defined]

        tasks.append(asyncio.ensure_future(read()))

    @receiver.on("track")
    def on_track(track: object) -> None:
        async def read() -> None:
            while True:
                frame = await track.recv()  # type: ignore[attr-defined]
                if not isinstance(frame, VideoFrame):
                    continue
                if stamp := read_stamp(frame):
                    now = _now_ms()
                    if not first:
                        first.append(now)
                        got_first.set()
                    latencies.append(now - stamp.millis)

        tasks.append(asyncio.ensure_future(read()))

    start = _now_ms()
    await sender.setLocalDescription(await sender.createOffer())
    await receiver.setRemoteDescription(sender.localDescription)
    receiver.addTrack(ToneTrack())  # the answerer's tracks join the offered transceivers
    receiver.addTrack(TestPatternTrack(2))
    await receiver.setLocalDescription(await receiver.createAnswer())
    await sender.setRemoteDescription(receiver.localDescription)
    await got_first.wait()
    latencies.clear()
    await asyncio.sleep(seconds)
    result = {
        "offer_to_first_frame_ms": first[0] - start,
        "latency_ms_median": statistics.median(latencies),
        "fps": len(latencies) / seconds,
    }
    for task in tasks:
        task.cancel()
    await sender.close()
    await receiver.close()
    return result


def relay_case(runs: int, seconds: float) -> dict[str, object]:
    """The relay pair against bare aiortc, `runs` times each, alternating."""
    from tests.fixtures.server import ServerProcess
    from tests.server.conftest import api_for

    with tempfile.TemporaryDirectory() as tmp, ServerProcess(Path(tmp)) as server:
        api = api_for(server)
        tokens = (str(api.login("chuyenvien1").token), str(api.login("chuyenvien2").token))
        engine, reference = [], []
        for _ in range(runs):
            engine.append(asyncio.run(engine_run(server.url, tokens, seconds)))
            reference.append(asyncio.run(reference_run(seconds)))
    return {
        "engine_through_relay": _medians(engine),
        "reference_bare_aiortc": _medians(reference),
        "runs": {"engine": engine, "reference": reference},
    }


def janus_case(runs: int, seconds: float) -> dict[str, object]:
    """HopDesk and Chromium through one Janus, in the app's loop (qasync)."""
    from PySide6.QtWidgets import QApplication

    from tests.bench.call_janus import janus_case as measure
    from tests.fixtures.janus import JanusProcess
    from tests.media.netns.engines import run_in_qt

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    results: dict[str, object] = {}

    async def scenario() -> None:
        results.update(await measure(janus.url, Path(tmp) / "chromium", runs, seconds))

    with tempfile.TemporaryDirectory() as tmp:
        janus = JanusProcess(Path(tmp))
        janus.start()
        try:
            run_in_qt(app, scenario(), within=60 + runs * (2 * seconds + 30))
        finally:
            janus.stop()
    return results


def _medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in runs), 1) for k in runs[0]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["both", "relay", "janus"], default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if os.environ.get("HOPDESK_NETNS") != "1":
        env = {**os.environ, "HOPDESK_NETNS": "1", "PYTHONPATH": str(ROOT)}
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        cmd = [str(ROOT / "scripts" / "netns-run"), sys.executable, __file__, *sys.argv[1:]]
        return subprocess.call(cmd, env=env)

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    assert app is not None
    from tests.bench.call_scale import cpu_share

    load_start = [round(v, 2) for v in os.getloadavg()]
    share_start = cpu_share()
    results: dict[str, object] = {}
    if args.backend in ("both", "relay"):
        results["relay"] = relay_case(args.runs, args.seconds)
    if args.backend in ("both", "janus"):
        results["janus"] = janus_case(args.runs, args.seconds)
    results["settings"] = {
        "runs": args.runs,
        "seconds": args.seconds,
        "video": "640x360 VP8, 30 fps",
        "load_average_at_start": load_start,
        "load_average_at_end": [round(v, 2) for v in os.getloadavg()],
        "cpu_share_of_a_core_at_start": share_start,  # what a busy thread got: the machine's load
        "cpu_share_of_a_core_at_end": cpu_share(),
        "cpus": os.cpu_count(),
    }
    figures = {k: r for k, r in results.items() if k != "settings" and isinstance(r, dict)}
    print(json.dumps({k: {m: v for m, v in r.items() if m != "runs"} for k, r in figures.items()}))
    print(json.dumps({"settings": results["settings"]}))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
