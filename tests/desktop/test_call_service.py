"""The call service without a network: which backend a meeting's record names, and a device
that goes mid-call replaced by the next one present, or by none, with a sentence."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QApplication

from desktop.call_service import CallService, NotAnOnlineMeeting
from desktop.config import Config
from desktop.domain import Meeting
from desktop.session import Session
from media.call import Call
from media.config import JanusBackend, RoomBackend, WhipBackend
from media.devices import TestPatternTrack, ToneTrack
from media.errors import SignalingError
from tests.ui.conftest import memory_secrets


def _service(media: dict[str, object] | None) -> CallService:
    session = Session(Config(cli={}), memory_secrets())
    session.server_url = "https://vp.example.gov.vn"
    meeting = Meeting(
        id=7, title="Giao ban", starts_at=dt.datetime.now(dt.UTC), status="in_progress", media=media
    )
    return CallService(session, meeting)


def test_the_media_record_names_the_backend(qapp: QApplication) -> None:
    room = _service({"kind": "room", "url": "/api/v1/rooms/x", "room": "x"}).backend()
    assert room == RoomBackend("wss://vp.example.gov.vn/api/v1/rooms/x", "x")
    janus = _service({"kind": "janus", "url": "wss://janus.example:8989", "room": 5}).backend()
    assert janus == JanusBackend("wss://janus.example:8989", 5)
    whip = _service({"kind": "whip", "url": "/whip/endpoint/hop", "token": "t"}).backend()
    assert whip == WhipBackend("https://vp.example.gov.vn/whip/endpoint/hop", "t")
    with pytest.raises(NotAnOnlineMeeting):
        _service(None).backend()
    with pytest.raises(SignalingError):
        _service({"kind": "sip", "url": "sip:phong-hop@vp.example.gov.vn"}).backend()


async def test_a_device_lost_mid_call_is_replaced_by_none_here_and_said(
    qapp: QApplication,
) -> None:
    service = _service({"kind": "room", "url": "/api/v1/rooms/x", "room": "x"})
    camera = TestPatternTrack(1)
    service.call = Call(lambda: None, video=camera, audio=ToneTrack())  # type: ignore[arg-type, return-value]
    notices: list[str] = []
    service.notice.connect(notices.append)
    text = await service.replace_device("video")  # this machine has no other camera
    assert text == "The camera stopped. The call goes on without video."
    assert notices == [text]
    assert camera.readyState == "ended"
    assert not service.call.has_camera
    assert service.call.has_microphone
    await service.leave()
