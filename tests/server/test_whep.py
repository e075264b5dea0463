"""The reference server's WHEP endpoint (server/whep.py) on its own: refused without
`--whep-janus`, without a token, with a body that is not an SDP offer, and a 502 when Janus
cannot be reached. Playback through Debian's Janus is in tests/media/netns/test_whep.py."""

from __future__ import annotations

import socket

from tests.fixtures.server import ServerFactory
from tests.server.conftest import api_for
from tests.server.test_whep_sdp import VIEWER

SDP = {"Content-Type": "application/sdp"}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_whep_is_refused_until_a_janus_is_configured(server_factory: ServerFactory) -> None:
    plain = api_for(server_factory()).login("chuyenvien1")
    reply = plain.call("POST", "/whep/1", raw=VIEWER.encode(), headers=SDP)
    assert (reply.status, reply.json()["type"].rsplit("/", 1)[-1]) == (404, "no-whep")

    server = server_factory(extra_args=["--whep-janus", f"ws://127.0.0.1:{_closed_port()}/"])
    anonymous = api_for(server)
    assert anonymous.call("POST", "/whep/1", raw=VIEWER.encode(), headers=SDP).status == 401
    viewer = anonymous.login("chuyenvien1")
    as_json = viewer.call("POST", "/whep/1", raw=VIEWER.encode())
    assert as_json.status == 415
    not_sdp = viewer.call("POST", "/whep/1", raw=b"hello", headers=SDP)
    assert not_sdp.status == 400
    unreachable = viewer.call("POST", "/whep/1", raw=VIEWER.encode(), headers=SDP)
    assert (unreachable.status, unreachable.json()["type"].rsplit("/", 1)[-1]) == (
        502,
        "media-server-unreachable",
    )
    assert viewer.call("DELETE", "/whep/sessions/nothing").status == 404
