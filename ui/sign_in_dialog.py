"""Đăng nhập: server URL, user name, password, "remember me"; errors inline, with retry."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import User
from desktop.notify import user_message
from ui.tasks import TaskOwner

log = logging.getLogger(__name__)

# (server_url, username, password, remember) -> the signed-in User
SignIn = Callable[[str, str, str, bool], Awaitable[User]]


class SignInDialog(QDialog):
    """Calls `sign_in` (the session's async method) and stays open on errors."""

    def __init__(
        self,
        sign_in: SignIn,
        *,
        server_url: str = "",
        username: str = "",
        server_locked: bool = False,
        remember_available: bool = True,
        remember_unavailable_reason: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._sign_in = sign_in
        self.tasks = TaskOwner(self)
        self.user: User | None = None

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.server = QLineEdit(server_url, self)
        self.server.setEnabled(not server_locked)
        self.server_locked = server_locked
        self.username = QLineEdit(username, self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(self)
        self.remember.setEnabled(remember_available)
        self.remember_reason = remember_unavailable_reason
        self.remember_note = QLabel(self)
        self.remember_note.setWordWrap(True)
        self.remember_note.setObjectName("hint")
        self.remember_note.setVisible(not remember_available)
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.sign_in_button = QPushButton(self)
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.reject)

        self.form = QFormLayout()
        self.server_label = QLabel(self)
        self.username_label = QLabel(self)
        self.password_label = QLabel(self)
        self.form.addRow(self.server_label, self.server)
        self.form.addRow(self.username_label, self.username)
        self.form.addRow(self.password_label, self.password)
        self.form.addRow("", self.remember)
        self.form.addRow("", self.remember_note)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.sign_in_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.setMinimumWidth(460)
        for edit in (self.server, self.username, self.password):
            edit.textChanged.connect(self._update_enabled)
        self.retranslate()
        self._update_enabled()
        (self.password if username else self.username).setFocus()

    def retranslate(self) -> None:
        """Every visible text, in the current language."""
        self.setWindowTitle(self.tr("Sign in to HopDesk"))
        self.intro.setText(self.tr("Sign in with the account your office gave you."))
        self.server_label.setText(self.tr("Server:"))
        self.username_label.setText(self.tr("User name:"))
        self.password_label.setText(self.tr("Password:"))
        self.remember.setText(self.tr("Remember me on this computer"))
        self.remember_note.setText(
            self.tr("Cannot remember you: the system keyring is unavailable (%1).").replace(
                "%1", self.remember_reason or self.tr("no keyring")
            )
        )
        if self.server_locked:
            self.server.setToolTip(self.tr("Set by your organisation's policy"))
        self.sign_in_button.setText(self.tr("Sign in"))
        self.cancel_button.setText(self.tr("Cancel"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _update_enabled(self) -> None:
        ready = all(e.text().strip() for e in (self.server, self.username)) and bool(
            self.password.text()
        )
        self.sign_in_button.setEnabled(ready and not self.tasks.busy)

    def set_busy(self, busy: bool) -> None:
        """Grey the form while signing in."""
        for widget in (self.server, self.username, self.password, self.remember):
            widget.setEnabled(not busy and (widget is not self.server or not self.server_locked))
        if not busy:
            self.remember.setEnabled(not self.remember_note.isVisible())
        self.sign_in_button.setText(self.tr("Signing in…") if busy else self.tr("Sign in"))
        self._update_enabled()
        if busy:
            self.sign_in_button.setEnabled(False)

    def show_error(self, text: str) -> None:
        """An error under the form; the user corrects and presses Sign in again."""
        self.error.setText(text)
        self.error.show()

    def submit(self) -> None:
        """Start signing in (a task owned by the dialog, cancelled if it closes)."""
        if self.tasks.busy:
            return
        self.error.hide()
        self.set_busy(True)
        self.tasks.run(self._do_sign_in(), on_error=self._failed)

    async def _do_sign_in(self) -> None:
        self.user = await self._sign_in(
            self.server.text().strip(),
            self.username.text().strip(),
            self.password.text(),
            self.remember.isChecked() and self.remember.isEnabled(),
        )
        self.set_busy(False)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        log.info("sign-in failed: %r", exc)
        self.set_busy(False)
        self.show_error(user_message(exc))
        self.password.selectAll()
        self.password.setFocus()

    def reject(self) -> None:
        self.tasks.cancel_all()
        super().reject()
