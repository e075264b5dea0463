"""The call on the meeting room's stage: joining starts when the room opens, then the call
widget; after leaving (or when joining failed), a sentence and a button to join again. Device
problems (no camera, a busy microphone) stay readable above the call.

`add_call(window)` is the meeting room window's one line (ui/meeting_room/window.py): for an
online meeting it builds the `CallService`, hands it to the window to close with it, and puts
this stage in the middle.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from desktop.call_service import CallService
from desktop.notify import user_message
from ui.call.widget import CallWidget
from ui.tasks import TaskOwner

if TYPE_CHECKING:
    from ui.meeting_room.window import MeetingRoomWindow

log = logging.getLogger(__name__)


class CallStage(QWidget):
    """Joins the service's call and shows it; offers to join again after leaving."""

    left = Signal()  # the user hung up
    joined = Signal(object)  # the CallWidget of the call just joined

    def __init__(self, service: CallService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        service.notice.connect(self._notice)
        self.tasks = TaskOwner(self)
        self.widget: CallWidget | None = None
        self.notes = QLabel(self)
        self.notes.setWordWrap(True)
        self.notes.hide()
        self.message = QLabel(self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.join_button = QPushButton(self)
        self.join_button.clicked.connect(self.start)
        idle = QWidget(self)
        column = QVBoxLayout(idle)
        column.addStretch(1)
        column.addWidget(self.message)
        column.addWidget(self.join_button, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(1)
        self.idle = idle
        self.pages = QStackedWidget(self)
        self.pages.addWidget(idle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.notes)
        layout.addWidget(self.pages, 1)
        self._state = "joining"
        self._reason = ""
        self.retranslate()

    def start(self) -> None:
        """Join the call (again)."""
        self._state = "joining"
        self.join_button.hide()
        self.retranslate()
        self.tasks.run(self._join(), on_error=self._join_failed)

    async def _join(self) -> None:
        call = await self.service.join()
        if self.service.problems:
            self.notes.setText("\n".join(self.service.problems))
            self.notes.show()
        widget = self.widget = CallWidget(call, self)
        widget.leave_requested.connect(self.leave)
        self.pages.addWidget(widget)
        self.pages.setCurrentWidget(widget)
        self.joined.emit(widget)

    def _notice(self, text: str) -> None:
        self.notes.setText("\n".join(self.service.problems) or text)
        self.notes.show()

    def _join_failed(self, exc: BaseException) -> None:
        log.warning("could not join the call", exc_info=exc)
        self._state = "failed"
        self._reason = user_message(exc)
        self.join_button.show()
        self.retranslate()

    def leave(self) -> None:
        """Hang up; the stage then offers to join again."""
        self.left.emit()
        self._state = "left"
        self.join_button.show()
        self.retranslate()
        self.tasks.run(self._leave())

    async def _leave(self) -> None:
        widget, self.widget = self.widget, None
        self.pages.setCurrentWidget(self.idle)
        self.notes.hide()
        await self.service.leave()
        if widget is not None:
            self.pages.removeWidget(widget)
            widget.deleteLater()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Texts in the current language."""
        self.join_button.setText(self.tr("Join the call"))
        if self._state == "joining":
            self.message.setText(self.tr("Joining the call…"))
        elif self._state == "left":
            self.message.setText(self.tr("You left the call."))
        else:
            self.message.setText(
                self.tr("Could not join the call. {reason}").format(reason=self._reason)
            )


def add_call(window: MeetingRoomWindow) -> CallStage | None:
    """Put the meeting's call on the window's stage, when the meeting is online."""
    if window.meeting.media is None:
        return None
    core = window.core
    service = CallService(core.session, window.meeting, demo=core.demo is not None)
    window.add_service(service)
    stage = CallStage(service, window)
    window.set_stage(stage)
    attendance = (
        window.attendance
    )  # the call says who is in it (desktop/meeting_room/attendance.py)

    def report(state: str, _reason: str) -> None:
        if state == "connected":
            window.tasks.run(attendance.report_call(True), on_error=log_failure)

    service.state_changed.connect(report)
    stage.left.connect(
        lambda: window.tasks.run(attendance.report_call(False), on_error=log_failure)
    )
    stage.start()
    return stage


def log_failure(exc: BaseException) -> None:
    """Presence in the call is best effort: the outbox retries; a refusal is only logged."""
    log.warning("call presence not reported: %r", exc)
