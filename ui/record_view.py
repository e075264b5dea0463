"""The shared base of the list pages: heading, filter box, sortable table, empty state."""

from __future__ import annotations

from typing import Generic, TypeVar

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.table_model import RECORD_ROLE, CollatingProxy, RecordTableModel

T = TypeVar("T")
MAX_COLUMN_WIDTH = 220  # the summary (trích yếu) or title column gets the rest
MAIN_COLUMN_SHARE = 0.4  # ... and at least this share of the width: the others shrink (tooltips)


class RecordView(QWidget, Generic[T]):
    """A page that shows one `RecordTableModel`; subclasses bind it to a service."""

    activated = Signal(object)  # the record the user opened (double click / Enter)
    rows_shown = Signal()  # the service's list reached the model (even an empty one)

    def __init__(self, model: RecordTableModel[T], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = CollatingProxy(self)
        self.proxy.setSourceModel(model)

        self.heading = QLabel(self)
        self.heading.setObjectName("pageHeading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.count = QLabel(self)
        self.count.setObjectName("pageCount")
        self.filter = QLineEdit(self)
        self.filter.setClearButtonEnabled(True)
        self.filter.setMaximumWidth(320)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setMinimumSectionSize(60)
        self.table.activated.connect(self._on_activated)

        self.empty = QLabel(self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setObjectName("emptyState")
        self.body = QStackedWidget(self)
        self.body.addWidget(self.table)
        self.body.addWidget(self.empty)

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addWidget(self.count)
        top.addStretch(1)
        top.addWidget(self.filter)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.body, 1)

        model.modelReset.connect(self._update_state)
        model.rowsInserted.connect(self._update_state)
        model.rowsRemoved.connect(self._update_state)
        self.proxy.layoutChanged.connect(self._update_state)
        self.loaded = False
        self._fit_pending = False
        self.retranslate()
        self._update_state()

    # --- for subclasses --------------------------------------------------------------------------
    def heading_text(self) -> str:
        """The page's title."""
        raise NotImplementedError

    def empty_text(self) -> str:
        """What an empty list says."""
        raise NotImplementedError

    def stretch_column(self) -> int:
        """The column that takes the spare width (the title or summary)."""
        return 1

    def show_rows(self, rows: list[T]) -> None:
        """Show records from the service (keeps the sort order and the selected row)."""
        self.loaded = True
        self.model.set_rows(rows)
        self._update_state()
        self._fit_if_pending()  # a visible page has its columns before it says it is shown
        self.rows_shown.emit()

    # --- behaviour -------------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Re-read every visible text (the language changed)."""
        self.heading.setText(self.heading_text())
        self.filter.setPlaceholderText(self.tr("Filter…"))
        self.model.retranslate()
        self.proxy.retranslate()
        self._update_state()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _update_state(self) -> None:
        rows = self.model.rowCount()
        self.empty.setText(self.empty_text() if self.loaded else self.tr("Loading…"))
        self.body.setCurrentWidget(self.table if rows else self.empty)
        self.count.setText(self.tr("(%n)", "", rows) if rows else "")
        if rows:
            self._fit_soon()

    def _fit_soon(self) -> None:
        """Fit the columns once the model has settled, and only when the page is visible.

        Why: fitting measures every cell of every column but the main one. One list update
        sends several signals (the reset, the proxy's re-sort, the count) and start-up updates
        each list twice (cache, then server), so fitting on each signal ran 49 times before the
        first window, most of them for pages nobody saw yet.
        """
        if not self._fit_pending:
            self._fit_pending = True
            QTimer.singleShot(0, self, self._fit_if_pending)

    def _fit_if_pending(self) -> None:
        """The fit asked for by `_fit_soon`, unless the page is hidden (then at `showEvent`)."""
        if not self._fit_pending or not self.isVisible():
            return
        self._fit_pending = False
        if self.model.rowCount():
            self._fit_columns()

    def showEvent(self, event: QShowEvent) -> None:
        """A page fits its columns when it is shown, if they changed while it was hidden."""
        super().showEvent(event)
        self._fit_if_pending()

    def _fit_columns(self) -> None:
        """Columns fit their contents up to a cap; the main column takes what is left, but at
        least `MAIN_COLUMN_SHARE` of the width: with seven columns the trích yếu was cut to a
        few words at the default window size. Cut cells show their full text as a tooltip."""
        header = self.table.horizontalHeader()
        stretch = self.stretch_column()
        others = [col for col in range(self.model.columnCount()) if col != stretch]
        for col in others:
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.table.resizeColumnToContents(col)
            header.resizeSection(col, min(header.sectionSize(col), MAX_COLUMN_WIDTH))
        room = self.table.viewport().width() * (1 - MAIN_COLUMN_SHARE)
        used = sum(header.sectionSize(col) for col in others)
        if used > room > 0:
            for col in others:
                narrower = int(header.sectionSize(col) * room / used)
                header.resizeSection(col, max(narrower, header.minimumSectionSize()))
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Share the new width out again."""
        super().resizeEvent(event)
        if self.model.rowCount():
            self._fit_soon()

    def selected_record(self) -> T | None:
        """The record of the current row, if any."""
        index = self.proxy.mapToSource(self.table.currentIndex())
        return self.model.record(index.row()) if index.isValid() else None

    def _on_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        record = index.data(RECORD_ROLE)
        if record is not None:
            self.activated.emit(record)
