"""Sign-in, refresh rotation and reuse detection, sign-out (throttling: test_throttle.py)."""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import create_engine, text

from tests.fixtures.server import ServerFactory, ServerProcess
from tests.server.conftest import Api, api_for


def test_login_returns_token_pair_and_user(demo: Api) -> None:
    reply = demo.post("/auth/login", {"username": "giamdoc", "password": "hopdesk-demo"})
    assert reply.status == 200
    pair = reply.json()
    assert pair["token_type"] == "bearer"
    assert pair["expires_in"] == 900
    assert pair["access_token"] != pair["refresh_token"]
    assert pair["user"]["username"] == "giamdoc"
    assert pair["user"]["org_unit"]["name"] == "Ban Giám đốc"


def test_wrong_password_is_invalid_credentials(demo: Api) -> None:
    reply = demo.post("/auth/login", {"username": "chuyenvien2", "password": "nope"})
    assert reply.status == 401
    assert reply.headers["content-type"] == "application/problem+json"
    problem = reply.json()
    assert problem["type"].endswith("/invalid-credentials")
    assert problem["detail"] == "Wrong user name or password."
    assert problem["instance"] == "/api/v1/auth/login"


def test_expired_tokens_are_purged_a_day_after_expiry(any_db_server: ServerProcess) -> None:
    api = api_for(any_db_server)
    old = api.login("chuyenvien1")
    api.login("chuyenvien2")
    engine = create_engine(any_db_server.db_url)
    long_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=2)
    counts = "SELECT (SELECT count(*) FROM access_tokens), (SELECT count(*) FROM refresh_tokens)"
    try:
        with engine.begin() as conn:
            for table in ("access_tokens", "refresh_tokens"):
                conn.execute(
                    text(
                        f"UPDATE {table} SET expires_at = :at WHERE user_id = "
                        "(SELECT id FROM users WHERE username = 'chuyenvien1')"
                    ),
                    {"at": long_ago},
                )
            before = conn.execute(text(counts)).one()
        api.login("vanthu")  # any sign-in purges what expired over a day ago
        with engine.connect() as conn:
            after = conn.execute(text(counts)).one()
    finally:
        engine.dispose()
    assert tuple(after) == (before[0], before[1])  # chuyenvien1's pair gone, vanthu's added
    assert old.get("/me").status == 401
    refused = api.post("/auth/refresh", {"refresh_token": old.refresh_token})
    assert refused.json()["type"].endswith("/refresh-revoked")


def test_refresh_rotates_and_reuse_revokes_the_family(any_db_server: ServerProcess) -> None:
    anon = api_for(any_db_server)
    user = anon.login("chuyenvien1")
    first = anon.post("/auth/refresh", {"refresh_token": user.refresh_token})
    assert first.status == 200
    rotated = first.json()
    assert rotated["refresh_token"] != user.refresh_token
    assert Api(anon.base, rotated["access_token"]).get("/me").status == 200

    reuse = anon.post("/auth/refresh", {"refresh_token": user.refresh_token})
    assert reuse.status == 401
    assert reuse.json()["type"].endswith("/refresh-revoked")
    # The whole family is gone: the newest refresh token and its access token too.
    assert anon.post("/auth/refresh", {"refresh_token": rotated["refresh_token"]}).status == 401
    assert Api(anon.base, rotated["access_token"]).get("/me").status == 401


def test_logout_revokes(demo: Api) -> None:
    anon = demo
    user = anon.login("chanhvp")
    assert anon.post("/auth/logout", {"refresh_token": user.refresh_token}).status == 204
    assert user.get("/me").status == 401
    refused = anon.post("/auth/refresh", {"refresh_token": user.refresh_token})
    assert refused.json()["type"].endswith("/refresh-revoked")


def test_expired_access_token_says_token_expired(server_factory: ServerFactory) -> None:
    server = server_factory(extra_args=["--access-ttl", "1"])
    api = api_for(server)
    user = api.login("giamdoc")
    assert user.get("/me").status == 200
    time.sleep(1.2)
    expired = user.get("/me")
    assert expired.status == 401
    assert expired.headers["www-authenticate"] == "Bearer"
    assert expired.json()["type"].endswith("/token-expired")
    refreshed = api.post("/auth/refresh", {"refresh_token": user.refresh_token}).json()
    assert Api(api.base, refreshed["access_token"]).get("/me").status == 200


def test_unknown_token_is_unauthorized(demo: Api) -> None:
    reply = Api(demo.base, "not-a-token").get("/me")
    assert reply.status == 401
    assert reply.json()["type"].endswith("/unauthorized")
