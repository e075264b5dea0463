"""The sign-in dialog against the real server: success, and every error shown inline."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from desktop.config import Config
from desktop.session import Session
from tests.fixtures.server import ServerProcess
from tests.ui.conftest import memory_secrets, no_secrets, until
from ui.sign_in_dialog import SignInDialog


def make_dialog(qtbot: QtBot, url: str, secrets: Any = None, **settings: Any) -> SignInDialog:
    session = Session(Config(cli=settings), secrets or memory_secrets())
    dialog = SignInDialog(
        session.sign_in,
        server_url=url,
        username="giamdoc",
        remember_available=bool((secrets or memory_secrets()).available),
        remember_unavailable_reason=(secrets or memory_secrets()).why_unavailable,
    )
    dialog.session = session  # type: ignore[attr-defined]
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def attempt(aio: Any, qtbot: QtBot, dialog: SignInDialog, password: str) -> None:
    """Type the password, press Sign in, wait for the outcome."""
    dialog.password.setText(password)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    aio(until(lambda: not dialog.tasks.busy))


def close_session(aio: Any, dialog: SignInDialog) -> None:
    aio(dialog.session.close())  # type: ignore[attr-defined]


def test_sign_in_succeeds(aio: Any, qtbot: QtBot, server: ServerProcess) -> None:
    dialog = make_dialog(qtbot, server.url)
    attempt(aio, qtbot, dialog, "hopdesk-demo")
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.user.username == "giamdoc"
    assert dialog.user.full_name
    close_session(aio, dialog)


def test_wrong_password_then_retry(
    aio: Any, qtbot: QtBot, server: ServerProcess, vietnamese: None
) -> None:
    dialog = make_dialog(qtbot, server.url)
    attempt(aio, qtbot, dialog, "wrong")
    assert dialog.isVisible()
    assert dialog.error.isVisible()
    assert "Traceback" not in dialog.error.text()
    assert dialog.error.text()
    assert dialog.sign_in_button.isEnabled()
    attempt(aio, qtbot, dialog, "hopdesk-demo")
    assert dialog.result() == QDialog.DialogCode.Accepted
    close_session(aio, dialog)


def test_too_many_attempts_says_when(aio: Any, qtbot: QtBot, server: ServerProcess) -> None:
    dialog = make_dialog(qtbot, server.url)
    for _ in range(8):  # 3 failures are free, then each makes the next wait twice as long
        attempt(aio, qtbot, dialog, "wrong")
        if "Too many failed attempts" in dialog.error.text():
            break
    text = dialog.error.text()
    assert "Too many failed attempts" in text
    assert any(ch.isdigit() for ch in text)
    close_session(aio, dialog)


def test_unreachable_server_names_the_url(aio: Any, qtbot: QtBot) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    dialog = make_dialog(qtbot, url)
    attempt(aio, qtbot, dialog, "hopdesk-demo")
    assert dialog.isVisible()
    assert url in dialog.error.text()
    close_session(aio, dialog)


def test_tls_error_is_explained(aio: Any, qtbot: QtBot, server_factory: Any) -> None:
    secure = server_factory(tls=True)
    dialog = make_dialog(qtbot, secure.url)
    attempt(aio, qtbot, dialog, "hopdesk-demo")
    assert dialog.isVisible()
    assert "secure connection" in dialog.error.text()
    assert secure.url in dialog.error.text()
    close_session(aio, dialog)


def test_remember_me_disabled_without_keyring(qtbot: QtBot, tmp_path: Path) -> None:
    secrets = no_secrets()
    dialog = make_dialog(qtbot, "https://example.invalid", secrets=secrets)
    assert not dialog.remember.isEnabled()
    assert dialog.remember_note.isVisible()
    assert secrets.why_unavailable in dialog.remember_note.text()


@pytest.mark.parametrize("url", ["", "ftp://x"])
def test_invalid_url_is_explained(aio: Any, qtbot: QtBot, url: str) -> None:
    dialog = make_dialog(qtbot, url or " ")
    dialog.server.setText(url or "http://")
    attempt(aio, qtbot, dialog, "x")
    assert dialog.error.isVisible()
    assert dialog.error.text()
