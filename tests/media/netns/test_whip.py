"""WHIP publishing (RFC 9725) from a HopDesk call to meetecho's simple-whip-server in front of
Debian's Janus, with a HopDesk Janus subscriber checking that the frames arrive."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection
from PySide6.QtWidgets import QApplication

from desktop.call_service import CallService
from desktop.config import Config
from desktop.domain import Meeting
from desktop.join_link import WhipLink, parse_link
from desktop.session import Session
from media.call import Call
from media.config import IceServer, JanusBackend, WhipBackend
from media.devices import TestPatternTrack, ToneTrack
from media.signaling import Candidate, Offer
from media.signaling.janus import JanusSignaling
from media.signaling.whip import (
    WHIP_PEER,
    WhipError,
    WhipRefused,
    WhipSignaling,
    ice_servers_of,
)
from media.state import CallState
from tests.fixtures.janus import ROOM, JanusProcess
from tests.fixtures.whip_server import WhipServerProcess
from tests.media.netns.engines import FAST, run_in_qt, stamp_from, until
from tests.ui.conftest import memory_secrets
from ui.call.link_window import LinkCallWindow

TOKEN = "whip-token-1"
TAG = 303


@pytest.fixture
def whip(janus: JanusProcess, tmp_path: Path) -> Iterator[WhipServerProcess]:
    proc = WhipServerProcess(tmp_path / "whip", janus.url)
    proc.start()
    yield proc
    proc.stop()


def _publisher(http: aiohttp.ClientSession, backend: WhipBackend) -> Call:
    return Call(
        lambda: WhipSignaling(http, backend),
        ice_servers=(),  # never aiortc's public STUN default
        video=TestPatternTrack(TAG),
        audio=ToneTrack(),
        backoff=FAST,
    )


def _viewer(http: aiohttp.ClientSession, janus: JanusProcess) -> Call:
    backend = JanusBackend(janus.url, ROOM)
    return Call(
        lambda: JanusSignaling(http, backend, "Viewer"),
        ice_servers=(),
        video=TestPatternTrack(404),
        backoff=FAST,
    )


async def test_a_whip_publisher_is_seen_by_a_janus_subscriber_and_leaves_with_delete(
    whip: WhipServerProcess, janus: JanusProcess, http: aiohttp.ClientSession
) -> None:
    backend = WhipBackend(whip.create_endpoint("hop", ROOM, TOKEN, None), TOKEN)
    publisher = _publisher(http, backend)
    viewer = _viewer(http, janus)
    try:
        publisher.join()
        await until(lambda: publisher.status.state is CallState.CONNECTED, "publisher joined")
        viewer.join()
        await until(lambda: stamp_from(viewer, TAG) is not None, "WHIP frames at the viewer")
        first = stamp_from(viewer, TAG) or 0
        await until(lambda: (stamp_from(viewer, TAG) or 0) > first, "frames keep coming")
        assert publisher.participants() == {}  # the WHIP endpoint is no participant
        # nobody behind a WHIP endpoint hears view announcements: no data channel is offered
        # (media/publish_size.py), so Janus offers none of that feed to the viewer either
        (feed,) = viewer.participants()
        assert (pc := viewer._peers[feed].pc) is not None
        assert pc.sctp is None
        (name,) = viewer.participants().values()
        assert name.startswith("WHIP Publisher")
        await publisher.close()  # DELETE: Janus drops the publisher, the viewer sees it go
        await until(lambda: viewer.participants() == {}, "the publisher left the room")
        # the endpoint is free again: a new session can be POSTed (else 403 "in use")
        again = _publisher(http, backend)
        again.join()
        await until(lambda: len(viewer.participants()) == 1, "the second session published")
        await again.close()
    finally:
        await publisher.close()
        await viewer.close()


async def test_trickle_patch_uses_the_session_etag(
    whip: WhipServerProcess, http: aiohttp.ClientSession
) -> None:
    """simple-whip-server runs with strictETags: a PATCH without the 201's ETag gets 412."""
    signaling = WhipSignaling(
        http, WhipBackend(whip.create_endpoint("t", ROOM, TOKEN, None), TOKEN)
    )
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    try:
        pc.addTransceiver("audio", direction="sendonly")
        await pc.setLocalDescription(await pc.createOffer())
        await signaling.join()
        await signaling.send(Offer(WHIP_PEER, pc.localDescription.sdp))
        assert signaling.session_url == f"{whip.url}/resource/t"
        cand = "candidate:1 1 udp 2130706431 127.0.0.2 40000 typ host"
        await signaling.send(Candidate(WHIP_PEER, cand, "0", 0))
        await signaling.send(Candidate(WHIP_PEER, None, "0", 0))  # end of candidates
        await signaling.leave()
        assert signaling.session_url is None
        with pytest.raises(WhipError):  # the session is gone: nothing to PATCH
            await signaling.send(Candidate(WHIP_PEER, cand, "0", 0))
    finally:
        await pc.close()


