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
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame

from media.errors import MediaError

log = logging.getLogger(__name__)

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


class LocalMedia:
    """What a call sends and how the user switches it: the microphone and the camera slot (the
    camera, or the shared screen in its place), each one `LocalTrack` that the peer connections
    carry whatever happens. Kept out of `media.call.Call`, which deals with peers; the call
    passes its signals (`changed`, `lost`) and its task spawner in."""

    def __init__(
        self,
        video: MediaStreamTrack | None,
        audio: MediaStreamTrack | None,
        *,
        screen: Callable[[], MediaStreamTrack] | None,
        open_camera: Callable[[], MediaStreamTrack] | None,
        changed: Callable[[], None],
        lost: Callable[[str], None],
        spawn: Callable[[Coroutine[Any, Any, None], str], None],
    ) -> None:
        # Always one track per kind, even with no device: sharing the screen later, or a
        # device coming back, then needs no renegotiation.
        self.microphone = LocalTrack("audio", audio)
        self.camera = LocalTrack("video", video)
        self.tracks = (self.microphone, self.camera)
        self.camera_source = video  # the camera's own track (None: none, or off and released)
        self.microphone.on_source_ended = lambda track: self._lost("audio", track)
        self.camera.on_source_ended = lambda track: self._lost("video", track)
        self._screen = screen
        self._open_camera = open_camera
        self._released = False  # off, with the device closed: `open_camera` reopens it
        self._opening = False
        self._wanted = True  # the camera, once the screen is no longer shared
        self._changed = changed
        self._report_lost = lost
        self._spawn = spawn
        self.closed = False

    @property
    def microphone_on(self) -> bool:
        """Whether our microphone is sent (False when muted or when there is none)."""
        return self.microphone.sending

    @property
    def camera_on(self) -> bool:
        """Whether our camera is sent, or being opened to be (False when off, missing, or while
        sharing the screen)."""
        if self._opening and self._wanted and not self.sharing_screen:
            return True
        return self.camera.sending and self.camera.source is self.camera_source

    @property
    def sharing_screen(self) -> bool:
        """Whether the screen goes out instead of the camera."""
        return self.camera.source is not None and self.camera.source is not self.camera_source

    @property
    def has_microphone(self) -> bool:
        """Whether there is a microphone to send at all."""
        return self.microphone.source is not None

    @property
    def has_camera(self) -> bool:
        """Whether there is a camera to send at all (open, or off and released)."""
        return self.camera_source is not None or self._released

    @property
    def can_share_screen(self) -> bool:
        """Whether this call has a screen capture source at all."""
        return self._screen is not None

    def _lost(self, kind: str, track: MediaStreamTrack) -> None:
        if kind == "video" and track is not self.camera_source:
            return  # the shared screen ended: the camera slot is as it was
        if kind == "video":
            self.camera_source = None
        log.warning("the %s device stopped by itself", kind)
        self._report_lost(kind)
        self._changed()

    def replace_device(self, kind: str, track: MediaStreamTrack | None) -> None:
        """Send `track` from now on as the microphone ("audio") or camera ("video"); None for
        none. The old device's track is stopped."""
        if kind == "audio":
            old, self.microphone.source = self.microphone.source, track
        else:
            old, self.camera_source = self.camera_source, track
            self._released = False
            if not self.sharing_screen:
                self.camera.source = track
        if old is not None and old is not track:
            old.stop()
        self._changed()

    def set_microphone(self, on: bool) -> None:
        """Unmute (True) or mute (False): nothing is sent while muted."""
        self.microphone.enabled = on
        self._changed()

    def set_camera(self, on: bool) -> None:
        """Camera on or off; while sharing the screen this decides what comes back after.
        Off releases the device (when it can be opened again), on opens it again."""
        self.camera.enabled = on or self.sharing_screen
        self._wanted = on
        if not on:
            self._release_camera()
        elif self._released and not self._opening:
            self._opening = True
            self._spawn(self._reopen_camera(), "camera-open")
        self._changed()

    def _release_camera(self) -> None:
        source = self.camera_source
        if source is None or self._open_camera is None:
            return
        self.camera_source, self._released = None, True
        if self.camera.source is source:
            self.camera.source = None  # before the stop: no "device lost" for this end
        source.stop()

    async def _reopen_camera(self) -> None:
        assert self._open_camera is not None
        try:
            track = await open_in_thread(self._open_camera)
        except (MediaError, OSError) as exc:
            log.warning("the camera does not open again: %s", exc)
            self._released = False
            self._report_lost("video")  # the service looks for another one and says so
            return
        finally:
            self._opening = False
        if not (self._wanted and self._released and not self.closed):
            track.stop()  # off again meanwhile, replaced, or the call ended
        else:
            self._released = False
            self.camera_source = track
            if not self.sharing_screen:
                self.camera.source = track
        self._changed()

    def share_screen(self, on: bool, track: MediaStreamTrack | None = None) -> bool:
        """Send the screen instead of the camera (True), or the camera again (False); `track`
        is what the user picked (a screen or a window), else the call's screen source.

        False when there is no screen source."""
        if on == self.sharing_screen:
            return True
        if on:
            if self._screen is None:
                return False
            self._wanted = self.camera.enabled
            self.camera.source = track if track is not None else self._screen()
            self.camera.enabled = True
        else:
            screen = self.camera.source
            self.camera.source = self.camera_source
            self.camera.enabled = self._wanted
            if screen is not None:
                screen.stop()
        self._changed()
        return True

    def stop(self) -> None:
        """The call ended: every track stopped, the devices released."""
        self.closed = True
        if self.sharing_screen:
            self.share_screen(False)
        if self.camera_source is not None:
            self.camera_source.stop()  # also when the screen was on the sender
        for track in self.tracks:
            track.stop()
