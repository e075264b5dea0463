"""media/stats.py: figures from two getStats() samples."""

from __future__ import annotations

import datetime as dt

import pytest
from aiortc.stats import (
    RTCInboundRtpStreamStats,
    RTCRemoteInboundRtpStreamStats,
    RTCStatsReport,
    RTCTransportStats,
)

from media.stats import PeerStats, peer_stats

NOW = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)


def _report(sent: int, received: int, packets: int, lost: int, rtt: float) -> RTCStatsReport:
    report = RTCStatsReport()
    for stats in (
        RTCTransportStats(
            timestamp=NOW,
            type="transport",
            id="t",
            packetsSent=0,
            packetsReceived=0,
            bytesSent=sent,
            bytesReceived=received,
            iceRole="controlling",
            dtlsState="connected",
        ),
        RTCInboundRtpStreamStats(
            timestamp=NOW,
            type="inbound-rtp",
            id="in",
            ssrc=1,
            kind="video",
            transportId="t",
            packetsReceived=packets,
            packetsLost=lost,
            jitter=0,
        ),
        RTCRemoteInboundRtpStreamStats(
            timestamp=NOW,
            type="remote-inbound-rtp",
            id="ri",
            ssrc=2,
            kind="video",
            transportId="t",
            packetsReceived=0,
            packetsLost=0,
            jitter=0,
            roundTripTime=rtt,
            fractionLost=0.0,
        ),
    ):
        report.add(stats)
    return report


def test_rates_loss_and_round_trip() -> None:
    first, sample = peer_stats(_report(1000, 2000, 90, 10, 0.02), 0, 10.0, None)
    assert first == PeerStats(0.0, 0.0, 0.1, pytest.approx(20.0), 0.0)
    second, _ = peer_stats(_report(126_000, 252_000, 190, 10, 0.03), 60, 12.0, sample)
    assert second.sent_kbps == pytest.approx(500.0)  # 125,000 bytes in 2 s
    assert second.received_kbps == pytest.approx(1000.0)
    assert second.fps == pytest.approx(30.0)
    assert second.loss == pytest.approx(0.05)
    assert second.rtt_ms == pytest.approx(30.0)


def test_no_receiver_report_yet_means_no_round_trip() -> None:
    stats, _ = peer_stats(RTCStatsReport(), 0, 1.0, None)
    assert stats == PeerStats(0.0, 0.0, 0.0, None, 0.0)
