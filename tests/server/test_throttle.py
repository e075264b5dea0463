"""Sign-in throttling: growing delays per account-and-address, per address and per account,
never a lock-out of the owner; the owner is told of the failures at the next sign-in.

The server believes X-Forwarded-For from 127.0.0.1 here, so each test plays several addresses.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from server.config import Backoff
from tests.fixtures.server import ServerProcess
from tests.server.conftest import DEMO_PASSWORD, Api, Reply, api_for


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One seeded server for the module; tests use their own accounts and addresses."""
    args = ["--trusted-proxy", "127.0.0.1"]
    proc = ServerProcess(tmp_path_factory.mktemp("throttle"), extra_args=args).start()
    yield proc
    proc.stop()


def _attempt(api: Api, username: str, password: str, address: str) -> Reply:
    body = {"username": username, "password": password}
    return api.post("/auth/login", body, headers={"X-Forwarded-For": address})


def _address() -> str:
    """A fresh address in 10.x, so tests of one server never share one."""
    n = uuid.uuid4().int
    return f"10.{n % 250}.{n // 250 % 250}.{n // 62500 % 250 + 1}"


def _add_failures(db_url: str, username: str, address: str, count: int) -> None:
    """Failures recorded now, as if they had just been typed (a long delay without the wait)."""
    engine = create_engine(db_url)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        with engine.begin() as conn:
            for _ in range(count):
                conn.execute(
                    text("INSERT INTO login_failures (username, address, at) VALUES (:u, :a, :t)"),
                    {"u": username, "a": address, "t": now},
                )
    finally:
        engine.dispose()


def test_backoff_is_free_then_doubles_up_to_its_cap() -> None:
    backoff = Backoff(free=3, base=1.0, cap=60.0)
    assert [backoff.delay(n) for n in range(10)] == [0, 0, 0, 1, 2, 4, 8, 16, 32, 60]
    assert backoff.delay(10_000) == 60.0


def test_failures_make_the_next_attempt_wait_longer_and_survive_a_restart(
    any_db_server: ServerProcess,
) -> None:
    api = api_for(any_db_server)
    for _ in range(3):
        assert api.post("/auth/login", {"username": "vanthu", "password": "x"}).status == 401
    # Five more, as if just typed: 8 failures cost 32 s (without the 3 above, 4 s).
    _add_failures(any_db_server.db_url, "vanthu", "127.0.0.1", 5)
    limited = api.post("/auth/login", {"username": "vanthu", "password": DEMO_PASSWORD})
    assert limited.status == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["type"].endswith("/too-many-attempts")
    assert int(limited.headers["retry-after"]) == limited.json()["retry_after"]
    assert 16 < limited.json()["retry_after"] <= 32

    any_db_server.restart()
    again = api_for(any_db_server).post(
        "/auth/login", {"username": "vanthu", "password": DEMO_PASSWORD}
    )
    assert again.status == 429


def test_owner_signs_in_from_a_new_address_while_another_hammers_and_is_told(
    proxied: ServerProcess,
) -> None:
    api, attacker, owner = api_for(proxied), _address(), _address()
    for _ in range(3):
        assert _attempt(api, "giamdoc", "guess", attacker).status == 401
    _add_failures(proxied.db_url, "giamdoc", attacker, 20)  # a long siege: capped at 15 min
    for _ in range(5):
        limited = _attempt(api, "giamdoc", "guess", attacker)
        assert limited.status == 429
        assert 14 * 60 < int(limited.headers["retry-after"]) <= 15 * 60

    assert _attempt(api, "giamdoc", "typo", owner).status == 401  # the owner's own typo is free
    signed_in = _attempt(api, "giamdoc", DEMO_PASSWORD, owner)
    assert signed_in.status == 200
    notice = signed_in.json()["failed_sign_ins_since_last"]
    # The 3 failures the server saw plus the owner's typo; limited attempts are no failures.
    assert notice["count"] == 4
    assert notice["last_address"] == owner
    assert dt.datetime.fromisoformat(notice["last_at"]) <= dt.datetime.now(dt.UTC)

    assert _attempt(api, "giamdoc", DEMO_PASSWORD, attacker).status == 429  # still held
    told_once = _attempt(api, "giamdoc", DEMO_PASSWORD, owner).json()
    assert told_once["failed_sign_ins_since_last"] is None


def test_attacker_failures_are_reported_with_their_address(proxied: ServerProcess) -> None:
    api, attacker, owner = api_for(proxied), _address(), _address()
    for _ in range(2):
        assert _attempt(api, "chanhvp", "guess", attacker).status == 401
    notice = _attempt(api, "chanhvp", DEMO_PASSWORD, owner).json()["failed_sign_ins_since_last"]
    assert (notice["count"], notice["last_address"]) == (2, attacker)


def test_one_office_address_is_slowed_only_after_many_failures(proxied: ServerProcess) -> None:
    """A whole office shares one NAT address: a typo by each of several users locks nobody."""
    api, office = api_for(proxied), _address()
    for user in ["chuyenvien1", "chuyenvien2", "vanthu", "chanhvp", "phogiamdoc"]:
        assert _attempt(api, user, "typo", office).status == 401
    assert _attempt(api, "chuyenvien1", DEMO_PASSWORD, office).status == 200
    _add_failures(proxied.db_url, f"ghost{uuid.uuid4().hex}", office, 50)  # 54 failures: 16 s
    limited = _attempt(api, "quantri", DEMO_PASSWORD, office)
    assert limited.status == 429
    assert _attempt(api, "quantri", DEMO_PASSWORD, _address()).status == 200


def test_guessing_spread_over_addresses_slows_those_addresses_only(
    proxied: ServerProcess,
) -> None:
    api, username = api_for(proxied), "khach"
    botnet = [_address() for _ in range(9)]
    for address in botnet:
        assert _attempt(api, username, "guess", address).status == 401
    # Each address failed once (free for it), but nine addresses on one account: all wait 16 s.
    assert {_attempt(api, username, "guess", a).status for a in botnet} == {429}
    assert _attempt(api, username, DEMO_PASSWORD, _address()).status == 200


def test_unknown_and_known_accounts_answer_alike(proxied: ServerProcess) -> None:
    """No account enumeration through the throttle: an unknown name is slowed the same way."""
    api, address = api_for(proxied), _address()
    answers = []
    for name in (f"nobody{uuid.uuid4().hex}", "chuyenvien2"):
        for _ in range(3):
            assert _attempt(api, name, "x", address).status == 401
        _add_failures(proxied.db_url, name, address, 5)
        limited = _attempt(api, name, "x", address)
        answers.append((limited.status, limited.json()["title"], limited.json()["retry_after"]))
    assert [a[:2] for a in answers] == [(429, answers[0][1])] * 2
    assert all(16 < a[2] <= 32 for a in answers)
