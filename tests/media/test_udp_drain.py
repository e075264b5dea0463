"""media/udp_drain.py: the datagrams waiting on a socket reach the protocol in one wake-up, in
order, and a peer connection's own sockets (aioice's, aiortc's) are the ones switched."""

from __future__ import annotations

import asyncio
import socket

from aiortc import RTCConfiguration, RTCPeerConnection

from media.udp_drain import BURST, DrainingDatagramTransport, drain, drain_when_gathered


class _Recorder(asyncio.DatagramProtocol):
    """Keeps what it receives; at the first datagram it queues a callback on the loop, which
    runs before the loop's next look at the sockets: what it sees came in that one wake-up."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.received: list[bytes] = []
        self.in_first_wakeup: int | None = None
        self.all_in = asyncio.Event()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if not self.received:
            asyncio.get_running_loop().call_soon(self._first_wakeup_over)
        self.received.append(data)
        if len(self.received) == self.expected:
            self.all_in.set()

    def _first_wakeup_over(self) -> None:
        self.in_first_wakeup = len(self.received)


async def _deliver(count: int, *, drained: bool) -> _Recorder:
    """Send `count` datagrams to a fresh endpoint while the loop is busy, then let it read."""
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: _Recorder(count), local_addr=("127.0.0.1", 0)
    )
    try:
        if drained:
            assert drain(transport)
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        with sender:
            for n in range(count):  # loopback: all in the receive buffer before we yield
                sender.sendto(n.to_bytes(2, "big") * 300, transport.get_extra_info("sockname"))
        await protocol.all_in.wait()
        return protocol
    finally:
        transport.close()


async def test_the_datagrams_waiting_on_a_socket_arrive_in_one_wakeup_in_order() -> None:
    protocol = await _deliver(40, drained=True)
    assert protocol.in_first_wakeup == 40
    assert protocol.received == [n.to_bytes(2, "big") * 300 for n in range(40)]


async def test_asyncios_own_transport_reads_one_datagram_per_wakeup() -> None:
    """What the module is for: asyncio's stock transport, measured the same way."""
    protocol = await _deliver(40, drained=False)
    assert protocol.in_first_wakeup == 1


async def test_a_burst_is_capped_and_the_rest_comes_on_the_next_wakeup() -> None:
    protocol = await _deliver(BURST + 10, drained=True)
    assert protocol.in_first_wakeup == BURST
    assert protocol.received == [n.to_bytes(2, "big") * 300 for n in range(BURST + 10)]


async def test_a_peer_connection_drains_the_sockets_it_gathered() -> None:
    """aiortc → aioice → asyncio private attributes, against the versions installed."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))  # host candidates only: no traffic
    try:
        drain_when_gathered(pc)
        pc.addTransceiver("video", direction="recvonly")
        pc.addTransceiver("audio", direction="recvonly")
        await pc.setLocalDescription(await pc.createOffer())
        ices = {t.receiver.transport.transport for t in pc.getTransceivers()}
        transports = [p.transport for i in ices for p in i.iceGatherer._connection._protocols]
        assert transports
        assert all(type(t) is DrainingDatagramTransport for t in transports)
    finally:
        await pc.close()
