"""What a call sends: one local track per kind whose source the user can pause or switch.

Muting the microphone, turning the camera off and sharing the screen must not renegotiate every
peer connection (behind Janus that is a new publish; in a mesh one offer per peer). So the call
always sends one `LocalTrack` per kind, and these change what flows through it:

- paused (`enabled = False`): the source is still read (a paced synthetic source would burst to
  catch up, and aiortc's `MediaPlayer` queues every captured frame unread), but nothing is sent.
  No packets is also how the far end tells a muted microphone or a camera that is off
  (`media.call.Call.flags`): it needs no message of its own and works through any backend.
- released (media/call.py `set_camera`): turning the camera off stops its capture track, so the
  device is free (its light goes out, another program may use it), and turning it on opens it
  again in a thread (`open_in_thread`: FFmpeg blocks while it opens a device).
- switched (`source = …`): the camera and a screen capture take turns on the same sender; frames
  are re-stamped on this track's own clock, so the timestamps keep rising across the switch.
"""

from __future__ import annotations

import asyncio
import fractions
import time
from collections.abc import Callable

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame

VIDEO_RATE = 90_000  # RTP clock of video (RFC 3551)


class LocalTrack(MediaStreamTrack):
    """A switchable, pausable local source of one kind (audio or video)."""

    def __init__(self, kind: str, source: MediaStreamTrack | None = None) -> None:
        super().__init__()
        if kind not in ("audio", "video"):
            raise ValueError(f"not a media kind: {kind!r}")
        self.kind = kind
        self._source = source
        self._enabled = True
        self._changed: asyncio.Event | None = None
        self._start: float | None = None
        self._next_pts = 0
        # told when the source ends by itself (a device unplugged), with the source that ended
        self.on_source_ended: Callable[[MediaStreamTrack], None] | None = None

    @property
    def source(self) -> MediaStreamTrack | None:
        """What is sent when enabled (None: nothing, as with no camera)."""
        return self._source

    @source.setter
    def source(self, source: MediaStreamTrack | None) -> None:
        self._source = source
        self._wake()

    @property
    def enabled(self) -> bool:
        """False while muted (audio) or with the camera off (video)."""
        return self._enabled

    @enabled.setter
    def enabled(self, enabled: bool) -> None:
        self._enabled = enabled
        self._wake()

    @property
    def sending(self) -> bool:
        """Whether frames flow out: enabled and with a source."""
        return self._enabled and self._source is not None

    def _wake(self) -> None:
        if self._changed is not None:
            self._changed.set()

    async def recv(self) -> AudioFrame | VideoFrame:
        """The source's next frame while sending; waits (sending nothing) while paused."""
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            source = self._source
            if source is None:
                if self._changed is None:
                    self._changed = asyncio.Event()
                self._changed.clear()
                await self._changed.wait()
                continue
            try:
                frame = await source.recv()
            except MediaStreamError:
                if source is self._source:  # the source ended (device unplugged, stopped)
                    self._source = None
                    if self.on_source_ended is not None and self.readyState == "live":
                        self.on_source_ended(source)
                continue
            if source is self._source and self._enabled:
                assert isinstance(frame, AudioFrame | VideoFrame)
                return self._restamp(frame)

    def _restamp(self, frame: AudioFrame | VideoFrame) -> AudioFrame | VideoFrame:
        """Timestamps on our own clock: rising across pauses and source switches."""
        now = time.monotonic()
        if self._start is None:
            self._start = now
        if isinstance(frame, AudioFrame):
            rate = frame.sample_rate
            step = frame.samples
        else:
            rate, step = VIDEO_RATE, 1
        wall = int((now - self._start) * rate)
        if isinstance(frame, AudioFrame) and wall - self._next_pts < rate // 10:
            pts = self._next_pts  # steady audio: back to back, no jitter from the clock
        else:
            pts = max(self._next_pts, wall)  # video, or audio after a pause
        self._next_pts = pts + step
        frame.pts = pts
        frame.time_base = fractions.Fraction(1, rate)
        return frame

    def stop(self) -> None:
        """Stops this track and its source (the device is released)."""
        super().stop()
        self._wake()
        if self._source is not None:
            self._source.stop()


async def open_in_thread(opener: Callable[[], MediaStreamTrack]) -> MediaStreamTrack:
    """`opener()` (a device open: blocking) in a thread. Cancelled while it runs, the track it
    opens after all is stopped: a device is never left open with nobody reading it."""
    opening = asyncio.ensure_future(asyncio.to_thread(opener))
    try:
        return await asyncio.shield(opening)
    except asyncio.CancelledError:
        opening.add_done_callback(_stop_opened)
        raise


def _stop_opened(opening: asyncio.Future[MediaStreamTrack]) -> None:
    if not opening.cancelled() and opening.exception() is None:
        opening.result().stop()
