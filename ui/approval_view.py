"""Phê duyệt: the approval inbox page — the six workflow lists with badge counts, a filter bar
and a search box over `ApprovalInbox` (desktop/inbox.py).

Every filter, sort and search is a query on the local store (FTS5), so typing in the search box
answers without the server; the query and the parsing of the rows run in a worker thread
(`ApprovalInbox.load_page`), the GUI thread only puts the answer into the shared `InboxModel`
(a QAbstractTableModel updated in place, never widgets rebuilt by hand). When several loads
overlap (fast typing), only the last one asked is shown; `shown` follows each one shown.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import DocumentSummary
from desktop.inbox import InboxPage
from desktop.inbox_index import (
    DONE,
    IN_PROGRESS,
    INCOMING,
    LISTS,
    OUTGOING,
    SENT_BY_ME,
    WAITING,
    InboxFilter,
)
from ui.inbox_view import InboxModel
from ui.tasks import TaskOwner

if TYPE_CHECKING:
    from desktop.inbox import ApprovalInbox

URGENCIES = ("normal", "urgent", "very_urgent", "flash")
SEARCH_DELAY_MS = 150  # typing pauses this long before the list follows


class ApprovalView(QWidget):
    """Lists on the left (with counts), filter bar and search above the table."""

    activated = Signal(object)  # the DocumentSummary the user opened
    sign_selected = Signal(list)  # the selected DocumentSummary rows to sign with one PIN
    shown = Signal()  # a load was put on screen (the last one asked)
    counted = Signal()  # new badge counts (`counts`)

    def __init__(self, inbox: ApprovalInbox, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.inbox = inbox
        self.tasks = TaskOwner(self)
        self._asked = 0  # the number of the last load asked; older answers are dropped
        self._loading: set[int] = set()
        self._idle = asyncio.Event()  # set while no load runs
        self.counts: dict[str, int] = {}  # the six lists' counts, as last read
        self.lists = QListWidget(self)
        self.lists.setObjectName("approvalLists")
        self.lists.setFixedWidth(190)
        for name in LISTS:
            item = QListWidgetItem("", self.lists)
            item.setData(Qt.ItemDataRole.UserRole, name)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.urgency = QComboBox(self)
        self.doc_type = QComboBox(self)
        self.agency = QComboBox(self)
        self.sort = QComboBox(self)
        self.sign_button = QPushButton(self)
        self.sign_button.clicked.connect(self._sign_selected)
        self.model = InboxModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            self.model.COLUMNS.index("summary"), QHeaderView.ResizeMode.Stretch
        )
        self.table.activated.connect(self._on_activated)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        for combo in (self.urgency, self.doc_type, self.agency, self.sort):
            bar.addWidget(combo, 1)
        bar.addWidget(self.sign_button)
        right = QVBoxLayout()
        right.addLayout(bar)
        right.addWidget(self.table, 1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.lists)
        row.addLayout(right, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.show_list)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        for combo in (self.urgency, self.doc_type, self.agency, self.sort):
            combo.currentIndexChanged.connect(lambda _: self.show_list())
        self.lists.setCurrentRow(0)  # before following it: the first load is retranslate's
        self.lists.currentRowChanged.connect(lambda _: self.show_list())
        inbox.changed.connect(self.reload)
        self.retranslate()  # loads the waiting list once

    # --- what is asked -------------------------------------------------------------------------
    def current_list(self) -> str:
        """The list chosen on the left."""
        item = self.lists.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else WAITING

    def wanted(self) -> InboxFilter:
        """The filter bar and search box as a query."""
        return InboxFilter(
            search=self.search.text(),
            urgency=self.urgency.currentData(),
            doc_type=self.doc_type.currentData(),
            agency=self.agency.currentData(),
            sort=str(self.sort.currentData() or "urgency"),
        )

    def reload(self) -> None:
        """Counts, menus and the chosen list from the local store (the lists changed)."""
        self._load(whole=True)

    def show_list(self) -> None:
        """The chosen list as filtered and searched (only the table changes)."""
        self._load(whole=False)

    def _load(self, whole: bool) -> None:
        self._search_timer.stop()
        self._asked += 1
        asked = self._asked
        self._loading.add(asked)
        self._idle.clear()
        wanted = self.wanted()
        self.tasks.run(self._read(asked, self.current_list(), wanted, whole))

    async def _read(self, asked: int, name: str, wanted: InboxFilter, whole: bool) -> None:
        try:
            page = await self.inbox.load_page(name, wanted, whole)
        finally:
            self._loading.discard(asked)
            if not self._loading:
                self._idle.set()
        if whole:  # counts and menus are news whichever load brought them
            self._show_counts(page.counts or {})
            self._fill_choices(page.choices or {})
        if asked == self._asked:
            self._apply(page)

    def _apply(self, page: InboxPage) -> None:
        self.model.set_rows(page.rows)
        self.shown.emit()

    @property
    def loading(self) -> bool:
        """A load is running (the table shows the previous answer meanwhile)."""
        return bool(self._loading)

    async def settled(self) -> None:
        """Wait until every load asked so far is on screen (tests, the bench)."""
        await self._idle.wait()

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.counted.emit()
        for row in range(self.lists.count()):
            item = self.lists.item(row)
            name = str(item.data(Qt.ItemDataRole.UserRole))
            count = counts.get(name, 0)
            label = self.list_text(name)
            item.setText(f"{label} ({count})" if count else label)

    def _sign_selected(self) -> None:
        wanted = [d for d in self.selected() if d.my_action == "sign"]
        if wanted:
            self.sign_selected.emit(wanted)

    def selected(self) -> list[DocumentSummary]:
        """The selected rows (batch signing)."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.record(row) for row in rows]

    # --- texts ---------------------------------------------------------------------------------
    def list_text(self, name: str) -> str:
        """The name of one list."""
        return {
            WAITING: self.tr("Waiting for me"),
            IN_PROGRESS: self.tr("In progress"),
            DONE: self.tr("Done"),
            SENT_BY_ME: self.tr("Sent by me"),
            INCOMING: self.tr("Incoming"),
            OUTGOING: self.tr("Outgoing"),
        }[name]

    def retranslate(self) -> None:
        """Every text of the page in the current language."""
        self.sign_button.setText(self.tr("Sign selected"))
        self.sign_button.setToolTip(
            self.tr("Sign every selected document waiting for your signature, with one PIN")
        )
        self.search.setPlaceholderText(self.tr("Search number, summary, agency, full text…"))
        self._refill(self.urgency, [(None, self.tr("Any urgency")), *self._urgencies()])
        self._refill(
            self.sort,
            [("urgency", self.tr("Most urgent first")), ("deadline", self.tr("Nearest deadline"))],
        )
        self.reload()

    def _urgencies(self) -> list[tuple[str | None, str]]:
        return [(value, self.model.urgency_text(value)) for value in URGENCIES]

    def _fill_choices(self, choices: dict[str, list[str]]) -> None:
        self._refill(
            self.doc_type,
            [(None, self.tr("Any type"))] + [(v, v) for v in choices.get("doc_type", [])],
        )
        self._refill(
            self.agency,
            [(None, self.tr("Any agency"))] + [(v, v) for v in choices.get("agency", [])],
        )

    @staticmethod
    def _refill(combo: QComboBox, entries: list[tuple[str | None, str]]) -> None:
        """Replace a menu's entries, keeping the choice (no signal: the caller reloads)."""
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for value, text in entries:
            combo.addItem(text, value)
        index = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _on_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        self.activated.emit(self.model.record(index.row()))
