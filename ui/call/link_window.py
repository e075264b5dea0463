"""A call opened from a link with no meeting behind it (a WHIP endpoint, desktop/join_link.py):
the call stage alone in a window, its service closed with the window."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QWidget

from desktop.call_service import CallService
from ui.call.stage import CallStage
from ui.tasks import TaskOwner


class LinkCallWindow(QMainWindow):
    """Joins at once; closing the window leaves the call."""

    closed = Signal()

    def __init__(self, service: CallService, where: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.where = where  # the media server's host, for the title
        self.tasks = TaskOwner(self)
        self.stage = CallStage(service, self)
        self.setCentralWidget(self.stage)
        self.resize(960, 620)
        self.retranslate()
        self.stage.start()

    async def aclose(self) -> None:
        """Leave the call and end the window's tasks."""
        await self.stage.tasks.aclose()
        await self.service.leave()
        await self.tasks.aclose()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.tasks.run(self.service.leave())
        self.closed.emit()
        super().closeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """The title in the current language."""
        self.setWindowTitle(self.tr("Call — %1").replace("%1", self.where))
