"""What size a mesh peer sends its camera at: tiles get 640×360, a big tile more, a shared
screen its own size."""

from __future__ import annotations

from media.devices import TestPatternTrack, read_stamp
from media.scaling import ScaledTrack, scaled_size, send_height


def test_the_size_asked_goes_in_steps() -> None:
    assert send_height(0) == 360  # not on screen: still the tile size (no frames is camera off)
    assert send_height(200) == 360
    assert send_height(360) == 360
    assert send_height(361) == 720
    assert send_height(720) == 720
    assert send_height(900) is None  # the camera's own size


def test_frames_shrink_to_the_limit_never_grow_and_keep_their_shape() -> None:
    assert scaled_size(1280, 720, 360) == (640, 360)
    assert scaled_size(1920, 1080, 720) == (1280, 720)
    assert scaled_size(640, 360, 720) == (640, 360)
    assert scaled_size(1280, 720, None) == (1280, 720)
    assert scaled_size(1366, 768, 360) == (640, 360)  # even sides for 4:2:0


async def test_a_scaled_track_follows_the_limit_frame_by_frame() -> None:
    limit: list[int | None] = [360]
    active = [True]
    track = ScaledTrack(TestPatternTrack(31, 1280, 720), lambda: limit[0], lambda: active[0])
    small = await track.recv()
    assert (small.width, small.height) == (640, 360)
    assert small.pts is not None
    stamp = read_stamp(small)  # the picture is the camera's, only smaller
    assert stamp is None or stamp.tag == 31
    limit[0] = None
    large = await track.recv()
    assert (large.width, large.height) == (1280, 720)
    assert read_stamp(large) is not None
    limit[0] = 360
    active[0] = False  # sharing the screen: native size whatever the peer shows
    assert (await track.recv()).height == 720
    track.stop()
