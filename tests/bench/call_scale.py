"""Call figures for large Janus meetings, run on demand (not collected by pytest); re-runs itself
inside scripts/netns-run (root) with Debian's Janus (tests/fixtures/janus.py):

    .venv/bin/python tests/bench/call_scale.py receive [--seconds 4] [--fps 15]
    .venv/bin/python tests/bench/call_scale.py room [--seconds 4] [--crowd 60]

`receive`: the CPU of a HopDesk viewer (its `Call` sending a 1280×720 pattern, its `CallWidget`
shown 1280×720 in the grid) decoding and painting 0, 1, 4 and 9 remote 640×360 streams; the
streams shown are chosen with `Call.show_video`, so Janus pauses the rest. References in the same
run: the same process with 0 streams (idle) and with 1, and headless Chromium
(tests/bench/janus_page.html, its fake camera sending 1280×720) subscribed to 0, 1, 4 and 9 of
the same streams after the viewer left: the CPU of all its processes. After each CPU window,
a second one reads the stamps of the shown streams' frames at the viewer's `QVideoSink`:
end-to-end latency (capture time drawn in the frame → decoded at the viewer), not counted in
the CPU figure; and the time from `show_video` until every shown stream decodes again (a paused
one resumed; -1: not within RESUME_WITHIN, measured anyway). The conditions alternate over
`--rounds` so the shared machine's load drifts over all of them alike.

`room`: one HopDesk viewer in the speaker layout, 2100×720 (a big tile and a strip of 8: 9
tiles), in a room of `--crowd` cheap publishers (320×180 at 10 fps, 20 per process, their video
`PreEncoded`: VP8 packets encoded once and sent in a loop, no encoder; a keyframe every 0.5 s, as
they cannot answer a keyframe request; the two speakers-to-be encode live). Reference
in the same run: the same viewer joining the room while only 9 publishers are in it. Each: the
viewer's join → first frame on a tile and on all 9 tiles, its CPU and RSS while watching, the
frames and kbit/s that arrived from feeds off screen (no frames when they are paused; their
audio goes on), and, when an off-screen publisher starts to speak (a gated tone), the time until
they are the big tile and until their resumed video is on it.

The viewer's CPU is its own process time (the publishers and Janus are other processes);
`uptime`'s load average is written next to the figures, with the share of one core a busy thread got
at the start and at the end (`cpu_share`). Results in tests/bench/results/*.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "tests" / "bench" / "results"
sys.path.insert(0, str(ROOT))

PER_PROCESS = 20  # publishers per helper process
RESUME_WITHIN = 20.0  # seconds for paused feeds to decode again once shown


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def cpu_share(seconds: float = 1.0) -> float:
    """% of one core a CPU-bound thread gets right now: the busy machine's own reference (on a
    machine shared with other work, a process's CPU figure is what it got, not what it needed)."""
    cpu0, wall0 = time.thread_time(), time.monotonic()
    while time.monotonic() - wall0 < seconds:
        sum(range(1000))
    return round(100 * (time.thread_time() - cpu0) / (time.monotonic() - wall0), 1)


# --- publisher helper processes ---------------------------------------------------------------


async def _publish(
    url: str, room: int, count: int, tag: int, fps: float, size: str, pre_encoded: bool
) -> None:
    """Run in a helper process: `count` publishers; "ready" on stdout, until stdin closes.
    `pre_encoded`: their video is `PreEncoded` (no encoder), else a live `SlowPattern`."""
    import aiohttp

    from tests.media.netns.publishers import PreEncoded, Publishers

    width, height = (int(v) for v in size.split("x"))
    async with aiohttp.ClientSession() as http:
        crowd = Publishers(http, url, room)
        await crowd.open()
        for n in range(count):
            video = PreEncoded(fps, width, height) if pre_encoded else None
            await crowd.add(f"P{tag + n}", tag + n, fps, width, height, video=video)
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.read)
        await crowd.close()


