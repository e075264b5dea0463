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


def test_refresh_rotates_and_reuse_revokes_the_family(any_db_server: ServerProcess) -> None:
    anon = api_for(any_db_server)
    user = anon.login("chuyenvien1")
    first = anon.post("/auth/refresh", {"refresh_token": user.refresh_token})
    assert first.status == 200
    rotated = first.json()
    assert rotated["refresh_token"] != user.refresh_token
    assert Api(anon.base, rotated["access_token"]).get("/me").status == 200
    newest = anon.post("/auth/refresh", {"refresh_token": rotated["refresh_token"]}).json()

    # The rotated token's successor was used: the client had it, so this is a stolen copy.
    reuse = anon.post("/auth/refresh", {"refresh_token": user.refresh_token})
    assert reuse.status == 401
    assert reuse.json()["type"].endswith("/refresh-revoked")
    # The whole family is gone: the newest refresh token and its access token too.
    assert anon.post("/auth/refresh", {"refresh_token": newest["refresh_token"]}).status == 401
    assert Api(anon.base, newest["access_token"]).get("/me").status == 401


def test_a_lost_refresh_answer_may_be_retried_once(any_db_server: ServerProcess) -> None:
    """The client never got the rotated pair (time-out, crash before the keyring write) and
    presents the old token again: it gets a fresh pair instead of being signed out."""
    anon = api_for(any_db_server)
    user = anon.login("chuyenvien2")
    lost = anon.post("/auth/refresh", {"refresh_token": user.refresh_token}).json()
    retry = anon.post("/auth/refresh", {"refresh_token": user.refresh_token})
    assert retry.status == 200
    fresh = retry.json()
    assert fresh["refresh_token"] not in (user.refresh_token, lost["refresh_token"])
    assert Api(anon.base, fresh["access_token"]).get("/me").status == 200

    # A second retry is reuse: the family goes, the fresh pair with it.
    again = anon.post("/auth/refresh", {"refresh_token": user.refresh_token})
    assert again.status == 401
    assert again.json()["type"].endswith("/refresh-revoked")
    assert Api(anon.base, fresh["access_token"]).get("/me").status == 401
    assert anon.post("/auth/refresh", {"refresh_token": fresh["refresh_token"]}).status == 401


def test_the_lost_answer_itself_revokes_once_the_retry_was_granted(demo: Api) -> None:
    """Whoever holds the retired successor (the answer was not lost, it was stolen) is caught."""
    user = demo.login("chuyenvien1")
    lost = demo.post("/auth/refresh", {"refresh_token": user.refresh_token}).json()
    fresh = demo.post("/auth/refresh", {"refresh_token": user.refresh_token}).json()
    assert demo.post("/auth/refresh", {"refresh_token": lost["refresh_token"]}).status == 401
    assert demo.post("/auth/refresh", {"refresh_token": fresh["refresh_token"]}).status == 401


def test_reuse_after_the_grace_window_revokes(any_db_server: ServerProcess) -> None:
    anon = api_for(any_db_server)
    user = anon.login("vanthu")
    rotated = anon.post("/auth/refresh", {"refresh_token": user.refresh_token}).json()
    engine = create_engine(any_db_server.db_url)
    try:
        with engine.begin() as conn:  # the rotation happened two minutes ago (grace: 60 s)
            conn.execute(
                text("UPDATE refresh_tokens SET rotated_at = :at WHERE rotated_at IS NOT NULL"),
                {"at": dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=2)},
            )
    finally:
        engine.dispose()
    late = anon.post("/auth/refresh", {"refresh_token": user.refresh_token})
    assert late.status == 401
    assert anon.post("/auth/refresh", {"refresh_token": rotated["refresh_token"]}).status == 401


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
