"""Sign-in, errors, refresh and sign-out against the real server."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest
from keyring.backend import KeyringBackend

from desktop.config import Config
from desktop.errors import (
    InvalidCredentials,
    NotAHopDeskServer,
    ServerUnreachable,
    SessionExpired,
    TlsError,
    TooManyAttempts,
)
from desktop.secrets import SecretStore
from desktop.session import ACCOUNT_KEY
from desktop.store import LocalStore
from tests.fixtures.server import ServerFactory, ServerProcess
from tests.fixtures.store_lock import locked_elsewhere
from tests.integration.conftest import PASSWORD, Recorder, SessionFactory
from tests.ui.conftest import memory_secrets, until


async def test_sign_in(server: ServerProcess, make_session: SessionFactory) -> None:
    session = make_session()
    signed_in = Recorder()
    session.signed_in.connect(signed_in)
    user = await session.sign_in(server.url, "giamdoc", PASSWORD, False)
    assert user.username == "giamdoc"
    assert user.has_role("leader")
    assert signed_in.calls == [user]
    assert (await session.api.get_json("/me"))["username"] == "giamdoc"


async def test_a_remembered_sign_in_waits_out_another_process_s_lock_off_the_gui_thread(
    server: ServerProcess, make_session: SessionFactory, store: LocalStore
) -> None:
    """The remembered account is written when a sign-in with "remember me" succeeds: with the
    cache locked elsewhere the sign-in waits for it on the loop, which keeps turning, and
    finishes once the account is in the file (before: "database is locked" after the GUI
    thread's 20 ms wait failed the sign-in)."""
    secrets = memory_secrets()
    session = make_session(secrets=secrets)
    await session.sign_in(server.url, "giamdoc", PASSWORD, False)  # the client's imports
    async with locked_elsewhere(store.path) as lock:
        signing_in = asyncio.ensure_future(session.sign_in(server.url, "giamdoc", PASSWORD, True))
        # signed in and the token in the keyring: the account is written next
        await until(lambda: secrets.load_refresh_token(server.url, "giamdoc") is not None)
        await lock.hold()
        assert not signing_in.done()
        assert store.get(ACCOUNT_KEY) is None
    await asyncio.wait_for(signing_in, 30)
    lock.assert_loop_kept_turning()
    account = store.get(ACCOUNT_KEY)
    assert isinstance(account, dict)
    assert (account["server"], account["username"]) == (server.url, "giamdoc")
    assert account["user"]["full_name"] == "Nguyễn Văn Hùng"  # the next start shows it at once


async def test_sign_in_after_wrong_passwords_warns_the_owner(
    server: ServerProcess, make_session: SessionFactory
) -> None:
    session = make_session()
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            await session.sign_in(server.url, "chanhvp", "guess", False)
    warnings = Recorder()
    session.sign_in_warning.connect(warnings)
    await session.sign_in(server.url, "chanhvp", PASSWORD, False)
    assert len(warnings.calls) == 1
    assert "since your last sign-in: 2;" in warnings.calls[0]
    assert "from 127.0.0.1" in warnings.calls[0]
    await session.sign_in(server.url, "chanhvp", PASSWORD, False)
    assert len(warnings.calls) == 1  # told once


async def test_wrong_password(server: ServerProcess, make_session: SessionFactory) -> None:
    with pytest.raises(InvalidCredentials) as caught:
        await make_session().sign_in(server.url, "giamdoc", "wrong", False)
    assert caught.value.user_message() == "The user name or password is wrong."


async def test_too_many_attempts_says_when(
    server: ServerProcess, make_session: SessionFactory
) -> None:
    session = make_session()
    for _ in range(3):  # free; then each failure makes the next attempt wait twice as long
        with pytest.raises(InvalidCredentials):
            await session.sign_in(server.url, "vanthu", "wrong", False)
    limited: TooManyAttempts | None = None
    for _ in range(8):  # one comes within its delay soon: 1, 2, 4, ... 128 s
        try:
            await session.sign_in(server.url, "vanthu", "wrong", False)
        except InvalidCredentials:
            continue
        except TooManyAttempts as exc:
            limited = exc
            break
    assert limited is not None
    assert limited.retry_after > 0
    message = limited.user_message()
    assert "Too many failed attempts" in message
    assert any(char.isdigit() for char in message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_unreachable_server_names_the_url(make_session: SessionFactory) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ServerUnreachable) as caught:
        await make_session().sign_in(url, "giamdoc", PASSWORD, False)
    message = caught.value.user_message()
    assert url in message
    assert caught.value.cause
    assert caught.value.cause in message


async def test_wrong_url_names_the_url(server: ServerProcess, make_session: SessionFactory) -> None:
    url = f"{server.url}/not-hopdesk"
    with pytest.raises(NotAHopDeskServer) as caught:
        await make_session().sign_in(url, "giamdoc", PASSWORD, False)
    assert url in caught.value.user_message()


async def test_non_hopdesk_http_server(make_session: SessionFactory) -> None:
    """Some other web server on the address (an HTML page): said so, naming the URL."""
    from aiohttp import web

    async def page(_request: web.Request) -> web.Response:
        return web.Response(text="<html>hi</html>", content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        with pytest.raises(NotAHopDeskServer) as caught:
            await make_session().sign_in(f"http://127.0.0.1:{port}", "giamdoc", PASSWORD, False)
        assert f"http://127.0.0.1:{port}" in caught.value.user_message()
    finally:
        await runner.cleanup()


async def test_tls_certificate_error_names_the_cause(
    server_factory: ServerFactory, make_session: SessionFactory
) -> None:
    tls_server = server_factory(tls=True)
    assert tls_server.url.startswith("https://")
    with pytest.raises(TlsError) as caught:
        await make_session().sign_in(tls_server.url, "giamdoc", PASSWORD, False)
    message = caught.value.user_message()
    assert tls_server.url in message
    assert "certificate" in caught.value.cause
    assert caught.value.cause in message

    # Trusting the server's certificate through the policy's CA bundle makes it work.
    config = Config(defaults={"ca_bundle": str(tls_server.cert)})
    user = await make_session(config).sign_in(tls_server.url, "giamdoc", PASSWORD, False)
    assert user.username == "giamdoc"


async def test_expired_access_token_is_refreshed_once_for_concurrent_calls(
    server_factory: ServerFactory, make_session: SessionFactory
) -> None:
    short = server_factory(extra_args=["--access-ttl", "1"])
    session = make_session()
    await session.sign_in(short.url, "giamdoc", PASSWORD, False)
    first_token = session.access_token
    refreshes = 0
    original = session.api.post_json

    async def counting(path: str, *args: object, **kwargs: object) -> object:
        nonlocal refreshes
        refreshes += path == "/auth/refresh"
        return await original(path, *args, **kwargs)  # type: ignore[arg-type]

    session.api.post_json = counting  # type: ignore[method-assign]
    await asyncio.sleep(1.6)
    results = await asyncio.gather(*(session.api.get_json("/me") for _ in range(6)))
    assert {r["username"] for r in results} == {"giamdoc"}
    assert refreshes == 1
    assert session.access_token != first_token


async def test_revoked_refresh_token_signs_out(
    server_factory: ServerFactory, make_session: SessionFactory
) -> None:
    short = server_factory(extra_args=["--access-ttl", "1"])
    session = make_session()
    signed_out = Recorder()
    session.signed_out.connect(signed_out)
    await session.sign_in(short.url, "giamdoc", PASSWORD, False)
    # Revoked elsewhere (an administrator, or the same token used by a thief).
    async with aiohttp.ClientSession() as http:
        refresh_token = session._refresh  # the test plays the other party
        resp = await http.post(f"{short.api}/auth/logout", json={"refresh_token": refresh_token})
        assert resp.status == 204
    await asyncio.sleep(1.6)
    with pytest.raises(SessionExpired):
        await session.api.get_json("/me")
    assert len(signed_out.calls) == 1
    assert "sign in again" in signed_out.calls[0]
    assert session.user is None


async def test_remember_me_resume_and_sign_out(
    server: ServerProcess,
    secret_service_keyring: KeyringBackend,
    store: LocalStore,
    make_session: SessionFactory,
) -> None:
    secrets = SecretStore(service="HopDesk-itest")
    first = make_session(secrets=secrets)
    await first.sign_in(server.url, "chanhvp", PASSWORD, True)
    assert first.remembered
    assert secrets.load_refresh_token(server.url, "chanhvp")
    await first.close()  # the app quits

    second = make_session(secrets=secrets)  # the app starts again
    signed_in = Recorder()
    second.signed_in.connect(signed_in)
    user = await second.resume()
    assert user is not None
    assert user.username == "chanhvp"
    assert signed_in.calls == [user]
    # Rotation: the keyring now holds the new refresh token.
    assert secrets.load_refresh_token(server.url, "chanhvp") == second._refresh

    await second.sign_out()
    assert secrets.load_refresh_token(server.url, "chanhvp") is None
    assert await make_session(secrets=secrets).resume() is None


async def test_resume_with_revoked_token_signs_out(
    server: ServerProcess, memory_keyring: KeyringBackend, make_session: SessionFactory
) -> None:
    secrets = SecretStore(service="HopDesk-itest")
    first = make_session(secrets=secrets)
    await first.sign_in(server.url, "giamdoc", PASSWORD, True)
    token = secrets.load_refresh_token(server.url, "giamdoc")
    await first.api.post_json("/auth/logout", {"refresh_token": token}, auth=False)
    await first.close()

    second = make_session(secrets=secrets)
    signed_out = Recorder()
    second.signed_out.connect(signed_out)
    assert await second.resume() is None
    assert len(signed_out.calls) == 1
    assert signed_out.calls[0]
    assert secrets.load_refresh_token(server.url, "giamdoc") is None


class ServerPolicy:
    def __init__(self, url: str) -> None:
        self.url = url

    def read(self) -> dict[str, object]:
        return {"server_url": self.url}


async def test_resume_refuses_a_server_the_policy_no_longer_allows(
    server: ServerProcess, memory_keyring: KeyringBackend, make_session: SessionFactory
) -> None:
    secrets = SecretStore(service="HopDesk-itest")
    first = make_session(secrets=secrets)
    await first.sign_in(server.url, "giamdoc", PASSWORD, True)
    await first.close()
    moved = Config(policy=ServerPolicy("https://new-office.example"))
    assert await make_session(config=moved, secrets=secrets).resume() is None
    same = Config(policy=ServerPolicy(server.url))
    user = await make_session(config=same, secrets=secrets).resume()
    assert user is not None


async def test_unknown_host_names_the_url(make_session: SessionFactory) -> None:
    url = "http://no-such-host.invalid"  # RFC 2606: never resolves
    with pytest.raises(ServerUnreachable) as caught:
        await make_session().sign_in(url, "giamdoc", PASSWORD, False)
    assert url in caught.value.user_message()
    assert caught.value.cause


async def test_sign_out_revokes_the_refresh_token(
    server: ServerProcess, make_session: SessionFactory
) -> None:
    session = make_session()
    signed_out = Recorder()
    session.signed_out.connect(signed_out)
    await session.sign_in(server.url, "giamdoc", PASSWORD, False)
    refresh_token = session._refresh
    await session.sign_out()
    assert signed_out.calls == [""]
    assert session.user is None
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{server.api}/auth/refresh", json={"refresh_token": refresh_token}) as resp,
    ):
        assert resp.status == 401
        assert (await resp.json())["type"].endswith("/refresh-revoked")


async def test_file_bytes(server: ServerProcess, make_session: SessionFactory) -> None:
    import hashlib

    from desktop.domain import Document

    session = make_session()
    await session.sign_in(server.url, "giamdoc", PASSWORD, False)
    inbox = await session.api.get_json("/documents", {"box": "inbox"})
    document = Document.from_json(await session.api.get_json(f"/documents/{inbox[0]['id']}"))
    file = document.versions[0].file
    data = await session.api.get_bytes(f"/files/{file.sha256}")
    assert hashlib.sha256(data).hexdigest() == file.sha256
    assert len(data) == file.size


async def test_resume_offline_raises_and_keeps_the_token(
    server: ServerProcess, memory_keyring: KeyringBackend, make_session: SessionFactory
) -> None:
    secrets = SecretStore(service="HopDesk-itest")
    first = make_session(secrets=secrets)
    await first.sign_in(server.url, "giamdoc", PASSWORD, True)
    await first.close()
    server.stop()
    second = make_session(secrets=secrets)
    with pytest.raises(ServerUnreachable):
        await second.resume()
    assert secrets.load_refresh_token(server.url, "giamdoc")
    server.restart()
    user = await second.resume()
    assert user is not None
    assert user.username == "giamdoc"
