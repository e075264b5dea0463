"""Which address a request comes from: the TCP peer, unless a configured proxy vouches for another.

`X-Forwarded-For` is only a claim, and anyone can send it. It is believed only when the peer that
sent it is a proxy the operator listed (`--trusted-proxy`, none by default); then the header is
read from the right, skipping hops that are themselves trusted proxies, and the first untrusted
hop is the client (the left part of the header is whatever the client made up). uvicorn's own
proxy handling is switched off (server/cli.py): it trusts every local peer by default.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_network(text: str) -> Network:
    """An address or network (`10.0.0.5`, `10.0.0.0/8`, `::1`) as a network; ValueError if not."""
    return ipaddress.ip_network(text.strip(), strict=False)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # a dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d
    return address


def _trusted(address: Address, proxies: Iterable[Network]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(peer: str, forwarded_for: list[str], proxies: tuple[Network, ...]) -> str:
    """The client's address for `peer` and its `X-Forwarded-For` header values (in order)."""
    current = _address(peer)
    if current is None or not _trusted(current, proxies):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # garbage from the client side: stop at the last hop we trust
            break
        current = address
        if not _trusted(address, proxies):
            break
    return str(current)
