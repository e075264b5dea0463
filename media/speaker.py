"""Who is speaking: audio levels of decoded frames, and the active speaker for the big tile.

Levels are measured on what we decode (works in a mesh and behind Janus alike); Janus's own
`talking` events count too when the room sends them. `ActiveSpeaker` is pure (times are passed
in), so its hysteresis is unit-tested without a loop: someone must speak for `MIN_RUN` to take
the big tile, and keeps it while they go on and after everyone fell silent, so coughs and
pauses between sentences do not make the layout jump. A new speaker takes over at most
`RELEASE + MIN_RUN` after the previous one stopped (well within the issue's one second).
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass

import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame

SILENCE_DB = -100.0
LOUD_DB = -42.0  # dBFS: above this a frame counts as speech (a quiet voice is about -35)
MIN_RUN = 0.25  # seconds of speech before someone takes the big tile
RELEASE = 0.5  # seconds of quiet after which someone no longer counts as speaking


def level_dbfs(frame: AudioFrame) -> float:
    """RMS level of a frame in dBFS (numpy over the samples: no per-sample Python)."""
    samples = frame.to_ndarray().astype(np.float64)
    if frame.format.name in ("s16", "s16p"):
        samples /= 32768.0
    elif frame.format.name in ("s32", "s32p"):
        samples /= 2147483648.0
    if samples.size == 0:
        return SILENCE_DB
    rms = math.sqrt(float(np.mean(samples * samples)))
    return max(SILENCE_DB, 20 * math.log10(rms)) if rms > 0 else SILENCE_DB


class AudioMeter:
    """The level of one received audio track and when its last frame came (None: never)."""

    def __init__(self) -> None:
        self.level = SILENCE_DB
        self.last_at: float | None = None

    def feed(self, frame: AudioFrame, now: float) -> float:
        """Measure one frame; returns its level."""
        self.level = level_dbfs(frame)
        self.last_at = now
        return self.level


@dataclass(slots=True)
class _Voice:
    run_since: float | None = None  # start of the current stretch of speech
    last_loud: float = -math.inf
    talking_event: bool = False  # the media server says so (Janus `talking`)


class ActiveSpeaker:
    """Picks the participant to show large from levels and talking events, with hysteresis."""

    def __init__(self) -> None:
        self._voices: dict[str, _Voice] = {}
        self._current: str | None = None

    def heard(self, peer: str, level_db: float, now: float) -> None:
        """A level measured on `peer`'s audio at `now`."""
        voice = self._voices.setdefault(peer, _Voice())
        if level_db >= LOUD_DB:
            if voice.run_since is None or now - voice.last_loud > RELEASE:
                voice.run_since = now
            voice.last_loud = now
        elif not voice.talking_event and now - voice.last_loud > RELEASE:
            voice.run_since = None

    def talking(self, peer: str, talking: bool, now: float) -> None:
        """The media server's `talking` (True) or `stopped-talking` (False) for `peer`."""
        voice = self._voices.setdefault(peer, _Voice())
        voice.talking_event = talking
        if talking:
            if voice.run_since is None:
                voice.run_since = now
            voice.last_loud = now
        else:
            voice.last_loud = min(voice.last_loud, now)

    def forget(self, peer: str) -> None:
        """The peer left."""
        self._voices.pop(peer, None)
        if self._current == peer:
            self._current = None

    def _speaking(self, voice: _Voice, now: float) -> bool:
        recent = voice.talking_event or now - voice.last_loud <= RELEASE
        return recent and voice.run_since is not None and now - voice.run_since >= MIN_RUN

    def speaking(self, peer: str, now: float) -> bool:
        """Whether `peer` is speaking at `now` (their tile lights up)."""
        voice = self._voices.get(peer)
        return voice is not None and self._speaking(voice, now)

    def current(self, now: float) -> str | None:
        """Who speaks now, or who spoke last when all are quiet; None before anyone spoke."""
        speaking = {p: v for p, v in self._voices.items() if self._speaking(v, now)}
        if self._current in speaking or not speaking:
            return self._current
        # the one who has been speaking longest: the others are more likely interjections
        self._current = min(speaking, key=lambda p: (speaking[p].run_since or now, p))
        return self._current


async def measure(track: MediaStreamTrack, meter: AudioMeter) -> None:
    """Feed every frame of an audio track to `meter` until the track ends; the caller owns (and
    cancels) this coroutine's task."""
    with contextlib.suppress(MediaStreamError):
        while True:
            frame = await track.recv()
            if isinstance(frame, AudioFrame):
                meter.feed(frame, time.monotonic())
