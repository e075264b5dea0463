"""Event stream keep-alive: the server pings every stream and drops one that stopped answering.

The client here is websockets' sans-I/O protocol over a plain socket, so the test decides whether
the pongs the protocol prepares are really sent: a client that never sends them is a peer that
vanished without a FIN (a pulled cable), which only the server's pings can find.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from websockets.client import ClientProtocol
from websockets.frames import Close, Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

from tests.fixtures.server import ServerFactory, ServerProcess
from tests.server.conftest import Api, api_for, meeting_body

PING = 0.4  # seconds between the test server's pings
PING_TIMEOUT = 0.6  # seconds it waits for the pong
KEEPALIVE_ARGS = ["--ws-ping", str(PING), "--ws-ping-timeout", str(PING_TIMEOUT)]


class RawStream:
    """One event stream on a blocking socket; `answer_pings` says whether pongs are sent."""

    def __init__(self, server: ServerProcess, token: str, *, answer_pings: bool) -> None:
        url = server.url.replace("http", "ws", 1) + "/api/v1/events/ws?since=0"
        self.uri = parse_uri(url)
        self.protocol = ClientProtocol(self.uri)
        self.answer_pings = answer_pings
        self.sock = socket.create_connection((self.uri.host, self.uri.port), timeout=10)
        request = self.protocol.connect()
        request.headers["Authorization"] = f"Bearer {token}"
        self.protocol.send_request(request)
        self.sock.sendall(b"".join(self.protocol.data_to_send()))
        self.pings = 0

    def frames(self) -> Iterator[Frame]:
        """Frames from the server until it closes the connection; pongs sent if answering."""
        while True:
            data = self.sock.recv(65536)
            if data:
                self.protocol.receive_data(data)
            else:
                self.protocol.receive_eof()
            for event in self.protocol.events_received():
                if isinstance(event, Response):
                    assert event.status_code == 101, event
                    continue
                if event.opcode == Opcode.PING:
                    self.pings += 1
                yield event
            reply = b"".join(self.protocol.data_to_send())
            if reply and self.answer_pings:
                self.sock.sendall(reply)
            if not data:
                return

    def close(self) -> None:
        self.sock.close()


@contextmanager
def raw_stream(server: ServerProcess, token: str, *, answer_pings: bool) -> Iterator[RawStream]:
    stream = RawStream(server, token, answer_pings=answer_pings)
    try:
        yield stream
    finally:
        stream.close()


def test_a_client_that_stops_answering_pings_is_dropped(server_factory: ServerFactory) -> None:
    server = server_factory(extra_args=KEEPALIVE_ARGS)
    leader = api_for(server).login("giamdoc")
    with raw_stream(server, str(leader.token), answer_pings=False) as stream:
        started = time.monotonic()
        close: Close | None = None
        for frame in stream.frames():
            if frame.opcode == Opcode.CLOSE:
                close = Close.parse(frame.data)
        took = time.monotonic() - started
    assert stream.pings >= 1
    assert close is not None
    assert close.code == 1011  # keepalive ping timeout
    # Found within one interval and the timeout; the margin is for a busy machine.
    assert took < PING + PING_TIMEOUT + 10


def _events_after_pings(stream: RawStream, pings: int, secretary: Api, leader: Api) -> Any:
    """Answer `pings` server pings, then write a meeting for the leader; its event."""
    meeting = None
    for frame in stream.frames():
        if frame.opcode == Opcode.CLOSE:
            raise AssertionError(f"the server closed a live stream: {Close.parse(frame.data)}")
        if frame.opcode == Opcode.PING and stream.pings == pings:
            reply = secretary.post("/meetings", meeting_body(secretary, [leader.user["id"]], "x"))
            assert reply.status == 201, reply.body
            meeting = reply.json()["id"]
        if frame.opcode == Opcode.TEXT:
            event = json.loads(frame.data)
            if meeting is not None and event["data"].get("meeting_id") == meeting:
                return event
    raise AssertionError("the stream ended")


def test_a_client_that_answers_pings_is_kept(server_factory: ServerFactory) -> None:
    server = server_factory(extra_args=KEEPALIVE_ARGS)
    api = api_for(server)
    secretary, leader = api.login("chanhvp"), api.login("giamdoc")
    with raw_stream(server, str(leader.token), answer_pings=True) as stream:
        # Several whole ping timeouts pass, then the stream still delivers.
        event = _events_after_pings(stream, 4, secretary, leader)
    assert event["type"] == "meeting.updated"
    assert stream.pings >= 4
