"""What a browser guest's socket may ask of Janus (server/guest_janus.py's `Gate`), rule by rule;
with the real Janus in tests/media/netns/test_guest_janus.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from server.guest_janus import MAX_MESSAGE, PLUGIN, Gate, Refused

ROOM = 1234
NAME = "Bà Khách (khách mời)"


def _gate(pin: str | None = None) -> Gate:
    """A gate whose session 11 and handle 22 Janus has already given."""
    gate = Gate(ROOM, NAME, pin)
    gate.inbound(json.dumps({"janus": "create", "transaction": "c"}))
    gate.outbound(json.dumps({"janus": "success", "transaction": "c", "data": {"id": 11}}))
    gate.inbound(
        json.dumps({"janus": "attach", "transaction": "a", "session_id": 11, "plugin": PLUGIN})
    )
    gate.outbound(
        json.dumps({"janus": "success", "transaction": "a", "session_id": 11, "data": {"id": 22}})
    )
    return gate


def _message(body: dict[str, Any], **extra: Any) -> str:
    return json.dumps(
        {"janus": "message", "transaction": "m", "session_id": 11, "handle_id": 22, "body": body}
        | extra
    )


def _code(gate: Gate, raw: str) -> int:
    with pytest.raises(Refused) as refused:
        gate.inbound(raw)
    return int(refused.value.reply["error"]["code"])  # type: ignore[index]


def test_session_and_handles_are_only_those_janus_gave_this_connection() -> None:
    gate = _gate()
    assert (gate.session, gate.handles) == (11, {22})
    assert _code(gate, json.dumps({"janus": "create", "transaction": "x"})) == 403
    assert (
        _code(gate, json.dumps({"janus": "keepalive", "transaction": "x", "session_id": 5})) == 458
    )
    other = {"janus": "trickle", "transaction": "x", "session_id": 11, "handle_id": 23}
    assert _code(gate, json.dumps(other)) == 459
    assert gate.inbound(json.dumps({"janus": "keepalive", "transaction": "k", "session_id": 11}))
    streaming = {"janus": "attach", "transaction": "s", "session_id": 11}
    assert _code(gate, json.dumps(streaming | {"plugin": "janus.plugin.streaming"})) == 403
    detach = {"janus": "detach", "transaction": "d", "session_id": 11, "handle_id": 22}
    gate.inbound(json.dumps(detach))
    assert _code(gate, _message({"request": "leave"})) == 459  # gone with its detach


@pytest.mark.parametrize(
    "request_",
    ["create", "destroy", "edit", "list", "kick", "moderate", "rtp_forward", "enable_recording"],
)
def test_room_administration_never_reaches_janus(request_: str) -> None:
    assert _code(_gate(), _message({"request": request_, "room": ROOM})) == 403


def test_join_is_in_the_meetings_room_under_the_links_name() -> None:
    gate = _gate()
    join = {"request": "join", "ptype": "publisher", "room": 9, "display": "Chủ trì", "id": 1}
    assert gate.inbound(_message(join))["body"] == {
        "request": "join",
        "ptype": "publisher",
        "room": ROOM,
        "display": NAME,
    }
    watch = {"request": "join", "ptype": "subscriber", "room": 9, "streams": [{"feed": 5, "x": 1}]}
    assert gate.inbound(_message(watch))["body"] == {
        "request": "join",
        "ptype": "subscriber",
        "room": ROOM,
        "streams": [{"feed": 5}],
    }
    assert _code(gate, _message({"request": "join", "ptype": "listener"})) == 403


def test_publish_keeps_no_recording_and_jsep_only_its_sdp() -> None:
    publish = {"request": "publish", "record": True, "filename": "/etc/x", "videocodec": "vp8"}
    jsep = {"type": "offer", "sdp": "v=0", "trickle": False, "e2ee": True}
    sent = _gate().inbound(_message(publish, jsep=jsep))
    assert sent["body"] == {"request": "publish", "videocodec": "vp8", "display": NAME}
    assert sent["jsep"] == {"type": "offer", "sdp": "v=0"}
    assert _code(_gate(), _message({"request": "start"}, jsep={"type": "rollback"})) == 454


@pytest.mark.parametrize(
    "raw",
    ["not json", "[1]", json.dumps({"janus": "create"}), "x" * (MAX_MESSAGE + 1)],
)
def test_malformed_messages_are_answered_with_an_error(raw: str) -> None:
    assert _code(_gate(), raw) == 454


def test_a_failed_create_leaves_no_session() -> None:
    gate = Gate(ROOM, NAME)
    gate.inbound(json.dumps({"janus": "create", "transaction": "c"}))
    gate.outbound(json.dumps({"janus": "error", "transaction": "c", "error": {"code": 490}}))
    assert gate.session is None
    assert gate.inbound(json.dumps({"janus": "create", "transaction": "c2"}))  # may try again


def test_the_rooms_pin_is_written_into_every_join_and_the_pages_own_is_dropped() -> None:
    gate = _gate(pin="7319")
    for ptype in ("publisher", "subscriber"):
        sent = gate.inbound(_message({"request": "join", "ptype": ptype, "pin": "0000"}))
        body = sent["body"]
        assert isinstance(body, dict)
        assert (body["room"], body["pin"], body["ptype"]) == (ROOM, "7319", ptype)
    sent = _gate().inbound(_message({"request": "join", "ptype": "subscriber", "pin": "0000"}))
    assert "pin" not in str(sent)  # a room without a PIN: none, not the page's