async def test_ice_servers_come_from_the_endpoints_link_headers(
    whip: WhipServerProcess, http: aiohttp.ClientSession
) -> None:
    links = [
        {"uri": "stun:127.0.0.2:3478"},
        {"uri": "turn:127.0.0.2:3478?transport=udp", "username": "u1", "credential": "p1"},
    ]
    url = whip.create_endpoint("ice", ROOM, TOKEN, links)
    servers = await ice_servers_of(http, WhipBackend(url, TOKEN))
    assert servers == (
        IceServer(("stun:127.0.0.2:3478",)),
        IceServer(("turn:127.0.0.2:3478?transport=udp",), "u1", "p1"),
    )
    assert await ice_servers_of(http, WhipBackend(url, "wrong")) == ()  # only for the token holder


async def test_refusals_are_typed_and_the_call_fails_with_a_reason(
    whip: WhipServerProcess, janus: JanusProcess, http: aiohttp.ClientSession
) -> None:
    url = whip.create_endpoint("err", ROOM, TOKEN, None)
    offer = Offer(WHIP_PEER, "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n")
    for backend, status in (
        (WhipBackend(url, "wrong"), 403),  # simple-whip-server answers a bad token with 403
        (WhipBackend(url), 403),
        (WhipBackend(f"{whip.url}/endpoint/nobody", TOKEN), 404),
    ):
        with pytest.raises(WhipRefused) as refused:
            await WhipSignaling(http, backend).send(offer)
        assert refused.value.code == status
    states: list[tuple[str, str]] = []
    call = _publisher(http, WhipBackend(url, "wrong"))
    call.state_changed.connect(lambda state, reason: states.append((state, reason)))
    try:
        call.join()
        await until(lambda: call.status.state is CallState.FAILED, "refused call failed")
        assert states[-1][1]  # says why
    finally:
        await call.close()
    janus.stop()  # the WHIP server's media server is gone: 503, worth retrying
    with pytest.raises(WhipError) as down:
        await WhipSignaling(http, WhipBackend(url, TOKEN)).send(offer)
    assert not isinstance(down.value, WhipRefused)


