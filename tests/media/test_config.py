"""media/config.py: backends parsed from a meeting's media record, ICE servers from config."""

from __future__ import annotations

from typing import Any

import pytest

from media.config import (
    IceServer,
    JanusBackend,
    RoomBackend,
    WhipBackend,
    parse_backend,
    parse_ice_servers,
)
from media.errors import SignalingError


def test_seeded_room_record_resolves_against_the_office_server() -> None:
    # the shape server/seed.py writes for online meetings
    record = {"kind": "room", "url": "/api/v1/rooms/cds-cap-xa", "room": "cds-cap-xa"}
    assert parse_backend(record, "https://office.example/") == RoomBackend(
        "wss://office.example/api/v1/rooms/cds-cap-xa", "cds-cap-xa"
    )
    assert parse_backend(record, "http://127.0.0.1:8123").url.startswith("ws://127.0.0.1:8123/")


def test_janus_and_whip_records() -> None:
    janus = parse_backend({"kind": "janus", "url": "wss://sfu.example/janus", "room": 1234})
    assert janus == JanusBackend("wss://sfu.example/janus", 1234)
    whip = parse_backend({"kind": "whip", "url": "https://w.example/whip/1", "token": "s3cret"})
    assert whip == WhipBackend("https://w.example/whip/1", "s3cret")
    assert "s3cret" not in repr(whip)
    record = {"kind": "janus", "url": "wss://sfu.example/janus", "room": 5, "pin": "7319"}
    pinned = parse_backend(record)
    assert pinned == JanusBackend("wss://sfu.example/janus", 5, "7319")
    assert "7319" not in repr(pinned)


@pytest.mark.parametrize(
    "record",
    [
        {},
        {"kind": "room"},
        {"kind": "skype", "url": "wss://x"},
        {"kind": "janus", "url": "wss://x", "room": "1234"},
        {"kind": "janus", "url": "wss://x", "room": True},
        {"kind": "janus", "url": "wss://x", "room": 1, "pin": 7319},
        {"kind": "janus", "url": "ftp://x", "room": 1},
        {"kind": "room", "url": "ftp://x/rooms/a", "room": "a"},
        {"kind": "whip", "url": "https://x", "token": 5},
        {"kind": "room", "url": 7},
    ],
)
def test_unusable_records_are_signaling_errors(record: dict[str, Any]) -> None:
    with pytest.raises(SignalingError):
        parse_backend(record, "https://office.example")


def test_turn_credentials_are_required_and_hidden() -> None:
    turn = IceServer(("turn:127.0.0.1:3478",), "user", "hunter2")
    assert "hunter2" not in repr(turn)
    with pytest.raises(ValueError, match="username and credential"):
        IceServer(("turn:127.0.0.1:3478",))
    with pytest.raises(ValueError, match="STUN/TURN"):
        IceServer(("http://stun.example",))


def test_ice_servers_from_config() -> None:
    parsed = parse_ice_servers(
        ["stun:stun.example:3478", {"urls": ["turn:t:3478"], "username": "u", "credential": "c"}]
    )
    assert parsed == (
        IceServer(("stun:stun.example:3478",)),
        IceServer(("turn:t:3478",), "u", "c"),
    )
    assert parse_ice_servers([]) == ()
    with pytest.raises(ValueError, match="list"):
        parse_ice_servers("stun:x")


def test_turn_credentials_in_a_settings_string() -> None:
    """Settings and machine policy hold ICE servers as strings: TURN needs its credentials there."""
    assert parse_ice_servers(["turn://hop%40desk:p%3Ass@10.0.0.5:3478?transport=udp"]) == (
        IceServer(("turn:10.0.0.5:3478?transport=udp",), "hop@desk", "p:ss"),
    )
    with pytest.raises(ValueError, match="user:credential"):
        parse_ice_servers(["turn://10.0.0.5:3478"])
    with pytest.raises(ValueError, match="username and credential"):
        parse_ice_servers(["turn:10.0.0.5:3478"])
