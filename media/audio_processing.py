"""Echo cancellation, noise suppression and automatic gain on the microphone path.

aiortc does no audio processing: with speakers and a microphone in one room the far end hears
itself. This module puts WebRTC's audio processing module (APM: AEC3 echo canceller, noise
suppressor, high-pass filter, AGC2 gain controller) between the microphone and the sender, and
taps the received audio as the APM's far-end ("reverse") stream.

Why the `livekit` wheel (``livekit.rtc.AudioProcessingModule``): it is a maintained binding
(LiveKit's Rust FFI over libwebrtc, released often) with wheels for Windows, Linux and macOS, so
nothing is built or shipped by hand, and it carries the current AEC3. Measured here (livekit
1.2.1, x86-64 Linux, tests/bench/audio_processing.py): wheel 11.9 MB (Windows 11.0 MB);
``import livekit.rtc`` 0.5 s in a fresh interpreter (aiortc: 1.1 s), 2 s cold, hence imported
lazily when a call starts, never at application start-up; 10 ms of 48 kHz mono through both
directions (far end + near end, every stage on) costs 0.14 ms of CPU, 0.5 ms wall on a loaded
2-core machine (Opus-encoding the same 10 ms: 0.04 ms), so the processing runs inline in
aiortc's asyncio loop (off the GUI thread when the engine has its own loop), no executor hop.
The alternatives were worse fits: ``webrtc-apm`` has a Windows wheel only;
Debian's ``libwebrtc-audio-processing`` 0.3 is the older AEC and, like ``libspeexdsp`` (Speex's
weaker AEC) through ctypes, would need a DLL built and shipped for Windows; ``webrtc-noise-gain``
has no echo cancellation.

The APM takes exactly 10 ms per call; aiortc's tracks deliver 20 ms (the Opus packet size), so
frames are cut into 10 ms chunks and put back together (`PcmChunker`).
"""

from __future__ import annotations

import fractions
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiortc.mediastreams import MediaStreamTrack
from av import AudioFrame, AudioResampler

if TYPE_CHECKING:
    from livekit.rtc import AudioProcessingModule

RATE = 48_000
CHUNK = RATE // 100  # samples in the 10 ms the APM takes per call
SAMPLE_BYTES = 2  # int16 mono


@dataclass(frozen=True, slots=True)
class ProcessingOptions:
    """Which stages of the APM run; all on for a call in a room with speakers."""

    echo_cancellation: bool = True
    noise_suppression: bool = True
    high_pass_filter: bool = True
    auto_gain_control: bool = True
    # Playout + capture buffering the APM is told about. AEC3 finds the true echo delay itself
    # (its delay estimator covers some hundred ms), this only seeds the search.
    stream_delay_ms: int = 0


class EchoCanceller:
    """WebRTC's APM on 48 kHz int16 mono PCM: far-end audio in, cleaned microphone audio out.

    `process_far_end` takes what goes to the speaker, `process_near_end` the microphone; both
    accept any whole number of 10 ms frames (480 samples, 960 bytes). Calls from several
    threads are serialised (the speaker may be fed from an audio thread).
    """

    def __init__(self, options: ProcessingOptions | None = None) -> None:
        self.options = options or ProcessingOptions()
        from livekit import rtc  # lazy: 0.6-2 s of import, paid when a call starts

        self._rtc = rtc
        self._apm: AudioProcessingModule = rtc.AudioProcessingModule(
            echo_cancellation=self.options.echo_cancellation,
            noise_suppression=self.options.noise_suppression,
            high_pass_filter=self.options.high_pass_filter,
            auto_gain_control=self.options.auto_gain_control,
        )
        self._lock = threading.Lock()

    def _frames(self, pcm: bytes) -> list[bytearray]:
        size = CHUNK * SAMPLE_BYTES
        if len(pcm) % size:
            raise ValueError(f"PCM must be whole 10 ms frames of {size} bytes, got {len(pcm)}")
        return [bytearray(pcm[i : i + size]) for i in range(0, len(pcm), size)]

    def process_far_end(self, pcm: bytes) -> None:
        """Let the canceller hear what the speaker plays (the echo it must remove)."""
        with self._lock:
            for chunk in self._frames(pcm):
                self._apm.process_reverse_stream(self._rtc.AudioFrame(chunk, RATE, 1, CHUNK))

    def process_near_end(self, pcm: bytes) -> bytes:
        """The microphone's PCM with echo, noise and level corrected."""
        out = bytearray()
        with self._lock:
            for chunk in self._frames(pcm):
                frame = self._rtc.AudioFrame(chunk, RATE, 1, CHUNK)
                if self.options.echo_cancellation:  # the APM wants it before each frame
                    self._apm.set_stream_delay_ms(self.options.stream_delay_ms)
                self._apm.process_stream(frame)
                out += frame.data.cast("B")
        return bytes(out)


