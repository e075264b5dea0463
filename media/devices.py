"""Capture tracks. For now the synthetic ones: a moving test pattern with the time drawn in,
and a steady tone, for the tests and for `--demo` on machines without devices.

The video frame carries a machine-readable stamp (the sender's tag and the capture time in
milliseconds) as 16×16-pixel black and white blocks along the top: large enough to survive VP8
at low bitrates, so a receiver can prove whose frame it decoded and how old it is
(`read_stamp`). Frames are built from whole rows with bytes operations: no per-pixel Python.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import time
from array import array
from dataclasses import dataclass

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack, VideoStreamTrack
from av import AudioFrame, VideoFrame

BLOCK = 16  # pixels per stamp bit, each way
_TAG_BITS, _TIME_BITS, _CHECK_BITS = 16, 48, 16
_STAMP_BITS = _TAG_BITS + _TIME_BITS + _CHECK_BITS
_BLACK, _WHITE = 16, 235  # video-range luma


@dataclass(frozen=True, slots=True)
class Stamp:
    """What a synthetic frame says about itself."""

    tag: int  # the sender (16 bits)
    millis: int  # wall-clock capture time, ms since the epoch


def _check(tag: int, millis: int) -> int:
    """A 16-bit check so a damaged stamp reads as none rather than as a wrong one."""
    value = (tag * 0x9E37 + millis) & 0xFFFF_FFFF_FFFF
    return (value ^ (value >> 16) ^ (value >> 32) ^ 0xA5C3) & 0xFFFF  # all black: no stamp


def _bits(stamp: Stamp) -> list[int]:
    word = (
        (stamp.tag << (_TIME_BITS + _CHECK_BITS))
        | (stamp.millis << _CHECK_BITS)
        | _check(stamp.tag, stamp.millis)
    )
    return [(word >> (_STAMP_BITS - 1 - i)) & 1 for i in range(_STAMP_BITS)]


def _stamp_rows(width: int) -> int:
    """Block rows the stamp needs at this width."""
    per_row = width // BLOCK
    return -(-_STAMP_BITS // per_row)


def read_stamp(frame: VideoFrame) -> Stamp | None:
    """The stamp drawn by `TestPatternTrack`, or None when the frame carries none (or damaged)."""
    if frame.format.name != "yuv420p":
        frame = frame.reformat(format="yuv420p")
    plane = frame.planes[0]
    luma = memoryview(plane)
    stride, per_row = plane.line_size, frame.width // BLOCK
    if per_row == 0 or _stamp_rows(frame.width) * BLOCK > frame.height:
        return None
    word = 0
    for i in range(_STAMP_BITS):
        y = (i // per_row) * BLOCK + BLOCK // 2
        x = (i % per_row) * BLOCK + BLOCK // 2
        word = (word << 1) | (luma[y * stride + x] > 128)
    check = word & 0xFFFF
    millis = (word >> _CHECK_BITS) & ((1 << _TIME_BITS) - 1)
    tag = word >> (_TIME_BITS + _CHECK_BITS)
    return Stamp(tag, millis) if _check(tag, millis) == check else None


class TestPatternTrack(VideoStreamTrack):
    """A moving gradient with a stamp (tag, capture time) drawn in, at 30 frames a second."""

    __test__ = False  # not a pytest class, despite the name

    def __init__(self, tag: int, width: int = 640, height: int = 360) -> None:
        super().__init__()
        if not 0 <= tag < 1 << _TAG_BITS:
            raise ValueError("the tag is 16 bits")
        if width % BLOCK or height % 2 or _stamp_rows(width) * BLOCK > height:
            raise ValueError("the frame is too small for the stamp")
        self.tag, self.width, self.height = tag, width, height
        self._ramp = bytes(16 + (x * 219 // width) for x in range(width)) * 2
        self._count = 0

    def _luma(self, stride: int, millis: int) -> bytes:
        offset = (self._count * 8) % self.width
        row = self._ramp[offset : offset + self.width].ljust(stride, b"\x80")
        stamp_rows = _stamp_rows(self.width)
        picture = bytearray(row * self.height)
        bits = _bits(Stamp(self.tag, millis))
        per_row = self.width // BLOCK
        for r in range(stamp_rows):
            cells = bits[r * per_row : (r + 1) * per_row]
            line = b"".join(bytes([_WHITE if bit else _BLACK]) * BLOCK for bit in cells)
            line = line.ljust(stride, b"\x80")
            start = r * BLOCK * stride
            picture[start : start + BLOCK * stride] = line * BLOCK
        return bytes(picture)

    async def recv(self) -> VideoFrame:
        """The next frame, paced by aiortc's 30 fps clock."""
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame(width=self.width, height=self.height, format="yuv420p")
        y, u, v = frame.planes
        y.update(self._luma(y.line_size, int(time.time() * 1000)))
        u.update(b"\x80" * u.buffer_size)
        v.update(b"\x80" * v.buffer_size)
        self._count += 1
        frame.pts, frame.time_base = pts, time_base
        return frame


class ToneTrack(MediaStreamTrack):
    """A steady sine tone, 48 kHz mono, in 20 ms frames (what Opus packs)."""

    kind = "audio"
    RATE = 48_000
    SAMPLES = 960  # 20 ms

    def __init__(self, frequency: float = 440.0, level: float = 0.2) -> None:
        super().__init__()
        period = self.RATE / math.gcd(int(frequency), self.RATE)
        cycle = array(
            "h",
            (
                int(level * 32767 * math.sin(2 * math.pi * frequency * n / self.RATE))
                for n in range(int(period))
            ),
        ).tobytes()
        self._cycle = cycle * (-(-self.SAMPLES * 2 // len(cycle)) + 1)
        self._period_bytes = len(cycle)
        self._sent = 0
        self._start: float | None = None

    async def recv(self) -> AudioFrame:
        """The next 20 ms, paced by the wall clock."""
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.time()
        else:
            await asyncio.sleep(self._start + self._sent / self.RATE - time.time())
        frame = AudioFrame(format="s16", layout="mono", samples=self.SAMPLES)
        offset = (self._sent * 2) % self._period_bytes
        frame.planes[0].update(self._cycle[offset : offset + self.SAMPLES * 2])
        frame.pts, frame.sample_rate = self._sent, self.RATE
        frame.time_base = fractions.Fraction(1, self.RATE)
        self._sent += self.SAMPLES
        return frame
