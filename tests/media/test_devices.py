"""media/devices.py: synthetic sources; the drawn stamp survives a real VP8 round trip."""

from __future__ import annotations

import time

import pytest
from aiortc.codecs.vpx import Vp8Decoder, Vp8Encoder
from aiortc.jitterbuffer import JitterFrame
from av import VideoFrame

from media.devices import (
    CaptureDevice,
    Stamp,
    TestPatternTrack,
    ToneTrack,
    open_device,
    open_sources,
    player_sources,
    read_stamp,
)
from media.errors import DeviceUnavailable


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


def test_a_missing_or_unusable_device_is_unavailable() -> None:
    for device in (
        CaptureDevice("video", "/dev/video-that-is-not-there", "Ghost camera"),
        CaptureDevice("video", "/dev/null", "Not a camera"),  # exists, but is no capture device
        CaptureDevice("audio", "no-such-pulse-source", "Ghost microphone"),
    ):
        with pytest.raises(DeviceUnavailable):
            open_device(device)


def test_without_devices_the_call_goes_on_with_what_there_is_and_says_so() -> None:
    camera = CaptureDevice("video", "/dev/video-that-is-not-there", "Webcam C920")
    microphone = CaptureDevice("audio", "no-such-pulse-source", "USB mic")
    sources = open_sources(camera, microphone)
    assert sources.video is None
    assert sources.audio is None
    assert not sources.real_audio
    assert sources.reopen_video is None  # no camera: none to open again after camera off
    assert any("Webcam C920" in p for p in sources.problems)
    assert any("USB mic" in p for p in sources.problems)
    assert "watch and listen only" in sources.problems[-1]

    demo = open_sources(camera, None, synthetic=True, tag=7, label="Demo")
    assert isinstance(demo.video, TestPatternTrack)
    assert isinstance(demo.audio, ToneTrack)
    assert len(demo.problems) == 1
    assert "Webcam C920" in demo.problems[0]
    assert demo.reopen_video is not None
    again = demo.reopen_video()  # camera on after camera off: a fresh synthetic "device"
    assert isinstance(again, TestPatternTrack)
    assert again is not demo.video
    assert again.tag == 7
    again.stop()
    demo.video.stop()
    demo.audio.stop()


def test_devices_map_to_each_platforms_ffmpeg_input() -> None:
    cam = CaptureDevice("video", "/dev/video0", "Integrated Camera")
    mic = CaptureDevice("audio", "alsa_input.usb-mic", "USB mic")
    assert player_sources(cam, "linux")[0][:2] == ("/dev/video0", "v4l2")
    assert player_sources(mic, "linux") == [("alsa_input.usb-mic", "pulse", {})]
    assert player_sources(cam, "win32")[0][:2] == ("video=Integrated Camera", "dshow")
    assert player_sources(mic, "win32")[0][:2] == ("audio=USB mic", "dshow")
    assert player_sources(cam, "darwin")[0][:2] == ("Integrated Camera:none", "avfoundation")
    # a camera is tried at 1280×720 first (peers showing it large get that), then smaller,
    # then at its own default size: DirectShow refuses a size the camera lacks
    sizes = [options.get("video_size") for _f, _fmt, options in player_sources(cam, "win32")]
    assert sizes == ["1280x720", "640x360", None]


async def test_a_named_pattern_keeps_its_stamp() -> None:
    track = TestPatternTrack(tag=77, label="Nguyễn Văn An")
    frame = await track.recv()
    track.stop()
    stamp = read_stamp(frame)
    assert stamp is not None
    assert stamp.tag == 77
    luma = bytes(frame.planes[0])
    stride = frame.planes[0].line_size
    row = 2 * 16 + 16 + 18  # under two rows of stamp blocks (640 wide) and a gap: mid-label
    label_row = luma[row * stride : row * stride + 640]
    assert 40 in label_row  # the label's dark box is drawn over the ramp
    assert max(label_row[16:200]) > 200  # and white letters in it


async def test_a_talking_tone_takes_turns() -> None:
    track = ToneTrack(talk=(0.1, 0.1, 0.0))
    levels = []
    for _ in range(10):  # 200 ms: 100 ms of tone, then 100 ms of silence
        frame = await track.recv()
        levels.append(max(bytes(frame.planes[0])))
    track.stop()
    assert all(levels[:5])
    assert not any(levels[5:])
