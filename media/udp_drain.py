"""Every datagram waiting on a call's UDP socket is read in one wake-up, not one per wake-up.

asyncio's selector datagram transport (CPython's `_SelectorDatagramTransport._read_ready`)
reads ONE datagram each time its socket is reported readable, and qasync reports readiness
through a `QSocketNotifier` per socket that it disables, calls back through `call_soon` and
enables again: each packet costs a full round of the Qt event loop. With 4–9 feeds shown on a
loaded machine the loop went round more slowly than ~30 packets/s per feed came, the 212 KB
kernel receive buffers filled (~6 s of a 260 kbit/s feed) and every frame was shown seconds late
(issue 13, commit eaddbc4). A real-time receiver reads until the socket is empty: here up to
`BURST` datagrams per wake-up, handed to the protocol in their order, and the rest on the next.

aioice (0.13) creates its sockets itself (`Connection.get_component_candidates`, and the inner
socket of a TURN allocation, `aioice.turn.create_turn_endpoint`) with
`loop.create_datagram_endpoint`; `drain_when_gathered` turns each of them into a
`DrainingDatagramTransport` once a peer connection has gathered its candidates. Private
attributes of aioice and asyncio: checked by the tests against the versions in use, and a
transport of another kind (a proactor loop on Windows) is left as it is and logged.
"""

from __future__ import annotations

import logging
from asyncio import selector_events
from collections.abc import Iterator
from typing import cast

from aioice import Connection
from aioice.turn import TurnClientUdpProtocol, TurnTransport
from aiortc import RTCIceTransport, RTCPeerConnection

log = logging.getLogger(__name__)

BURST = 64  # datagrams per wake-up: ~2 s of one 640×360 feed, a few ms of Python at most

# asyncio's own (CPython 3.8–3.13 alike); typeshed does not describe it
_Stock = selector_events._SelectorDatagramTransport  # type: ignore[attr-defined]


class DrainingDatagramTransport(_Stock):  # type: ignore[misc,valid-type]
    """asyncio's selector datagram transport, reading up to `BURST` datagrams per readiness
    callback instead of one (errors handled as asyncio's own `_read_ready` does)."""

    def _read_ready(self) -> None:
        for _ in range(BURST):
            if self._conn_lost:  # closed, maybe by the protocol on the last datagram
                return
            try:
                data, addr = self._sock.recvfrom(self.max_size)
            except (BlockingIOError, InterruptedError):
                return  # the socket is empty
            except OSError as exc:
                self._protocol.error_received(exc)
                return
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._fatal_error(exc, "Fatal read error on datagram transport")
                return
            self._protocol.datagram_received(data, addr)


def drain(transport: object) -> bool:
    """Make `transport` read every waiting datagram per wake-up; False (and logged) when it
    is not asyncio's selector datagram transport or no longer reads."""
    if type(transport) is DrainingDatagramTransport:
        return True
    if type(transport) is not _Stock or not hasattr(transport, "_sock_fd"):
        log.warning("cannot drain %s: not asyncio's selector datagram transport", transport)
        return False
    drained = cast(DrainingDatagramTransport, transport)
    if drained.is_closing():
        return False
    drained.__class__ = DrainingDatagramTransport
    # The loop holds the bound `_read_ready` of the old class: register the new one.
    drained._loop._add_reader(drained._sock_fd, drained._read_ready)
    return True


def _ice_transports(pc: RTCPeerConnection) -> set[RTCIceTransport]:
    """The ICE transports of `pc` (one with BUNDLE), through its public attributes."""
    dtls = [t.receiver.transport for t in pc.getTransceivers()]
    if pc.sctp is not None:
        dtls.append(pc.sctp.transport)
    return {d.transport for d in dtls if d is not None}


def _sockets(connection: Connection) -> Iterator[object]:
    """The datagram transports under an aioice connection: its host sockets, and the socket to
    the TURN server under a relayed candidate (not a TURN server reached over TCP)."""
    for protocol in connection._protocols:
        transport = getattr(protocol, "transport", None)
        if isinstance(transport, TurnTransport):
            inner = getattr(transport, "_TurnTransport__inner_protocol", None)
            if not isinstance(inner, TurnClientUdpProtocol):
                continue
            transport = inner.transport
        if transport is not None:
            yield transport


def drain_connection(pc: RTCPeerConnection) -> int:
    """Drain every UDP socket `pc` has gathered; how many now drain."""
    drained = 0
    for ice in _ice_transports(pc):
        connection = getattr(ice.iceGatherer, "_connection", None)
        if not isinstance(connection, Connection):
            log.warning("cannot drain the sockets of %s (aiortc changed)", ice)
            continue
        drained += sum(drain(t) for t in _sockets(connection))
    return drained


def drain_when_gathered(pc: RTCPeerConnection) -> None:
    """Drain `pc`'s sockets as soon as it has gathered its candidates (in setLocalDescription,
    before any media can arrive)."""

    @pc.on("icegatheringstatechange")
    def gathered() -> None:
        if pc.iceGatheringState == "complete":
            drain_connection(pc)
