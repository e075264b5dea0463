"""Shown for an uncaught exception: a calm translated message, the details, "Copy details"."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class CrashDialog(QDialog):
    """Non-modal: the app keeps running; the details can be copied for the IT desk."""

    def __init__(
        self, summary: str, details: str, log_path: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("HopDesk — unexpected error"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.details = details
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        text = self.tr(
            "HopDesk ran into an unexpected problem. Your work has been kept where possible; "
            "if something no longer works, restart HopDesk. Please send the details below to "
            "your IT desk."
        )
        if log_path:
            text += "\n\n" + self.tr("Log file: %1").replace("%1", log_path)
        self.message.setText(text)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = QLabel(summary, self)
        self.summary.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setPlainText(details)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.copy_button = QPushButton(self.tr("Copy details"), self)
        self.copy_button.clicked.connect(self.copy_details)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.summary)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.resize(640, 420)

    def copy_details(self) -> None:
        """Put the summary and the traceback on the clipboard."""
        QGuiApplication.clipboard().setText(f"{self.summary.text()}\n\n{self.details}")
        self.copy_button.setText(self.tr("Copied"))
