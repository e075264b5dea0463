"""The Janus half of tests/bench/call.py: join → first remote frame and end-to-end latency of a
HopDesk call through Janus, side by side with headless Chromium doing the same join through the
same Janus in the same run (tests/bench/janus_page.html, Chromium's own WebRTC).

Each run: one publisher already in the room (a helper process, tests/bench/call_scale.py
`publish`: the stamped 640×360 pattern at 30 fps); then, in turn (alternating which goes first),
a HopDesk `Call` (publishing its own 640×360 pattern and tone) and Chromium (its fake camera and
microphone, opened before the clock starts, as the call's tracks are) join the room. Measured:
from `join()` to the first frame of the publisher decoded (HopDesk: at the `QVideoSink`;
Chromium: `requestVideoFrameCallback`, the frame composited), then over `seconds` the latency
from the capture time drawn into each frame to that moment, and the frames a second.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from pathlib import Path

import aiohttp

PAGE = Path(__file__).resolve().parent / "janus_page.html"
PUBLISHER_TAG = 77
WITHIN = 20.0  # seconds; a DTLS retransmit alone takes ~1 s (RECIPES.md)


def _now_ms() -> float:
    return time.time() * 1000


async def hopdesk_run(http: aiohttp.ClientSession, url: str, seconds: float) -> dict[str, float]:
    """One HopDesk call joins the room: join → first stamped frame, then latency and fps."""
    from media.call import Call
    from media.config import JanusBackend
    from media.devices import TestPatternTrack, ToneTrack, read_stamp
    from media.signaling.janus import JanusSignaling

    backend = JanusBackend(url, 1234)
    call = Call(
        lambda: JanusSignaling(http, backend, "HopDesk"),
        video=TestPatternTrack(2),
        audio=ToneTrack(),
    )
    latencies: list[float] = []
    first: list[float] = []
    got = asyncio.Event()

    def added(peer: str) -> None:
        video = call.video(peer)
        if video is None:
            return

        def frame(_f: object) -> None:
            assert video is not None
            stamp = read_stamp(video.last_frame) if video.last_frame is not None else None
            if stamp is None or stamp.tag != PUBLISHER_TAG:
                return
            now = _now_ms()
            if not first:
                first.append(now)
                got.set()
            latencies.append(now - stamp.millis)

        video.sink.videoFrameChanged.connect(frame)

    call.video_added.connect(added)
    try:
        start = _now_ms()
        call.join()
        async with asyncio.timeout(WITHIN):
            await got.wait()
        latencies.clear()
        await asyncio.sleep(seconds)
        return {
            "join_to_first_frame_ms": round(first[0] - start, 1),
            "latency_ms_median": round(statistics.median(latencies), 1),
            "fps": round(len(latencies) / seconds, 1),
        }
    finally:
        await call.close()


class Browser:
    """Headless Chromium on the bench page, its camera open; one join per `run`."""

    def __init__(self, directory: Path) -> None:
        from tests.fixtures.chromium import ChromiumProcess

        self.process = ChromiumProcess(directory, PAGE.as_uri())

    async def start(self, http: aiohttp.ClientSession) -> None:
        self.process.start()
        deadline = time.monotonic() + WITHIN
        while not await self.process.evaluate(http, "window.bench ? 1 : 0"):
            if time.monotonic() > deadline:
                raise RuntimeError("the bench page did not load")
            await asyncio.sleep(0.1)
        await self.process.evaluate(http, "window.bench.camera()")

    async def run(self, http: aiohttp.ClientSession, url: str, seconds: float) -> dict[str, float]:
        evaluate = self.process.evaluate
        try:
            first = await evaluate(
                http, f"window.bench.join({url!r}, 1234, {PUBLISHER_TAG}, {WITHIN * 1000})"
            )
            seen = await evaluate(http, f"window.bench.latency({seconds})")
        finally:
            await evaluate(http, "window.bench.leave()")
        return {
            "join_to_first_frame_ms": round(float(first), 1),
            "latency_ms_median": round(float(seen["latency_ms_median"]), 1),
            "fps": round(float(seen["fps"]), 1),
        }

    async def receive(
        self, http: aiohttp.ClientSession, url: str, streams: int, seconds: float
    ) -> dict[str, float]:
        """The browser as a viewer of `streams` publishers (its camera sending meanwhile): the CPU
        of all its processes and the frames shown a second over `seconds`, stamps not read; then
        the end-to-end latency over one more second. Leaves afterwards."""
        evaluate = self.process.evaluate
        try:
            await evaluate(
                http, f"window.bench.join({url!r}, 1234, -1, {WITHIN * 1000}, {streams})"
            )
            deadline = time.monotonic() + WITHIN
            while await evaluate(http, "window.bench.showing()") < streams:
                if time.monotonic() > deadline:
                    raise RuntimeError("Chromium did not show every stream")
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # settle, as the HopDesk viewer does
            cpu0, wall0 = self.cpu_seconds(), time.monotonic()
            fps = await evaluate(http, f"window.bench.count({seconds})")
            cpu = 100 * (self.cpu_seconds() - cpu0) / (time.monotonic() - wall0)
            seen = await evaluate(http, "window.bench.latency(1)")
        finally:
            await evaluate(http, "window.bench.leave()")
        latency = seen["latency_ms_median"]
        return {
            "latency_ms_median": -1.0 if latency is None else round(float(latency), 1),
            "cpu_percent": round(cpu, 1),
            "fps_shown": round(float(fps), 1),
        }

    def cpu_seconds(self) -> float:
        """User and system time of the browser and every process under it, so far."""
        root = self.process.pid
        parents: dict[int, int] = {}
        times: dict[int, float] = {}
        tick = os.sysconf("SC_CLK_TCK")
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            pid = int(stat.parent.name)
            parents[pid] = int(fields[1])
            times[pid] = (int(fields[11]) + int(fields[12])) / tick
        total = 0.0
        for pid, seconds in times.items():
            walk = pid
            while walk not in (root, 0, 1) and walk in parents:
                walk = parents[walk]
            if walk == root:
                total += seconds
        return total

    def stop(self) -> None:
        self.process.stop()


async def janus_case(url: str, directory: Path, runs: int, seconds: float) -> dict[str, object]:
    """`runs` joins each of HopDesk and Chromium, alternating who goes first."""
    from tests.bench.call_scale import Crowd

    hopdesk: list[dict[str, float]] = []
    chromium: list[dict[str, float]] = []
    crowd = Crowd()
    browser = Browser(directory)
    async with aiohttp.ClientSession() as http:
        try:
            await crowd.add(url, 1, PUBLISHER_TAG, 30, "640x360")
            await browser.start(http)
            for n in range(runs):
                for who in ("hopdesk", "chromium") if n % 2 == 0 else ("chromium", "hopdesk"):
                    if who == "hopdesk":
                        hopdesk.append(await hopdesk_run(http, url, seconds))
                    else:
                        chromium.append(await browser.run(http, url, seconds))
                    await asyncio.sleep(0.5)  # Janus lets the leaver go before the next join
        finally:
            browser.stop()
            crowd.stop()

    def medians(rs: list[dict[str, float]]) -> dict[str, float]:
        return {k: round(statistics.median(r[k] for r in rs), 1) for k in rs[0]}

    return {
        "hopdesk_through_janus": medians(hopdesk),
        "reference_chromium_through_janus": medians(chromium),
        "runs": {"hopdesk": hopdesk, "chromium": chromium},
    }
