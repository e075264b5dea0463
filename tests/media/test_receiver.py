"""media/receiver.py: a decoder fed faster than it decodes keeps a bounded queue, asks for a
keyframe and plays the newest frames (aiortc's real VP8 encoder, decoder thread and receiver)."""

from __future__ import annotations

import asyncio
import random
import threading

from aiortc import RTCPeerConnection, RTCRtpCodecParameters
from aiortc.codecs import depayload, get_encoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpreceiver import decoder_worker
from aiortc.rtp import RtpPacket
from av import VideoFrame

from media.devices import TestPatternTrack, read_stamp
from media.receiver import LIMIT, DecodeBacklog, FrameJitterBuffer, install, is_keyframe

VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)


class _Sender:
    """The stamped pattern encoded by aiortc's VP8 encoder; a keyframe whenever `asked` is
    set, as a sender answers a PLI."""

    def __init__(self, asked: threading.Event) -> None:
        self.encoder, self.track, self.asked = get_encoder(VP8), TestPatternTrack(tag=7), asked
        self.first = True

    async def next(self) -> tuple[JitterFrame, int]:
        """The next depayloaded frame as the jitter buffer gives it, and its capture stamp."""
        frame = await self.track.recv()
        stamp = read_stamp(frame)
        assert stamp is not None
        force, self.first = self.first or self.asked.is_set(), False
        self.asked.clear()
        payloads, timestamp = self.encoder.encode(frame, force_keyframe=force)
        return JitterFrame(b"".join(depayload(VP8, p) for p in payloads), timestamp), stamp.millis


def test_vp8_and_h264_keyframes_are_told_apart() -> None:
    assert is_keyframe("VP8", b"\x10\x02\x00\x9d\x01\x2a") is True
    assert is_keyframe("VP8", b"\x31\x02\x00") is False
    assert is_keyframe("H264", b"\x00\x00\x00\x01\x67\x42\x00\x00\x00\x01\x65\x88") is True
    assert is_keyframe("H264", b"\x00\x00\x00\x01\x41\x9a") is False
    assert is_keyframe("VP9", b"\x00") is None  # unknown: passed through as aiortc does


async def test_a_decoder_fed_faster_than_it_decodes_plays_the_newest_frames() -> None:
    asked = threading.Event()  # what aiortc's receiver turns into a PLI
    backlog = DecodeBacklog(asked.set)
    sender = _Sender(asked)
    # the decoder thread is stalled (not started) while 30 frames come in
    keys_sent, newest = 0, 0
    for _ in range(30):
        frame, newest = await sender.next()
        keys_sent += is_keyframe("VP8", frame.data) is True
        backlog.put((VP8, frame))
        assert backlog.qsize() <= LIMIT
    assert backlog.keyframes_asked >= 1
    assert keys_sent >= 2  # the sender answered
    assert backlog.dropped + backlog.qsize() == 30

    loop = asyncio.get_running_loop()
    decoded: asyncio.Queue[VideoFrame | None] = asyncio.Queue()
    asked.clear()
    backlog.put(None)  # aiortc's stop sentinel: decode what is left, then end
    worker = threading.Thread(target=decoder_worker, args=(loop, backlog, decoded, asked))
    worker.start()
    await asyncio.to_thread(worker.join, 30)
    shown = []
    while (frame := await decoded.get()) is not None:
        shown.append(frame)
    assert shown, "the frames kept start with a keyframe: they decode"
    last = read_stamp(shown[-1])
    assert last is not None
    assert last.millis == newest  # the newest frame is played
    assert not asked.is_set()  # aiortc's decoder reported no broken frame


async def test_a_frame_leaves_the_jitter_buffer_with_its_last_packet() -> None:
    picture = await TestPatternTrack(tag=9).recv()
    picture.planes[0].update(random.Random(9).randbytes(picture.planes[0].buffer_size))
    payloads, timestamp = get_encoder(VP8).encode(picture, force_keyframe=True)
    assert len(payloads) > 1  # noise: a keyframe of several packets
    buffer = FrameJitterBuffer(capacity=512)
    out = []
    for seq, payload in enumerate(payloads):
        packet = RtpPacket(payload_type=96, sequence_number=seq, timestamp=timestamp)
        packet.marker = int(seq == len(payloads) - 1)
        packet._data = depayload(VP8, payload)  # type: ignore[attr-defined]
        out.append(buffer.add(packet)[1])
    *before, last = out
    assert before == [None] * len(before)
    assert last is not None  # not held until the next frame's first packet
    assert last.data == b"".join(depayload(VP8, p) for p in payloads)
    assert last.timestamp == timestamp


async def test_install_swaps_the_queue_of_a_receiver_not_yet_started() -> None:
    pc = RTCPeerConnection()
    try:
        receiver = pc.addTransceiver("video", direction="recvonly").receiver
        backlog = install(receiver)
        assert backlog is not None
        assert receiver._RTCRtpReceiver__decoder_queue is backlog  # type: ignore[attr-defined]
        buffer = receiver._RTCRtpReceiver__jitter_buffer  # type: ignore[attr-defined]
        assert isinstance(buffer, FrameJitterBuffer)
    finally:
        await pc.close()


def _packets(frames: int, per_frame: int) -> list[RtpPacket]:
    """RTP packets of `frames` frames of `per_frame` packets each, the last one marked."""
    out = []
    for n in range(frames * per_frame):
        frame, part = divmod(n, per_frame)
        packet = RtpPacket(payload_type=96, sequence_number=1000 + n, timestamp=6000 * frame)
        packet.marker = int(part == per_frame - 1)
        packet._data = bytes([frame, part])  # type: ignore[attr-defined]
        out.append(packet)
    return out


def test_a_lost_packet_holds_the_frames_behind_it_only_briefly() -> None:
    packets = _packets(frames=40, per_frame=3)
    del packets[4]  # frame 1 loses its middle packet, never retransmitted
    buffer = FrameJitterBuffer(capacity=512)
    out = [buffer.add(p) for p in packets]
    frames = [f.timestamp // 6000 for _, f in out if f is not None]
    assert frames[0] == 0
    assert 1 not in frames  # the broken frame is not played
    assert frames[-1] == 39  # the later ones are, up to the newest
    waited = next(i for i, (_, f) in enumerate(out) if f is not None and f.timestamp > 0)
    assert waited <= 3 * (1 + buffer.hold) + 1  # a few frames, not 512 packets (aiortc's)
    assert any(pli for pli, _ in out)  # a keyframe is asked: the frames after it are broken


def test_a_feed_resumed_with_a_jump_in_sequence_numbers_plays_at_once() -> None:
    packets = _packets(frames=20, per_frame=2)
    for later in packets[10:]:  # paused: Janus forwarded nothing for 200 packets
        later.sequence_number += 200
    buffer = FrameJitterBuffer(capacity=512)
    frames = [f.timestamp // 6000 for _, f in map(buffer.add, packets) if f is not None]
    assert frames[:5] == [0, 1, 2, 3, 4]
    assert frames[-1] == 19
