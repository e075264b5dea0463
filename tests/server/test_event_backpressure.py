"""A client that stops reading its event stream is dropped (1013) and resumes exactly by `since`.

The client is a raw socket with a tiny receive buffer that does the WebSocket handshake and then
reads nothing while events for its user keep coming; only afterwards does it read what reached
it. Without the limit the server would buffer for it without end.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import uuid
from typing import Any

from tests.fixtures.server import ServerFactory
from tests.server.conftest import Api, api_for

NOTE = {"target": "a" * 64, "page": 1, "kind": "text", "rect": [0, 0, 1, 1], "text": "x"}
WRITES = 80  # each `note.updated` is ~130 bytes: far beyond the 1-byte limit and the buffers


def _open_raw_stream(host: str, port: int, since: int, token: str) -> socket.socket:
    """Handshake for the event stream, then leave the socket unread."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    sock.connect((host, port))
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /api/v1/events/ws?since={since} HTTP/1.1\r\nHost: {host}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Authorization: Bearer {token}\r\n\r\n"
    )
    sock.sendall(request.encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)  # byte by byte: nothing of the first frames is consumed
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def _read_all(sock: socket.socket) -> bytes:
    sock.settimeout(20)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def _frames(data: bytes) -> list[tuple[int, bytes]]:
    """(opcode, payload) of each unmasked server frame."""
    frames = []
    while data:
        opcode, length, start = data[0] & 0x0F, data[1] & 0x7F, 2
        if length == 126:
            (length,), start = struct.unpack("!H", data[2:4]), 4
        elif length == 127:
            (length,), start = struct.unpack("!Q", data[2:10]), 10
        frames.append((opcode, data[start : start + length]))
        data = data[start + length :]
    return frames


def _seqs(me: Api, since: int) -> list[int]:
    return [e["seq"] for e in me.get(f"/events?since={since}&limit=1000").json()["events"]]


def test_a_client_that_stops_reading_is_dropped_and_resumes(server_factory: ServerFactory) -> None:
    server = server_factory(extra_args=["--event-stream-buffer", "1"])
    me = api_for(server).login("giamdoc")
    since = me.get("/events").json()["last_seq"]
    host, port = server.url.split("//")[1].rsplit(":", 1)
    assert me.token is not None
    sock = _open_raw_stream(host, int(port), since, me.token)
    for _ in range(WRITES):
        assert me.call("PUT", f"/notes/{uuid.uuid4()}", NOTE).status == 201
    frames = _frames(_read_all(sock))
    sock.close()

    events: list[dict[str, Any]] = [json.loads(p) for op, p in frames if op == 1]
    closes = [p for op, p in frames if op == 8]
    assert closes
    assert struct.unpack("!H", closes[0][:2])[0] == 1013
    assert closes[0][2:] == b"too-slow"
    written = _seqs(me, since)
    assert len(written) == WRITES
    received = [e["seq"] for e in events]
    assert 0 < len(received) < WRITES  # dropped part-way, in order, without a gap
    assert received == written[: len(received)]
    # Resuming from the last seq it got replays exactly the rest.
    assert _seqs(me, received[-1]) == written[len(received) :]
