"""media/signaling: the relay's wire messages; hostile input becomes a typed error."""

from __future__ import annotations

import pytest

from media.errors import SignalingError
from media.signaling import (
    MAX_MESSAGE,
    BadMessage,
    Candidate,
    Offer,
    PeerInfo,
    Presence,
    decode,
    encode,
    layer_for,
)


def test_round_trip() -> None:
    for message in (
        Offer("p1", "v=0\r\n"),
        Candidate("p2", "candidate:1 1 udp 1 127.0.0.2 5000 typ host", "0", 0),
        Candidate("p2"),
        Presence("me", [PeerInfo("p1", "Nguyễn Văn A")]),
    ):
        assert decode(encode(message)) == message


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"{", "bad-json"),
        (b"\xff\xfe", "bad-json"),
        ("[]", "bad-message"),
        ('"offer"', "bad-message"),
        ('{"type": "zap"}', "unknown-type"),
        ('{"peer": "a"}', "unknown-type"),
        ('{"type": "offer"}', "bad-message"),
        ('{"type": "offer", "peer": "a", "sdp": 5}', "bad-message"),
        ('{"type": "offer", "peer": "", "sdp": "v=0"}', "bad-message"),
        ('{"type": "offer", "peer": "' + "x" * 65 + '", "sdp": "v=0"}', "bad-message"),
        ('{"type": "offer", "peer": "a", "sdp": "' + "x" * MAX_MESSAGE + '"}', "too-large"),
    ],
)
def test_hostile_input_is_a_typed_error(raw: str | bytes, code: str) -> None:
    with pytest.raises(BadMessage) as caught:
        decode(raw)
    assert caught.value.code == code
    assert isinstance(caught.value, SignalingError)


def test_the_simulcast_layer_follows_the_tile_height() -> None:
    # Janus substreams of a browser's simulcast: ¼, ½ and full of 720p (research §2, LiveKit)
    assert [layer_for(h) for h in (90, 180, 181, 360, 361, 1080)] == [0, 0, 1, 1, 2, 2]
