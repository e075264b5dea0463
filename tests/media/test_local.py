"""What the call sends: a paused local track sends nothing, a switched one sends the new
source, and timestamps keep rising across both."""

from __future__ import annotations

import asyncio

import pytest
from aiortc.mediastreams import MediaStreamError
from av import VideoFrame

from media.call import Call
from media.devices import TestPatternTrack, ToneTrack, read_stamp
from media.local import LocalTrack


async def test_a_paused_track_sends_nothing_and_resumes_with_rising_timestamps() -> None:
    track = LocalTrack("audio", ToneTrack())
    first = await track.recv()
    track.enabled = False
    assert not track.sending
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await track.recv()  # muted: no frame at all (the far end sees no packets)
    track.enabled = True
    after = await track.recv()
    assert after.pts is not None
    assert first.pts is not None
    assert after.pts - first.pts >= 0.3 * 48_000 * 0.9  # the pause shows in the timestamps
    track.stop()


async def test_switching_the_source_sends_the_new_one_and_stops_nothing_else() -> None:
    camera, screen = TestPatternTrack(1), TestPatternTrack(2, 320, 180)
    track = LocalTrack("video", camera)
    frame = await track.recv()
    assert isinstance(frame, VideoFrame)
    stamp = read_stamp(frame)
    assert stamp is not None
    assert stamp.tag == 1
    track.source = screen
    shared = await track.recv()
    assert isinstance(shared, VideoFrame)
    assert (shared.width, shared.height) == (320, 180)
    assert shared.pts is not None
    assert frame.pts is not None
    assert shared.pts > frame.pts
    assert camera.readyState == "live"  # the camera waits for the end of the sharing
    track.stop()
    assert screen.readyState == "ended"


async def test_without_a_source_it_waits_until_one_comes_or_it_stops() -> None:
    track = LocalTrack("video")
    waiting = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0.05)
    assert not waiting.done()
    track.source = TestPatternTrack(3)
    frame = await asyncio.wait_for(waiting, 2)
    assert isinstance(frame, VideoFrame)
    track.source = None
    waiting = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0.05)
    track.stop()
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(waiting, 2)


async def test_a_device_that_stops_by_itself_is_reported_and_can_be_replaced() -> None:
    microphone, camera = ToneTrack(), TestPatternTrack(5)
    call = Call(lambda: None, audio=microphone, video=camera)  # type: ignore[arg-type, return-value]
    lost: list[str] = []
    call.device_lost.connect(lost.append)
    await call.microphone.recv()
    microphone.stop()  # unplugged
    reading = asyncio.ensure_future(call.microphone.recv())
    await asyncio.sleep(0.1)
    assert lost == ["audio"]
    assert not call.has_microphone
    assert not reading.done()  # the sender waits for a device instead of ending the track
    call.replace_device("audio", ToneTrack(880.0))
    await asyncio.wait_for(reading, 2)
    assert call.has_microphone
    assert call.microphone_on
    call.replace_device("video", None)  # no camera left
    assert camera.readyState == "ended"
    assert not call.has_camera
    await call.close()
