"""Cài đặt: language, server and connection settings; policy-locked values are greyed out.

Language switches live: saving installs the new translator and every window retranslates itself
(Qt's LanguageChange); nothing needs a restart. TLS trust (an agency CA, or no checks at all) is
not here: only the machine policy sets it (desktop/config.py `POLICY_ONLY`).
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QEvent
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

from desktop.config import UPDATE_CHANNELS, Config


class SettingsDialog(QDialog):
    """Edits the user layer of `Config`; `changes` holds what the user changed after accept."""

    def __init__(
        self, config: Config, parent: QWidget | None = None, *, demo_server: str | None = None
    ) -> None:
        """`demo_server`: the address of the demo server this process started (`--demo`): shown,
        not editable, never saved (it changes at every start)."""
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
        self.editors: dict[str, QWidget] = {
            "language": self.language,
            "server_url": self.server_url,
            "proxy": self.proxy,
            "media_backend": self.media_backend,
            "ice_servers": self.ice_servers,
            "update_channel": self.update_channel,
        }
        self.labels = {key: QLabel(self) for key in self.editors}
        form = QFormLayout()
        for key, editor in self.editors.items():
            form.addRow(self.labels[key], editor)
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
        super().accept()
