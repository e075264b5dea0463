"""A call: one `Signaling` link and, in a mesh, one `RTCPeerConnection` per other participant.

Runs aiortc in the app's asyncio loop (qasync in the app). The newcomer offers to everyone it
finds in the room; the others answer, so two peers never offer to each other at once. aiortc
gathers all its candidates before an offer or answer is sent, so no trickle is needed. It
cannot restart ICE: a peer connection that fails is replaced by a new one (the peer with the
smaller id offers again after a jittered backoff), and a dropped signaling link is rejoined with
a jittered, growing backoff while the call says "reconnecting". ICE servers come only from the
configuration (an empty list means none: never aiortc's public default).

Behind an SFU (Janus) the same machinery serves: `Presence.publish_to` names the media server, to
which we offer our media over one unlisted peer connection, and each remote publisher arrives as
a peer that offers to us (media/signaling/janus.py). There the UI says which participants are on
screen (`show_video`) and the SFU stops sending the others' video; in a mesh every connection
keeps its video (a mesh is for small meetings).

What the user changes mid-call (mute, camera off, screen sharing) changes the source of the
call's two `LocalTrack`s (media/local.py), never the peer connections. What the far end does
shows without messages: no audio packets is a muted microphone, no frames a camera that is off
(`flags`); levels of the decoded audio pick the active speaker (media/speaker.py).

Every task is created by `_spawn`, named, kept, and cancelled and awaited by `close()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamTrack
from aiortc.sdp import candidate_from_sdp
from PySide6.QtCore import QObject, Signal

from media.audio_processing import EchoCanceller
from media.config import IceServer
from media.errors import MediaError, SignalingError, SignalingRefused
from media.local import LocalMedia
from media.participants import Participant, Roster
from media.peer_link import PeerLink, RemoteFlags
from media.playout import Mixer
from media.publish_size import ViewChannel
from media.receiver import receiver_of
from media.scaling import TILE_HEIGHT, ScaledTrack, send_height
from media.signaling import (
    Answer,
    Candidate,
    ErrorMessage,
    Incoming,
    Offer,
    Outgoing,
    PeerJoined,
    PeerLeft,
    Resubscribe,
    ShowVideo,
    Signaling,
    Speaking,
    View,
    layer_for,
)
from media.speaker import ActiveSpeaker
from media.state import (
    CallEvent,
    CallState,
    Effect,
    Fail,
    Join,
    Joined,
    Leave,
    LinkLost,
    Status,
    next_state,
)
from media.stats import PeerStats, quality
from media.udp_drain import drain_when_gathered
from media.video import RemoteVideo

log = logging.getLogger(__name__)

CLOSE_STEP_TIMEOUT = 3.0  # seconds for each step of close()


@dataclass(frozen=True, slots=True)
class Backoff:
    """Jittered exponential delays: `base` doubling up to `cap`, each 50–100 % of that."""

    base: float = 1.0
    cap: float = 30.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (0 for the first)."""
        return min(self.cap, self.base * 2.0 ** min(attempt, 32)) * random.uniform(0.5, 1.0)


