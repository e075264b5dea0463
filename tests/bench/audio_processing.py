"""Cost of the microphone path's audio processing, against Opus encoding in the same run.

Run on demand (not collected by pytest):
    .venv/bin/python tests/bench/audio_processing.py [--seconds 10]
Measured: CPU and wall time per 10 ms of 48 kHz mono audio through `EchoCanceller` (far end +
near end, every stage on), against the CPU to encode the same 10 ms with PyAV's Opus encoder
(which aiortc runs for every sent frame anyway); and the time to import `livekit.rtc` (paid
when a call starts) in a fresh interpreter, against importing aiortc the same way. Writes
tests/bench/results/audio_processing.json.
"""

from __future__ import annotations

import argparse
import fractions
import json
import math
import subprocess
import sys
import time
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "tests" / "bench" / "results" / "audio_processing.json"
sys.path.insert(0, str(ROOT))


def _tone(seconds: float, rate: int) -> bytes:
    n = int(seconds * rate)
    return array(
        "h", (int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(n))
    ).tobytes()


def apm_ms_per_10ms(pcm: bytes) -> tuple[float, float]:
    """CPU and wall ms per 10 ms of audio through the canceller, both directions."""
    from media.audio_processing import CHUNK, EchoCanceller

    canceller = EchoCanceller()
    step = CHUNK * 2
    start, wall = time.process_time(), time.perf_counter()
    for i in range(0, len(pcm) - step + 1, step):
        canceller.process_far_end(pcm[i : i + step])
        canceller.process_near_end(pcm[i : i + step])
    frames = len(pcm) // step
    cpu, wall = time.process_time() - start, time.perf_counter() - wall
    return cpu * 1000 / frames, wall * 1000 / frames


def opus_ms_per_10ms(pcm: bytes, rate: int) -> float:
    """CPU ms per 10 ms of audio encoded to Opus in 20 ms frames, as aiortc sends it."""
    import av

    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate, codec.layout, codec.format = rate, "mono", av.AudioFormat("s16")
    codec.bit_rate = 32_000
    samples = rate // 50
    start = time.process_time()
    for n, i in enumerate(range(0, len(pcm) - samples * 2 + 1, samples * 2)):
        frame = av.AudioFrame(format="s16", layout="mono", samples=samples)
        frame.planes[0].update(pcm[i : i + samples * 2])
        frame.sample_rate, frame.pts = rate, n * samples
        frame.time_base = fractions.Fraction(1, rate)
        codec.encode(frame)
    return (time.process_time() - start) * 1000 / (len(pcm) // (samples * 2) * 2)


def import_seconds(module: str) -> float:
    """Wall time to import `module` in a fresh interpreter (minus the bare interpreter's)."""

    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    return min(run(f"import {module}") for _ in range(3)) - min(run("pass") for _ in range(3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    rate = 48_000
    pcm = _tone(args.seconds, rate)
    apm_cpu, apm_wall = apm_ms_per_10ms(pcm)
    result = {
        "apm_cpu_ms_per_10ms": round(apm_cpu, 3),
        "apm_wall_ms_per_10ms": round(apm_wall, 3),
        "reference_opus_encode_cpu_ms_per_10ms": round(opus_ms_per_10ms(pcm, rate), 3),
        "import_livekit_rtc_s": round(import_seconds("livekit.rtc"), 3),
        "reference_import_aiortc_s": round(import_seconds("aiortc"), 3),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
