"""The speak queue panel (đăng ký phát biểu): who speaks, who waits in which place, and the
buttons the user's role allows — ask or withdraw for a delegate, the floor for the chair.

The order and the places come from the server (desktop/meeting_room/speak.py); this view only
shows them and sends the user's choices to the service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.tasks import TaskOwner

if TYPE_CHECKING:
    from collections.abc import Coroutine
    from typing import Any

    from desktop.meeting_room.speak import SpeakQueue, SpeakRequest, SpeakService

ModelIndex = QModelIndex | QPersistentModelIndex
REQUEST_ID = Qt.ItemDataRole.UserRole + 1


class SpeakQueueModel(QAbstractListModel):
    """The speaker (first, highlighted) and the waiting requests in the server's order."""

    def __init__(self, service: SpeakService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.rows: list[SpeakRequest] = []
        service.changed.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        """Take the service's newest snapshot."""
        queue = self.service.queue
        self.beginResetModel()
        self.rows = ([queue.speaker] if queue and queue.speaker else []) + (
            list(queue.queue) if queue else []
        )
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        """One row per request shown."""
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Text, emphasis and the request id of a row."""
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        request = self.rows[index.row()]
        speaking = request.state == "granted"
        if role == Qt.ItemDataRole.DisplayRole:
            if speaking:
                return self.tr("Speaking: %1").replace("%1", request.user.full_name)
            return f"{request.place}. {request.user.full_name}"
        if role == Qt.ItemDataRole.FontRole and speaking:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and speaking:
            return QBrush(QPalette().color(QPalette.ColorRole.Highlight).lighter(170))
        if role == REQUEST_ID:
            return request.id
        return None


class SpeakPanel(QWidget):
    """The queue with its actions; `controls` shows the chair's (chair and secretary)."""

    def __init__(
        self, service: SpeakService, controls: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.controls = controls
        self.tasks = TaskOwner(self)
        self.model = SpeakQueueModel(service, self)
        self.speaker = QLabel(self)
        self.speaker.setWordWrap(True)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.place = QLabel(self)
        self.ask_button = QPushButton(self.tr("Request to speak"), self)
        self.withdraw_button = QPushButton(self.tr("Withdraw request"), self)
        self.ask_button.clicked.connect(lambda: service.ask())
        self.withdraw_button.clicked.connect(service.withdraw)

        self.grant_button = QPushButton(self.tr("Give the floor"), self)
        self.next_button = QPushButton(self.tr("Next"), self)
        self.end_button = QPushButton(self.tr("End turn"), self)
        self.lower_button = QPushButton(self.tr("Lower"), self)
        self.lower_all_button = QPushButton(self.tr("Lower all"), self)
        self.muted = QCheckBox(self.tr("Delegates stay muted until given the floor"), self)
        self.grant_button.clicked.connect(self._grant)
        self.next_button.clicked.connect(lambda: self._run(service.next()))
        self.end_button.clicked.connect(lambda: self._run(service.end_turn()))
        self.lower_button.clicked.connect(self._lower)
        self.lower_all_button.clicked.connect(lambda: self._run(service.lower_all()))
        self.muted.clicked.connect(lambda on: self._run(service.set_muted_until_floor(on)))
        chair = QGridLayout()
        for n, button in enumerate(
            (
                self.grant_button,
                self.next_button,
                self.end_button,
                self.lower_button,
                self.lower_all_button,
            )
        ):
            chair.addWidget(button, n // 2, n % 2)

        layout = QVBoxLayout(self)
        layout.addWidget(self.speaker)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.place)
        layout.addWidget(self.ask_button)
        layout.addWidget(self.withdraw_button)
        layout.addLayout(chair)
        layout.addWidget(self.muted)
        for widget in self._chair_widgets():
            widget.setVisible(controls)
        self.view.selectionModel().selectionChanged.connect(self.update_state)
        service.changed.connect(self.update_state)
        self.update_state()

    def _chair_widgets(self) -> tuple[QWidget, ...]:
        return (
            self.grant_button,
            self.next_button,
            self.end_button,
            self.lower_button,
            self.lower_all_button,
            self.muted,
        )

    def selected(self) -> SpeakRequest | None:
        """The request selected in the list."""
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.rows[rows[0].row()] if rows[0].row() < len(self.model.rows) else None

    def update_state(self) -> None:
        """Labels and buttons for the queue as it stands."""
        queue: SpeakQueue | None = self.service.queue
        speaker = queue.speaker if queue else None
        self.speaker.setText(
            self.tr("Speaking now: %1").replace("%1", speaker.user.full_name)
            if speaker
            else self.tr("Nobody has the floor")
        )
        mine = self.service.my_request()
        sending = self.service.sending()
        if mine is not None and mine.state == "granted":
            self.place.setText(self.tr("You have the floor"))
        elif mine is not None:
            self.place.setText(self.tr("Your place: %1").replace("%1", str(mine.place)))
        elif sending:
            self.place.setText(self.tr("Sending your request…"))
        else:
            self.place.setText("")
        can_ask = not self.controls and queue is not None
        self.ask_button.setVisible(can_ask and mine is None)
        self.withdraw_button.setVisible(can_ask and mine is not None)
        self.ask_button.setEnabled(not sending)
        self.withdraw_button.setEnabled(not sending)
        chosen = self.selected()
        waiting = bool(queue and queue.queue)
        self.grant_button.setEnabled(chosen is not None and chosen.state == "queued")
        self.lower_button.setEnabled(chosen is not None and chosen.state == "queued")
        self.next_button.setEnabled(waiting)
        self.lower_all_button.setEnabled(waiting)
        self.end_button.setEnabled(speaker is not None)
        self.muted.setChecked(bool(queue and queue.muted_until_floor))

    def _grant(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self._run(self.service.grant(chosen.id))

    def _lower(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self._run(self.service.lower(chosen.id))

    def _run(self, action: Coroutine[Any, Any, object]) -> None:
        self.tasks.run(action)  # a refusal (the queue moved on) is told by the notifier
