"""Per-participant call statistics from aiortc's `getStats()` (W3C webrtc-stats): bitrates,
loss, round-trip time and received frame rate, for a quality indicator and a statistics panel.

Rates need two samples: `peer_stats` is pure, taking the previous `Sample` and returning the next
one with the figures, so it is tested without a network.
"""

from __future__ import annotations

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
        elif isinstance(stats, RTCRemoteInboundRtpStreamStats) and stats.roundTripTime is not None:
            rtts.append(stats.roundTripTime)  # None until aiortc has a receiver report
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
