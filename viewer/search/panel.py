"""The search panel: query box, options, streamed results list, next/previous.

Matching runs in the pool's search worker (viewer/search/find.py); hits arrive in batches while the
search runs and are appended to `SearchResultsModel`.
"""

from __future__ import annotations

import itertools
import logging

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from viewer.render.pool import RenderPool
from viewer.render.worker import SearchBatch
from viewer.search.find import SearchHit, SearchOptions

log = logging.getLogger(__name__)

HitRole = Qt.ItemDataRole.UserRole + 1
AnyIndex = QModelIndex | QPersistentModelIndex
_search_ids = itertools.count(1)


class SearchResultsModel(QAbstractListModel):
    """Hits in the order found; DisplayRole is "p. N: …context…", HitRole the SearchHit."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.hits: list[SearchHit] = []

    def clear(self) -> None:
        """Forget every hit (a new query)."""
        self.beginResetModel()
        self.hits = []
        self.endResetModel()

    def extend(self, hits: tuple[SearchHit, ...]) -> None:
        """Append a batch of hits."""
        if not hits:
            return
        start = len(self.hits)
        self.beginInsertRows(QModelIndex(), start, start + len(hits) - 1)
        self.hits.extend(hits)
        self.endInsertRows()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """Qt model API."""
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Context line, or the hit itself."""
        if not index.isValid() or index.row() >= len(self.hits):
            return None
        hit = self.hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.tr("p. %1: %2").replace("%1", str(hit.page + 1)).replace("%2", hit.context)
        if role == HitRole:
            return hit
        return None


class SearchSession(QObject):
    """One running query: streams batches from the pool into a model.

    Signals: `hitSelected(SearchHit)` when the current hit changes, `progress(done, total)`,
    `finished(total_hits)`.
    """

    hitSelected = Signal(object)
    progress = Signal(int, int)
    finished = Signal(int)

    def __init__(self, pool: RenderPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = pool
        self.model = SearchResultsModel(self)
        self.current = -1
        self._search_id = 0
        self._doc_id = 0
        self.running = False
        self._by_page: dict[int, list[tuple[float, float, float, float]]] = {}
        pool.searchBatch.connect(self._on_batch)

    def start(self, doc_id: int, query: str, options: SearchOptions, start_page: int) -> None:
        """Cancel any running query and start `query` from `start_page`."""
        self.clear()
        if not query.strip():
            return
        self._search_id = next(_search_ids)
        self._doc_id = doc_id
        self.running = True
        self._pool.search(self._search_id, doc_id, query, options, start_page)

    def clear(self) -> None:
        """Stop and forget the current query and its hits."""
        self.cancel()
        self.model.clear()
        self._by_page = {}
        self.current = -1

    def cancel(self) -> None:
        """Stop the running query (its late batches are ignored)."""
        if self.running:
            self._pool.cancel_search(self._search_id)
        self.running = False
        self._search_id = 0

    def _on_batch(self, batch: SearchBatch) -> None:
        if batch.search_id != self._search_id:
            return
        if batch.error:
            log.warning("search failed: %s", batch.error)
        for hit in batch.hits:
            self._by_page.setdefault(hit.page, []).extend(hit.rects)
        self.model.extend(batch.hits)
        if self.current < 0 and self.model.hits:
            self.select(0)
        self.progress.emit(batch.pages_done, batch.page_count)
        if batch.done:
            self.running = False
            self.finished.emit(len(self.model.hits))

    def select(self, row: int) -> None:
        """Make hit `row` current (wrapping around)."""
        if not self.model.hits:
            return
        self.current = row % len(self.model.hits)
        self.hitSelected.emit(self.model.hits[self.current])

    def next(self) -> None:
        """Next hit."""
        self.select(self.current + 1)

    def previous(self) -> None:
        """Previous hit."""
        self.select(self.current - 1)

    def hits_by_page(self) -> dict[int, list[tuple[float, float, float, float]]]:
        """Every hit's rects grouped by page (for the page view's highlights), kept up to date
        batch by batch rather than rebuilt from thousands of hits on each one."""
        return self._by_page


class SearchPanel(QWidget):
    """Query box, "Match diacritics"/"Match case", previous/next, results list, status line.

    `queryChanged(query, options)` asks the owner to start a search (it knows the document and
    the current page); the owner calls `session.start`.
    """

    queryChanged = Signal(str, object)

    def __init__(self, pool: RenderPool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = SearchSession(pool, self)
        self.query = QLineEdit(self)
        self.query.setPlaceholderText(self.tr("Search"))
        self.query.setClearButtonEnabled(True)
        self.diacritics = QCheckBox(self.tr("Match diacritics"), self)
        self.diacritics.setToolTip(self.tr('When off, "quyet dinh" also finds "quyết định".'))
        self.match_case = QCheckBox(self.tr("Match case"), self)
        self.previous_button = QPushButton(self.tr("Previous"), self)
        self.next_button = QPushButton(self.tr("Next"), self)
        self.results = QListView(self)
        self.results.setModel(self.session.model)
        self.results.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.previous_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.query)
        layout.addWidget(self.diacritics)
        layout.addWidget(self.match_case)
        layout.addLayout(buttons)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)

        self.query.returnPressed.connect(self._on_return)
        self.diacritics.toggled.connect(lambda _on: self.restart())
        self.match_case.toggled.connect(lambda _on: self.restart())
        self.next_button.clicked.connect(self.session.next)
        self.previous_button.clicked.connect(self.session.previous)
        self.results.clicked.connect(lambda index: self.session.select(index.row()))
        self.session.progress.connect(self._on_progress)
        self.session.finished.connect(self._on_finished)
        self.session.hitSelected.connect(self._on_hit_selected)
        self._last_query = ""

    def options(self) -> SearchOptions:
        """The options chosen in the panel."""
        return SearchOptions(self.match_case.isChecked(), self.diacritics.isChecked())

    def restart(self) -> None:
        """Search again with the current text and options."""
        self._last_query = self.query.text()
        self.queryChanged.emit(self._last_query, self.options())

    def _on_return(self) -> None:
        # Enter on an unchanged query moves to the next hit, as in browsers.
        if self.query.text() == self._last_query and self.session.model.hits:
            self.session.next()
        else:
            self.restart()

    def _on_progress(self, done: int, total: int) -> None:
        self.status.setText(
            self.tr("Searching… %1 of %2 pages, %3 found")
            .replace("%1", str(done))
            .replace("%2", str(total))
            .replace("%3", str(len(self.session.model.hits)))
        )

    def _on_finished(self, count: int) -> None:
        self.status.setText(
            self.tr("No matches") if count == 0 else self.tr("%n match(es)", "", count)
        )

    def _on_hit_selected(self, _hit: SearchHit) -> None:
        self.results.setCurrentIndex(self.session.model.index(self.session.current))
