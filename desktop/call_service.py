"""The call of one online meeting, for the UI: from the meeting's `media` record to a running
`media.call.Call`, and back out when the window closes.

The service picks the signaling adapter the record names (the server's room relay, Janus, or a
WHIP endpoint that we publish to), ICE servers from the settings (never aiortc's public default;
a WHIP endpoint's own STUN/TURN servers are added, RFC 9725 §4.6), and the devices from the
settings (`camera`, `microphone`: "" the system default, "none" none). A missing or busy device
does not stop the call: it goes on with what there is, and `notice` says so (media/devices.py).
A real microphone goes through the echo canceller (media/audio_processing.py); synthetic sources
do not (noise suppression would take a steady test tone for noise).

The view binds to `call` (a `media.call.Call`) once `join()` returned; `leave()` closes the call
and its HTTP session and is safe to call twice. A call opened from a link with no meeting behind
it (a WHIP endpoint, desktop/join_link.py) is given its backend instead of a meeting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import aiohttp
from PySide6.QtCore import QObject, Signal
from PySide6.QtMultimedia import QAudioDevice, QMediaDevices

from desktop.demo_call import DemoParticipantsProcess
from desktop.domain import Meeting
from media.call import Call
from media.config import (
    Backend,
    JanusBackend,
    RoomBackend,
    WhipBackend,
    parse_backend,
    parse_ice_servers,
)
from media.devices import CaptureDevice, Sources, choose_device, open_device, open_sources
from media.errors import DeviceUnavailable, SignalingError
from media.playout import AudioPlayout
from media.screen import ScreenCaptureTrack
from media.signaling import Signaling
from media.signaling.janus import JanusSignaling
from media.signaling.room import RoomSignaling
from media.signaling.whip import WhipSignaling, ice_servers_of

if TYPE_CHECKING:
    from desktop.session import Session

log = logging.getLogger(__name__)


class NotAnOnlineMeeting(SignalingError):
    """The meeting has no media record, or one this version cannot use."""


class CallService(QObject):
    """Joins and leaves the call of one meeting; `state_changed` and `notice` for the view."""

    state_changed = Signal(str, str)  # CallState value, translated reason
    notice = Signal(str)  # a translated sentence about devices

    def __init__(
        self,
        session: Session,
        meeting: Meeting | None,
        *,
        demo: bool = False,
        backend: Backend | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`demo` (`hopdesk --demo`): test sources where a device is missing, and synthetic
        participants in a room-relay meeting, in a child process (desktop/demo_call.py).
        `backend`: where the media goes when there is no meeting (a call from a link)."""
        super().__init__(parent)
        self.session = session
        self.meeting = meeting
        self._backend = backend
        self.demo = demo
        self.participants: DemoParticipantsProcess | None = None
        self.playout: AudioPlayout | None = None
        self._tasks: set[asyncio.Task[str]] = set()  # device replacements under way
        self.call: Call | None = None
        self.problems: tuple[str, ...] = ()
        self._http: aiohttp.ClientSession | None = None

    def backend(self) -> Backend:
        """Where this meeting's media goes; `NotAnOnlineMeeting` when it has none,
        `SignalingError` when its record is unusable."""
        if self._backend is not None:
            return self._backend
        if self.meeting is None or self.meeting.media is None:
            what = self.meeting.id if self.meeting is not None else "(none)"
            raise NotAnOnlineMeeting(f"meeting {what} is not online")
        return parse_backend(self.meeting.media, self.session.server_url)  # SignalingError if bad

    def _devices(self) -> tuple[CaptureDevice | None, CaptureDevice | None]:
        settings = self.session.config.settings
        return choose_device("video", settings.camera), choose_device("audio", settings.microphone)

    def _speaker(self) -> QAudioDevice | None:
        wanted = self.session.config.settings.speaker
        return next(
            (d for d in QMediaDevices.audioOutputs() if bytes(d.id().data()).decode() == wanted),
            None,
        )

    async def join(self) -> Call:
        """Open the devices (in a thread: FFmpeg blocks), build the call and start joining."""
        if self.call is not None:
            return self.call
        backend = self.backend()
        ice = parse_ice_servers(list(self.session.config.settings.ice_servers))
        camera, microphone = self._devices()
        user = self.session.user
        name = user.full_name if user is not None else ""
        sources: Sources = await asyncio.to_thread(
            open_sources, camera, microphone, synthetic=self.demo, label=name
        )
        self.problems = sources.problems
        audio, canceller = sources.audio, None
        if sources.real_audio and audio is not None:
            from media.audio_processing import EchoCanceller, ProcessedMicrophoneTrack

            canceller = await asyncio.to_thread(EchoCanceller)  # imports livekit: ~0.5–2 s
            audio = ProcessedMicrophoneTrack(audio, canceller)
        self._http = aiohttp.ClientSession()
        if isinstance(backend, WhipBackend):  # aiortc needs them before it makes the offer
            ice = (*ice, *await ice_servers_of(self._http, backend))
        call = Call(
            self._connector(backend, name),
            ice_servers=ice,
            video=sources.video,
            audio=audio,
            screen=ScreenCaptureTrack,
            open_camera=sources.reopen_video,
            canceller=canceller,
            parent=self,
        )
        call.state_changed.connect(self.state_changed)
        call.device_lost.connect(self._device_lost)
        self.call = call
        self.playout = AudioPlayout(call.mixer, self._speaker(), self)
        self.playout.start()
        for problem in sources.problems:
            self.notice.emit(problem)
        call.join()
        if self.demo and isinstance(backend, RoomBackend) and self.session.server_url:
            me = user.username if user is not None else ""
            self.participants = DemoParticipantsProcess(self.session.server_url, backend, me)
            self.participants.launch()
        return call

    def _connector(self, backend: Backend, name: str) -> Callable[[], Signaling]:
        http = self._http
        assert http is not None
        if isinstance(backend, JanusBackend):
            return lambda: JanusSignaling(http, backend, name)
        if isinstance(backend, WhipBackend):
            return lambda: WhipSignaling(http, backend)
        # the current access token at every (re)join: a long call outlives one token
        return lambda: RoomSignaling(http, backend, self.session.access_token or "")

    def _device_lost(self, kind: str) -> None:
        task = asyncio.get_running_loop().create_task(self.replace_device(kind))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def replace_device(self, kind: str) -> str:
        """After a device went (unplugged mid-call): the next one present of that kind, or none;
        `notice` tells which, and so does the return value."""
        setting = self.session.config.settings
        device = choose_device(kind, setting.camera if kind == "video" else setting.microphone)
        track = None
        if device is not None:
            try:
                track = await asyncio.to_thread(open_device, device)
            except DeviceUnavailable as exc:
                log.warning("no replacement %s: %s", kind, exc)
        if self.call is None:
            if track is not None:
                track.stop()
            return ""
        self.call.replace_device(kind, track)
        if kind == "video":
            text = (
                self.tr("The camera stopped. Now using {name}.")
                if track is not None and device is not None
                else self.tr("The camera stopped. The call goes on without video.")
            )
        else:
            text = (
                self.tr("The microphone stopped. Now using {name}.")
                if track is not None and device is not None
                else self.tr("The microphone stopped. The others cannot hear you.")
            )
        text = text.format(name=device.name if device is not None else "")
        self.problems = (*self.problems, text)
        self.notice.emit(text)
        return text

    async def leave(self) -> None:
        """Hang up: the call, its devices and its HTTP session; idempotent."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        call, self.call = self.call, None
        http, self._http = self._http, None
        participants, self.participants = self.participants, None
        playout, self.playout = self.playout, None
        if playout is not None:
            playout.stop()
        if participants is not None:
            await participants.stop()
        if call is not None:
            await call.close()
        if http is not None:
            await http.close()

    async def close(self) -> None:
        """`leave()`, as the meeting room window closes the services it owns."""
        await self.leave()
