"""Browser guest links (server/guests.py) on the real server: who may make them, which meetings
refuse them, the page and its headers, and the one-time token on the guest WebSocket."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import urllib.request
from typing import Any

import pytest
import websockets

from tests.fixtures.server import ServerFactory, ServerProcess
from tests.server.conftest import Api, api_for


def _meetings(api: Api) -> dict[str, dict[str, Any]]:
    """Seeded meetings the user sees, by kind: "room", "confidential", "offline"."""
    found: dict[str, dict[str, Any]] = {}
    for summary in api.get("/meetings").json():
        detail = api.get(f"/meetings/{summary['id']}").json()
        levels = {p["confidentiality"] for i in detail["agenda"] for p in i["papers"]}
        if levels - {"normal"}:
            found.setdefault("confidential", detail)
        elif (detail.get("media") or {}).get("kind") == "room":
            found.setdefault("room", detail)
        else:
            found.setdefault("offline", detail)
    return found


async def _guest_ws(server: ServerProcess, first: str | None) -> tuple[int, str]:
    """Open the guest WebSocket, send `first`, and return the close code (0: not closed) and
    the first message if one came (then leave)."""
    url = server.url.replace("http", "ws", 1) + "/api/v1/guest-room"
    async with websockets.connect(url) as sock:
        if first is not None:
            await sock.send(first)
        try:
            message = await asyncio.wait_for(sock.recv(), 15)
        except websockets.ConnectionClosed as closed:
            return (closed.rcvd.code if closed.rcvd else 0), ""
        await sock.send(json.dumps({"type": "leave"}))
        return 0, str(message)


def test_guest_links_are_one_time_and_only_for_open_room_meetings(server: ServerProcess) -> None:
    secretary = api_for(server).login("chanhvp")
    meetings = _meetings(secretary)
    path = "/meetings/{}/guest-invites"
    body = {"display": "Bà Lê Thị Khách"}
    refused = secretary.post(path.format(meetings["confidential"]["id"]), body)
    assert (refused.status, refused.json()["type"].rsplit("/", 1)[-1]) == (
        409,
        "confidential-meeting",
    )
    offline = secretary.post(path.format(meetings["offline"]["id"]), body)
    assert offline.status == 409
    room = meetings["room"]["id"]
    invitee = api_for(server).login("chuyenvien1")  # invited, but neither chair nor secretary
    assert invitee.post(path.format(room), body).status == 403
    assert secretary.post(path.format(room), {"display": ""}).status == 422
    reply = secretary.post(path.format(room), body)
    assert reply.status == 201, reply.body
    link = reply.json()["url"]
    token = link.rsplit("#", 1)[1]
    assert link == f"/guest#{token}"  # a fragment: the browser never sends it anywhere

    with urllib.request.urlopen(server.url + link, timeout=10) as page:  # does not spend it
        html = page.read().decode()
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        assert page.headers["Cache-Control"] == "no-store"
    assert '<script type="module" src="/guest-assets/guest.js">' in html
    with urllib.request.urlopen(server.url + "/guest-assets/guest.js", timeout=10) as script:
        assert "hopdeskGuest" in script.read().decode()

    auth = json.dumps({"type": "auth", "guest_token": token})
    code, first = asyncio.run(_guest_ws(server, auth))
    assert code == 0
    assert json.loads(first) == {"type": "ice", "ice_servers": []}  # none configured
    assert asyncio.run(_guest_ws(server, auth)) == (4401, "")  # spent
    wrong = json.dumps({"type": "auth", "guest_token": "x" * 32})
    assert asyncio.run(_guest_ws(server, wrong)) == (4401, "")
    assert asyncio.run(_guest_ws(server, "not json")) == (4401, "")


@pytest.mark.parametrize("query", ["?guest_token=abc"])
def test_a_token_in_the_url_is_refused(server: ServerProcess, query: str) -> None:
    async def attempt() -> int:
        url = server.url.replace("http", "ws", 1) + "/api/v1/guest-room" + query
        async with websockets.connect(url) as sock:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await sock.recv()
        return closed.value.rcvd.code if closed.value.rcvd else 0

    assert asyncio.run(attempt()) == 4400


def test_guests_get_the_configured_ice_servers(server_factory: ServerFactory) -> None:
    turn = "turn://gu%40est:s%3Acret@turn.example.gov.vn:3478?transport=udp"
    server = server_factory(
        extra_args=[
            "--guest-ice-server",
            "stun:stun.example.gov.vn:3478",
            "--guest-ice-server",
            turn,
        ]
    )
    secretary = api_for(server).login("chanhvp")
    reply = secretary.post(
        f"/meetings/{_meetings(secretary)['room']['id']}/guest-invites", {"display": "Khách"}
    )
    token = reply.json()["url"].rsplit("#", 1)[1]
    auth = json.dumps({"type": "auth", "guest_token": token})
    code, first = asyncio.run(_guest_ws(server, auth))
    assert code == 0
    assert json.loads(first)["ice_servers"] == [
        {"urls": ["stun:stun.example.gov.vn:3478"]},
        {
            "urls": ["turn:turn.example.gov.vn:3478?transport=udp"],
            "username": "gu@est",
            "credential": "s:cret",
        },
    ]


@pytest.mark.parametrize("bad", ["turn:t.example:3478", "turn://t.example:3478", "http://x"])
def test_an_unusable_guest_ice_server_stops_the_server_at_start(bad: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "server", "--guest-ice-server", bad, "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--guest-ice-server" in result.stderr


async def _closed_after_janus(server: ServerProcess, token: str) -> tuple[list[str], int]:
    """Spend `token`; the messages before the socket closed, and its close code."""
    url = server.url.replace("http", "ws", 1) + "/api/v1/guest-room"
    got: list[str] = []
    async with websockets.connect(url) as sock:
        await sock.send(json.dumps({"type": "auth", "guest_token": token}))
        try:
            while True:
                got.append(str(await asyncio.wait_for(sock.recv(), 15)))
        except websockets.ConnectionClosed as closed:
            return got, closed.rcvd.code if closed.rcvd else 0


def test_janus_meetings_take_guests_until_they_become_confidential(server: ServerProcess) -> None:
    """A meeting on Janus takes browser guests (server/guest_janus.py carries them there; the
    media itself is tested in tests/media/netns/test_guest_janus.py), one on a WHIP server none,
    and a link made before the meeting became confidential is refused when used."""
    secretary = api_for(server).login("chanhvp")
    (meeting,) = [
        m["id"] for m in secretary.get("/meetings").json() if m["title"].startswith("Thẩm định")
    ]
    path, body = f"/meetings/{meeting}/guest-invites", {"display": "Khách"}
    server.set_meeting_media(meeting, {"kind": "whip", "url": "https://whip.example/x"})
    assert secretary.post(path, body).status == 409
    # Janus on a port where nothing listens: the guest is told the media server is unreachable
    server.set_meeting_media(meeting, {"kind": "janus", "url": "ws://127.0.0.1:9/", "room": 7})
    unreachable = secretary.post(path, body).json()["url"].rsplit("#", 1)[1]
    messages, code = asyncio.run(_closed_after_janus(server, unreachable))
    assert [json.loads(m)["type"] for m in messages] == ["ice", "janus"]
    assert code == 4502

    later = secretary.post(path, body).json()["url"].rsplit("#", 1)[1]
    made = secretary.call("PUT", f"/meetings/{meeting}/confidential", {"confidential": True})
    assert made.status == 200, made.body
    refused = secretary.post(path, body)
    assert (refused.status, refused.json()["type"].rsplit("/", 1)[-1]) == (
        409,
        "confidential-meeting",
    )
    assert asyncio.run(_closed_after_janus(server, later)) == ([], 4403)