async def test_a_meeting_on_a_whip_endpoint_is_joined_from_the_app(
    whip: WhipServerProcess, janus: JanusProcess, http: aiohttp.ClientSession, qapp: QApplication
) -> None:
    """The app's call service publishes a meeting whose media record names a WHIP endpoint: a
    Janus subscriber receives its frames, and leaving DELETEs the session."""
    session = Session(Config(cli={}), memory_secrets())
    session.server_url = "https://vp.example.gov.vn"
    endpoint = whip.create_endpoint("hop", ROOM, TOKEN, None)
    media: dict[str, object] = {"kind": "whip", "url": endpoint, "token": TOKEN}
    now = dt.datetime.now(dt.UTC)
    meeting = Meeting(
        id=9, title="Phát trực tuyến", starts_at=now, status="in_progress", media=media
    )
    service = CallService(session, meeting, demo=True)  # demo: test sources stand in for devices
    viewer = _viewer(http, janus)
    try:
        call = await service.join()
        await until(lambda: call.status.state is CallState.CONNECTED, "published over WHIP")
        viewer.join()
        await until(lambda: len(viewer.participants()) == 1, "the viewer sees the publisher")
        (peer,) = viewer.participants()
        await until(
            lambda: (v := viewer.video(peer)) is not None and v.frames > 5, "its video at Janus"
        )
        await service.leave()
        await until(lambda: viewer.participants() == {}, "leaving ended the WHIP session")
    finally:
        await service.leave()
        await viewer.close()


def test_a_whip_link_opens_a_call_window_of_its_own(
    whip: WhipServerProcess, janus: JanusProcess, qapp: QApplication
) -> None:
    """`hopdesk://join?whip=…&token=…` (desktop/join_link.py) → a window with the call stage
    (ui/call/link_window.py) publishing to the endpoint; closing the window leaves."""
    endpoint = whip.create_endpoint("link", ROOM, TOKEN, None)
    link = parse_link(f"hopdesk://join?whip={quote(endpoint, safe='')}&token={TOKEN}")
    assert isinstance(link, WhipLink)

    async def scenario() -> None:
        session = Session(Config(cli={}), memory_secrets())
        backend = WhipBackend(link.url, link.token)
        service = CallService(session, None, demo=True, backend=backend)
        window = LinkCallWindow(service, "127.0.0.1")
        window.show()
        async with aiohttp.ClientSession() as http:
            viewer = _viewer(http, janus)
            try:
                await until(lambda: window.stage.widget is not None, "the call widget")
                call = service.call
                assert call is not None
                await until(lambda: call.status.state is CallState.CONNECTED, "published")
                assert window.windowTitle() == "Call — 127.0.0.1"
                viewer.join()
                await until(lambda: len(viewer.participants()) == 1, "the viewer sees it")
                (peer,) = viewer.participants()
                await until(
                    lambda: (v := viewer.video(peer)) is not None and v.frames > 5, "its video"
                )
                window.close()  # leaves the call: the WHIP session is deleted
                await until(lambda: viewer.participants() == {}, "closing the window left")
            finally:
                await window.aclose()
                await viewer.close()

    run_in_qt(qapp, scenario())


async def test_a_whip_endpoint_gone_and_back_is_published_to_again(
    whip: WhipServerProcess, janus: JanusProcess, http: aiohttp.ClientSession
) -> None:
    """The endpoint (simple-whip-server and its Janus) goes away mid-call: Janus closes its DTLS
    as it stops, aiortc then closes the connection by itself, the new offer finds nobody, the
    call says "reconnecting", and it publishes again when the endpoint is back."""
    backend = WhipBackend(whip.create_endpoint("hop", ROOM, TOKEN, None), TOKEN)
    publisher = _publisher(http, backend)
    viewer = _viewer(http, janus)
    try:
        publisher.join()
        viewer.join()
        await until(lambda: stamp_from(viewer, TAG) is not None, "WHIP frames at the viewer")
        whip.stop()
        await asyncio.to_thread(janus.restart)  # the media's far end is gone with it
        await until(lambda: publisher.status.state is CallState.RECONNECTING, "publisher told")
        assert publisher.status.reason
        await asyncio.to_thread(whip.start)
        whip.create_endpoint("hop", ROOM, TOKEN, None)
        await until(lambda: publisher.status.state is CallState.CONNECTED, "published again")
        back = time.time() * 1000
        await until(lambda: (stamp_from(viewer, TAG) or 0) > back, "new frames at the viewer", 60)
    finally:
        await asyncio.gather(publisher.close(), viewer.close())
