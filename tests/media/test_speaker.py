"""The active speaker's hysteresis, and levels measured on real audio frames."""

from __future__ import annotations

import math
from array import array

from av import AudioFrame

from media.speaker import LOUD_DB, MIN_RUN, RELEASE, ActiveSpeaker, level_dbfs

LOUD, QUIET = -20.0, -70.0


def _speak(speaker: ActiveSpeaker, peer: str, start: float, end: float, level: float) -> None:
    t = start
    while t < end:
        speaker.heard(peer, level, t)
        t += 0.02


def test_a_speaker_takes_the_tile_after_a_short_run_and_keeps_it_through_pauses() -> None:
    s = ActiveSpeaker()
    assert s.current(0.0) is None
    _speak(s, "a", 0.0, MIN_RUN / 2, LOUD)
    assert s.current(MIN_RUN / 2) is None  # a cough is not a speaker
    _speak(s, "a", MIN_RUN / 2, 1.0, LOUD)
    assert s.current(1.0) == "a"
    _speak(s, "a", 1.0, 1.3, QUIET)  # a pause between sentences
    _speak(s, "b", 1.0, 1.1, LOUD)  # and a short interjection
    assert s.current(1.3) == "a"
    _speak(s, "a", 1.3, 5.0, QUIET)
    assert s.current(5.0) == "a"  # silence: the last speaker stays


def test_a_new_speaker_takes_over_within_a_second_of_the_old_one_stopping() -> None:
    s = ActiveSpeaker()
    shown = {}
    for step in range(200):  # 4 s in 20 ms steps: a speaks 0-2 s, b 1-4 s
        t = step * 0.02
        s.heard("a", LOUD if t < 2.0 else QUIET, t)
        if t >= 1.0:
            s.heard("b", LOUD, t)
        shown[step] = s.current(t)
    assert shown[95] == "a"  # both at once: the one speaking longer keeps the tile
    switched = min(step for step, who in shown.items() if who == "b") * 0.02
    assert switched - 2.0 <= RELEASE + 0.05 < 1.0


def test_talking_events_of_the_media_server_count_and_a_leaver_is_forgotten() -> None:
    s = ActiveSpeaker()
    s.talking("j", True, 10.0)
    assert s.current(10.0 + MIN_RUN) == "j"
    assert s.speaking("j", 12.0)  # no levels needed while the server says so
    s.talking("j", False, 12.0)
    assert not s.speaking("j", 12.0 + RELEASE + 0.01)
    s.forget("j")
    assert s.current(13.0) is None


def _tone(amplitude: float) -> AudioFrame:
    samples = array("h", (int(amplitude * 32767 * math.sin(i / 10)) for i in range(960)))
    frame = AudioFrame(format="s16", layout="mono", samples=960)
    frame.planes[0].update(samples.tobytes())
    frame.sample_rate = 48_000
    return frame


def test_levels_of_frames_in_dbfs() -> None:
    assert abs(level_dbfs(_tone(1.0)) - (-3.0)) < 0.2  # a full-scale sine is -3 dBFS
    assert abs(level_dbfs(_tone(0.01)) - (-43.0)) < 0.3
    assert level_dbfs(_tone(0.0)) == -100.0
    assert level_dbfs(_tone(0.2)) > LOUD_DB > level_dbfs(_tone(0.001))