class PcmChunker:
    """Cuts audio frames of any length into 48 kHz mono int16 PCM of whole 10 ms frames.

    Frames are converted with PyAV's resampler (aiortc's decoder gives stereo, a device may give
    44.1 kHz); a remainder under 10 ms waits for the next frame.
    """

    def __init__(self) -> None:
        self._resampler = AudioResampler(format="s16", layout="mono", rate=RATE)
        self._pending = b""

    def push(self, frame: AudioFrame) -> bytes:
        """The whole 10 ms frames available after `frame` (possibly none)."""
        data = self._pending
        for converted in self._resampler.resample(frame):
            data += bytes(converted.planes[0])[: converted.samples * SAMPLE_BYTES]
        whole = len(data) - len(data) % (CHUNK * SAMPLE_BYTES)
        self._pending = data[whole:]
        return data[:whole]


class ProcessedMicrophoneTrack(MediaStreamTrack):
    """An audio track that passes the microphone track through an `EchoCanceller`.

    Each frame out has the pts, time base and sample count of the frame in, as 48 kHz s16 mono.
    When the source's frames are not whole 10 ms (or not 48 kHz), the output lags the input by
    under 10 ms, zero-filled at the very start.
    """

    kind = "audio"

    def __init__(self, source: MediaStreamTrack, canceller: EchoCanceller) -> None:
        super().__init__()
        self._source = source
        self._canceller = canceller
        self._chunker = PcmChunker()
        self._ready = b""

    async def recv(self) -> AudioFrame:
        """The source's next frame, processed."""
        frame = await self._source.recv()
        assert isinstance(frame, AudioFrame)
        self._ready += self._canceller.process_near_end(self._chunker.push(frame))
        samples = frame.samples * RATE // frame.sample_rate
        want = samples * SAMPLE_BYTES
        if len(self._ready) < want:
            self._ready = bytes(want - len(self._ready)) + self._ready
        pcm, self._ready = self._ready[:want], self._ready[want:]
        out = AudioFrame(format="s16", layout="mono", samples=samples)
        out.planes[0].update(pcm)
        out.sample_rate = RATE
        out.pts = frame.pts
        out.time_base = frame.time_base or fractions.Fraction(1, RATE)
        return out

    def stop(self) -> None:
        """Stops this track and its source."""
        super().stop()
        self._source.stop()


class FarEndTap(MediaStreamTrack):
    """A received audio track that feeds its frames to `EchoCanceller.process_far_end` unchanged.

    Put it between the remote track and the player. With several remote peers the speaker plays
    their mix: feed that mix to `process_far_end` where it is played instead of tapping each
    track, or the canceller hears the far end several times over per 10 ms.
    """

    kind = "audio"

    def __init__(self, source: MediaStreamTrack, canceller: EchoCanceller) -> None:
        super().__init__()
        self._source = source
        self._canceller = canceller
        self._chunker = PcmChunker()

    async def recv(self) -> AudioFrame:
        """The remote's next frame, as received."""
        frame = await self._source.recv()
        assert isinstance(frame, AudioFrame)
        pcm = self._chunker.push(frame)
        if pcm:
            self._canceller.process_far_end(pcm)
        return frame
