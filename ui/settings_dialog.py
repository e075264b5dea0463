"""Cài đặt: language, server and connection settings; policy-locked values are greyed out.

Language switches live: saving installs the new translator and every window retranslates itself
(Qt's LanguageChange); nothing needs a restart.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QCheckBox,
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


class SettingsDialog(QDialog):
    """Edits the user layer of `Config`; `changes` holds what the user changed after accept."""

    def __init__(self, config: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        settings = config.settings
        self.changes: dict[str, Any] = {}

        self.language = QComboBox(self)
        self.language.addItem("Tiếng Việt", "vi")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.server_url = QLineEdit(settings.server_url or "", self)
        self.proxy = QLineEdit(settings.proxy or "", self)
        self.ca_bundle = QLineEdit(str(settings.ca_bundle or ""), self)
        self.verify_tls = QCheckBox(self)
        self.verify_tls.setChecked(bool(settings.verify_tls))
        self.media_backend = QLineEdit(str(settings.media_backend or ""), self)
        self.ice_servers = QLineEdit("; ".join(settings.ice_servers or ()), self)
        self.update_channel = QLineEdit(str(settings.update_channel or ""), self)
        self.editors: dict[str, QWidget] = {
            "language": self.language,
            "server_url": self.server_url,
            "proxy": self.proxy,
            "ca_bundle": self.ca_bundle,
            "verify_tls": self.verify_tls,
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
        """Whether machine policy fixes `key` (a missing key is never locked)."""
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
            "ca_bundle": self.tr("Trusted certificates (CA file):"),
            "verify_tls": self.tr("Check server certificates"),
            "media_backend": self.tr("Media server:"),
            "ice_servers": self.tr("STUN/TURN servers:"),
            "update_channel": self.tr("Update channel:"),
        }
        for key, label in self.labels.items():
            label.setText(titles[key] if key != "verify_tls" else "")
        self.verify_tls.setText(titles["verify_tls"])
        policy_tip = self.tr("Set by your organisation's policy")
        for key, editor in self.editors.items():
            locked = self.is_locked(key)
            editor.setEnabled(not locked)
            editor.setToolTip(policy_tip if locked else "")
            self.labels[key].setToolTip(policy_tip if locked else "")
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

    def values(self) -> dict[str, Any]:
        """What the editors hold now (unlocked keys only)."""
        values: dict[str, Any] = {
            "language": self.language.currentData(),
            "server_url": self.server_url.text().strip(),
            "proxy": self.proxy.text().strip() or None,
            "ca_bundle": self.ca_bundle.text().strip() or None,
            "verify_tls": self.verify_tls.isChecked(),
            "media_backend": self.media_backend.text().strip(),
            "ice_servers": tuple(
                part.strip() for part in self.ice_servers.text().split(";") if part.strip()
            ),
            "update_channel": self.update_channel.text().strip(),
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
