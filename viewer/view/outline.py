"""The outline (bookmarks) sidebar: a tree model over the document's table of contents."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QTreeView, QWidget

from viewer.document import OutlineEntry

PageRole = Qt.ItemDataRole.UserRole + 1
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(eq=False, slots=True)
class _Node:
    entry: OutlineEntry | None
    parent: _Node | None
    children: list[_Node] = field(default_factory=list)

    def row(self) -> int:
        return self.parent.children.index(self) if self.parent else 0


class OutlineModel(QAbstractItemModel):
    """Bookmarks as a tree; `PageRole` gives the 0-based target page (-1 for none)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = _Node(None, None)

    def set_entries(self, entries: list[OutlineEntry]) -> None:
        """Rebuild from a flat, levelled list (PyMuPDF's get_toc)."""
        self.beginResetModel()
        self._root = _Node(None, None)
        stack: list[_Node] = [self._root]
        for entry in entries:
            # Level jumps (1 -> 3) happen in real files: attach to the deepest open parent.
            while len(stack) > max(1, entry.level):
                stack.pop()
            node = _Node(entry, stack[-1])
            stack[-1].children.append(node)
            stack.append(node)
        self.endResetModel()

    def _node(self, index: AnyIndex) -> _Node:
        node = index.internalPointer() if index.isValid() else None
        return node if isinstance(node, _Node) else self._root

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        """Qt model API."""
        node = self._node(parent)
        if column != 0 or not 0 <= row < len(node.children):
            return QModelIndex()
        return self.createIndex(row, column, node.children[row])

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        """Qt model API."""
        if not index.isValid():
            return QModelIndex()
        up = self._node(index).parent
        if up is None or up is self._root:
            return QModelIndex()
        return self.createIndex(up.row(), 0, up)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """Qt model API."""
        return len(self._node(parent).children) if parent.column() <= 0 else 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """Qt model API."""
        return 1

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Title for display, target page for PageRole."""
        entry = self._node(index).entry
        if entry is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.title
        if role == PageRole:
            return entry.page
        return None


class OutlineView(QTreeView):
    """The sidebar tree; emits `pageActivated` when a bookmark is chosen."""

    pageActivated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.outline_model = OutlineModel(self)
        self.setModel(self.outline_model)
        self.activated.connect(self._on_activated)
        self.clicked.connect(self._on_activated)

    def set_entries(self, entries: list[OutlineEntry]) -> None:
        """Show a document's bookmarks."""
        self.outline_model.set_entries(entries)
        self.expandToDepth(0)

    def _on_activated(self, index: QModelIndex) -> None:
        page = self.outline_model.data(index, PageRole)
        if isinstance(page, int) and page >= 0:
            self.pageActivated.emit(page)
