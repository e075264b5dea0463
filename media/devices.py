"""Capture tracks: real cameras and microphones through aiortc's `MediaPlayer` (FFmpeg's v4l2
and PulseAudio on Linux, DirectShow on Windows, AVFoundation on macOS), and synthetic ones — a
moving test pattern with the time (and optionally a name) drawn in, and a tone — for the tests
and for `--demo` on machines without devices.

Devices are listed by Qt (`QMediaDevices`, the names the user knows) and opened by FFmpeg;
`player_sources` maps one to the other. A device that is missing or busy raises
`DeviceUnavailable`, and `open_sources` falls back (to the synthetic source where that is
wanted, else to none: the call goes on with audio only) and says so in a translated sentence.

The video frame carries a machine-readable stamp (the sender's tag and the capture time in
milliseconds) as 16×16-pixel black and white blocks along the top: large enough to survive VP8
at low bitrates, so a receiver can prove whose frame it decoded and how old it is
(`read_stamp`). Frames are built from whole rows with bytes operations: no per-pixel Python.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import math
import sys
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import av
from aiortc.contrib.media import MediaPlayer
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack, VideoStreamTrack
from av import AudioFrame, VideoFrame
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtMultimedia import QMediaDevices

from media.errors import DeviceUnavailable

log = logging.getLogger(__name__)

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

    def __init__(self, tag: int, width: int = 640, height: int = 360, label: str = "") -> None:
        super().__init__()
        if not 0 <= tag < 1 << _TAG_BITS:
            raise ValueError("the tag is 16 bits")
        if width % BLOCK or height % 2 or _stamp_rows(width) * BLOCK > height:
            raise ValueError("the frame is too small for the stamp")
        self.tag, self.width, self.height = tag, width, height
        self._ramp = bytes(16 + (x * 219 // width) for x in range(width)) * 2
        self._count = 0
        self._label = _label_rows(label, width) if label else []

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
        top = _stamp_rows(self.width) * BLOCK + BLOCK  # under the stamp, clear of a tile's name
        for r, line in enumerate(self._label):  # the name, one row slice at a time
            start = (top + r) * stride + BLOCK
            picture[start : start + len(line)] = line
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


def _label_rows(text: str, width: int) -> list[bytes]:
    """`text` white on dark grey as luma rows, drawn once with QPainter on a QImage (safe in any
    thread); at most half the frame wide."""
    font = QFont()
    font.setPixelSize(24)
    font.setBold(True)
    probe = QImage(1, 1, QImage.Format.Format_Grayscale8)
    painter = QPainter(probe)
    painter.setFont(font)
    text_w = painter.fontMetrics().horizontalAdvance(text)
    painter.end()
    image = QImage(min(width // 2, text_w + 16) & ~1, 36, QImage.Format.Format_Grayscale8)
    image.fill(QColor(40, 40, 40))
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(QColor(235, 235, 235))
    painter.drawText(8, 27, text)
    painter.end()
    bits = memoryview(image.constBits())
    return [
        bits[y * image.bytesPerLine() : y * image.bytesPerLine() + image.width()].tobytes()
        for y in range(image.height())
    ]


class ToneTrack(MediaStreamTrack):
    """A sine tone, 48 kHz mono, in 20 ms frames (what Opus packs); steady, or with `talk`
    (seconds on, seconds off, offset) in turns, as a synthetic participant who speaks now and
    then."""

    kind = "audio"
    RATE = 48_000
    SAMPLES = 960  # 20 ms

    def __init__(
        self,
        frequency: float = 440.0,
        level: float = 0.2,
        talk: tuple[float, float, float] | None = None,
    ) -> None:
        super().__init__()
        self._talk = talk
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
        if self._talk is not None and not self._talking(self._sent / self.RATE):
            frame.planes[0].update(bytes(self.SAMPLES * 2))
        else:
            frame.planes[0].update(self._cycle[offset : offset + self.SAMPLES * 2])
        frame.pts, frame.sample_rate = self._sent, self.RATE
        frame.time_base = fractions.Fraction(1, self.RATE)
        self._sent += self.SAMPLES
        return frame

    def _talking(self, at: float) -> bool:
        assert self._talk is not None
        on, off, offset = self._talk
        return (at + offset) % (on + off) < on


# --- real devices -----------------------------------------------------------------------------

NONE = "none"  # a device setting meaning "do not use one"
# Cameras are opened at 1280×720 when they can (each peer connection scales down to what its
# peer shows: 640×360 for a tile, media/scaling.py), else 640×360, else at their own default.
VIDEO_SIZES = ("1280x720", "640x360", "")
FRAME_RATE = "30"


@dataclass(frozen=True, slots=True)
class CaptureDevice:
    """A camera or microphone as Qt lists it."""

    kind: str  # "video" or "audio"
    id: str  # Qt's id: on Linux the /dev/video node of a camera, the PulseAudio source name
    name: str  # what the user reads


@dataclass(frozen=True, slots=True)
class Sources:
    """The capture tracks a call starts with, and what the user must be told about them."""

    video: MediaStreamTrack | None
    audio: MediaStreamTrack | None
    problems: tuple[str, ...] = field(default=())
    real_audio: bool = False  # a real microphone: worth echo cancellation
    # opens the camera again after camera off released it (blocking: call it in a thread)
    reopen_video: Callable[[], MediaStreamTrack] | None = None


def list_devices(kind: str) -> list[CaptureDevice]:
    """Cameras ("video") or microphones ("audio") present now, the system default first."""
    if kind == "video":
        default = QMediaDevices.defaultVideoInput()
        cameras = sorted(QMediaDevices.videoInputs(), key=lambda d: d != default)
        return [
            CaptureDevice("video", bytes(d.id().data()).decode(), d.description()) for d in cameras
        ]
    mic_default = QMediaDevices.defaultAudioInput()
    mics = sorted(QMediaDevices.audioInputs(), key=lambda d: d != mic_default)
    return [CaptureDevice("audio", bytes(d.id().data()).decode(), d.description()) for d in mics]


def choose_device(kind: str, wanted: str) -> CaptureDevice | None:
    """The device of a setting: "" the system default, `NONE` none, else the one with that id
    (or, when it is gone, the default)."""
    if wanted == NONE:
        return None
    present = list_devices(kind)
    return next((d for d in present if d.id == wanted), present[0] if present else None)


def player_sources(
    device: CaptureDevice, platform: str = sys.platform
) -> list[tuple[str, str, dict[str, str]]]:
    """`MediaPlayer(file, format, options)` arguments that open `device` through FFmpeg, to be
    tried in order: a camera at the sizes of `VIDEO_SIZES` (DirectShow refuses a size the camera
    lacks; v4l2 picks the nearest), a microphone once."""
    video = device.kind == "video"
    if platform.startswith("win"):
        file, format = f"{'video' if video else 'audio'}={device.name}", "dshow"
    elif platform == "darwin":
        file = f"{device.name}:none" if video else f"none:{device.name}"
        format = "avfoundation"
    elif video:
        file, format = device.id, "v4l2"
    else:
        file, format = device.id or "default", "pulse"
    if not video:
        return [(file, format, {})]
    return [
        (file, format, {"video_size": size, "framerate": FRAME_RATE} if size else {})
        for size in VIDEO_SIZES
    ]


def open_device(device: CaptureDevice) -> MediaStreamTrack:
    """The capture track of a real device; blocks while FFmpeg opens it (call it in a thread).

    `DeviceUnavailable` when it is missing, busy or not a capture device."""
    failure = ""
    for file, format, options in player_sources(device):
        try:
            player = MediaPlayer(file, format=format, options=options)
        except (OSError, av.FFmpegError, ValueError) as exc:
            failure = f"{device.kind} device {device.name!r} ({file}): {exc}"
            continue
        track = player.video if device.kind == "video" else player.audio
        if track is None:
            raise DeviceUnavailable(f"{device.name!r} ({file}) has no {device.kind} stream")
        return track
    raise DeviceUnavailable(failure)


def _open_or_tell(device: CaptureDevice | None, problems: list[str]) -> MediaStreamTrack | None:
    """The device's track, or None with the reason appended to `problems`."""
    if device is None:
        return None
    try:
        return open_device(device)
    except DeviceUnavailable as exc:
        log.warning("%s unavailable: %s", device.kind, exc)
        if device.kind == "video":
            text = QCoreApplication.translate(
                "media", "The camera {name} is missing or in use by another program."
            )
        else:
            text = QCoreApplication.translate(
                "media", "The microphone {name} is missing or in use by another program."
            )
        problems.append(text.format(name=device.name))
        return None


def open_sources(
    camera: CaptureDevice | None,
    microphone: CaptureDevice | None,
    *,
    synthetic: bool = False,
    tag: int = 0,
    label: str = "",
) -> Sources:
    """Open the chosen devices; a missing or busy one becomes the synthetic source when
    `synthetic` (the demo, the tests) or none, and is named in `problems`."""
    problems: list[str] = []
    video = _open_or_tell(camera, problems)
    audio = _open_or_tell(microphone, problems)
    real_audio = audio is not None
    reopen: Callable[[], MediaStreamTrack] | None = None
    if video is not None and camera is not None:
        reopen = partial(open_device, camera)
    elif synthetic:
        reopen = partial(TestPatternTrack, tag, label=label)
        video = reopen()
    if audio is None and synthetic:
        audio = ToneTrack()
    if video is None and audio is None:
        problems.append(
            QCoreApplication.translate(
                "media", "No camera or microphone: you join to watch and listen only."
            )
        )
    elif video is None:
        problems.append(QCoreApplication.translate("media", "No camera: you join with audio only."))
    elif audio is None:
        problems.append(
            QCoreApplication.translate("media", "No microphone: the others cannot hear you.")
        )
    return Sources(video, audio, tuple(problems), real_audio, reopen)
