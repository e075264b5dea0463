"""How large a site publishes behind Janus: 360 lines by default, more at once while a viewer
shows it large, back to 360 only `HOLD` seconds after the last large view ended."""

from __future__ import annotations

from media.publish_size import EXPIRE, HOLD, PublishSize


def test_a_tile_is_360_and_a_big_tile_grows_at_once() -> None:
    size = PublishSize()
    assert size.limit(0.0) == 360
    size.viewed("a", 200, 0.0)
    assert size.limit(0.1) == 360
    size.viewed("b", 720, 0.2)
    assert size.limit(0.2) == 720
    size.viewed("c", 1080, 0.3)
    assert size.limit(0.3) is None  # the camera's own size


def test_shrinking_waits_out_the_hold_so_a_moving_big_tile_does_not_flap() -> None:
    size = PublishSize()
    size.viewed("a", 720, 0.0)
    assert size.limit(0.0) == 720
    size.viewed("a", 200, 1.0)  # the big tile moved to someone else
    assert size.limit(1.0) == 720
    size.viewed("a", 720, 1.5)  # and back: no restart of the encoder in between
    assert size.limit(1.5) == 720
    assert size.limit(2.0) == 720  # asked at every frame
    size.viewed("a", 0, 2.0)
    assert size.limit(2.0 + HOLD - 0.1) == 720
    assert size.limit(2.0 + HOLD + 0.1) == 360


def test_a_viewer_that_vanished_or_left_counts_no_more() -> None:
    size = PublishSize()
    size.viewed("a", 720, 0.0)
    assert size.limit(0.0) == 720
    assert size.limit(EXPIRE + HOLD + 0.1) == 360  # never heard again
    size.viewed("b", 720, 20.0)
    assert size.limit(20.0) == 720
    size.forget("b")
    assert size.limit(20.0 + HOLD + 1.0) == 360
