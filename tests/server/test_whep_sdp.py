"""The two answers that join a WHEP viewer's offer to a Janus Streaming offer (server/whep_sdp.py);
with Debian's Janus and the real call engine in tests/media/netns/test_whep.py."""

from __future__ import annotations

import pytest

from server.whep_sdp import SdpError, answer, parse

# A viewer (aiortc's shape): audio first, then video; receive only.
VIEWER = """v=0
o=- 1 1 IN IP4 0.0.0.0
s=-
t=0 0
a=group:BUNDLE 0 1
m=audio 5000 UDP/TLS/RTP/SAVPF 96 0
c=IN IP4 127.0.0.2
a=mid:0
a=recvonly
a=rtcp-mux
a=rtpmap:96 opus/48000/2
a=rtpmap:0 PCMU/8000
a=candidate:1 1 udp 2130706431 127.0.0.2 5000 typ host
a=ice-ufrag:viewer
a=ice-pwd:viewerpassword
a=fingerprint:sha-256 AA:BB
a=fingerprint:sha-512 CC:DD
a=setup:actpass
m=video 5000 UDP/TLS/RTP/SAVPF 97 98
c=IN IP4 127.0.0.2
a=mid:1
a=recvonly
a=rtcp-mux
a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
a=rtpmap:97 VP8/90000
a=rtcp-fb:97 nack
a=rtpmap:98 rtx/90000
a=fmtp:98 apt=97
a=candidate:1 1 udp 2130706431 127.0.0.2 5000 typ host
a=ice-ufrag:viewer
a=ice-pwd:viewerpassword
a=fingerprint:sha-256 AA:BB
a=setup:actpass
"""

# Janus 1.1.2's Streaming offer for a VP8 mountpoint (trimmed).
JANUS = """v=0
o=- 1 1 IN IP4 127.0.0.2
s=Mountpoint 99
t=0 0
a=group:BUNDLE v
a=ice-options:trickle
a=fingerprint:sha-256 EE:FF
m=video 9 UDP/TLS/RTP/SAVPF 100
c=IN IP4 127.0.0.2
a=sendonly
a=mid:v
a=rtcp-mux
a=ice-ufrag:janus
a=ice-pwd:januspassword
a=ice-options:trickle
a=setup:actpass
a=rtpmap:100 VP8/90000
a=rtcp-fb:100 nack
a=rtcp-fb:100 nack pli
a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
a=msid:janus janusv
a=ssrc:3001446643 cname:janus
a=candidate:1 1 udp 2015363327 127.0.0.2 31042 typ host
a=end-of-candidates
"""


def _sections(sdp: str) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    for line in sdp.splitlines():
        if line.startswith("m="):
            parts.append([])
        parts[-1].append(line)
    return parts


def test_the_viewer_gets_janus_transport_and_media_on_its_own_m_lines() -> None:
    session, audio, video = _sections(answer(parse(VIEWER), parse(JANUS), sender=True))
    assert "a=group:BUNDLE 0 1" in session  # the viewer's mids, in its order
    assert "a=ice-ufrag:janus" in session
    assert "a=fingerprint:sha-256 EE:FF" in session
    assert "a=setup:passive" in session  # the viewer is the DTLS client
    # nothing for audio: inactive, in the bundle, with a codec of the viewer's
    assert audio[:5] == [
        "m=audio 9 UDP/TLS/RTP/SAVPF 96",
        "c=IN IP4 0.0.0.0",
        "a=mid:0",
        "a=inactive",
        "a=rtcp-mux",
    ]
    assert "a=rtpmap:96 opus/48000/2" in audio
    # video: Janus' payload type and SSRC, no header extension
    assert video[0] == "m=video 9 UDP/TLS/RTP/SAVPF 100"
    assert {
        "a=mid:1",
        "a=sendonly",
        "a=rtpmap:100 VP8/90000",
        "a=ssrc:3001446643 cname:janus",
    } <= set(video)
    assert not [line for line in video if line.startswith("a=extmap")]
    assert "a=candidate:1 1 udp 2015363327 127.0.0.2 31042 typ host" in video


def test_janus_gets_the_viewers_transport_on_its_m_lines() -> None:
    session, video = _sections(answer(parse(JANUS), parse(VIEWER), sender=False))
    assert "a=group:BUNDLE v" in session
    assert {"a=ice-ufrag:viewer", "a=ice-pwd:viewerpassword", "a=setup:active"} <= set(session)
    assert "a=fingerprint:sha-256 AA:BB" in session  # the one hash Janus expects
    assert video[0] == "m=video 9 UDP/TLS/RTP/SAVPF 100"  # Janus' own payload type
    assert {"a=mid:v", "a=recvonly", "a=rtpmap:100 VP8/90000", "a=rtcp-fb:100 nack"} <= set(video)
    assert "a=candidate:1 1 udp 2130706431 127.0.0.2 5000 typ host" in video


@pytest.mark.parametrize(
    "offer",
    [
        "not sdp",
        "v=0\r\ns=-\r\n",  # no m-line
        VIEWER.replace("VP8", "H264"),  # no codec in common
        VIEWER.replace("a=ice-ufrag:viewer\n", ""),
    ],
)
def test_unusable_offers_are_an_sdp_error(offer: str) -> None:
    with pytest.raises(SdpError):
        answer(parse(JANUS), parse(offer), sender=False)
