"""The notes panel: the user's notes on the document as a list (page and excerpt), click to
jump, edit, delete, undo and redo. A view over `AnnotationModel`; it does no storage itself."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QListView, QToolBar, QVBoxLayout, QWidget

from resources.icons import icon
from viewer.annotations.model import Annotation, AnnotationModel, Rect
from viewer.annotations.tools import AnnotationTools
from viewer.view.page_view import PageView


class NotesPanel(QWidget):
    """List of notes with Edit / Delete / Undo / Redo.

    `jumpRequested(page, rect)` asks the host to show a note (connect it to
    `PageView.show_area`); `currentChanged(id)` follows the selected row (for outlining the
    note on the page with `AnnotationTools.select`).
    """

    jumpRequested = Signal(int, tuple)
    currentChanged = Signal(str)

    def __init__(self, model: AnnotationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.list = QListView(self)
        self.list.setModel(model)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.list.clicked.connect(self._jump)
        self.list.activated.connect(self._jump)
        self.list.selectionModel().currentChanged.connect(self._on_current)

        stack = model.undo_stack
        self.undo_action = stack.createUndoAction(self, self.tr("Undo"))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = stack.createRedoAction(self, self.tr("Redo"))
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.edit_action = QAction(self.tr("Edit"), self)
        self.edit_action.triggered.connect(self.edit_current)
        self.delete_action = QAction(self.tr("Delete"), self)
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.delete_action.triggered.connect(self.delete_current)
        for action in (self.undo_action, self.redo_action, self.delete_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)

        # Icons, the texts as tooltips: "Hoàn tác Thêm Tô sáng" (undo + what it undoes) ran into
        # its neighbours and pushed "Làm lại" into the overflow menu of the narrow panel.
        self.toolbar = QToolBar(self)
        for action, name in (
            (self.edit_action, "pencil"),
            (self.delete_action, "trash-2"),
            (self.undo_action, "undo-2"),
            (self.redo_action, "redo-2"),
        ):
            action.setIcon(icon(name))
            self.toolbar.addAction(action)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.list, 1)
        model.modelReset.connect(self._update_actions)
        model.rowsInserted.connect(self._update_actions)
        model.rowsRemoved.connect(self._update_actions)
        self._update_actions()

    def current(self) -> Annotation | None:
        """The selected note."""
        index = self.list.currentIndex()
        if not index.isValid():
            return None
        value = self.model.data(index, AnnotationModel.AnnotationRole)
        return value if isinstance(value, Annotation) else None

    def select_annotation(self, annotation_id: str) -> None:
        """Make a note the current row (a click on it on the page)."""
        row = self.model.row_of(annotation_id)
        if row >= 0:
            self.list.selectionModel().setCurrentIndex(
                self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self.list.scrollTo(self.model.index(row))

    def edit_current(self) -> None:
        """Edit the selected note's comment in place."""
        index = self.list.currentIndex()
        if index.isValid():
            self.list.edit(index)

    def delete_current(self) -> None:
        """Delete the selected note (undoable)."""
        a = self.current()
        if a is not None:
            self.model.remove(a.id)

    def _jump(self, index: QModelIndex | QPersistentModelIndex) -> None:
        a = self.model.data(index, AnnotationModel.AnnotationRole)
        if isinstance(a, Annotation):
            rect: Rect = a.rect
            self.jumpRequested.emit(a.page, rect)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        a = self.model.data(current, AnnotationModel.AnnotationRole) if current.isValid() else None
        self.currentChanged.emit(a.id if isinstance(a, Annotation) else "")
        self._update_actions()

    def _update_actions(self) -> None:
        has = self.list.currentIndex().isValid()
        self.edit_action.setEnabled(has)
        self.delete_action.setEnabled(has)


def connect_notes(view: PageView, tools: AnnotationTools, panel: NotesPanel) -> None:
    """Wire the three together: a row click shows the note on the page and outlines it; a click
    on a note on the page selects its row."""
    panel.jumpRequested.connect(view.show_area)
    panel.currentChanged.connect(lambda annotation_id: tools.select(annotation_id or None))
    tools.annotationClicked.connect(panel.select_annotation)
    tools.annotationCreated.connect(panel.select_annotation)
