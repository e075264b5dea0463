"""A bounded decoder input for aiortc's video receiver: late frames are dropped, never queued.

aiortc (1.x) hands every encoded frame the jitter buffer completes to the track's decoder thread
through an unbounded `queue.Queue`. Decoding is serial per track and shares two cores and the
GIL with the GUI, the other tracks and our own encoder: when it falls behind, that queue grows
and every later frame is shown as late as the backlog is long (issue 13 measured 0.8–1.7 s with
4 and 9 streams, 12 s at load 28). A real-time receiver plays the newest picture instead.

VP8 and H.264 frames depend on the frames before them, so the backlog cannot be thinned at
will: when more than `limit` frames wait, all of them are dropped, a keyframe is asked of the
sender (aiortc sends a PLI on the next packet when its decoder-error event is set, RFC 4585
§6.3.1) and frames are dropped until a keyframe arrives. Codecs whose keyframes we cannot tell
are passed through unbounded, as aiortc does.

The jitter buffer is aiortc's, but a frame leaves it when its last packet (the RTP marker bit,
RFC 7741 §4.1 for VP8, RFC 6184 §5.1 for H.264) is in, not when the next frame's first packet
comes, as aiortc waits: one frame interval (67 ms at 15 fps) less on every frame; and a lost
packet holds it up for `HOLD` frames, not for 512 packets (`FrameJitterBuffer`).

`install` swaps both in before `RTCRtpReceiver.receive` starts the decoder thread (aiortc
emits `track` first, then connects): private attributes of aiortc, checked by the tests against
the aiortc in use.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiortc import RTCPeerConnection, RTCRtpReceiver
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtp import RtpPacket

log = logging.getLogger(__name__)

LIMIT = 3  # encoded frames waiting: 200 ms at 15 fps; more means the decoder is behind
HOLD = 3  # frames that may arrive behind a lost packet before it is given up (200 ms at 15 fps)
ASK_AGAIN = 15  # frames dropped while waiting for a keyframe before it is asked again (lost PLI)
_TIMES = 64  # frames whose arrival and decode start are remembered (for the measurements)


def is_keyframe(codec: str, data: bytes) -> bool | None:
    """Whether a depayloaded frame starts a picture on its own; None: cannot tell (codec)."""
    if not data:
        return False
    if codec == "VP8":  # RFC 6386 §9.1: bit 0 of the frame tag is 0 for a key frame
        return data[0] & 0x01 == 0
    if codec == "H264":  # aiortc's depayload gives Annex B: an IDR slice (NAL type 5)
        at = data.find(b"\x00\x00\x01")
        while at != -1 and at + 3 < len(data):
            if data[at + 3] & 0x1F == 5:
                return True
            at = data.find(b"\x00\x00\x01", at + 3)
        return False
    return None


@dataclass(frozen=True, slots=True)
class FrameTimes:
    """Wall-clock times (time.time()) of one frame on its way: complete in the jitter buffer
    (`arrived`) and taken by the decoder thread (`decoding`)."""

    arrived: float
    decoding: float | None


class DecodeBacklog(queue.Queue[object]):
    """The decoder thread's input queue, holding at most `limit` frames (see the module)."""

    def __init__(self, ask_keyframe: Callable[[], None], limit: int = LIMIT) -> None:
        super().__init__()
        self.limit = limit
        self._ask_keyframe = ask_keyframe
        self._awaiting_key = False
        self._since_ask = 0
        self.dropped = 0  # encoded frames never decoded
        self.keyframes_asked = 0
        self.deepest = 0  # the most frames seen waiting
        self.jitter: FrameJitterBuffer | None = None  # the jitter buffer feeding it, if ours
        self._arrived: collections.OrderedDict[int, float] = collections.OrderedDict()
        self._decoding: dict[int, float] = {}
        self._times_lock = threading.Lock()

    def times(self, timestamp: int) -> FrameTimes | None:
        """When the frame of this RTP timestamp (as aiortc maps it: the decoded frame's pts)
        arrived and began to decode; None once forgotten."""
        with self._times_lock:
            arrived = self._arrived.get(timestamp)
            return None if arrived is None else FrameTimes(arrived, self._decoding.get(timestamp))

    # queue.Queue calls _put/_get with its mutex held, on the event loop's thread (put, from
    # RTCRtpReceiver._handle_rtp_packet) and on the decoder thread (get).

    def _put(self, item: object) -> None:
        if item is None or not isinstance(item, tuple):  # aiortc's stop sentinel
            self.queue.append(item)
            return
        codec, frame = item
        key = is_keyframe(codec.name, frame.data)
        if key is not None:
            if self._awaiting_key and not key:
                self._drop(1)
                return
            if len(self.queue) >= self.limit and None not in self.queue:
                waiting = len(self.queue)
                self.queue.clear()
                if not key:
                    self._drop(waiting + 1)
                    return
                self.dropped += waiting  # decoding starts again from this keyframe
            self._awaiting_key = False
        self._remember(frame.timestamp)
        self.queue.append(item)
        self.deepest = max(self.deepest, len(self.queue))

    def _get(self) -> object:
        item = self.queue.popleft()
        if isinstance(item, tuple):
            with self._times_lock:
                self._decoding[item[1].timestamp] = time.time()
        return item

    def _drop(self, count: int) -> None:
        """Drop `count` frames; the picture is broken until a keyframe: ask for one (again
        after ASK_AGAIN more drops, in case the request or the keyframe was lost)."""
        self.dropped += count
        self._since_ask += count
        if not self._awaiting_key or self._since_ask >= ASK_AGAIN:
            self._awaiting_key = True
            self._since_ask = 0
            self.keyframes_asked += 1
            self._ask_keyframe()

    def _remember(self, timestamp: int) -> None:
        with self._times_lock:
            self._arrived[timestamp] = time.time()
            while len(self._arrived) > _TIMES:
                old, _ = self._arrived.popitem(last=False)
                self._decoding.pop(old, None)


