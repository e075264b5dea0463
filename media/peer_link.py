"""What a call keeps for one other participant, and what it measures of them: their peer
connection, decoded video, audio level, last statistics sample and the size they want our video.

The call (media/call.py) decides when a link's peer connection is made, replaced and closed;
this module answers what the UI asks about one participant — are their audio and video arriving
(`flags`), their figures (`stats`) — and reads their audio (`listen`), so the call itself stays
about signaling and the peer connections' lifecycle.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from aiortc import RTCPeerConnection
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame

from media.audio_processing import PcmChunker
from media.playout import Mixer
from media.scaling import TILE_HEIGHT
from media.speaker import ActiveSpeaker, AudioMeter
from media.stats import PeerStats, Sample, peer_stats
from media.video import RemoteVideo

AUDIO_GAP = 1.0  # seconds without audio packets after which a peer counts as muted
VIDEO_GAP = 1.5  # seconds without video frames after which a peer's camera counts as off


@dataclass(frozen=True, slots=True)
class RemoteFlags:
    """What a participant sends at the moment, as their tile shows it."""

    audio: bool
    video: bool


@dataclass(eq=False)
class PeerLink:
    """What the call keeps for one other participant."""

    display: str
    listed: bool = True  # False for an SFU's publishing connection: not a participant
    pc: RTCPeerConnection | None = None
    video: RemoteVideo | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    failures: int = 0
    sample: Sample | None = None  # the last statistics sample (media/stats.py)
    meter: AudioMeter = field(default_factory=AudioMeter)
    send_limit: int | None = TILE_HEIGHT  # lines of our video they want (`View`); None: all

    def flags(self, now: float) -> RemoteFlags:
        """Whether their audio and video are arriving at `now` (no packets: muted / camera
        off): what the far end does shows without messages."""
        heard = self.meter.last_at
        seen = self.video.last_at if self.video else None
        return RemoteFlags(
            heard is not None and now - heard < AUDIO_GAP,
            seen is not None and now - seen < VIDEO_GAP,
        )

    async def stats(self, clock: Callable[[], float]) -> PeerStats | None:
        """Their figures since the previous call (None without a peer connection), with the
        size of the last decoded frame; the time is read once the report is in."""
        if self.pc is None:
            return None
        report = await self.pc.getStats()
        frames = self.video.frames if self.video else 0
        figures, self.sample = peer_stats(report, frames, clock(), self.sample)
        last = self.video.last_frame if self.video else None
        if last is not None:
            figures = dataclasses.replace(figures, width=last.width, height=last.height)
        return figures

    async def listen(
        self,
        peer: str,
        track: MediaStreamTrack,
        speaker: ActiveSpeaker,
        mixer: Mixer,
        clock: Callable[[], float],
    ) -> None:
        """Read their audio track: its level (active speaker, muted badge), and its audio into
        the mixer the speaker plays (media/playout.py), whose mix is also the echo canceller's
        far end. aiortc queues what nobody reads for ever: this drains it."""
        chunker = PcmChunker()
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if not isinstance(frame, AudioFrame):
                    continue
                now = clock()
                speaker.heard(peer, self.meter.feed(frame, now), now)
                pcm = chunker.push(frame)
                if pcm:
                    mixer.push(peer, pcm)
