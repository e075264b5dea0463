"""What the speaker plays: the received audio of every participant, mixed, and the same mix
handed to the echo canceller as its far end (what it must take out of the microphone).

`Mixer` is plain arithmetic on 48 kHz mono int16 PCM (numpy sums, no per-sample Python), fed by
the call as it decodes and read by the speaker: each participant has a short queue (bounded, so
a stalled speaker never builds up delay or memory) and a read mixes what every queue holds.
`AudioPlayout` is the speaker: a `QAudioSink` pulling from the mixer through a `QIODevice`.
"""

from __future__ import annotations

import logging
import threading

import numpy as np
from PySide6.QtCore import QIODevice, QObject
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSink, QMediaDevices

from media.audio_processing import CHUNK, RATE, SAMPLE_BYTES, EchoCanceller

log = logging.getLogger(__name__)

MAX_QUEUED = RATE // 5 * SAMPLE_BYTES  # 200 ms per participant; older audio is dropped
FRAME = CHUNK * SAMPLE_BYTES  # 10 ms: the canceller's unit


class Mixer:
    """Per-participant PCM queues, mixed on each read; thread-safe (the speaker may read from
    an audio thread)."""

    def __init__(self, canceller: EchoCanceller | None = None) -> None:
        self.canceller = canceller
        self._queues: dict[str, bytearray] = {}
        self._far_end = bytearray()  # mixed audio not yet a whole 10 ms for the canceller
        self._lock = threading.Lock()

    def push(self, peer: str, pcm: bytes) -> None:
        """Received audio of `peer` (48 kHz mono int16)."""
        with self._lock:
            queue = self._queues.setdefault(peer, bytearray())
            queue += pcm
            if len(queue) > MAX_QUEUED:
                del queue[: len(queue) - MAX_QUEUED]

    def remove(self, peer: str) -> None:
        """The participant left."""
        with self._lock:
            self._queues.pop(peer, None)

    def pull(self, size: int) -> bytes:
        """`size` bytes (rounded down to whole samples) of the mix; silence where nobody spoke.

        The mix also goes to the canceller's far end, in whole 10 ms frames."""
        size -= size % SAMPLE_BYTES
        mix = np.zeros(size // SAMPLE_BYTES, dtype=np.int32)
        with self._lock:
            for queue in self._queues.values():
                taken = bytes(queue[:size])
                del queue[:size]
                if taken:
                    samples = np.frombuffer(taken, dtype=np.int16)
                    mix[: samples.size] += samples
            out = np.clip(mix, -32768, 32767).astype(np.int16).tobytes()
            if self.canceller is not None:
                self._far_end += out
                whole = len(self._far_end) - len(self._far_end) % FRAME
                if whole:
                    self.canceller.process_far_end(bytes(self._far_end[:whole]))
                    del self._far_end[:whole]
        return out


class _MixerDevice(QIODevice):
    """A read-only, endless `QIODevice` over a mixer, for a `QAudioSink` in pull mode."""

    def __init__(self, mixer: Mixer, parent: QObject) -> None:
        super().__init__(parent)
        self._mixer = mixer

    def isSequential(self) -> bool:
        return True

    def bytesAvailable(self) -> int:
        return FRAME * 4 + super().bytesAvailable()

    def readData(self, maxlen: int) -> bytes:
        return self._mixer.pull(min(maxlen, FRAME * 4))

    def writeData(self, data: bytes | bytearray | memoryview, length: int, /) -> int:
        return -1


class AudioPlayout(QObject):
    """Plays a mixer on a speaker (the system default when `device` is None or gone)."""

    def __init__(
        self, mixer: Mixer, device: QAudioDevice | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        output = device if device is not None and not device.isNull() else None
        self.device = output or QMediaDevices.defaultAudioOutput()
        self._source = _MixerDevice(mixer, self)
        self._sink: QAudioSink | None = None

    @property
    def available(self) -> bool:
        """Whether there is a speaker to play on."""
        return not self.device.isNull()

    def start(self) -> bool:
        """Start playing; False without a speaker."""
        if not self.available:
            log.info("no speaker: the call's audio is not played")
            return False
        fmt = QAudioFormat()
        fmt.setSampleRate(RATE)
        fmt.setChannelCount(1)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        self._source.open(QIODevice.OpenModeFlag.ReadOnly)
        self._sink = QAudioSink(self.device, fmt, self)
        self._sink.start(self._source)
        return True

    def stop(self) -> None:
        """Stop playing; idempotent."""
        sink, self._sink = self._sink, None
        if sink is not None:
            sink.stop()
        self._source.close()
