"""What the call sends: a paused local track sends nothing, a switched one sends the new
source, and timestamps keep rising across both."""

from __future__ import annotations

import asyncio

import pytest
from aiortc.mediastreams import MediaStreamError
from av import VideoFrame

from media.call import Call
from media.devices import TestPatternTrack, ToneTrack, read_stamp
from media.errors import DeviceUnavailable
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


async def test_camera_off_releases_the_device_and_camera_on_opens_it_again() -> None:
    opened: list[TestPatternTrack] = []

    def open_camera() -> TestPatternTrack:  # counts the opens, as a device would see them
        opened.append(TestPatternTrack(7))
        return opened[-1]

    first = open_camera()
    call = Call(lambda: None, video=first, open_camera=open_camera)  # type: ignore[arg-type, return-value]
    await call.camera.recv()
    call.set_camera(False)
    assert first.readyState == "ended"  # closed: the device is free while the camera is off
    assert call.has_camera  # still there to turn on
    assert not call.camera_on
    assert call.camera.source is None
    call.set_camera(True)
    assert call.camera_on  # opening: the button shows it on at once
    frame = await asyncio.wait_for(call.camera.recv(), 2)  # from a newly opened device
    assert isinstance(frame, VideoFrame)
    assert len(opened) == 2
    assert call.camera.source is opened[1]
    assert opened[1].readyState == "live"
    call.set_camera(False)
    call.set_camera(True)
    call.set_camera(False)  # off again before the open finished: it is closed once open
    await asyncio.sleep(0.2)
    assert [t.readyState for t in opened] == ["ended"] * len(opened)
    assert call.has_camera
    await call.close()


async def test_a_camera_that_does_not_open_again_is_reported_as_lost() -> None:
    def busy() -> TestPatternTrack:
        raise DeviceUnavailable("in use by another program")

    call = Call(lambda: None, video=TestPatternTrack(8), open_camera=busy)  # type: ignore[arg-type, return-value]
    lost: list[str] = []
    call.device_lost.connect(lost.append)
    call.set_camera(False)
    call.set_camera(True)
    for _ in range(100):
        if lost:
            break
        await asyncio.sleep(0.02)
    assert lost == ["video"]  # the call service picks another camera or none, and says so
    assert not call.has_camera
    await call.close()
