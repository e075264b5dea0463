"""The thumbnails sidebar: a list model whose images come from the render pool on demand.

Only rows the view asks `data()` for are rendered (the visible ones), at a low priority so that
the page view's own pages always go first, and a row scrolled out of sight before its turn is
not rendered at all: a fling through 500 pages queued every thumbnail it passed, and the
workers rendered nearly one thumbnail per page while the reader waited for pages. The list
follows the current page at most every FOLLOW_MS: a fast scroll changes the page hundreds of
times a second, and repainting the list each time took more of the GUI thread than painting
the pages. Thumbnails are asked for only once the list holds still (ASK_MS): rows passing
by in a fling are never rendered.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from viewer.document import Document
from viewer.render.cache import PageKey, RenderedPage
from viewer.render.pool import RenderPool
from viewer.view.page_view import FrameScrollBar, Throttle

THUMB_WIDTH = 120
THUMB_PRIORITY = 20
FOLLOW_MS = 50
# Rows are asked for once the list has shown them this long without new rows coming into
# view: while the list follows a fling (new rows every FOLLOW_MS) nothing is rendered for it.
ASK_MS = 150
KEPT_IMAGES = 512  # thumbnails kept by the model (~40 KB each)
AnyIndex = QModelIndex | QPersistentModelIndex


class ThumbnailModel(QAbstractListModel):
    """One row per page: DisplayRole is the page label, DecorationRole the image (or None)."""

    def __init__(self, pool: RenderPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = pool
        self._doc: Document | None = None
        self._owner = f"thumbs-{id(self)}"
        self._blank = QImage()
        # Copies of the rendered thumbnails: the view keeps pixmaps of what it is given, and a
        # pixmap of a pool image would pin that image's shared-memory block.
        self._images: OrderedDict[int, QImage] = OrderedDict()
        # Rows asked for and not rendered yet: requested together once the list stopped
        # moving (ASK_MS), as one owner's request, so rows gone out of sight drop out of the
        # pool's queue.
        self._wanted: set[int] = set()
        self._ask = QTimer(self)
        self._ask.setSingleShot(True)
        self._ask.setInterval(ASK_MS)
        self._ask.timeout.connect(self._request_wanted)
        # Set by the view: whether a row is still on screen (without a view: always).
        self.is_visible: Callable[[int], bool] = lambda _row: True
        pool.pageReady.connect(self._on_page_ready)

    def set_document(self, doc: Document | None) -> None:
        """Show the pages of `doc`."""
        self.beginResetModel()
        self._images.clear()
        self._wanted.clear()
        if self._doc is not None:
            self._pool.request([], owner=self._owner)
            self._pool.unregister(self._doc.doc_id)
        self._doc = doc
        if doc is not None:
            self._pool.register(doc.source)
        self.endResetModel()

    def key(self, page: int) -> PageKey | None:
        """The render key of a page's thumbnail."""
        if self._doc is None:
            return None
        w, h = self._doc.page_size(page)
        scale = THUMB_WIDTH / max(w, h, 1.0)
        return PageKey(self._doc.doc_id, page, max(1, round(scale * 1000)))

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """Qt model API."""
        return 0 if parent.isValid() or self._doc is None else self._doc.page_count

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Page number, or the thumbnail image (requested when first asked for)."""
        if not index.isValid() or self._doc is None:
            return None
        page = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return str(page + 1)
        if role == Qt.ItemDataRole.DecorationRole:
            kept = self._images.get(page)
            if kept is not None:
                self._images.move_to_end(page)
                return kept
            key = self.key(page)
            assert key is not None
            rendered = self._pool.cache.get(key)
            if rendered is not None:
                image = rendered.image.copy()
                self._images[page] = image
                while len(self._images) > KEPT_IMAGES:
                    self._images.popitem(last=False)
                return image
            if page not in self._wanted:
                self._wanted.add(page)
                self._ask.start()
            return self._placeholder()
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(THUMB_WIDTH + 16, THUMB_WIDTH + 32)
        return None

    def _request_wanted(self) -> None:
        """Ask for the thumbnails of the rows still on screen; this replaces the last ask."""
        if self._doc is None:
            return
        self._wanted = {page for page in self._wanted if self.is_visible(page)}
        keys = [self.key(page) for page in sorted(self._wanted)]
        self._pool.request(
            [(key, THUMB_PRIORITY + key.page % 1000) for key in keys if key is not None],
            owner=self._owner,
        )

    def _placeholder(self) -> QImage:
        if self._blank.isNull():
            self._blank = QImage(THUMB_WIDTH * 3 // 4, THUMB_WIDTH, QImage.Format.Format_RGB888)
            self._blank.fill(QColor(Qt.GlobalColor.white))
        return self._blank

    def _on_page_ready(self, page: RenderedPage) -> None:
        if self._doc is None or page.key.doc_id != self._doc.doc_id:
            return
        if page.key == self.key(page.key.page):
            self._wanted.discard(page.key.page)
            row = self.index(page.key.page)
            self.dataChanged.emit(row, row, [Qt.ItemDataRole.DecorationRole])


class ThumbnailView(QListView):
    """The sidebar list; follows the current page and emits `pageActivated` on a click."""

    def __init__(self, pool: RenderPool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbnail_model = ThumbnailModel(pool, self)
        self.setModel(self.thumbnail_model)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.TopToBottom)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setIconSize(QSize(THUMB_WIDTH, THUMB_WIDTH))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # White pages on the page view's grey, so a page's edges show (white on white did not).
        colours = self.palette()
        colours.setColor(QPalette.ColorRole.Base, QColor(0x80, 0x80, 0x80))
        colours.setColor(QPalette.ColorRole.Text, QColor(Qt.GlobalColor.white))
        self.setPalette(colours)
        # Following the page scrolls the list every FOLLOW_MS: a plain bar repainted (~1 ms)
        # each time though its handle had not moved a pixel.
        self.setVerticalScrollBar(FrameScrollBar(self))
        self._follow = Throttle(FOLLOW_MS, self._reveal, self)
        self.thumbnail_model.is_visible = self._row_visible

    def _row_visible(self, row: int) -> bool:
        """True while the row's item is (partly) inside the list's viewport."""
        rect = self.visualRect(self.thumbnail_model.index(row))
        return rect.isValid() and rect.intersects(self.viewport().rect())

    def show_page(self, page: int) -> None:
        """Select and reveal the current page: at once, then at most every FOLLOW_MS."""
        self._follow(page)

    def _reveal(self, page: int) -> None:
        index = self.thumbnail_model.index(page)
        if index.isValid():
            self.setCurrentIndex(index)
            self.scrollTo(index)
