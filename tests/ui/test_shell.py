"""The UI's life cycle (`ui.shell.QtFrontend`) on the real core and server."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from desktop.app import Core, Options
from desktop.config import Config
from desktop.notify import Notice, Notifier, Severity
from desktop.session import Session
from desktop.store import LocalStore
from tests.fixtures.server import ServerProcess
from tests.ui.conftest import memory_secrets, until
from ui.main_window import MainWindow
from ui.shell import QtFrontend
from ui.sign_in_dialog import SignInDialog


def make_core(
    tmp_path: Path,
    secrets: Any,
    server_url: str,
    clock: Callable[[], dt.datetime] | None = None,
) -> Core:
    store = LocalStore(tmp_path / "cache.db")
    was_reset = store.open()
    session = Session(Config(cli={"server_url": server_url}), secrets, store)
    return Core(
        paths=None,
        config=session.config,
        secrets=secrets,
        store=store,
        session=session,
        notifier=Notifier(),
        log_path=tmp_path / "hopdesk.log",
        cache_was_reset=was_reset,
        clock=clock,
    )


def remember_sign_in(aio: Any, tmp_path: Path, secrets: Any, server_url: str) -> None:
    """An earlier run of the app that signed in as giamdoc with "remember me" and quit."""
    first = make_core(tmp_path, secrets, server_url)
    aio(first.session.sign_in(server_url, "giamdoc", "hopdesk-demo", True))
    aio(first.session.close())
    first.store.close()


async def window_with_lists(frontend: QtFrontend, limit: float = 20.0) -> MainWindow:
    """The running app's main window once it shows its lists (the cache's or the server's)."""
    await until(lambda: frontend.window is not None and frontend.window.lists_loaded(), limit)
    assert frontend.window is not None
    return frontend.window


def visible_sign_in_dialogs() -> list[SignInDialog]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog) and w.isVisible()
    ]


def test_remembered_sign_in_is_silent_and_corrupt_cache_is_told_once(
    aio: Any, qapp: QApplication, server: ServerProcess, tmp_path: Path
) -> None:
    secrets = memory_secrets()
    remember_sign_in(aio, tmp_path, secrets, server.url)
    (tmp_path / "cache.db").write_bytes(b"this is not a database at all" * 100)
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"cache.db{suffix}").unlink(missing_ok=True)

    core = make_core(tmp_path, secrets, server.url)
    assert core.cache_was_reset
    # The remembered account's name lived in the damaged cache: the dialog asks again.
    notices: list[Notice] = []
    core.notifier.posted.connect(notices.append)
    frontend = QtFrontend()

    async def scenario() -> int:
        run = asyncio.ensure_future(frontend.run(core, Options()))
        await until(lambda: bool(visible_sign_in_dialogs()))
        dialogs = visible_sign_in_dialogs()
        assert dialogs, "the remembered account was in the damaged cache: sign in again"
        dialogs[0].username.setText("giamdoc")
        dialogs[0].password.setText("hopdesk-demo")
        dialogs[0].submit()
        await window_with_lists(frontend)
        frontend._finish("quit")
        return await run

    assert aio(scenario(), 60) == 0
    warnings = [n for n in notices if n.severity == Severity.WARNING]
    assert len(warnings) == 1
    assert "cache" in warnings[0].text
    aio(core.aclose())


def test_silent_sign_in_with_remembered_token(
    aio: Any, qapp: QApplication, server: ServerProcess, tmp_path: Path
) -> None:
    secrets = memory_secrets()
    remember_sign_in(aio, tmp_path, secrets, server.url)

    core = make_core(tmp_path, secrets, server.url)
    frontend = QtFrontend()

    async def scenario() -> int:
        run = asyncio.ensure_future(frontend.run(core, Options()))
        await window_with_lists(frontend)
        assert not visible_sign_in_dialogs()
        assert frontend.window is not None
        assert frontend.window.user_label.text().startswith("Nguyễn Văn Hùng")
        frontend._finish("sign_out")  # back to the dialog: the token is revoked
        await until(lambda: bool(visible_sign_in_dialogs()))
        visible_sign_in_dialogs()[0].reject()
        return await run

    assert aio(scenario(), 60) == 0
    assert secrets.load_refresh_token(server.url, "giamdoc") is None
    aio(core.aclose())


def test_tray_menu_emits_requests(qtbot: Any) -> None:
    from PySide6.QtGui import QIcon

    from ui.tray import Tray

    tray = Tray(QIcon())
    with qtbot.waitSignal(tray.show_requested):
        tray.show_action.trigger()
    with qtbot.waitSignal(tray.sign_out_requested):
        tray.sign_out_action.trigger()
    with qtbot.waitSignal(tray.quit_requested):
        tray.quit_action.trigger()
    assert [a.text() for a in tray.menu.actions() if a.text()] == [
        "Show HopDesk",
        "Sign out",
        "Quit",
    ]