class Crowd:
    """Helper processes of publishers; `stop()` closes their stdin and waits."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[str]] = []

    async def add(
        self, url: str, count: int, tag: int, fps: float, size: str, *, pre_encoded: bool = False
    ) -> None:
        kind = "pre-encoded" if pre_encoded else "live"
        started = [
            self._start(
                [url, "1234", str(min(PER_PROCESS, count - n)), str(tag + n), str(fps), size, kind]
            )
            for n in range(0, count, PER_PROCESS)
        ]
        for proc in started:
            assert proc.stdout is not None
            line = await asyncio.to_thread(proc.stdout.readline)
            if line.strip() != "ready":
                raise RuntimeError("a publisher process did not start")

    def _start(self, args: list[str]) -> subprocess.Popen[str]:
        cmd = [sys.executable, __file__, "publish", *args]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.close()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


# --- the viewer -------------------------------------------------------------------------------


def _counts(call: object) -> dict[str, int]:
    from media.call import Call

    assert isinstance(call, Call)
    return {p: v.frames if (v := call.video(p)) else 0 for p in call.participants()}


class Window:
    """What one measured window saw: the process's CPU %, per feed the frames decoded and the
    kbit/s that arrived on its connection (video and RTCP: a paused feed keeps only RTCP)."""

    def __init__(self, cpu: float, frames: dict[str, int], kbps: dict[str, float]) -> None:
        self.cpu, self.frames, self.kbps = cpu, frames, kbps

    def rate(self, feeds: object, seconds: float) -> float:
        assert isinstance(feeds, list | set)
        return round(sum(self.frames.get(p, 0) for p in feeds) / seconds, 1)

    def kbit(self, feeds: object) -> float:
        assert isinstance(feeds, list | set)
        return round(sum(self.kbps.get(p, 0.0) for p in feeds), 1)


async def _watch(call: object, seconds: float) -> Window:
    """Measure one window of `seconds` (the window itself, not a wait for something)."""
    from media.call import Call

    assert isinstance(call, Call)
    await call.stats()  # the rates below are since this sample
    before, cpu0, wall0 = _counts(call), time.process_time(), time.monotonic()
    await asyncio.sleep(seconds)
    cpu, wall, after = time.process_time() - cpu0, time.monotonic() - wall0, _counts(call)
    kbps = {p: s.received_kbps for p, s in (await call.stats()).items()}
    frames = {p: after[p] - before.get(p, 0) for p in after}
    return Window(round(100 * cpu / wall, 1), frames, kbps)


STAGES = ("to_jitter_out", "decoder_queue", "decode", "to_sink")


def _stages(stamp_ms: float, shown: object) -> dict[str, float]:
    """Where one frame's time went, in ms: capture stamp → complete in the jitter buffer
    (publisher's encode, Janus, network, jitter buffer) → taken by the decoder thread → decoded
    frame read in the loop → on the sink (conversion, loop)."""
    from media.video import Shown

    assert isinstance(shown, Shown)
    marks = [stamp_ms / 1000, shown.arrived, shown.decoding, shown.decoded, shown.shown]
    return {
        name: round((b - a) * 1000, 1)
        for name, a, b in zip(STAGES, marks[:-1], marks[1:], strict=True)
        if a is not None and b is not None
    }


def _drops(call: object, feeds: list[str]) -> dict[str, int]:
    """Counters of the shown feeds' receive paths: encoded frames dropped as late, keyframes
    asked, decoded frames skipped for a newer one, holes (lost packets) the jitter buffer gave
    up on, the deepest decoder queue."""
    from media.call import Call

    assert isinstance(call, Call)
    videos = [v for p in feeds if (v := call.video(p)) is not None]
    backlogs = [v.backlog for v in videos if v.backlog is not None]
    return {
        "encoded_dropped": sum(b.dropped for b in backlogs),
        "keyframes_asked": sum(b.keyframes_asked for b in backlogs),
        "decoded_skipped": sum(v.skipped for v in videos),
        "holes_skipped": sum(b.jitter.holes_skipped for b in backlogs if b.jitter),
        "decoder_queue_deepest": max((b.deepest for b in backlogs), default=0),
    }


def _udp_backlog() -> int:
    """Bytes waiting in the kernel receive buffers of this process's UDP sockets (the viewer's:
    bounded by SO_RCVBUF, ~3 s of a 640×360 feed at 260 kbit/s): what the loop has not read."""
    mine = set()
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                mine.add(target[8:-1])
    waiting = 0
    for line in Path("/proc/net/udp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[9] in mine:
            waiting += int(fields[4].split(":")[1], 16)
    return waiting


def _ice_queue(call: object, peer: str) -> int:
    """Packets waiting in aioice's receive queue of `peer`'s connection (unbounded: filled by
    the socket's reader callback, emptied by the DTLS/SRTP task)."""
    from media.call import Call

    assert isinstance(call, Call)
    video = call.video(peer)
    if video is None or video.receiver is None:
        return 0
    connection = getattr(video.receiver.transport.transport, "_connection", None)
    pending = getattr(connection, "_queue", None)
    return pending.qsize() if isinstance(pending, asyncio.Queue) else 0


async def _latency(call: object, feeds: list[str], seconds: float) -> dict[str, float]:
    """Median ms from the capture time stamped in each frame of `feeds` to its arrival at the
    viewer's QVideoSink over `seconds` (-1 with no feed shown), and the median of each stage on
    the way (`_stages`)."""
    from media.call import Call
    from media.devices import read_stamp
    from media.video import RemoteVideo

    assert isinstance(call, Call)
    samples: list[float] = []
    stages: dict[str, list[float]] = {name: [] for name in STAGES}
    hooks = []
    for peer in feeds:
        if (video := call.video(peer)) is None:
            continue

        def frame(_f: object, video: RemoteVideo = video) -> None:
            if video.last_frame is not None and (stamp := read_stamp(video.last_frame)):
                samples.append(time.time() * 1000 - stamp.millis)
                if video.last_shown is not None:
                    for name, ms in _stages(stamp.millis, video.last_shown).items():
                        stages[name].append(ms)

        video.sink.videoFrameChanged.connect(frame)
        hooks.append((video.sink, frame))
    waiting: list[int] = []  # packets in the shown feeds' ICE receive queues, every 50 ms
    unread: list[int] = []  # bytes in the kernel's receive buffers of our UDP sockets
    for _ in range(int(seconds / 0.05)):
        waiting.append(sum(_ice_queue(call, p) for p in feeds))
        unread.append(_udp_backlog())
        await asyncio.sleep(0.05)
    for sink, hook in hooks:
        sink.videoFrameChanged.disconnect(hook)
    median = round(statistics.median(samples), 1) if samples else -1.0
    return {
        "latency_ms_median": median,
        "ice_queue_packets_median": statistics.median(waiting) if waiting else -1,
        "ice_queue_packets_max": max(waiting, default=-1),
        "udp_unread_kbytes_median": round(statistics.median(unread) / 1024, 1) if unread else -1,
        "udp_unread_kbytes_max": round(max(unread, default=-1024) / 1024, 1),
    } | {
        f"{name}_ms_median": round(statistics.median(v), 1) if v else -1.0
        for name, v in stages.items()
    }


def _stalled(call: object, feeds: list[str], before: dict[str, int]) -> list[str]:
    """The shown feeds that decoded nothing since `before`, each with its connection's state
    and its receive path's counters (why a resume failed: Janus hung up, or frames held)."""
    from media.call import Call

    assert isinstance(call, Call)
    now, said = _counts(call), []
    for peer in feeds:
        if now[peer] > before[peer]:
            continue
        row = call.roster.row_of(peer)
        state = call.roster[row].media if row is not None else "?"
        video = call.video(peer)
        backlog = video.backlog if video else None
        said.append(
            f"{peer} {state} decoded={video.decoded if video else 0}"
            f" dropped={backlog.dropped if backlog else '?'}"
            f" holes={backlog.jitter.holes_skipped if backlog and backlog.jitter else '?'}"
        )
    return said


async def _until(check: object, within: float = 60.0) -> None:
    from tests.media.netns.engines import until

    assert callable(check)
    await until(check, "the bench's condition", within)


async def receive_case(
    url: str, seconds: float, fps: float, rounds: int, directory: Path
) -> dict[str, object]:
    import aiohttp

    from media.call import Call
    from media.config import JanusBackend
    from media.devices import TestPatternTrack
    from media.signaling.janus import JanusSignaling
    from tests.bench.call_janus import Browser
    from ui.call.layout import Layout
    from ui.call.widget import CallWidget

    crowd = Crowd()
    runs: dict[int, list[dict[str, float]]] = {0: [], 1: [], 4: [], 9: []}
    chromium: dict[int, list[dict[str, float]]] = {k: [] for k in runs}
    async with aiohttp.ClientSession() as http:
        await crowd.add(url, 9, 400, fps, "640x360")
        backend = JanusBackend(url, 1234)
        call = Call(
            lambda: JanusSignaling(http, backend, "Viewer"),
            video=TestPatternTrack(1, 1280, 720),
        )
        widget = CallWidget(call)
        widget.area.on_screen = None  # the bench picks what is shown
        widget.resize(1280, 720)
        widget.set_layout(Layout.GRID)
        widget.show()
        try:
            call.join()
            await _until(lambda: len(call.participants()) == 9)
            feeds = sorted(call.participants())
            await _until(lambda: all(c > 0 for c in _counts(call).values()))
            for _ in range(rounds):
                for k in runs:
                    before, asked = _counts(call), time.monotonic()
                    call.show_video({p: 240 for p in feeds[:k]})
                    try:  # every shown feed decodes again (a paused one resumed)
                        await _until(
                            lambda k=k, b=before: all(_counts(call)[p] > b[p] for p in feeds[:k]),
                            RESUME_WITHIN,
                        )
                        resumed = round((time.monotonic() - asked) * 1000)
                    except AssertionError:
                        resumed = -1  # not within RESUME_WITHIN: measured as it is, and said
                        print(f"{k} streams: not resumed: {_stalled(call, feeds[:k], before)}")
                    await _watch(call, 1.0)  # settle: paused feeds drain, shown ones resume
                    seen = await _watch(call, seconds)
                    shown, hidden = feeds[:k], feeds[k:]
                    drops0 = _drops(call, shown)
                    latency = await _latency(call, shown, 1.0)
                    drops = _drops(call, shown)
                    runs[k].append(
                        {
                            "show_to_all_decoding_ms": resumed,
                            **latency,
                            **{
                                n: drops[n] - drops0[n]
                                for n in drops
                                if n != "decoder_queue_deepest"
                            },
                            "decoder_queue_deepest": drops["decoder_queue_deepest"],
                            "cpu_percent": seen.cpu,
                            "fps_decoded_shown": seen.rate(shown, seconds),
                            "kbps_shown": seen.kbit(shown),
                            "fps_decoded_hidden": seen.rate(hidden, seconds),
                            "kbps_hidden": seen.kbit(hidden),
                        }
                    )
        finally:
            widget.close()
            await call.close()
        browser = Browser(directory)
        try:  # the reference: Chromium receiving the same streams while sending 1280×720
            await browser.start(http)
            await browser.process.evaluate(http, "window.bench.camera(1280, 720)")
            for _ in range(rounds):
                for k in runs:
                    chromium[k].append(await browser.receive(http, url, k, seconds))
                    await asyncio.sleep(0.5)  # Janus lets the leaver go
        finally:
            browser.stop()
            crowd.stop()

    def medians(rs: list[dict[str, float]]) -> dict[str, object]:
        return {m: round(statistics.median(r[m] for r in rs), 1) for m in rs[0]} | {"runs": rs}

    return {f"{k}_streams": medians(rs) for k, rs in runs.items()} | {
        "reference_chromium": {f"{k}_streams": medians(rs) for k, rs in chromium.items()}
    }


async def _room_viewer(
    url: str, seconds: float, http: object, speaker: tuple[str, object], expect: int
) -> dict[str, float | None]:
    """One viewer joins as it is: join → first frames, CPU, RSS, frames from hidden feeds;
    then `speaker` (feed id, its `GatedTone`), off screen so far, starts to speak: the times
    until Janus says so, until their tile is the big one, until their video is on it."""
    import aiohttp

    from media.call import Call
    from media.config import JanusBackend
    from media.devices import TestPatternTrack
    from media.signaling.janus import JanusSignaling
    from ui.call.layout import SELF, Layout
    from ui.call.widget import CallWidget

    assert isinstance(http, aiohttp.ClientSession)
    backend = JanusBackend(url, 1234)
    call = Call(lambda: JanusSignaling(http, backend, "Viewer"), video=TestPatternTrack(1))
    widget = CallWidget(call)
    widget.resize(2100, 720)
    widget.set_layout(Layout.SPEAKER)
    widget.show()

    def shown() -> list[str]:
        return [k for k, t in widget.area.tiles.items() if k != SELF and t.isVisible()]

    def first_frames() -> int:
        return sum(1 for p in shown() if _counts(call).get(p, 0) > 0)

    try:
        start = time.monotonic()
        call.join()
        await _until(lambda: first_frames() > 0)
        first = time.monotonic() - start
        await _until(lambda: len(shown()) == 9 and first_frames() == 9)
        all_nine = time.monotonic() - start
        await _until(lambda: len(call.participants()) == expect)
        feed, tone = speaker
        # Janus lists publishers in no set order: put the speaker-to-be's tile last, off
        # screen, as a latecomer's would be (paused by the relayout, settled below)
        widget.area.tiles[feed] = widget.area.tiles.pop(feed)
        widget.area.relayout()
        await _watch(call, 1.0)  # settle
        seen = await _watch(call, seconds)
        on = set(shown())
        off = set(call.participants()) - on
        assert feed not in on
        talked: list[float] = []
        call.speaking_changed.connect(
            lambda peer, talking: talked.append(time.monotonic()) if peer == feed else None
        )
        frames0 = _counts(call)[feed]
        start = time.monotonic()
        tone.speak = True  # type: ignore[attr-defined]
        await _until(lambda: widget.area.speaker == feed)
        big = time.monotonic() - start
        await _until(lambda: _counts(call)[feed] > frames0)
        video = time.monotonic() - start
        return {
            # None: Janus's `talking` (a ~1 s level average) came after the video was shown
            "speech_to_janus_talking_ms": round((talked[0] - start) * 1000) if talked else None,
            "speech_to_big_tile_ms": round(big * 1000),
            "speech_to_video_on_big_tile_ms": round(video * 1000),
            "participants": len(call.participants()),
            "join_to_first_frame_ms": round(first * 1000),
            "join_to_all_9_tiles_ms": round(all_nine * 1000),
            "cpu_percent": seen.cpu,
            "rss_mb": _rss_mb(),
            "fps_decoded_shown": seen.rate(on, seconds),
            "kbps_shown": seen.kbit(on),
            "fps_decoded_hidden": seen.rate(off, seconds),
            "kbps_from_hidden_feeds_audio_and_rtcp": seen.kbit(off),
        }
    finally:
        widget.close()
        await call.close()


async def room_case(url: str, seconds: float, crowd_size: int) -> dict[str, object]:
    import aiohttp

    from tests.media.netns.publishers import GatedTone, Publishers

    crowd = Crowd()
    async with aiohttp.ClientSession() as http:
        speakers = Publishers(http, url, 1234)
        try:
            await speakers.open()
            await crowd.add(url, 9, 500, 10, "320x180", pre_encoded=True)
            quiet = GatedTone()  # the 10th: the strip of 8 leaves them off screen
            one = str(await speakers.add("S1", 490, audio=quiet))
            reference = await _room_viewer(url, seconds, http, (one, quiet), 10)
            quiet.speak = False
            await crowd.add(url, crowd_size - 11, 510, 10, "320x180", pre_encoded=True)
            quiet = GatedTone()
            two = str(await speakers.add("S2", 491, audio=quiet))
            crowded = await _room_viewer(url, seconds, http, (two, quiet), crowd_size)
        finally:
            await speakers.close()
            crowd.stop()
    return {f"room_of_{crowd_size}": crowded, "reference_room_of_9": reference}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["receive", "room", "publish"])
    parser.add_argument("args", nargs="*")  # `publish`: url room count tag fps WxH live|pre-encoded
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--fps", type=float, default=15.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--crowd", type=int, default=60)
    args = parser.parse_args()
    if args.case == "publish":
        url, room, count, tag, fps, size, kind = args.args
        pre = kind == "pre-encoded"
        asyncio.run(_publish(url, int(room), int(count), int(tag), float(fps), size, pre))
        return 0
    if os.environ.get("HOPDESK_NETNS") != "1":
        env = {**os.environ, "HOPDESK_NETNS": "1", "PYTHONPATH": str(ROOT)}
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        cmd = [str(ROOT / "scripts" / "netns-run"), sys.executable, __file__, *sys.argv[1:]]
        return subprocess.call(cmd, env=env)

    from PySide6.QtWidgets import QApplication

    from tests.fixtures.janus import JanusProcess
    from tests.media.netns.engines import run_in_qt

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    load_start = [round(v, 2) for v in os.getloadavg()]
    share_start = cpu_share()
    results: dict[str, object] = {}

    async def scenario() -> None:
        if args.case == "receive":
            where = Path(tmp) / "chromium"
            results.update(
                await receive_case(janus.url, args.seconds, args.fps, args.rounds, where)
            )
        else:
            results.update(await room_case(janus.url, args.seconds, args.crowd))

    with tempfile.TemporaryDirectory() as tmp:
        janus = JanusProcess(Path(tmp))
        janus.start()
        try:
            run_in_qt(app, scenario(), within=120 + args.rounds * 8 * (args.seconds + 15))
        finally:
            janus.stop()
            RESULTS.mkdir(parents=True, exist_ok=True)  # Janus's side of a hangup, kept
            shutil.copyfile(janus.log, RESULTS / f"janus_{args.case}.log")
    results["settings"] = {
        "seconds": args.seconds,
        "publisher_fps": args.fps if args.case == "receive" else 10,
        "rounds": args.rounds if args.case == "receive" else 1,
        "load_average_at_start": load_start,
        "load_average_at_end": [round(v, 2) for v in os.getloadavg()],
        "cpu_share_of_a_core_at_start": share_start,
        "cpu_share_of_a_core_at_end": cpu_share(),
        "cpus": os.cpu_count(),
    }
    name = "call_receive.json" if args.case == "receive" else "call_room60.json"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / name).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in results.items()}, default=str)[:3000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
