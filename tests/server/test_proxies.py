"""X-Forwarded-For is believed only from configured proxies; the audit log keeps the real peer."""

from __future__ import annotations

from typing import Any

import pytest

from server.proxies import Network, client_address, parse_network
from tests.fixtures.server import ServerFactory
from tests.server.conftest import Api, api_for

LOCAL = (parse_network("127.0.0.1"),)
OFFICE_PROXIES = (parse_network("10.0.0.0/24"), parse_network("fd00::/64"))


@pytest.mark.parametrize(
    ("peer", "header", "proxies", "expected"),
    [
        ("127.0.0.1", ["203.0.113.9"], (), "127.0.0.1"),  # nobody trusted by default
        ("192.0.2.7", ["203.0.113.9"], OFFICE_PROXIES, "192.0.2.7"),  # peer is no proxy
        ("10.0.0.5", ["203.0.113.9"], OFFICE_PROXIES, "203.0.113.9"),
        # The client's own claim is on the left: the rightmost untrusted hop wins.
        ("10.0.0.5", ["1.1.1.1, 198.51.100.7"], OFFICE_PROXIES, "198.51.100.7"),
        ("10.0.0.5", ["1.1.1.1", "198.51.100.7, 10.0.0.9"], OFFICE_PROXIES, "198.51.100.7"),
        ("10.0.0.5", ["bogus, 10.0.0.9"], OFFICE_PROXIES, "10.0.0.9"),  # garbage: last trusted
        ("10.0.0.5", [], OFFICE_PROXIES, "10.0.0.5"),
        ("::ffff:10.0.0.5", ["203.0.113.9"], OFFICE_PROXIES, "203.0.113.9"),
        ("fd00::1", ["2001:db8::5"], OFFICE_PROXIES, "2001:db8::5"),
    ],
)
def test_client_address(
    peer: str, header: list[str], proxies: tuple[Network, ...], expected: str
) -> None:
    assert client_address(peer, header, proxies) == expected


def _last_failure(admin: Api) -> dict[str, Any]:
    rows = admin.get("/audit?limit=20").json()
    return dict(next(r for r in rows if r["action"] == "auth.login_failed"))


def test_forwarded_for_from_an_untrusted_peer_is_ignored(server_factory: ServerFactory) -> None:
    """A local client cannot forge its audit address (uvicorn alone trusts every local peer)."""
    api = api_for(server_factory())
    forged = {"X-Forwarded-For": "203.0.113.9"}
    reply = api.post("/auth/login", {"username": "giamdoc", "password": "x"}, headers=forged)
    assert reply.status == 401
    failure = _last_failure(api.login("quantri"))
    assert failure["address"] == "127.0.0.1"
    assert "via" not in failure["detail"]


def test_forwarded_for_from_a_trusted_proxy_names_the_client(
    server_factory: ServerFactory,
) -> None:
    api = api_for(server_factory(extra_args=["--trusted-proxy", "127.0.0.0/8"]))
    forwarded = {"X-Forwarded-For": "1.2.3.4, 198.51.100.7"}
    reply = api.post("/auth/login", {"username": "giamdoc", "password": "x"}, headers=forwarded)
    assert reply.status == 401
    failure = _last_failure(api.login("quantri"))
    assert failure["address"] == "198.51.100.7"
    assert failure["detail"]["via"] == "127.0.0.1"  # the real peer: the proxy that said so
