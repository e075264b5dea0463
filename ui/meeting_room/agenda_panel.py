"""The meeting room's agenda panel: items in order, each with its papers grouped by kind (tài
liệu chính / tham khảo / cá nhân / liên kết), whether each paper is on this computer, and — for
the chair and the secretary — adding an item, uploading a paper, moving items up and down and
replacing a paper with a new version.

The panel binds to `desktop.meeting_room.papers.MeetingPapers` and does no I/O of its own: the
service's coroutines run as tasks the panel owns. Double-click or Enter on a paper asks for it
(`paper_activated`); the room opens it in its reader, which stamps a confidential paper with the
reader's name; when it is replaced, the reader's tab offers the new version
(ui/replaced_notice.py).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import AgendaItem, Paper
from desktop.meeting_room.papers import KINDS
from desktop.notify import user_message
from ui.confidentiality import confidential_marking
from ui.meeting_detail import agenda_item_text
from ui.tasks import TaskOwner

if TYPE_CHECKING:
    from desktop.meeting_room.papers import MeetingPapers

log = logging.getLogger(__name__)

PAPER_ROLE = Qt.ItemDataRole.UserRole + 1
ITEM_ROLE = Qt.ItemDataRole.UserRole + 2


def kind_text(kind: str) -> str:
    """The heading of a group of papers, in the user's language."""
    texts = {
        "main": QCoreApplication.translate("AgendaPanel", "Main documents"),
        "reference": QCoreApplication.translate("AgendaPanel", "Reference documents"),
        "personal": QCoreApplication.translate("AgendaPanel", "Personal documents"),
        "external": QCoreApplication.translate("AgendaPanel", "Links"),
    }
    return texts.get(kind, kind)


class AgendaModel(QStandardItemModel):
    """Items → kinds → papers, two columns: the name and whether the file is on disk."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels([self.tr("Agenda"), self.tr("On this computer")])

    def fill(self, items: list[AgendaItem], on_disk: set[str]) -> None:
        """Show `items`; `on_disk` holds the sha256 of the papers downloaded."""
        self.removeRows(0, self.rowCount())
        for item in items:
            row = QStandardItem(agenda_item_text(item))
            row.setData(item.id, ITEM_ROLE)
            for kind in KINDS:
                papers = [p for p in item.papers if p.kind == kind]
                if not papers:
                    continue
                group = QStandardItem(kind_text(kind))
                group.setSelectable(False)
                for paper in papers:
                    group.appendRow(self._paper_row(paper, on_disk))
                row.appendRow([group, QStandardItem()])
            self.appendRow([row, QStandardItem()])

    def _paper_row(self, paper: Paper, on_disk: set[str]) -> list[QStandardItem]:
        text = paper.title
        marking = confidential_marking(paper.confidentiality)
        if marking is not None:  # MẬT: the reader stamps the user's name on it
            text = self.tr("%1 — %2").replace("%1", paper.title).replace("%2", marking)
        if paper.version > 1:
            text = self.tr("%1 (version %2)").replace("%1", text).replace("%2", str(paper.version))
        name = QStandardItem(text)
        name.setData(paper, PAPER_ROLE)
        name.setToolTip(paper.url or text)
        if paper.file is None:
            state = self.tr("Online link")
        elif paper.file.sha256 in on_disk:
            state = self.tr("Downloaded")
        else:
            state = self.tr("Not downloaded yet")
        return [name, QStandardItem(state)]

    def paper_index(self, paper_id: int) -> QModelIndex:
        """The index of a paper's name (invalid when not shown)."""
        for row in range(self.rowCount()):
            item = self.item(row)
            for g in range(item.rowCount()):
                group = item.child(g)
                for p in range(group.rowCount()):
                    child = group.child(p)
                    paper = child.data(PAPER_ROLE)
                    if paper is not None and paper.id == paper_id:
                        return self.indexFromItem(child)
        return QModelIndex()


