"""The thumbnails sidebar: a list model whose images come from the render pool on demand.

Only rows the view asks `data()` for are rendered (the visible ones), at a low priority so that
the page view's own pages always go first. The list follows the current page at most every
FOLLOW_MS: a fast scroll changes the page hundreds of times a second, and repainting the list
each time took more of the GUI thread than painting the pages.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
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
        pool.pageReady.connect(self._on_page_ready)

    def set_document(self, doc: Document | None) -> None:
        """Show the pages of `doc`."""
        self.beginResetModel()
        self._images.clear()
        if self._doc is not None:
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
            self._pool.request([(key, THUMB_PRIORITY + page % 1000)], owner="")
            return self._placeholder()
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(THUMB_WIDTH + 16, THUMB_WIDTH + 32)
        return None

    def _placeholder(self) -> QImage:
        if self._blank.isNull():
            self._blank = QImage(THUMB_WIDTH * 3 // 4, THUMB_WIDTH, QImage.Format.Format_RGB888)
            self._blank.fill(QColor(Qt.GlobalColor.white))
        return self._blank

    def _on_page_ready(self, page: RenderedPage) -> None:
        if self._doc is None or page.key.doc_id != self._doc.doc_id:
            return
        if page.key == self.key(page.key.page):
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

    def show_page(self, page: int) -> None:
        """Select and reveal the current page: at once, then at most every FOLLOW_MS."""
        self._follow(page)

    def _reveal(self, page: int) -> None:
        index = self.thumbnail_model.index(page)
        if index.isValid():
            self.setCurrentIndex(index)
            self.scrollTo(index)
