"""The microphone path's echo canceller on a synthetic room, and its aiortc track wrappers.

The room: far-end speech from the speaker reaches the microphone 70 ms later through a short
decaying impulse response, attenuated, with stationary background noise; near-end speech is a
different synthetic voice. Signals are speech-like (a harmonic voice with moving formants,
syllables and pauses), deterministic, built with numpy (no recordings, no network).
"""

from __future__ import annotations

import asyncio
import fractions
import subprocess
import sys

import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamTrack
from av import AudioFrame

from media.audio_processing import (
    CHUNK,
    RATE,
    EchoCanceller,
    FarEndTap,
    ProcessedMicrophoneTrack,
    ProcessingOptions,
)

SECONDS = 12


def voice(seed: int, pitch: float, seconds: float = SECONDS) -> np.ndarray:
    """A speech-like float signal: voiced syllables of ~200 ms on a wandering pitch, with pauses."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    f0 = pitch * (1 + 0.1 * np.sin(2 * np.pi * 0.7 * t + seed))
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    syllables = -(-n // (RATE // 5))
    # per syllable: two formants and an on/off (pauses between words)
    f1 = np.repeat(rng.uniform(300, 900, syllables), RATE // 5)[:n]
    f2 = np.repeat(rng.uniform(900, 2500, syllables), RATE // 5)[:n]
    on = np.repeat(rng.random(syllables) > 0.25, RATE // 5)[:n]
    out = np.zeros(n)
    for k in range(1, 30):
        fk = k * f0
        weight = np.exp(-(((fk - f1) / 150) ** 2)) + 0.6 * np.exp(-(((fk - f2) / 200) ** 2))
        out += (weight + 0.02) * np.sin(k * phase)
    envelope = np.sin(np.pi * ((t * 5) % 1)) ** 2 * on  # 5 syllables a second
    out *= envelope
    return 0.3 * out / np.max(np.abs(out))


def room_echo(far: np.ndarray, delay_ms: int = 70, gain: float = 0.5) -> np.ndarray:
    """What the microphone hears of the speaker: delayed, attenuated, with a 40 ms reverb tail."""
    rng = np.random.default_rng(7)
    taps = int(0.04 * RATE)
    rir = rng.normal(0, 1, taps) * np.exp(-np.arange(taps) / (0.008 * RATE)) * 0.3
    rir[0] = 1.0
    rir *= gain / np.sqrt(np.sum(rir**2))
    echo = np.convolve(far, rir)[: len(far)]
    delay = delay_ms * RATE // 1000
    return np.concatenate([np.zeros(delay), echo[:-delay]])


def noise(seconds: float = SECONDS, level: float = 0.003) -> np.ndarray:
    """Stationary background noise (a fan): white noise through a one-pole low-pass."""
    white = np.random.default_rng(3).normal(0, 1, int(seconds * RATE))
    coloured = np.convolve(white, 0.9 ** np.arange(200))[: len(white)]
    return level * coloured / np.std(coloured)


def pcm(signal: np.ndarray) -> bytes:
    return (np.clip(signal, -1, 1) * 32767).astype("<i2").tobytes()


def run(canceller: EchoCanceller, far: np.ndarray | None, mic: np.ndarray) -> np.ndarray:
    """Feeds far end and microphone in 10 ms lockstep, as a call does; the processed mic."""
    far_pcm = pcm(far) if far is not None else None
    mic_pcm = pcm(mic)
    step = CHUNK * 2
    out = bytearray()
    for i in range(0, len(mic_pcm) - step + 1, step):
        if far_pcm is not None:
            canceller.process_far_end(far_pcm[i : i + step])
        out += canceller.process_near_end(mic_pcm[i : i + step])
    return np.frombuffer(bytes(out), dtype="<i2").astype(float) / 32767


def power_db(signal: np.ndarray, mask: np.ndarray | None = None) -> float:
    part = signal if mask is None else signal[mask[: len(signal)]]
    return float(10 * np.log10(np.mean(part**2) + 1e-12))


def active(signal: np.ndarray) -> np.ndarray:
    """Where a voice is speaking (its 10 ms energy above -40 dB of its peak)."""
    frames = signal[: len(signal) // CHUNK * CHUNK].reshape(-1, CHUNK)
    energy = np.mean(frames**2, axis=1)
    return np.repeat(energy > np.max(energy) * 1e-4, CHUNK)


LAST = slice(-4 * RATE, None)  # measured after the canceller has converged


def test_far_end_echo_is_reduced_by_20_db() -> None:
    """ERLE of the canceller (with noise suppression, in room noise), after convergence.

    Gain control is off here: it lifts the room-noise floor of the output by ~15 dB, a level
    change that is not echo; the next test runs the whole chain."""
    far = voice(seed=1, pitch=120)
    echo = room_echo(far)
    options = ProcessingOptions(auto_gain_control=False)
    out = run(EchoCanceller(options), far, echo + noise())
    where = active(echo)[LAST]
    erle = power_db(echo[LAST], where) - power_db(out[LAST], where)
    print(f"ERLE over the last 4 s of far-end speech: {erle:.1f} dB")
    assert erle >= 20


def test_with_the_whole_chain_echo_stays_under_the_room_noise() -> None:
    """AEC, NS, high-pass and AGC: while the far end talks, the output is no louder than the
    same chain makes of the room noise alone, though the echo is 20 dB above that noise."""
    far = voice(seed=1, pitch=120)
    echo, hum = room_echo(far), noise()
    out = run(EchoCanceller(), far, echo + hum)
    quiet = run(EchoCanceller(), None, hum)
    where = active(echo)[LAST]
    assert power_db(echo[LAST], where) - power_db(hum[LAST]) >= 19
    excess = power_db(out[LAST], where) - power_db(quiet[LAST], where)
    print(f"output during far-end speech vs room noise alone: {excess:+.1f} dB")
    assert excess <= 2


def test_near_end_speech_passes_during_double_talk() -> None:
    far, near = voice(seed=1, pitch=120), voice(seed=2, pitch=210)
    alone = run(EchoCanceller(), None, near + noise())
    talk = run(EchoCanceller(), far, near + room_echo(far) + noise())
    where = active(near)[LAST]
    change = power_db(talk[LAST], where) - power_db(alone[LAST], where)
    print(f"near-end level in double talk vs alone: {change:+.1f} dB")
    assert abs(change) <= 4


def test_noise_suppression_lowers_stationary_noise() -> None:
    hum = noise(level=0.01)
    options = ProcessingOptions(echo_cancellation=False, auto_gain_control=False)
    out = run(EchoCanceller(options), None, hum)
    reduction = power_db(hum[LAST]) - power_db(out[LAST])
    print(f"stationary noise lowered by {reduction:.1f} dB")
    assert reduction >= 6


def test_partial_frames_are_refused() -> None:
    with pytest.raises(ValueError, match="10 ms"):
        EchoCanceller().process_near_end(bytes(100))


class _Frames(MediaStreamTrack):
    """Hands out given frames, then ends."""

    kind = "audio"

    def __init__(self, frames: list[AudioFrame]) -> None:
        super().__init__()
        self._frames = frames

    async def recv(self) -> AudioFrame:
        return self._frames.pop(0)


def _frame(samples: np.ndarray, pts: int, layout: str = "mono") -> AudioFrame:
    data = pcm(samples if layout == "mono" else np.repeat(samples, 2))
    frame = AudioFrame(format="s16", layout=layout, samples=len(samples))
    frame.planes[0].update(data)
    frame.sample_rate, frame.pts, frame.time_base = RATE, pts, fractions.Fraction(1, RATE)
    return frame


def test_microphone_track_processes_frames_keeping_timing() -> None:
    near = voice(seed=2, pitch=210, seconds=1)
    frames = [_frame(near[i : i + 960], pts=i) for i in range(0, len(near), 960)]
    track = ProcessedMicrophoneTrack(_Frames(list(frames)), EchoCanceller())

    async def take() -> list[AudioFrame]:
        return [await track.recv() for _ in frames]

    out = asyncio.run(take())
    assert [(f.pts, f.time_base, f.samples, f.sample_rate) for f in out] == [
        (f.pts, f.time_base, f.samples, f.sample_rate) for f in frames
    ]
    assert {(f.format.name, f.layout.name) for f in out} == {("s16", "mono")}
    processed = np.concatenate([np.frombuffer(bytes(f.planes[0]), "<i2")[:960] for f in out])
    assert np.any(processed != (np.clip(near, -1, 1) * 32767).astype("<i2"))  # went through APM
    assert processed[-RATE // 2 :].std() > 100  # the voice is still there


def test_far_end_tap_feeds_the_canceller_and_passes_frames_unchanged() -> None:
    far = voice(seed=1, pitch=120, seconds=8)
    canceller = EchoCanceller(ProcessingOptions(auto_gain_control=False))
    stereo = [_frame(far[i : i + 960], pts=i, layout="stereo") for i in range(0, len(far), 960)]
    tap = FarEndTap(_Frames(list(stereo)), canceller)
    echo = pcm(room_echo(far) + noise(seconds=8))
    step = 960 * 2
    out = bytearray()

    async def play() -> None:
        nonlocal out
        for i, sent in enumerate(stereo):
            assert await tap.recv() is sent
            out += canceller.process_near_end(echo[i * step : (i + 1) * step])

    asyncio.run(play())
    processed = np.frombuffer(bytes(out), "<i2").astype(float) / 32767
    mic = np.frombuffer(echo, "<i2").astype(float) / 32767
    reduction = power_db(mic[-2 * RATE :]) - power_db(processed[-2 * RATE :])
    print(f"echo lowered by {reduction:.1f} dB with the far end fed through the tap")
    assert reduction >= 20


def test_other_rates_and_sizes_come_out_as_48_khz_with_the_same_timing() -> None:
    """A 44.1 kHz device in 10 ms frames: each frame out has the same pts and duration."""
    rate, size = 44_100, 441
    frames = []
    for n in range(50):
        frame = AudioFrame(format="s16", layout="mono", samples=size)
        frame.planes[0].update(pcm(voice(seed=2, pitch=210, seconds=0.5)[:size]))
        frame.sample_rate, frame.pts, frame.time_base = rate, n * size, fractions.Fraction(1, rate)
        frames.append(frame)
    track = ProcessedMicrophoneTrack(_Frames(list(frames)), EchoCanceller())

    async def take() -> list[AudioFrame]:
        return [await track.recv() for _ in frames]

    out = asyncio.run(take())
    assert [(f.pts, f.time_base, f.samples, f.sample_rate) for f in out] == [
        (n * size, fractions.Fraction(1, rate), 480, RATE) for n in range(50)
    ]


def test_importing_the_module_does_not_load_the_apm() -> None:
    """livekit.rtc costs 0.5-2 s to import: paid when a canceller is made, not at start-up."""
    code = "import sys, media.audio_processing; print('livekit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