class AgendaPanel(QWidget):
    """The agenda of one meeting with its papers; editing for the chair and the secretary."""

    paper_activated = Signal(object)  # desktop.domain.Paper with a file

    def __init__(self, service: MeetingPapers, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.tasks = TaskOwner(self)

        self.model = AgendaModel(self)
        self.view = QTreeView(self)
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(True)
        header = self.view.header()  # the titles take the width; the download state fits itself
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.view.activated.connect(self._on_activated)
        self.view.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())

        self.notice = QFrame(self)  # why a change of the agenda failed
        self.notice.setFrameShape(QFrame.Shape.StyledPanel)
        self.notice_text = QLabel(self.notice)
        self.notice_text.setWordWrap(True)
        dismiss = QPushButton(self.tr("Close"), self.notice)
        dismiss.clicked.connect(self.notice.hide)
        bar = QHBoxLayout(self.notice)
        bar.addWidget(self.notice_text, 1)
        bar.addWidget(dismiss)
        self.notice.hide()

        self.add_item_button = QPushButton(self.tr("Add item"), self)
        self.upload_button = QPushButton(self.tr("Upload a paper"), self)
        self.up_button = QPushButton(self.tr("Move up"), self)
        self.down_button = QPushButton(self.tr("Move down"), self)
        self.replace_button = QPushButton(self.tr("Replace with a new version"), self)
        self.add_item_button.clicked.connect(self.add_item)
        self.upload_button.clicked.connect(self.upload_paper)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(1))
        self.replace_button.clicked.connect(self.replace_paper)
        self.editing = QWidget(self)
        # Two rows: the five Vietnamese labels in one row made this panel 560 px wide at least,
        # and the room window wider than a 1280 px screen.
        tools = QGridLayout(self.editing)
        tools.setContentsMargins(0, 0, 0, 0)
        for column, button in enumerate(
            (self.add_item_button, self.upload_button, self.replace_button)
        ):
            tools.addWidget(button, 0, column)
        tools.addWidget(self.up_button, 1, 0)
        tools.addWidget(self.down_button, 1, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.editing)

        service.changed.connect(self.refill)
        service.downloaded.connect(lambda _sha: self.refill())
        self.refill()
        self.tasks.run(service.refresh(), on_error=self._failed)

    # --- showing -------------------------------------------------------------------------------
    def refill(self) -> None:
        """Show the service's agenda again, keeping the selected row."""
        current = self.current_paper()
        item_id = self.current_item_id()
        items = self.service.agenda
        on_disk = {
            p.file.sha256
            for i in items
            for p in i.papers
            if p.file is not None and self.service.local_path(p) is not None
        }
        self.model.fill(items, on_disk)
        self.view.expandAll()
        self.view.resizeColumnToContents(1)
        if current is not None:
            self.view.setCurrentIndex(self.model.paper_index(current.id))
        elif item_id is not None:
            self.select_item(item_id)
        self.editing.setVisible(self.service.can_edit)
        self._update_buttons()

    def current_paper(self) -> Paper | None:
        """The selected paper, if a paper is selected."""
        paper = self.view.currentIndex().siblingAtColumn(0).data(PAPER_ROLE)
        return paper if isinstance(paper, Paper) else None

    def current_item_id(self) -> int | None:
        """The agenda item of the selection (the item itself, or a paper's item)."""
        index = self.view.currentIndex().siblingAtColumn(0)
        while index.isValid():
            item_id = index.data(ITEM_ROLE)
            if item_id is not None:
                return int(item_id)
            index = index.parent()
        return None

    def select_item(self, item_id: int) -> None:
        """Select an agenda item's row."""
        for row in range(self.model.rowCount()):
            if self.model.item(row).data(ITEM_ROLE) == item_id:
                self.view.setCurrentIndex(self.model.index(row, 0))
                return

    def _update_buttons(self) -> None:
        item_id = self.current_item_id()
        paper = self.current_paper()
        self.upload_button.setEnabled(item_id is not None)
        self.up_button.setEnabled(item_id is not None and paper is None)
        self.down_button.setEnabled(item_id is not None and paper is None)
        self.replace_button.setEnabled(paper is not None and paper.file is not None)

    # --- reading -------------------------------------------------------------------------------
    def _on_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        paper = index.sibling(index.row(), 0).data(PAPER_ROLE)
        if isinstance(paper, Paper):
            self.open_paper(paper)

    def open_paper(self, paper: Paper) -> None:
        """A link opens in the browser; a file in the room's reader."""
        if paper.file is None:
            if paper.url:
                QDesktopServices.openUrl(QUrl(paper.url))
            return
        self.paper_activated.emit(paper)

    # --- the secretary's changes ---------------------------------------------------------------
    def choose_pdf(self, title: str) -> Path | None:
        """Ask for a PDF on this computer (a dialog; tests replace it)."""
        name, _ = QFileDialog.getOpenFileName(self, title, "", self.tr("PDF documents (*.pdf)"))
        return Path(name) if name else None

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        """Ask for one line of text (a dialog; tests replace it)."""
        value, ok = QInputDialog.getText(self, title, label, text=text)
        value = value.strip()
        return value if ok and value else None

    def add_item(self) -> None:
        """Ask for a title and add the item at the end."""
        title = self.ask_text(self.tr("Add item"), self.tr("Title of the agenda item:"))
        if title is not None:
            self.service.add_item(title)

    def move_current(self, step: int) -> None:
        """Move the selected item up (-1) or down (+1)."""
        item_id = self.current_item_id()
        if item_id is not None and self.service.move_item(item_id, step) is not None:
            self.select_item(item_id)

    def upload_paper(self) -> None:
        """Choose a PDF and add it as a main paper of the selected item."""
        item_id = self.current_item_id()
        if item_id is None:
            return
        path = self.choose_pdf(self.tr("Upload a paper"))
        if path is None:
            return
        title = self.ask_text(self.tr("Upload a paper"), self.tr("Title of the paper:"), path.stem)
        if title is not None:
            self.tasks.run(self.service.upload_paper(item_id, path, title), on_error=self._failed)

    def replace_paper(self) -> None:
        """Choose a PDF that replaces the selected paper (its earlier versions are kept)."""
        paper = self.current_paper()
        if paper is None or paper.file is None:
            return
        path = self.choose_pdf(self.tr("Replace with a new version"))
        if path is not None:
            self.tasks.run(self.service.replace_paper(paper.id, path), on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        log.info("agenda of meeting %s: %r", self.service.meeting_id, exc)
        self.notice_text.setText(user_message(exc))
        self.notice.show()
