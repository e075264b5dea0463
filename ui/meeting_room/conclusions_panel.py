"""The conclusions panel: each agenda item's conclusion (kết luận), and the minutes (biên bản).

Everyone reads the conclusions as the secretary writes them (live through `minutes.updated`);
the secretary and the chair edit them. Once the meeting has ended the secretary makes the
minutes ("Lập biên bản"): the server lays them out from the meeting and puts them in the
secretary's inbox for signature, then the chair's; "Mở biên bản" opens the current version (the
signed one once signed) in the reader through `open_requested`. "Ký biên bản" shows for the one
whose signature the minutes wait for (the secretary's, then the chair's) and asks, through
`sign_requested`, for the inbox's signing flow on the minutes' document. Under the conclusion,
everyone keeps their own note on the item ("Ghi chú của tôi": `ItemNotes`, only theirs to read).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.tasks import TaskOwner

if TYPE_CHECKING:
    from desktop.domain import AgendaItem
    from desktop.files import FileCache
    from desktop.meeting_room.item_notes import ItemNotes
    from desktop.meeting_room.minutes import MinutesService


class ConclusionsPanel(QWidget):
    """Agenda items with their conclusions; editing for `writes`, the minutes' buttons for the
    `secretary`, signing for the `secretary` and the `chair` in their turn. `set_status` tells
    it where the meeting is (minutes only once it ended)."""

    open_requested = Signal(Path)
    sign_requested = Signal(int)  # the minutes' document id

    def __init__(
        self,
        service: MinutesService,
        agenda: tuple[AgendaItem, ...],
        files: FileCache,
        *,
        writes: bool,
        secretary: bool,
        chair: bool = False,
        notes: ItemNotes | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.files = files
        self.writes = writes
        self.is_secretary = secretary
        self.is_chair = chair
        self.notes = notes
        self.status = ""
        self.tasks = TaskOwner(self)

        self.items = QListWidget(self)
        for item in agenda:
            entry = QListWidgetItem(f"{item.order}. {item.title}")
            entry.setData(Qt.ItemDataRole.UserRole, item.id)
            self.items.addItem(entry)
        self.editor = QPlainTextEdit(self)
        self.editor.setReadOnly(not writes)
        self.editor.setPlaceholderText(
            self.tr("The conclusion of this item") if writes else self.tr("No conclusion yet")
        )
        self.save_button = QPushButton(self.tr("Save the conclusion"), self)
        self.save_button.setVisible(writes)
        self.saved = QLabel(self)
        self.my_note = QPlainTextEdit(self)
        self.my_note.setPlaceholderText(self.tr("Only you can read your note"))
        self.note_button = QPushButton(self.tr("Save my note"), self)
        self.note_saved = QLabel(self)
        self.minutes_state = QLabel(self)
        self.minutes_state.setWordWrap(True)
        self.generate_button = QPushButton(self.tr("Make the minutes"), self)
        self.open_button = QPushButton(self.tr("Open the minutes"), self)
        self.sign_button = QPushButton(self.tr("Sign the minutes"), self)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Agenda"), self))
        layout.addWidget(self.items, 1)
        layout.addWidget(QLabel(self.tr("Conclusion"), self))
        layout.addWidget(self.editor, 2)
        save_row = QHBoxLayout()
        save_row.addWidget(self.saved, 1)
        save_row.addWidget(self.save_button)
        layout.addLayout(save_row)
        if notes is not None:
            layout.addWidget(QLabel(self.tr("My note"), self))
            layout.addWidget(self.my_note, 1)
            note_row = QHBoxLayout()
            note_row.addWidget(self.note_saved, 1)
            note_row.addWidget(self.note_button)
            layout.addLayout(note_row)
        layout.addWidget(QLabel(self.tr("Minutes"), self))
        layout.addWidget(self.minutes_state)
        buttons = QHBoxLayout()
        buttons.addWidget(self.generate_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.sign_button)
        layout.addLayout(buttons)

        self.items.currentRowChanged.connect(lambda _row: self._show_item())
        self.save_button.clicked.connect(self.save)
        self.generate_button.clicked.connect(self.generate)
        self.open_button.clicked.connect(self.open_minutes)
        self.sign_button.clicked.connect(self.sign_minutes)
        self.note_button.clicked.connect(self.save_note)
        service.changed.connect(self._refresh)
        if agenda:
            self.items.setCurrentRow(0)
        self._refresh()

    @property
    def current_item(self) -> int | None:
        """The id of the selected agenda item."""
        row = self.items.currentItem()
        return None if row is None else int(row.data(Qt.ItemDataRole.UserRole))

    def set_status(self, status: str) -> None:
        """The meeting's status: the minutes can be made once it has ended."""
        self.status = status
        self._refresh()

    def _show_item(self) -> None:
        item = self.current_item
        conclusion = self.service.conclusions.get(item) if item is not None else None
        self.editor.setPlainText(conclusion.text if conclusion else "")
        self.saved.clear()
        if self.notes is not None and item is not None:
            self.tasks.run(self._load_note(item))

    async def _load_note(self, item: int) -> None:
        assert self.notes is not None
        self.my_note.clear()
        self.note_saved.clear()
        note = await self.notes.load(item)
        if self.current_item == item:  # not moved to another item meanwhile
            self.my_note.setPlainText(note.text if note is not None else "")

    def save_note(self) -> None:
        """Keep my note on the selected item (sent through the outbox)."""
        item = self.current_item
        if self.notes is not None and item is not None:
            self.notes.save(item, self.my_note.toPlainText())
            self.note_saved.setText(self.tr("Saved"))

    def _refresh(self) -> None:
        item = self.current_item
        conclusion = self.service.conclusions.get(item) if item is not None else None
        if not self.writes or not self.editor.hasFocus():  # never under the writer's cursor
            text = conclusion.text if conclusion else ""
            if self.editor.toPlainText() != text:
                self.editor.setPlainText(text)
        self.save_button.setEnabled(item is not None and self.status in ("in_progress", "ended"))
        minutes = self.service.minutes
        if minutes is None:
            self.minutes_state.setText(self.tr("The minutes have not been made yet."))
        elif minutes.next_signer == "secretary":
            self.minutes_state.setText(self.tr("Waiting for the secretary's signature."))
        elif minutes.next_signer == "chair":
            self.minutes_state.setText(self.tr("Waiting for the chair's signature."))
        else:
            self.minutes_state.setText(self.tr("Signed by the secretary and the chair."))
        signed_any = minutes is not None and minutes.next_signer != "secretary"
        self.generate_button.setVisible(self.is_secretary)
        self.generate_button.setEnabled(self.status == "ended" and not signed_any)
        self.open_button.setEnabled(minutes is not None)
        self.sign_button.setVisible(self.my_turn)

    def save(self) -> None:
        """Send the selected item's conclusion."""
        item = self.current_item
        if item is not None:
            self.tasks.run(self._save(item, self.editor.toPlainText()))

    async def _save(self, item: int, text: str) -> None:
        self.save_button.setEnabled(False)
        try:
            await self.service.write(item, text)
            self.saved.setText(self.tr("Saved"))
        finally:
            self._refresh()

    def generate(self) -> None:
        """Make the minutes from the meeting (the secretary)."""
        self.tasks.run(self._generate())

    async def _generate(self) -> None:
        self.generate_button.setEnabled(False)
        try:
            await self.service.generate()
        finally:
            self._refresh()

    @property
    def my_turn(self) -> bool:
        """The minutes wait for my signature (the secretary's first, then the chair's)."""
        minutes = self.service.minutes
        turn = minutes.next_signer if minutes is not None else None
        return (turn == "secretary" and self.is_secretary) or (turn == "chair" and self.is_chair)

    def sign_minutes(self) -> None:
        """Ask for the inbox's signing flow on the minutes (the window runs it)."""
        minutes = self.service.minutes
        if minutes is not None and self.my_turn:
            self.sign_requested.emit(minutes.document_id)

    def open_minutes(self) -> None:
        """Fetch the current minutes and ask for them to be shown in the reader."""
        self.tasks.run(self._open())

    async def _open(self) -> None:
        self.open_requested.emit(await self.service.minutes_file(self.files))