class FrameJitterBuffer(JitterBuffer):
    """aiortc's video jitter buffer, giving out a frame as soon as its marked last packet is in
    (or, a marker lost, when the next frame begins, as before), and waiting for a lost packet
    only while `hold` more frames arrive: then it skips the hole and asks for a keyframe.

    aiortc's own waits until 512 packets arrived behind a packet that never comes (aiortc
    issues 1416-1418: ~17 s for a 640×360 stream at 15 fps), and a paused Janus feed resumes
    with such a hole in its sequence numbers; both froze the tile and then played it late."""

    def __init__(self, capacity: int, hold: int = HOLD) -> None:
        super().__init__(capacity, is_video=True)
        self.hold = hold
        self.holes_skipped = 0
        self._waiting: set[int] = set()  # timestamps that arrived while the head was blocked
        self._skipped = False
        self._broken: int | None = None  # the timestamp of a frame a skipped hole broke

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        """aiortc's `add`; the PLI flag is also raised when a hole was skipped."""
        pli, frame = super().add(packet)
        if frame is None and self._origin is not None:
            self._waiting.add(packet.timestamp)
            if len(self._waiting) > self.hold:  # the head's frame and `hold` more: give up
                self._skip_hole()
                frame = self._remove_frame(packet.sequence_number)
        if frame is not None:
            self._waiting.clear()
        pli, self._skipped = pli or self._skipped, False
        return pli, frame

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        if self._origin is None:
            return None
        while (head := self._packets[self._origin % self._capacity]) is not None and (
            head.timestamp == self._broken
        ):
            self.remove(1)  # the rest of a frame a skipped hole broke
        packets: list[RtpPacket] = []
        for count in range(self._capacity):
            packet = self._packets[(self._origin + count) % self._capacity]
            if packet is None:
                return None  # a packet of the first frame is still missing
            if packets and packet.timestamp != packets[0].timestamp:
                break  # the next frame began: the first one is whole
            packets.append(packet)
            if packet.marker:
                break
        else:
            return None
        self.remove(len(packets))
        data = b"".join(p._data for p in packets)  # type: ignore[attr-defined]
        return JitterFrame(data=data, timestamp=packets[0].timestamp)

    def _skip_hole(self) -> None:
        """Drop the packets before the first hole, the hole, and the rest of a frame the hole
        broke; the next whole frame is the head (the keyframe asked mends the picture)."""
        assert self._origin is not None
        head = self._packets[self._origin % self._capacity]
        hole = False
        for count in range(self._capacity):
            if self._packets[(self._origin + count) % self._capacity] is None:
                hole = True
            elif hole:
                break
        else:  # nothing behind a hole (cannot be: packets came after the head)
            self._waiting.clear()
            return
        self.remove(count)
        self._broken = head.timestamp if head is not None else None
        self.holes_skipped += 1
        self._skipped = True
        self._waiting.clear()


def receiver_of(pc: RTCPeerConnection, track: MediaStreamTrack) -> RTCRtpReceiver | None:
    """The receiver of a remote track of `pc`."""
    return next((t.receiver for t in pc.getTransceivers() if t.receiver.track is track), None)


def install(receiver: RTCRtpReceiver, limit: int = LIMIT) -> DecodeBacklog | None:
    """Give `receiver` a bounded decoder queue and a jitter buffer that gives out a frame once
    it is whole; None when its decoder thread already runs (or this aiortc keeps them
    elsewhere), which is then left as it is and logged."""
    started = getattr(receiver, "_RTCRtpReceiver__decoder_thread", "missing")
    error = getattr(receiver, "_RTCRtpReceiver__decoder_error", None)
    buffer = getattr(receiver, "_RTCRtpReceiver__jitter_buffer", None)
    if started is not None or not isinstance(error, threading.Event):
        log.warning("cannot bound the video decoder queue (aiortc changed, or it runs)")
        return None
    backlog = DecodeBacklog(error.set, limit)
    receiver._RTCRtpReceiver__decoder_queue = backlog  # type: ignore[attr-defined]
    if isinstance(buffer, JitterBuffer):
        backlog.jitter = FrameJitterBuffer(buffer.capacity)
        receiver._RTCRtpReceiver__jitter_buffer = backlog.jitter  # type: ignore[attr-defined]
    return backlog
