"""Cheap publishers for a crowded Janus room: many low-resolution, low-rate test patterns from
one process over one Janus session (one plugin handle and one send-only peer connection each).
Cheapest: `PreEncoded`, the pattern encoded once and its packets sent in a loop (no encoder).

Bare aiortc and Janus's WebSocket API, none of our call engine: a HopDesk `Call` per publisher
would also subscribe to every other publisher (n² connections), and a meeting of 20 or 60 is
about what the one HopDesk viewer receives. The frames carry the usual stamp (media/devices.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import functools
import itertools
import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp
import av
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.codecs import get_encoder
from aiortc.mediastreams import (
    VIDEO_CLOCK_RATE,
    VIDEO_TIME_BASE,
    MediaStreamError,
    MediaStreamTrack,
)
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import RtpPacket

from media.devices import TestPatternTrack, ToneTrack

KEEPALIVE = 20.0
TIMEOUT = 20.0
PRE_ENCODED_FRAMES, PRE_ENCODED_GOP = 20, 5  # 2 s at 10 fps, a keyframe every 0.5 s


class SlowPattern(TestPatternTrack):
    """The stamped test pattern at `fps` frames a second, 320×180 by default: cheap to encode."""

    def __init__(self, tag: int, fps: float = 10.0, width: int = 320, height: int = 180) -> None:
        super().__init__(tag, width, height)
        self._step = int(VIDEO_CLOCK_RATE / fps)
        self._t0: float | None = None
        self._pts = 0

    async def next_timestamp(self) -> tuple[int, fractions.Fraction]:
        if self.readyState != "live":
            raise MediaStreamError
        if self._t0 is None:
            self._t0 = time.time()
        else:
            self._pts += self._step
            await asyncio.sleep(self._t0 + self._pts / VIDEO_CLOCK_RATE - time.time())
        return self._pts, VIDEO_TIME_BASE


class _Unpaced(TestPatternTrack):
    """The pattern as fast as it is asked for (to be encoded ahead, not sent live)."""

    _pts = -1

    async def next_timestamp(self) -> tuple[int, fractions.Fraction]:
        self._pts += 1
        return self._pts, fractions.Fraction(1, 10)


@functools.cache
def _encoded_loop(width: int, height: int, frames: int, gop: int) -> tuple[bytes, ...]:
    """`frames` of the pattern as VP8, a keyframe every `gop` (one process encodes it once)."""
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = width, height, "yuv420p"
    codec.time_base = fractions.Fraction(1, 10)
    codec.bit_rate, codec.gop_size = 150_000, gop
    codec.options = {"deadline": "realtime", "lag-in-frames": "0", "cpu-used": "8"}
    source = _Unpaced(1, width, height)
    packets: list[bytes] = []

    async def encode() -> None:
        for n in range(frames):
            frame = await source.recv()
            if n % gop == 0:
                frame.pict_type = av.video.frame.PictureType.I
            packets.extend(bytes(p) for p in codec.encode(frame))
        packets.extend(bytes(p) for p in codec.encode(None))

    with ThreadPoolExecutor(1) as thread:  # its own loop, wherever this is first called
        thread.submit(asyncio.run, encode()).result()
    return tuple(packets)


class PreEncoded(MediaStreamTrack):
    """A publisher's video that costs no encoding: the pattern's VP8 packets, encoded once per
    process (~0.1 s), sent in a loop at `fps`. It cannot answer a keyframe request (PLI):
    a new or resumed subscriber waits for the next keyframe, at most `gop` frames."""

    kind = "video"

    def __init__(self, fps: float = 10.0, width: int = 320, height: int = 180) -> None:
        super().__init__()
        self._packets = _encoded_loop(width, height, PRE_ENCODED_FRAMES, PRE_ENCODED_GOP)
        self._step = int(VIDEO_CLOCK_RATE / fps)
        self._t0: float | None = None
        self._n = 0

    async def recv(self) -> av.Packet:  # type: ignore[override]
        if self.readyState != "live":
            raise MediaStreamError
        if self._t0 is None:
            self._t0 = time.time()
        else:
            await asyncio.sleep(self._t0 + self._n * self._step / VIDEO_CLOCK_RATE - time.time())
        packet = av.Packet(self._packets[self._n % len(self._packets)])
        packet.pts, packet.time_base = self._n * self._step, VIDEO_TIME_BASE
        self._n += 1
        return packet


class GatedTone(ToneTrack):
    """Silence until `speak` is set, then the steady tone: someone who starts to speak."""

    def __init__(self) -> None:
        super().__init__(talk=(1.0, 0.0, 0.0))
        self.speak = False

    def _talking(self, at: float) -> bool:
        return self.speak


class Publishers:
    """Publishers in one VideoRoom over one Janus session; `close()` ends them all."""

    def __init__(self, http: aiohttp.ClientSession, url: str, room: int) -> None:
        self._http, self._url, self._room = http, url, room
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._session = 0
        self._ids = itertools.count(1)
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self.pcs: list[RTCPeerConnection] = []
        self.feeds: list[int] = []  # Janus's publisher ids, in the order added

    async def open(self) -> None:
        self._ws = await self._http.ws_connect(
            self._url, protocols=("janus-protocol",), max_msg_size=4 * 1024 * 1024
        )
        self._tasks.append(asyncio.create_task(self._read()))
        self._session = int((await self._request({"janus": "create"}))["data"]["id"])
        self._tasks.append(asyncio.create_task(self._keep_alive()))

    async def add(
        self,
        display: str,
        tag: int,
        fps: float = 10.0,
        width: int = 320,
        height: int = 180,
        *,
        audio: MediaStreamTrack | None = None,
        video: MediaStreamTrack | None = None,
    ) -> int:
        """One more publisher sending `video` (by default a `SlowPattern`) and `audio`; its feed
        id once Janus answered."""
        attached = await self._request({"janus": "attach", "plugin": "janus.plugin.videoroom"})
        handle = int(attached["data"]["id"])
        body = {"request": "join", "ptype": "publisher", "room": self._room, "display": display}
        joined = await self._message(handle, body)
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))  # never a public STUN server
        self.pcs.append(pc)
        video = video or SlowPattern(tag, fps, width, height)
        pc.addTransceiver(video, direction="sendonly")
        if audio is not None:
            pc.addTransceiver(audio, direction="sendonly")
        await pc.setLocalDescription(await pc.createOffer())
        offer = {"type": "offer", "sdp": pc.localDescription.sdp}
        reply = await self._message(handle, {"request": "publish"}, offer)
        await pc.setRemoteDescription(RTCSessionDescription(reply["jsep"]["sdp"], "answer"))
        feed = int(joined["plugindata"]["data"]["id"])
        self.feeds.append(feed)
        return feed

    @property
    def session(self) -> int:
        """The Janus session id these publishers share."""
        return self._session

    async def displays(self) -> list[str]:
        """The names the room's participants go by in Janus (`listparticipants`)."""
        attached = await self._request({"janus": "attach", "plugin": "janus.plugin.videoroom"})
        body = {"request": "listparticipants", "room": self._room}
        listed = await self._message(int(attached["data"]["id"]), body)
        return [str(p.get("display")) for p in listed["plugindata"]["data"]["participants"]]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        with contextlib.suppress(Exception):
            if self._ws is not None:
                bye = {"janus": "destroy", "session_id": self._session, "transaction": "x"}
                await self._ws.send_str(json.dumps(bye))
                await self._ws.close()
        await asyncio.gather(*(pc.close() for pc in self.pcs), return_exceptions=True)
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _message(
        self, handle: int, body: dict[str, Any], jsep: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        request: dict[str, Any] = {"janus": "message", "handle_id": handle, "body": body}
        if jsep is not None:
            request["jsep"] = jsep
        reply = await self._request(request)
        data = (reply.get("plugindata") or {}).get("data") or {}
        if "error_code" in data:
            raise RuntimeError(f"Janus refused {body['request']}: {data}")
        return reply

    async def _request(self, body: dict[str, Any]) -> dict[str, Any]:
        assert self._ws is not None
        transaction = f"p{next(self._ids)}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[transaction] = future
        body = {**body, "transaction": transaction}
        if self._session:
            body["session_id"] = self._session
        await self._ws.send_str(json.dumps(body))
        try:
            async with asyncio.timeout(TIMEOUT):
                reply = await future
        finally:
            self._pending.pop(transaction, None)
        if reply.get("janus") == "error":
            raise RuntimeError(f"Janus error: {reply}")
        return reply

    async def _read(self) -> None:
        assert self._ws is not None
        async for raw in self._ws:
            if raw.type is not aiohttp.WSMsgType.TEXT:
                continue
            message = json.loads(raw.data)
            future = self._pending.get(str(message.get("transaction", "")))
            if future is not None and not future.done() and message.get("janus") != "ack":
                future.set_result(message)  # an ack only says Janus is working on it

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE)
            assert self._ws is not None
            await self._ws.send_str(
                json.dumps({"janus": "keepalive", "session_id": self._session, "transaction": "k"})
            )


async def feed_rtp(port: int, tag: int, payload_type: int) -> None:
    """Send the stamped test pattern as VP8 in plain RTP to a Janus Streaming mountpoint's
    port, with a key frame every second (the mountpoint cannot ask its source for one), until
    cancelled: what an encoder or a camera in the hall would send."""
    track = SlowPattern(tag, fps=15)
    codec = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=payload_type)
    encoder = get_encoder(codec)
    sequence = itertools.count()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for count in itertools.count():
            frame = await track.recv()
            payloads, timestamp = await asyncio.to_thread(encoder.encode, frame, count % 15 == 0)
            for index, payload in enumerate(payloads):
                packet = RtpPacket(
                    payload_type=payload_type,
                    sequence_number=next(sequence) & 0xFFFF,
                    timestamp=timestamp,
                    ssrc=tag,
                    marker=index == len(payloads) - 1,
                )
                packet.payload = payload
                sock.sendto(packet.serialize(), ("127.0.0.1", port))
