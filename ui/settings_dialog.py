"""Cài đặt: language, server and connection settings; policy-locked values are greyed out.

Language switches live: saving installs the new translator and every window retranslates itself
(Qt's LanguageChange); nothing needs a restart. TLS trust (an agency CA, or no checks at all) is
not here: only the machine policy sets it (desktop/config.py `POLICY_ONLY`).

Signing: the USB token's driver (the vendor's PKCS#11 DLL) and the remote signing service
(its API shape, base URL, account and credential) come from here or from the policy. The
service's access token goes into the OS keyring (`RemoteTokens`), never into the settings file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.config import REMOTE_SIGNING_KINDS, UPDATE_CHANNELS, Config

SaveRemoteToken = Callable[[str], None]
"""Stores the remote signing service's token for the service just saved (in the keyring)."""


class SettingsDialog(QDialog):
    """Edits the user layer of `Config`; `changes` holds what the user changed after accept."""

    def __init__(
        self,
        config: Config,
        parent: QWidget | None = None,
        *,
        demo_server: str | None = None,
        save_remote_token: SaveRemoteToken | None = None,
    ) -> None:
        """`demo_server`: the address of the demo server this process started (`--demo`): shown,
        not editable, never saved (it changes at every start). `save_remote_token`: where a
        remote signing token typed here goes (None: no token field)."""
        super().__init__(parent)
        self.config = config
        self.demo_server = demo_server
        settings = config.settings
        self.changes: dict[str, object] = {}

        self.language = QComboBox(self)
        self.language.addItem("Tiếng Việt", "vi")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.server_url = QLineEdit(demo_server or settings.server_url or "", self)
        self.proxy = QLineEdit(settings.proxy or "", self)
        self.media_backend = QLineEdit(str(settings.media_backend or ""), self)
        self.ice_servers = QLineEdit("; ".join(settings.ice_servers or ()), self)
        self.update_channel = QComboBox(self)
        for channel in UPDATE_CHANNELS:
            self.update_channel.addItem("", channel)  # labels in retranslate()
        self.update_channel.setCurrentIndex(
            max(0, self.update_channel.findData(settings.update_channel))
        )
        self.pkcs11_module = QLineEdit(settings.pkcs11_module or "", self)
        self.remote_signing = QComboBox(self)
        for kind in REMOTE_SIGNING_KINDS:
            self.remote_signing.addItem("", kind)  # labels in retranslate()
        self.remote_signing.setCurrentIndex(
            max(0, self.remote_signing.findData(settings.remote_signing))
        )
        self.remote_signing_url = QLineEdit(settings.remote_signing_url or "", self)
        self.remote_signing_user = QLineEdit(settings.remote_signing_user or "", self)
        self.remote_signing_credential = QLineEdit(settings.remote_signing_credential or "", self)
        self.save_remote_token = save_remote_token
        self.remote_token = QLineEdit(self)
        self.remote_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.remote_token.setVisible(save_remote_token is not None)
        self.editors: dict[str, QWidget] = {
            "language": self.language,
            "server_url": self.server_url,
            "proxy": self.proxy,
            "media_backend": self.media_backend,
            "ice_servers": self.ice_servers,
            "update_channel": self.update_channel,
            "pkcs11_module": self.pkcs11_module,
            "remote_signing": self.remote_signing,
            "remote_signing_url": self.remote_signing_url,
            "remote_signing_user": self.remote_signing_user,
            "remote_signing_credential": self.remote_signing_credential,
        }
        self.labels = {key: QLabel(self) for key in self.editors}
        self.remote_token_label = QLabel(self)
        form = QFormLayout()
        for key, editor in self.editors.items():
            form.addRow(self.labels[key], editor)
        if save_remote_token is not None:
            form.addRow(self.remote_token_label, self.remote_token)
        self.devices_button = QPushButton(self)  # camera, microphone, speaker: their own page
        self.devices_button.clicked.connect(self.test_devices)
        form.addRow(self.devices_button)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.save_button = QPushButton(self)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.accept)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self.setMinimumWidth(480)
        self.retranslate()

    def is_locked(self, key: str) -> bool:
        """Whether machine policy (or the demo) fixes `key` (a missing key is never locked)."""
        if key == "server_url" and self.demo_server:
            return True
        try:
            return bool(self.config.locked(key))
        except KeyError:
            return False

    def retranslate(self) -> None:
        """Texts, and the policy state of every editor."""
        self.setWindowTitle(self.tr("Settings"))
        titles = {
            "language": self.tr("Language:"),
            "server_url": self.tr("Server address:"),
            "proxy": self.tr("Proxy:"),
            "media_backend": self.tr("Media server:"),
            "ice_servers": self.tr("STUN/TURN servers:"),
            "update_channel": self.tr("Update channel:"),
            "pkcs11_module": self.tr("USB token driver (PKCS#11):"),
            "remote_signing": self.tr("Remote signing service:"),
            "remote_signing_url": self.tr("Remote signing address:"),
            "remote_signing_user": self.tr("Remote signing account:"),
            "remote_signing_credential": self.tr("Remote signing certificate (credential ID):"),
        }
        for key, label in self.labels.items():
            label.setText(titles[key])
        channels = {
            "stable": self.tr("Stable"),
            "lts": self.tr("Long-term support"),
            "beta": self.tr("Beta (try new features first)"),
        }
        for index in range(self.update_channel.count()):
            self.update_channel.setItemText(index, channels[self.update_channel.itemData(index)])
        kinds = {
            "": self.tr("None"),
            "csc": self.tr("CSC API (Viettel MySign…)"),
            "hash-poll": self.tr("Send the hash, then wait (VNPT SmartCA, FPT CA)"),
        }
        for index in range(self.remote_signing.count()):
            self.remote_signing.setItemText(index, kinds[self.remote_signing.itemData(index)])
        self.remote_token_label.setText(self.tr("Remote signing access token:"))
        self.remote_token.setPlaceholderText(self.tr("Kept in the system keyring"))
        policy_tip = self.tr("Set by your organisation's policy")
        for key, editor in self.editors.items():
            locked = self.is_locked(key)
            tip = policy_tip if locked else ""
            if key == "server_url" and self.demo_server:
                tip = self.tr("The demo server HopDesk started on this computer")
            editor.setEnabled(not locked)
            editor.setToolTip(tip)
            self.labels[key].setToolTip(tip)
        self.note.setText(
            self.tr(
                "Language changes apply at once. "
                "Greyed-out values are set by your organisation's policy."
            )
        )
        self.save_button.setText(self.tr("Save"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.devices_button.setText(self.tr("Test camera, microphone and speaker…"))

    def test_devices(self) -> QDialog:
        """Open the device test page (ui/call/device_test.py); it saves its own choice."""
        from ui.call.device_test import DeviceTestDialog  # QtMultimedia: only when asked

        dialog = DeviceTestDialog(self.config, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def values(self) -> dict[str, object]:
        """What the editors hold now (unlocked keys only)."""
        values: dict[str, object] = {
            "language": self.language.currentData(),
            "server_url": self.server_url.text().strip(),
            "proxy": self.proxy.text().strip() or None,
            "media_backend": self.media_backend.text().strip(),
            "ice_servers": tuple(
                part.strip() for part in self.ice_servers.text().split(";") if part.strip()
            ),
            "update_channel": self.update_channel.currentData(),
            "pkcs11_module": self.pkcs11_module.text().strip() or None,
            "remote_signing": self.remote_signing.currentData(),
            "remote_signing_url": self.remote_signing_url.text().strip() or None,
            "remote_signing_user": self.remote_signing_user.text().strip() or None,
            "remote_signing_credential": self.remote_signing_credential.text().strip() or None,
        }
        return {k: v for k, v in values.items() if not self.is_locked(k)}

    def accept(self) -> None:
        """Save what changed into the user settings file."""
        current = dataclasses.asdict(self.config.settings)
        self.changes = {
            k: v for k, v in self.values().items() if (current.get(k) or None) != (v or None)
        }
        if self.changes:
            self.config.save_user(**self.changes)
        token = self.remote_token.text().strip()
        if token and self.save_remote_token is not None:
            self.save_remote_token(token)
            self.remote_token.clear()
        super().accept()