def test_revoked_session_returns_to_sign_in(
    aio: Any, qapp: QApplication, server: ServerProcess, tmp_path: Path
) -> None:
    """Another device reuses a rotated refresh token → the family is revoked → sign in again."""
    core = make_core(tmp_path, memory_secrets(), server.url)
    frontend = QtFrontend()

    async def scenario() -> int:
        run = asyncio.ensure_future(frontend.run(core, Options()))
        await until(lambda: bool(visible_sign_in_dialogs()))
        dialog = visible_sign_in_dialogs()[0]
        dialog.username.setText("giamdoc")
        dialog.password.setText("hopdesk-demo")
        dialog.submit()
        await window_with_lists(frontend)
        session = core.session
        old = session._refresh
        await session.refresh_access(session.access_token)  # rotates: `old` is now stale
        # Its successor is used too, so `old` is no lost answer (the server's grace) but a copy.
        await session.refresh_access(session.access_token)
        session._refresh = old  # simulate a stolen/replayed token: the server revokes all
        session._access = "expired"
        await asyncio.gather(session.refresh_access("expired"), return_exceptions=True)
        await until(lambda: bool(visible_sign_in_dialogs()))
        visible_sign_in_dialogs()[0].reject()
        return await run

    assert aio(scenario(), 60) == 0
    aio(core.aclose())


def test_sign_in_after_wrong_passwords_is_told_through_the_notifier(
    aio: Any, qapp: QApplication, server: ServerProcess, tmp_path: Path
) -> None:
    from tests.server.conftest import api_for

    wrong = api_for(server).post("/auth/login", {"username": "giamdoc", "password": "guess"})
    assert wrong.status == 401
    core = make_core(tmp_path, memory_secrets(), server.url)
    notices: list[Notice] = []
    core.notifier.posted.connect(notices.append)
    frontend = QtFrontend()

    async def scenario() -> int:
        run = asyncio.ensure_future(frontend.run(core, Options()))
        await until(lambda: bool(visible_sign_in_dialogs()))
        dialog = visible_sign_in_dialogs()[0]
        dialog.username.setText("giamdoc")
        dialog.password.setText("hopdesk-demo")
        dialog.submit()
        await window_with_lists(frontend)
        frontend._finish("quit")
        return await run

    assert aio(scenario(), 60) == 0
    warnings = [n.text for n in notices if n.severity == Severity.WARNING]
    assert len(warnings) == 1
    assert "since your last sign-in: 1;" in warnings[0]
    assert "127.0.0.1" in warnings[0]
    aio(core.aclose())


def test_a_remembered_start_with_the_server_down_shows_the_cached_lists_then_the_server_s(
    aio: Any, qapp: QApplication, tmp_path: Path
) -> None:
    """Offline at start: the window opens with the last session's lists and says the server
    cannot be reached (no sign-in dialog, no error); once the server answers again, the event
    stream connects and the lists come from it (before: the sign-in dialog, with nothing)."""
    server = ServerProcess(tmp_path / "server").start()
    try:
        secrets = memory_secrets()
        remember_sign_in(aio, tmp_path, secrets, server.url)
        aio(run_until_fresh(make_core(tmp_path, secrets, server.url)), 60)
        server.stop()

        core = make_core(tmp_path, secrets, server.url)
        notices: list[Notice] = []
        core.notifier.posted.connect(notices.append)
        frontend = QtFrontend()

        async def scenario() -> int:
            run = asyncio.ensure_future(frontend.run(core, Options()))
            window = await window_with_lists(frontend)
            assert window.meetings_view.model.rowCount() > 0  # the last session's
            assert not visible_sign_in_dialogs()
            await until(lambda: any(n.severity == Severity.WARNING for n in notices))
            assert not frontend._loaded
            await asyncio.to_thread(server.start)  # the same address
            await until(lambda: frontend._loaded, 60)
            frontend._finish("quit")
            return await run

        assert aio(scenario(), 120) == 0
        assert not [n for n in notices if n.severity == Severity.ERROR]
        aio(core.aclose())
    finally:
        server.stop()


async def run_until_fresh(core: Core) -> None:
    """One run of the app until its window shows the server's lists, then quit: it leaves
    them in the cache."""
    frontend = QtFrontend()
    run = asyncio.ensure_future(frontend.run(core, Options()))
    await until(lambda: frontend._loaded and frontend._shown)
    frontend._finish("quit")
    await run
    await core.aclose()
