"""media/devices.py: synthetic sources; the drawn stamp survives a real VP8 round trip."""

from __future__ import annotations

import time

from aiortc.codecs.vpx import Vp8Decoder, Vp8Encoder
from aiortc.jitterbuffer import JitterFrame
from av import VideoFrame

from media.devices import Stamp, TestPatternTrack, ToneTrack, read_stamp


async def test_stamp_survives_vp8_at_a_low_bitrate() -> None:
    track = TestPatternTrack(tag=4242)
    encoder, decoder = Vp8Encoder(), Vp8Decoder()
    encoder.target_bitrate = 300_000
    seen: list[Stamp | None] = []
    before = int(time.time() * 1000)
    for _ in range(10):
        frame = await track.recv()
        payloads, timestamp = encoder.encode(frame)
        data = b"".join(payloads)  # VP8 payload descriptors are stripped by the depacketizer
        decoded = decoder.decode(JitterFrame(data=_depayload(payloads), timestamp=timestamp))
        assert data
        seen.extend(read_stamp(f) for f in decoded if isinstance(f, VideoFrame))
    track.stop()
    after = int(time.time() * 1000)
    assert seen
    assert all(s is not None and s.tag == 4242 and before <= s.millis <= after for s in seen)
    assert len({s.millis for s in seen if s}) == len(seen)  # each frame its own time


def _depayload(payloads: list[bytes]) -> bytes:
    from aiortc.codecs.vpx import VpxPayloadDescriptor

    out = b""
    for payload in payloads:
        _descriptor, rest = VpxPayloadDescriptor.parse(payload)
        out += rest
    return out


async def test_pattern_moves_and_plain_frames_carry_no_stamp() -> None:
    track = TestPatternTrack(tag=1)
    first, second = await track.recv(), await track.recv()
    assert bytes(first.planes[0])[-640:] != bytes(second.planes[0])[-640:]
    blank = VideoFrame(width=640, height=360, format="yuv420p")
    blank.planes[0].update(b"\x10" * blank.planes[0].buffer_size)
    assert read_stamp(blank) is None
    stamp = read_stamp(first)
    assert stamp is not None
    assert stamp.tag == 1


async def test_tone_is_paced_20_ms_frames() -> None:
    tone = ToneTrack()
    frames = [await tone.recv() for _ in range(3)]
    assert [f.pts for f in frames] == [0, 960, 1920]
    assert all(f.samples == 960 and f.sample_rate == 48_000 for f in frames)
    assert any(bytes(frames[1].planes[0])[:1920])  # not silence
