"""The speaker's mixer: participants' audio summed and clipped, bounded queues, and the mix as
the echo canceller's far end — the echo of what two participants say, played through a room
into the microphone, is cancelled through the mixer as through the canceller alone."""

from __future__ import annotations

import numpy as np

from media.audio_processing import CHUNK, EchoCanceller, ProcessingOptions
from media.playout import MAX_QUEUED, Mixer
from tests.media.test_audio_processing import LAST, active, noise, pcm, power_db, room_echo, voice


def _pcm(value: int, samples: int) -> bytes:
    return np.full(samples, value, dtype=np.int16).tobytes()


def test_the_mix_sums_clips_and_fills_silence() -> None:
    mixer = Mixer()
    mixer.push("a", _pcm(1000, 480))
    mixer.push("b", _pcm(-300, 240))
    mixed = np.frombuffer(mixer.pull(960), dtype=np.int16)
    assert list(mixed[:240]) == [700] * 240
    assert list(mixed[240:]) == [1000] * 240
    assert not np.frombuffer(mixer.pull(960), dtype=np.int16).any()  # nothing left: silence
    mixer.push("a", _pcm(30000, 10))
    mixer.push("b", _pcm(30000, 10))
    assert list(np.frombuffer(mixer.pull(20), dtype=np.int16)) == [32767] * 10
    assert len(mixer.pull(7)) == 6  # whole samples only


def test_a_speaker_that_stops_reading_does_not_build_up_delay() -> None:
    mixer = Mixer()
    for _ in range(100):  # two seconds nobody played
        mixer.push("a", _pcm(1, 960))
    assert len(mixer.pull(10 * MAX_QUEUED)) == 10 * MAX_QUEUED
    assert np.count_nonzero(np.frombuffer(mixer.pull(10 * MAX_QUEUED), dtype=np.int16)) == 0
    mixer.push("gone", _pcm(5, 10))
    mixer.remove("gone")
    assert not np.frombuffer(mixer.pull(20), dtype=np.int16).any()


def test_the_played_mix_is_the_far_end_the_canceller_removes() -> None:
    first, second = voice(seed=3, pitch=110), voice(seed=4, pitch=190)
    half = len(first) // 2
    second[:half] = 0  # they take turns
    first[half:] = 0
    canceller = EchoCanceller(ProcessingOptions(auto_gain_control=False))
    mixer = Mixer(canceller)
    step = CHUNK * 2
    a, b = pcm(first), pcm(second)
    played = bytearray()
    out = bytearray()
    mic = pcm(room_echo(first + second) + noise())
    for i in range(0, len(a) - step + 1, step):  # 10 ms at a time, as a call runs
        mixer.push("a", a[i : i + step])
        mixer.push("b", b[i : i + step])
        played += mixer.pull(step)  # the speaker plays it; the canceller hears it
        out += canceller.process_near_end(mic[i : i + step])
    echo = room_echo(first + second)
    cleaned = np.frombuffer(bytes(out), dtype="<i2").astype(float) / 32767
    where = active(echo)[LAST]
    erle = power_db(echo[LAST], where) - power_db(cleaned[LAST], where)
    print(f"ERLE with the mixer as the far end: {erle:.1f} dB")
    assert erle >= 20
    assert len(played) == len(a) // step * step
