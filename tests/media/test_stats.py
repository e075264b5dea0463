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

from media.stats import PeerStats, Quality, Thresholds, peer_stats, quality

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


def test_a_negative_round_trip_is_not_shown() -> None:
    """A far end under load can report a delay since our last report longer than it was: the
    panel once read "-588 ms" and graded the link by it."""
    stats, _ = peer_stats(_report(0, 0, 0, 0, -0.588), 0, 1.0, None)
    assert stats.rtt_ms is None


def _figures(
    loss: float = 0.0, rtt: float | None = 40.0, fps: float = 30.0, kbps: float = 800.0
) -> PeerStats:
    return PeerStats(sent_kbps=500.0, received_kbps=kbps, loss=loss, rtt_ms=rtt, fps=fps)


@pytest.mark.parametrize(
    ("figures", "video", "grade"),
    [
        (_figures(), True, Quality.GOOD),
        (_figures(loss=0.019), True, Quality.GOOD),
        (_figures(loss=0.02), True, Quality.FAIR),
        (_figures(loss=0.08), True, Quality.POOR),
        (_figures(rtt=299), True, Quality.GOOD),
        (_figures(rtt=300), True, Quality.FAIR),
        (_figures(rtt=600), True, Quality.POOR),
        (_figures(rtt=None), True, Quality.GOOD),  # no receiver report yet: not held against
        (_figures(fps=15), True, Quality.GOOD),
        (_figures(fps=14.9), True, Quality.FAIR),
        (_figures(fps=7.9), True, Quality.POOR),
        (_figures(kbps=150), True, Quality.GOOD),
        (_figures(kbps=100), True, Quality.FAIR),
        (_figures(kbps=59), True, Quality.POOR),
        # camera off: no frames and little bitrate are not a bad connection
        (_figures(fps=0, kbps=40), False, Quality.GOOD),
        (_figures(fps=0, kbps=40, loss=0.1), False, Quality.POOR),
        # the worst figure decides
        (_figures(loss=0.03, rtt=700, fps=20), True, Quality.POOR),
        (PeerStats(0.0, 0.0, 0.0, None, 0.0), True, Quality.UNKNOWN),  # the first sample
    ],
)
def test_quality_is_the_worst_grade_of_the_figures_that_apply(
    figures: PeerStats, video: bool, grade: Quality
) -> None:
    assert quality(figures, video=video) is grade


def test_quality_unknown_without_figures() -> None:
    assert quality(None, video=True) is Quality.UNKNOWN
    assert quality(_figures(loss=0.05), video=True, limits=Thresholds(loss_fair=0.1)) is (
        Quality.GOOD
    )
