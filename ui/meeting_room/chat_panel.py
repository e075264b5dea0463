"""The meeting chat panel: the history I may read, a line to write, to everyone or to one.

Messages of mine still on their way show greyed as "sending"; a message the server refused for
good is told once and left in the input so nothing typed is lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.meeting_room.chat import MAX_TEXT, ChatMessage, Outgoing
from desktop.notify import notifier
from ui.tasks import TaskOwner

if TYPE_CHECKING:
    from desktop.domain import UserRef
    from desktop.meeting_room.chat import ChatService

ModelIndex = QModelIndex | QPersistentModelIndex


class ChatModel(QAbstractListModel):
    """The messages in id order, then my messages still being sent."""

    def __init__(self, service: ChatService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.rows: list[ChatMessage | Outgoing] = []
        service.changed.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        """Take the service's messages."""
        self.beginResetModel()
        self.rows = [*self.service.messages, *self.service.outgoing]
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        """One row per message."""
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """A message as "sender: text" (or "sender → recipient: text" when private)."""
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        sending = isinstance(row, Outgoing)
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(row, Outgoing):
                return self.tr("(sending) %1").replace("%1", row.text)
            message: ChatMessage = row
            if message.to is not None:
                return (
                    self.tr("%1 → %2: %3")
                    .replace("%1", message.sender.full_name)
                    .replace("%2", message.to.full_name)
                    .replace("%3", message.text)
                )
            return f"{message.sender.full_name}: {message.text}"
        if role == Qt.ItemDataRole.ForegroundRole and sending:
            return QBrush(QPalette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        return None


class ChatPanel(QWidget):
    """History, "load older", a recipient choice and a line to send."""

    def __init__(
        self, service: ChatService, participants: list[UserRef], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.tasks = TaskOwner(self)
        self.model = ChatModel(service, self)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setWordWrap(True)
        self.older_button = QPushButton(self.tr("Load older messages"), self)
        self.older_button.clicked.connect(lambda: self.tasks.run(service.load_older()))
        self.recipient = QComboBox(self)
        self.recipient.addItem(self.tr("Everyone"), None)
        for person in participants:
            if person.id != service.my_id:
                self.recipient.addItem(person.full_name, person.id)
        self.input = QLineEdit(self)
        self.input.setMaxLength(MAX_TEXT)
        self.input.setPlaceholderText(self.tr("Write a message"))
        self.send_button = QPushButton(self.tr("Send"), self)
        self.input.returnPressed.connect(self.send)
        self.send_button.clicked.connect(self.send)
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.older_button)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.recipient)
        layout.addLayout(row)
        service.changed.connect(self._on_changed)
        service.refused.connect(self._on_refused)
        self._on_changed()

    def send(self) -> None:
        """Send the line to the chosen recipient (through the service's outbox)."""
        text = self.input.text().strip()
        if not text:
            return
        self.service.send(text, self.recipient.currentData())
        self.input.clear()

    def _on_changed(self) -> None:
        self.older_button.setVisible(self.service.more_before)
        self.view.scrollToBottom()

    def _on_refused(self, text: str) -> None:
        notifier().warning(self.tr("The message could not be sent: %1").replace("%1", text))
        if not self.input.text():
            self.input.setText(text)