class Call(QObject):
    """A call the UI binds to: state, participants and one video sink per remote participant."""

    state_changed = Signal(str, str)  # CallState value, reason (translated) when not fine
    participant_joined = Signal(str, str)  # peer id, display name
    participant_left = Signal(str)  # peer id
    video_added = Signal(str)  # peer id: `video(peer).sink` now shows them
    message_refused = Signal(str, str)  # code, detail: the server could not use what we sent
    speaking_changed = Signal(str, bool)  # peer id, talking: the media server's audio levels
    retry_scheduled = Signal(float)  # seconds until the next attempt to rejoin
    local_changed = Signal()  # microphone, camera or screen sharing switched
    device_lost = Signal(str)  # "audio" or "video": the device ended by itself (unplugged)

    def __init__(
        self,
        connect: Callable[[], Signaling],
        *,
        ice_servers: Sequence[IceServer] = (),
        video: MediaStreamTrack | None = None,
        audio: MediaStreamTrack | None = None,
        screen: Callable[[], MediaStreamTrack] | None = None,
        open_camera: Callable[[], MediaStreamTrack] | None = None,
        canceller: EchoCanceller | None = None,
        backoff: Backoff = Backoff(),
        parent: QObject | None = None,
    ) -> None:
        """`video` and `audio` are the capture tracks (None: no such device); `screen` makes a
        screen capture track when the user shares; `canceller` cleans the microphone (the
        caller wraps the microphone track in `ProcessedMicrophoneTrack` with it) and is fed
        what the speaker plays as its far end (`mixer`). `open_camera` opens the camera again
        (blocking: it runs in a thread): with it, camera off releases the device."""
        super().__init__(parent)
        self._connect = connect
        self._ice = [
            RTCIceServer(urls=list(s.urls), username=s.username, credential=s.credential)
            for s in ice_servers
        ]
        self.local = LocalMedia(
            video,
            audio,
            screen=screen,
            open_camera=open_camera,
            changed=self.local_changed.emit,
            lost=self.device_lost.emit,
            spawn=self._spawn,
        )
        self.microphone, self.camera = self.local.microphone, self.local.camera
        self._canceller = canceller
        self.speaker = ActiveSpeaker()
        self.mixer = Mixer(canceller)  # what the speaker plays (`AudioPlayout`), for the UI
        self.self_view = RemoteVideo("")  # what we send, for the self view
        self._relay = MediaRelay()  # one capture, one subscription per peer connection
        self._backoff = backoff
        self._status = Status()
        self._peers: dict[str, PeerLink] = {}
        self.roster = Roster(self)  # the same people as rows, for the UI's list models
        self._me = ""
        self._sfu = ""  # the media server we publish to (Presence.publish_to); "" in a mesh
        self._signaling: Signaling | None = None
        self._attempts = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed: asyncio.Future[None] | None = None
        self._self_view_started = False
        self._shown: dict[str, tuple[bool, int]] = {}  # peer → (on, layer) asked of the SFU
        self._asked: dict[str, int | None] = {}  # mesh: peer → the size asked of them (`View`)
        self._show_lock = asyncio.Lock()  # keeps the SFU's pause/resume in the asked order
        self._views = ViewChannel(lambda: self._me, time.monotonic)  # SFU: who shows us large

    # --- what the UI reads ----------------------------------------------------------------

    @property
    def status(self) -> Status:
        """The current state and, when reconnecting or failed, why."""
        return self._status

    def participants(self) -> dict[str, str]:
        """Peer id → display name of everyone else in the call."""
        return {peer: link.display for peer, link in self._peers.items() if link.listed}

    def video(self, peer: str) -> RemoteVideo | None:
        """The remote video of a participant, once it arrived."""
        link = self._peers.get(peer)
        return link.video if link else None

    def flags(self, peer: str) -> RemoteFlags:
        """Whether `peer`'s audio and video are arriving now (no packets: muted / camera off)."""
        link = self._peers.get(peer)
        return link.flags(time.monotonic()) if link is not None else RemoteFlags(False, False)

    def speaking(self, peer: str) -> bool:
        """Whether `peer` is speaking now."""
        return self.speaker.speaking(peer, time.monotonic())

    def active_speaker(self) -> str | None:
        """The participant to show large: who speaks now, or who spoke last."""
        return self.speaker.current(time.monotonic())

    async def stats(self) -> dict[str, PeerStats]:
        """Figures per participant (not the hidden SFU publishing connection); rates are since
        the previous call."""
        figures = {}
        for peer, link in list(self._peers.items()):
            if not link.listed or (figure := await link.stats(time.monotonic)) is None:
                continue
            figures[peer] = figure
            grade = quality(figure, video=self.flags(peer).video)
            self.roster.update(peer, quality=grade)
        return figures

    def refresh_roster(self) -> None:
        """Bring the roster's muted, camera and talking columns up to now (they follow packets
        and levels, not messages: the UI calls this on its poll)."""
        for peer in list(self.participants()):
            flags = self.flags(peer)
            talking = self.speaking(peer)
            self.roster.update(peer, muted=not flags.audio, camera=flags.video, talking=talking)

    # --- what the user switches ------------------------------------------------------------

    @property
    def microphone_on(self) -> bool:
        """Whether our microphone is sent (False when muted or when there is none)."""
        return self.local.microphone_on

    @property
    def camera_on(self) -> bool:
        """Whether our camera is sent, or being opened to be."""
        return self.local.camera_on

    @property
    def sharing_screen(self) -> bool:
        """Whether the screen goes out instead of the camera."""
        return self.local.sharing_screen

    @property
    def has_microphone(self) -> bool:
        """Whether there is a microphone to send at all."""
        return self.local.has_microphone

    @property
    def has_camera(self) -> bool:
        """Whether there is a camera to send at all."""
        return self.local.has_camera

    @property
    def can_share_screen(self) -> bool:
        """Whether this call has a screen capture source at all."""
        return self.local.can_share_screen

    def replace_device(self, kind: str, track: MediaStreamTrack | None) -> None:
        """`LocalMedia.replace_device`: after a device went."""
        self.local.replace_device(kind, track)

    def set_microphone(self, on: bool) -> None:
        """Unmute (True) or mute (False)."""
        self.local.set_microphone(on)

    def set_camera(self, on: bool) -> None:
        """Camera on (opened again) or off (released)."""
        self.local.set_camera(on)

    def share_screen(self, on: bool, track: MediaStreamTrack | None = None) -> bool:
        """`LocalMedia.share_screen`: the screen (`track`, else the call's) or the camera."""
        return self.local.share_screen(on, track)

    def show_video(self, on_screen: Mapping[str, int]) -> None:
        """The participants whose tiles are on screen now, with each tile's height in pixels:
        behind an SFU the others' video is paused (their audio goes on) and each visible feed
        gets the simulcast layer its tile needs; in a mesh each peer is told how large we show
        them, and sends that size (media/scaling.py). Only changes are sent."""
        if self._signaling is None or self._closed is not None:
            return  # not in the room (any more)
        changes: list[ShowVideo | View] = []
        for peer, link in self._peers.items():
            if not link.listed:
                continue
            height = on_screen.get(peer)
            if not self._sfu:
                step = send_height(height or 0)
                if self._asked.get(peer, TILE_HEIGHT) != step:  # a sender starts at tile size
                    self._asked[peer] = step
                    changes.append(View(peer, height or 0))
                continue
            self._views.show(peer, height or 0)
            wish = (height is not None, layer_for(height or 0) if height is not None else 0)
            if self._shown.get(peer, (True, 2)) != wish:
                self._shown[peer] = wish
                changes.append(ShowVideo(peer, wish[0], wish[1]))
        if changes:
            self._spawn(self._show(changes), "show-video")

    async def _show(self, changes: list[ShowVideo | View]) -> None:
        async with self._show_lock:
            for change in changes:
                try:
                    await self._send(change)
                except SignalingError as exc:  # the link's own failure ends it elsewhere
                    log.warning("cannot show/hide the video of %s: %s", change.peer, exc)

    def task_count(self) -> int:
        """Tasks this call still owns (0 after `close()`)."""
        return len(self._tasks) + sum(len(link.tasks) for link in self._peers.values())

    # --- lifecycle -----------------------------------------------------------------------

    def join(self) -> None:
        """Start (or, after a failure, restart) joining; progress shows in `state_changed`."""
        if not self._self_view_started:
            self._self_view_started = True
            preview = self._relay.subscribe(self.camera, buffered=False)
            self._spawn(self.self_view.run(preview), "self-view")
            self._spawn(self._views.refresh(), "view-refresh")
        self._apply(Join())

    async def close(self) -> None:
        """Leave: sinks, peer connections, signaling, local tracks; idempotent, time-boxed."""
        if self._closed is not None:
            await asyncio.shield(self._closed)
            return
        self._closed = asyncio.get_running_loop().create_future()
        try:
            self._apply(Leave())
            current = asyncio.current_task()
            tasks = [t for t in self._tasks if t is not current]
            for task in tasks:
                task.cancel()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CLOSE_STEP_TIMEOUT):
                    await asyncio.gather(*tasks, return_exceptions=True)
            await self._drop_all_peers()
            await self._leave_signaling()
            self.local.stop()
        finally:
            self._closed.set_result(None)

    # --- the state machine and its effects --------------------------------------------------

    def _apply(self, event: CallEvent) -> None:
        status, effects = next_state(self._status, event)
        if status != self._status:
            self._status = status
            self.state_changed.emit(status.state.value, status.reason)
        for effect in effects:
            if effect is Effect.CONNECT:
                self._spawn(self._link(), "call-link")
            elif effect is Effect.RETRY_LATER:
                self._spawn(self._retry_later(), "call-retry")
            # Effect.CLOSE: the caller of Fail/Leave tears down (in _link or close())

    def _spawn(
        self,
        coro: Coroutine[Any, Any, None],
        name: str,
        owner: set[asyncio.Task[None]] | None = None,
    ) -> None:
        tasks = self._tasks if owner is None else owner
        task = asyncio.get_running_loop().create_task(coro, name=name)
        tasks.add(task)
        task.add_done_callback(lambda t: self._finished(t, tasks))

    @staticmethod
    def _finished(task: asyncio.Task[None], owner: set[asyncio.Task[None]]) -> None:
        owner.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("call task %s failed", task.get_name(), exc_info=task.exception())

    async def _retry_later(self) -> None:
        delay = self._backoff.delay(self._attempts)
        self._attempts += 1
        self.retry_scheduled.emit(delay)
        log.info("rejoining the call in %.1f s (attempt %d)", delay, self._attempts)
        await asyncio.sleep(delay)
        if self._status.state is CallState.RECONNECTING:
            self._spawn(self._link(), "call-link")

    async def _link(self) -> None:
        """One signaling session: join, then handle messages until the link drops."""
        signaling = self._signaling = self._connect()
        try:
            presence = await signaling.join()
            self._attempts = 0
            self._me = presence.you
            self._sfu = presence.publish_to
            self._views.relayed = presence.views
            self._apply(Joined())
            if presence.publish_to:  # an SFU: our media goes to it, theirs comes as offers
                self._add_peer(presence.publish_to, "", listed=False)
                await self._offer(presence.publish_to)
            for info in presence.peers:  # we are the newcomer: we offer
                self._add_peer(info.peer, info.display)
                await self._offer(info.peer)
            async for message in signaling.incoming():
                await self._handle(message)
            raise SignalingError("the signaling link ended")
        except SignalingRefused as exc:
            log.warning("call refused: %s", exc)
            await self._drop_all_peers()
            await self._leave_signaling()
            self._apply(Fail(exc.user_message()))
        except SignalingError as exc:
            log.warning("call signaling lost: %s", exc)
            await self._drop_all_peers()
            await self._leave_signaling()
            self._apply(LinkLost(exc.user_message()))

    async def _leave_signaling(self) -> None:
        signaling, self._signaling = self._signaling, None
        if signaling is not None:
            with contextlib.suppress(MediaError, TimeoutError):
                async with asyncio.timeout(CLOSE_STEP_TIMEOUT):
                    await signaling.leave()

    # --- signaling messages -----------------------------------------------------------------

    async def _handle(self, message: Incoming) -> None:
        """One message from the room; a bad one is logged and the call goes on."""
        if isinstance(message, PeerJoined):
            self._add_peer(message.peer, message.display)  # it will offer to us
        elif isinstance(message, PeerLeft):
            await self._drop_peer(message.peer)
        elif isinstance(message, ErrorMessage):
            self.message_refused.emit(message.code, message.detail)
        elif isinstance(message, View):
            if (link := self._peers.get(message.peer)) is not None:
                link.send_limit = send_height(message.height)  # how large they show us
        elif isinstance(message, Speaking):
            if message.peer in self._peers:
                now = time.monotonic()
                self.speaker.talking(message.peer, message.talking, now)
                self.speaking_changed.emit(message.peer, message.talking)
        elif isinstance(message, Offer | Answer | Candidate):
            try:
                await self._negotiate(message)
            except SignalingError:
                raise  # the link itself is down
            except Exception:  # hostile or broken SDP from a peer: never ends the call
                log.warning(
                    "unusable %s from %s", type(message).__name__, message.peer, exc_info=True
                )
                await self._close_pc(message.peer)

    async def _negotiate(self, message: Offer | Answer | Candidate) -> None:
        link = self._peers.get(message.peer)
        if link is None:
            log.warning("%s from unknown peer %s ignored", type(message).__name__, message.peer)
            return
        if isinstance(message, Offer):
            await self._close_pc(message.peer)  # a new offer is a fresh start
            pc = self._new_pc(message.peer, link)
            await pc.setRemoteDescription(RTCSessionDescription(message.sdp, "offer"))
            if not self._sfu:  # behind an SFU our media goes only to it: receive-only here
                self._add_local_tracks(pc, link)
            elif pc.sctp is not None:  # a feed with data: its publisher says how it shows us
                self._views.listen(message.peer, pc)
            await pc.setLocalDescription(await pc.createAnswer())
            await self._send(Answer(message.peer, pc.localDescription.sdp))
        elif isinstance(message, Answer):
            if link.pc is None or link.pc.signalingState != "have-local-offer":
                log.warning("answer from %s without an offer of ours: ignored", message.peer)
                return
            await link.pc.setRemoteDescription(RTCSessionDescription(message.sdp, "answer"))
        elif link.pc is not None and message.candidate:
            candidate = candidate_from_sdp(message.candidate.removeprefix("candidate:"))
            candidate.sdpMid = message.sdp_mid
            candidate.sdpMLineIndex = message.sdp_mline_index
            await link.pc.addIceCandidate(candidate)

    async def _send(self, message: Outgoing) -> None:
        if self._signaling is None:
            raise SignalingError("not connected")
        await self._signaling.send(message)

    # --- peers ----------------------------------------------------------------------------

    def _add_peer(self, peer: str, display: str, *, listed: bool = True) -> None:
        if peer not in self._peers:
            self._peers[peer] = PeerLink(display, listed)
            if listed:
                self.roster.add(Participant(peer, display))
                self.participant_joined.emit(peer, display)

    def _new_pc(self, peer: str, link: PeerLink) -> RTCPeerConnection:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=list(self._ice)))
        drain_when_gathered(pc)  # every waiting datagram per wake-up (issue 13)
        link.pc = pc

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video":
                video = link.video or RemoteVideo(peer)
                link.video = video
                video.bound(receiver_of(pc, track))  # before aiortc starts its decoder
                self._spawn(video.run(track), f"video-{peer}", link.tasks)
                self.roster.update(peer, has_video=True)
                self.video_added.emit(peer)
            else:  # measured, mixed for the speaker, and drained
                heard = link.listen(peer, track, self.speaker, self.mixer, time.monotonic)
                self._spawn(heard, f"audio-{peer}", link.tasks)

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if link.pc is pc:
                self.roster.update(peer, media=pc.connectionState)
            if pc.connectionState == "connected":
                link.failures = 0
            # "closed" by itself, not by us (`_close_pc` lets go of it first): aiortc closes a
            # connection whose DTLS the far end closed — a media server shutting down says so
            elif pc.connectionState in ("failed", "closed") and link.pc is pc:
                self._spawn(self._recover(peer, link), f"recover-{peer}", link.tasks)

        return pc

    def _add_local_tracks(self, pc: RTCPeerConnection, link: PeerLink) -> None:
        """Our microphone and camera on `pc`; the camera at the size `link`'s peer shows it,
        or behind an SFU the largest anyone shows it (a shared screen always at its own)."""
        kinds = {t.kind for t in self.local.tracks}
        for track in self.local.tracks:
            sent = self._relay.subscribe(track, buffered=False)
            if track.kind == "video":
                limit = self._views.current_limit if not link.listed else lambda: link.send_limit
                sent = ScaledTrack(sent, limit, lambda: not self.sharing_screen)
            pc.addTrack(sent)
        for kind in ("audio", "video"):
            if kind not in kinds and not any(
                t.kind == kind for t in pc.getTransceivers()
            ):  # receive even when we have nothing to send
                pc.addTransceiver(kind, direction="recvonly")

    async def _offer(self, peer: str) -> None:
        link = self._peers[peer]
        await self._close_pc(peer)
        pc = self._new_pc(peer, link)
        self._add_local_tracks(pc, link)
        if peer == self._sfu:
            self._views.publish_on(pc)
        await pc.setLocalDescription(await pc.createOffer())  # gathers every candidate
        await self._send(Offer(peer, pc.localDescription.sdp))

    async def _recover(self, peer: str, link: PeerLink) -> None:
        """ICE failed or the far end closed (aiortc cannot restart ICE): a new peer connection
        after a backoff."""
        delay = self._backoff.delay(link.failures)
        link.failures += 1
        log.info("media to %s failed; new connection in %.1f s", peer, delay)
        await self._close_pc(peer)
        await asyncio.sleep(delay)
        if self._peers.get(peer) is not link or self._signaling is None:
            return
        try:
            if self._sfu and peer != self._sfu:  # a feed: the SFU offers it, when asked again
                await self._send(Resubscribe(peer))
            elif self._me < peer:
                await self._offer(peer)  # the other side waits for this offer
        except SignalingError as exc:  # the link's own failure ends it in `_link`: rejoined
            log.warning("cannot connect the media to %s again: %s", peer, exc)

    async def _close_pc(self, peer: str) -> None:
        link = self._peers.get(peer)
        if link is None or link.pc is None:
            return
        pc, link.pc = link.pc, None
        current = asyncio.current_task()
        for task in [
            t for t in link.tasks if t is not current and t.get_name() != f"recover-{peer}"
        ]:
            task.cancel()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CLOSE_STEP_TIMEOUT):
                await pc.close()

    async def _drop_peer(self, peer: str) -> None:
        link = self._peers.get(peer)
        if link is None:
            return
        await self._close_pc(peer)
        current = asyncio.current_task()
        pending = [t for t in link.tasks if t is not current]
        for task in pending:
            task.cancel()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CLOSE_STEP_TIMEOUT):
                await asyncio.gather(*pending, return_exceptions=True)
        del self._peers[peer]
        self._shown.pop(peer, None)
        self._asked.pop(peer, None)
        self._views.forget(peer)
        self.speaker.forget(peer)
        self.mixer.remove(peer)
        if link.listed:
            self.roster.remove(peer)
            self.participant_left.emit(peer)

    async def _drop_all_peers(self) -> None:
        for peer in list(self._peers):
            await self._drop_peer(peer)
