"""Per-participant call statistics from aiortc's `getStats()` (W3C webrtc-stats): bitrates,
loss, round-trip time and received frame rate, for a quality indicator and a statistics panel.

Rates need two samples: `peer_stats` is pure, taking the previous `Sample` and returning the next
one with the figures, so it is tested without a network.

`quality` grades a participant's figures good / fair / poor for the indicator on their tile and in
the participant list: the worst of four grades, each against thresholds chosen for what a
person notices in a call (`THRESHOLDS`):
- loss: below 2 % Opus and VP8 hide it; from 2 % video freezes and smears now and then; from
  8 % speech breaks up and video stalls (Opus' own FEC tops out around 10 %).
- round-trip time: up to 300 ms (150 ms each way, ITU-T G.114's limit for natural conversation);
  up to 600 ms people talk over each other; beyond, a conversation is hard.
- frame rate, only while their camera is on: from 15 fps motion looks smooth; 8–15 fps jerky;
  below 8 a slide show.
- received bitrate, only while their camera is on: from 150 kbit/s VP8 at 640×360 looks clean;
  60–150 kbit/s blocky; below 60 kbit/s (a congested or TURN-limited path) unusable.
Before the second sample (no rates yet) the grade is unknown, not poor.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from aiortc.stats import (
    RTCInboundRtpStreamStats,
    RTCRemoteInboundRtpStreamStats,
    RTCStatsReport,
    RTCTransportStats,
)


@dataclass(frozen=True, slots=True)
class Sample:
    """Counters at one moment, kept for the next rate computation."""

    at: float  # seconds, monotonic
    bytes_sent: int
    bytes_received: int
    frames: int


@dataclass(frozen=True, slots=True)
class PeerStats:
    """What the UI shows for one participant's media."""

    sent_kbps: float
    received_kbps: float
    loss: float  # fraction of inbound packets lost, 0–1
    rtt_ms: float | None  # from the far end's receiver reports; None before the first one
    fps: float  # decoded video frames per second
    width: int = 0  # of the last decoded frame; 0 before the first
    height: int = 0


def _measured(round_trip: float | None) -> bool:
    """A round trip aiortc has measured: None until it has a receiver report; below zero when the
    far end's "delay since last report" overstates how long it held our report (a loaded peer),
    which is no round trip and would grade the link as good."""
    return round_trip is not None and round_trip >= 0


def peer_stats(
    report: RTCStatsReport, frames: int, now: float, previous: Sample | None
) -> tuple[PeerStats, Sample]:
    """Figures since `previous` (zeros for rates on the first call) and the new sample."""
    sent = received = packets = lost = 0
    rtts: list[float] = []
    for stats in report.values():
        if isinstance(stats, RTCTransportStats):
            sent += stats.bytesSent
            received += stats.bytesReceived
        elif isinstance(stats, RTCInboundRtpStreamStats):
            packets += stats.packetsReceived
            lost += max(stats.packetsLost, 0)
        elif isinstance(stats, RTCRemoteInboundRtpStreamStats) and _measured(stats.roundTripTime):
            rtts.append(stats.roundTripTime)
    sample = Sample(now, sent, received, frames)
    elapsed = now - previous.at if previous is not None else 0.0
    if previous is None or elapsed <= 0:
        rates = (0.0, 0.0, 0.0)
    else:
        rates = (
            (sent - previous.bytes_sent) * 8 / 1000 / elapsed,
            (received - previous.bytes_received) * 8 / 1000 / elapsed,
            (frames - previous.frames) / elapsed,
        )
    loss = lost / (packets + lost) if packets + lost else 0.0
    rtt = max(rtts) * 1000 if rtts else None
    return PeerStats(rates[0], rates[1], loss, rtt, rates[2]), sample


class Quality(enum.Enum):
    """A participant's connection as the indicator shows it."""

    UNKNOWN = "unknown"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Where a figure turns fair, then poor (see the module docstring for why these)."""

    loss_fair: float = 0.02
    loss_poor: float = 0.08
    rtt_fair_ms: float = 300.0
    rtt_poor_ms: float = 600.0
    fps_fair: float = 15.0
    fps_poor: float = 8.0
    kbps_fair: float = 150.0
    kbps_poor: float = 60.0


THRESHOLDS = Thresholds()
_ORDER = (Quality.GOOD, Quality.FAIR, Quality.POOR)


def _grade(value: float, fair: float, poor: float, *, higher_is_better: bool) -> Quality:
    """GOOD below `fair` (above, when higher is better), POOR from `poor`, FAIR between."""
    if higher_is_better:
        return Quality.GOOD if value >= fair else Quality.FAIR if value >= poor else Quality.POOR
    return Quality.GOOD if value < fair else Quality.FAIR if value < poor else Quality.POOR


def quality(stats: PeerStats | None, *, video: bool, limits: Thresholds = THRESHOLDS) -> Quality:
    """The worst grade of the figures that apply; `video`: their camera is on now."""
    if stats is None or (stats.received_kbps == 0 and stats.fps == 0 and stats.sent_kbps == 0):
        return Quality.UNKNOWN  # the first sample: no rates yet
    grades = [_grade(stats.loss, limits.loss_fair, limits.loss_poor, higher_is_better=False)]
    if stats.rtt_ms is not None:
        grades.append(
            _grade(stats.rtt_ms, limits.rtt_fair_ms, limits.rtt_poor_ms, higher_is_better=False)
        )
    if video:
        grades.append(_grade(stats.fps, limits.fps_fair, limits.fps_poor, higher_is_better=True))
        grades.append(
            _grade(stats.received_kbps, limits.kbps_fair, limits.kbps_poor, higher_is_better=True)
        )
    return max(grades, key=_ORDER.index)
