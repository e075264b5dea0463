"""Shows the notifier's notices: status bar for info, message box for errors, crash dialog."""

from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from desktop.notify import Notice, Notifier, Severity
from ui.crash_dialog import CrashDialog

log = logging.getLogger(__name__)

STATUS_MS = 10_000
MAX_OPEN_CRASH_DIALOGS = 3  # a crash loop must not bury the screen in dialogs


class NoticePresenter(QObject):
    """Subscribes to a `Notifier`; `window` (when set) is the main window with a status bar."""

    def __init__(self, notifier: Notifier, log_path: str = "", parent: QObject | None = None):
        super().__init__(parent)
        self.window: QMainWindow | None = None
        self.log_path = log_path
        self.open_dialogs: list[QWidget] = []
        notifier.posted.connect(self.show, Qt.ConnectionType.QueuedConnection)

    def show(self, notice: Notice) -> None:
        """Present one notice by severity."""
        window = self.window if self.window is not None and self.window.isVisible() else None
        if notice.severity == Severity.CRASH:
            self._open(CrashDialog(notice.text, notice.details, self.log_path, window))
            return
        if notice.severity == Severity.INFO or (
            notice.severity == Severity.WARNING and window is not None
        ):
            if window is not None:
                window.statusBar().showMessage(notice.text, STATUS_MS)
            return
        box = QMessageBox(window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setIcon(
            QMessageBox.Icon.Warning
            if notice.severity == Severity.WARNING
            else QMessageBox.Icon.Critical
        )
        box.setWindowTitle("HopDesk")
        box.setText(notice.text)
        if notice.details:
            box.setDetailedText(notice.details)
        self._open(box)

    def _open(self, dialog: QWidget) -> None:
        self.open_dialogs = [d for d in self.open_dialogs if shiboken6.isValid(d) and d.isVisible()]
        if len(self.open_dialogs) >= MAX_OPEN_CRASH_DIALOGS:
            log.warning("too many open notices; not showing another")
            dialog.deleteLater()
            return
        self.open_dialogs.append(dialog)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
