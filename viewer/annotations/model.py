"""Personal annotations and notes: value objects and the undoable model behind the notes panel.

Notes never go into the PDF itself (an incremental save would make pyHanko flag a signed file as
changed, a full save would break the signature): they live in an `AnnotationStore` keyed by the
document's SHA-256 and the user, with PDF page coordinates, and are drawn as an overlay.
`viewer.annotations.export` writes them into a copy for other readers.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QUndoCommand, QUndoStack

if TYPE_CHECKING:
    from viewer.annotations.store import AnnotationStore

Rect = tuple[float, float, float, float]
"""x0, y0, x1, y1 in PDF page points, origin top-left (PyMuPDF's page coordinates)."""
Point = tuple[float, float]

log = logging.getLogger(__name__)

EXCERPT_LENGTH = 80


class AnnotationKind(enum.StrEnum):
    """The kinds a personal note can take; each maps to a standard PDF annotation subtype."""

    HIGHLIGHT = "highlight"
    UNDERLINE = "underline"
    # values are the server's note kinds (server/notes.py)
    STRIKEOUT = "strike"
    NOTE = "text"  # sticky note: /Text
    INK = "ink"
    RECT = "rect"  # a box drawn around an area: /Square

    @property
    def is_text_markup(self) -> bool:
        """Highlight, underline and strike-out mark up lines of text (quad points)."""
        return self in (
            AnnotationKind.HIGHLIGHT,
            AnnotationKind.UNDERLINE,
            AnnotationKind.STRIKEOUT,
        )

    def label(self) -> str:
        """The kind's name for the user."""
        labels = {
            AnnotationKind.HIGHLIGHT: QCoreApplication.translate("viewer", "Highlight"),
            AnnotationKind.UNDERLINE: QCoreApplication.translate("viewer", "Underline"),
            AnnotationKind.STRIKEOUT: QCoreApplication.translate("viewer", "Strike-out"),
            AnnotationKind.NOTE: QCoreApplication.translate("viewer", "Note"),
            AnnotationKind.INK: QCoreApplication.translate("viewer", "Drawing"),
            AnnotationKind.RECT: QCoreApplication.translate("viewer", "Box"),
        }
        return labels[self]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _rect(values: Sequence[Any]) -> Rect:
    x0, y0, x1, y1 = (float(v) for v in values)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def bounding_rect(points: Iterable[Point]) -> Rect:
    """The smallest rectangle holding every point."""
    xs: list[float] = []
    ys: list[float] = []
    for x, y in points:
        xs.append(x)
        ys.append(y)
    if not xs:
        return (0.0, 0.0, 0.0, 0.0)
    return (min(xs), min(ys), max(xs), max(ys))


def quad_of(rect: Rect) -> tuple[Point, ...]:
    """A rectangle as a text-markup quad in PDF QuadPoints order: UL, UR, LL, LR."""
    x0, y0, x1, y1 = rect
    return ((x0, y0), (x1, y0), (x0, y1), (x1, y1))


@dataclass(frozen=True, slots=True)
class Annotation:
    """One personal note on a page, in PDF page coordinates.

    `points` is flat, as the server stores it: four per marked line (its quad, in PDF QuadPoints
    order UL, UR, LL, LR) for text markup, the stroke for ink, nothing for a sticky note (whose
    icon sits at `rect`) or a box. `color` is `#rrggbb`; `text` is the user's comment. JSON via
    `to_json`/`from_json` is the server's note (`server/notes.py`, `PUT /notes/{id}`).
    """

    target_sha256: str
    page: int
    kind: AnnotationKind
    rect: Rect
    points: tuple[Point, ...] = ()
    color: str = "#ffd400"
    text: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    updated_at: dt.datetime = field(default_factory=_now)

    @classmethod
    def markup(
        cls, target_sha256: str, page: int, kind: AnnotationKind, lines: Sequence[Rect], **kw: Any
    ) -> Annotation:
        """A highlight / underline / strike-out over `lines` (one rect per line of text)."""
        points = tuple(p for r in lines for p in quad_of(_rect(r)))
        return cls(target_sha256, page, kind, bounding_rect(points), points, **kw)

    @classmethod
    def sticky(cls, target_sha256: str, page: int, at: Point, **kw: Any) -> Annotation:
        """A sticky note whose icon's top-left corner is `at`."""
        x, y = at
        return cls(target_sha256, page, AnnotationKind.NOTE, (x, y, x + 20, y + 20), **kw)

    @classmethod
    def ink(cls, target_sha256: str, page: int, stroke: Sequence[Point], **kw: Any) -> Annotation:
        """A free-hand stroke."""
        points = tuple((float(x), float(y)) for x, y in stroke)
        return cls(target_sha256, page, AnnotationKind.INK, bounding_rect(points), points, **kw)

    @classmethod
    def box(cls, target_sha256: str, page: int, rect: Rect, **kw: Any) -> Annotation:
        """A box around an area (a figure, a stamp)."""
        return cls(target_sha256, page, AnnotationKind.RECT, _rect(rect), **kw)

    def quads(self) -> list[tuple[Point, ...]]:
        """For text markup: the points four by four, one quad per marked line."""
        return [self.points[i : i + 4] for i in range(0, len(self.points) - 3, 4)]

    def line_rects(self) -> list[Rect]:
        """For text markup: one rectangle per marked line."""
        return [bounding_rect(q) for q in self.quads()]

    def edited(self, **changes: Any) -> Annotation:
        """A copy with `changes` applied and a fresh `updated_at`."""
        return replace(self, updated_at=_now(), **changes)

    def to_json(self) -> dict[str, Any]:
        """The server's personal-note JSON (page is 0-based, points in PDF page points)."""
        return {
            "id": self.id,
            "target": self.target_sha256,
            "page": self.page,
            "kind": self.kind.value,
            "rect": list(self.rect),
            "points": [list(p) for p in self.points] or None,
            "color": self.color,
            "text": self.text,
            "updated_at": self.updated_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Annotation:
        """Parse the server's JSON; raises ValueError/KeyError/TypeError on a malformed note."""
        stamp = data.get("updated_at")
        when = dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00")) if stamp else _now()
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        points = tuple((float(p[0]), float(p[1])) for p in data.get("points") or ())
        rect = data.get("rect")
        if rect is None and not points:
            raise ValueError("a note needs a rect or points")
        return cls(
            id=str(uuid.UUID(str(data["id"]))),
            target_sha256=str(data.get("target") or data["target_sha256"]),
            page=int(data["page"]),
            kind=AnnotationKind(data["kind"]),
            rect=_rect(rect) if rect is not None else bounding_rect(points),
            points=points,
            color=str(data.get("color") or "#ffd400"),
            text=str(data.get("text") or ""),
            updated_at=when.astimezone(dt.UTC),
        )


def sha256_of_file(path: str | Path) -> str:
    """The key notes are stored under: SHA-256 of the exact bytes of the document."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sort_key(a: Annotation) -> tuple[int, float, float]:
    return (a.page, a.rect[1], a.rect[0])


ExcerptProvider = Callable[[int, Rect], str]
"""(page, rect) -> the document's text there; `viewer.document.Document.text_in` fits."""


class AnnotationModel(QAbstractListModel):
    """The notes of one user on one document, in page order, with undo/redo.

    Every change goes through the undo stack and is written to the store at once (the SQLite store
    commits before returning), so killing the app loses nothing. `EditRole` edits a note's text.
    """

    AnnotationRole = Qt.ItemDataRole.UserRole + 1
    PageRole = Qt.ItemDataRole.UserRole + 2

    annotationsChanged = Signal()  # anything changed: repaint overlays
    errorOccurred = Signal(str)  # a store write failed (translated message)

    def __init__(
        self,
        store: AnnotationStore,
        target_sha256: str,
        user: str,
        excerpt: ExcerptProvider | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._sha = target_sha256
        self._user = user
        self._excerpt = excerpt
        self._items: list[Annotation] = sorted(store.load(target_sha256, user), key=_sort_key)
        self.undo_stack = QUndoStack(self)

    # -- reading ---------------------------------------------------------------------------

    @property
    def target_sha256(self) -> str:
        """The document these notes belong to."""
        return self._sha

    def annotations(self) -> list[Annotation]:
        """All notes, in page order."""
        return list(self._items)

    def on_page(self, page: int) -> list[Annotation]:
        """Notes of one page (for the overlay)."""
        return [a for a in self._items if a.page == page]

    def find(self, annotation_id: str) -> Annotation | None:
        """The note with this id, if present."""
        return next((a for a in self._items if a.id == annotation_id), None)

    def row_of(self, annotation_id: str) -> int:
        """Row of a note, or -1."""
        return next((i for i, a in enumerate(self._items) if a.id == annotation_id), -1)

    def excerpt(self, a: Annotation) -> str:
        """What the notes list shows: the comment, else the marked text, shortened."""
        text = a.text.strip()
        if not text and self._excerpt is not None and a.kind.is_text_markup:
            text = " ".join(self._excerpt(a.page, r) for r in a.line_rects()).strip()
        text = " ".join(text.split())
        if len(text) > EXCERPT_LENGTH:
            text = text[: EXCERPT_LENGTH - 1] + "…"
        return text or a.kind.label()

    # -- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        """Flat list: rows only under the invisible root."""
        if parent is not None and parent.isValid():
            return 0
        return len(self._items)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        """Display: "Page N · excerpt"; edit: the comment; custom roles: the note, its page."""
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        a = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("viewer", "Page {page} · {excerpt}").format(
                page=a.page + 1, excerpt=self.excerpt(a)
            )
        if role == Qt.ItemDataRole.EditRole:
            return a.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return a.text or a.kind.label()
        if role == Qt.ItemDataRole.DecorationRole:
            return QColor(a.color)
        if role == self.AnnotationRole:
            return a
        if role == self.PageRole:
            return a.page
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Rows are editable (the comment text)."""
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.isValid() else base

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = 2
    ) -> bool:
        """Editing a row in the list changes the note's comment (undoable)."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        a = self._items[index.row()]
        if str(value) != a.text:
            self.edit(a.id, text=str(value))
        return True

    def roleNames(self) -> dict[int, Any]:
        """Names for QML hosts."""
        names = dict(super().roleNames())
        names[self.AnnotationRole] = QByteArray(b"annotation")
        names[self.PageRole] = QByteArray(b"page")
        return names

    # -- changes (undoable) ----------------------------------------------------------------

    def add(self, annotation: Annotation) -> None:
        """Add a note (for this document)."""
        if annotation.target_sha256 != self._sha:
            raise ValueError("annotation belongs to another document")
        text = QCoreApplication.translate("viewer", "Add {kind}").format(
            kind=annotation.kind.label()
        )
        self.undo_stack.push(_Change(self, None, annotation, text))

    def edit(self, annotation_id: str, **changes: Any) -> None:
        """Change a note's fields (text, color, rect, points)."""
        old = self.find(annotation_id)
        if old is None:
            return
        text = QCoreApplication.translate("viewer", "Edit {kind}").format(kind=old.kind.label())
        self.undo_stack.push(_Change(self, old, old.edited(**changes), text))

    def remove(self, annotation_id: str) -> None:
        """Delete a note."""
        old = self.find(annotation_id)
        if old is None:
            return
        text = QCoreApplication.translate("viewer", "Delete {kind}").format(kind=old.kind.label())
        self.undo_stack.push(_Change(self, old, None, text))

    def merge(self, incoming: Iterable[Annotation]) -> int:
        """Add imported/synced notes not already present, newer versions replacing older; one
        undo step. Returns how many changed."""
        changes: list[tuple[Annotation | None, Annotation]] = []
        for a in incoming:
            old = self.find(a.id)
            if old is None or old.updated_at < a.updated_at:
                changes.append((old, replace(a, target_sha256=self._sha)))
        if not changes:
            return 0
        self.undo_stack.beginMacro(QCoreApplication.translate("viewer", "Import notes"))
        try:
            for old, a in changes:
                self.undo_stack.push(_Change(self, old, a, ""))
        finally:
            self.undo_stack.endMacro()
        count = len(changes)
        return count

    # -- applying (called by the undo commands) --------------------------------------------

    def _apply(self, old: Annotation | None, new: Annotation | None) -> bool:
        """Replace `old` by `new` (either may be None) in the store, then in the list. On a
        store failure the list is left as it was, the user is told, and False returned."""
        try:
            if new is None:
                assert old is not None
                self._store.delete(self._sha, self._user, old.id)
            else:
                self._store.save(self._user, new)
        except OSError as exc:
            log.warning("annotation store failed: %r", exc)
            self.errorOccurred.emit(
                QCoreApplication.translate("viewer", "The note could not be saved: {error}").format(
                    error=exc
                )
            )
            return False
        if old is not None and new is not None:
            self._replace(self.row_of(old.id), new)
        elif old is not None:
            row = self.row_of(old.id)
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._items[row]
            self.endRemoveRows()
        elif new is not None:
            row = self._insertion_row(new)
            self.beginInsertRows(QModelIndex(), row, row)
            self._items.insert(row, new)
            self.endInsertRows()
        self.annotationsChanged.emit()
        return True

    def _insertion_row(self, a: Annotation) -> int:
        """Where `a` belongs in page order (after equal keys)."""
        key = _sort_key(a)
        return next((i for i, b in enumerate(self._items) if _sort_key(b) > key), len(self._items))

    def _replace(self, row: int, new: Annotation) -> None:
        """Update a row in place (keeps the view's current row and selection), moving it if
        its place in page order changed."""
        del self._items[row]
        target = self._insertion_row(new)
        self._items.insert(row, new)
        if target != row:
            # beginMoveRows counts the destination before the removal of the moved row
            dest = target + 1 if target > row else target
            if self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), dest):
                self._items.insert(target, self._items.pop(row))
                self.endMoveRows()
                row = target
        index = self.index(row)
        self.dataChanged.emit(index, index)


class _Change(QUndoCommand):
    """Replace one note by another: add (old None), edit, or delete (new None)."""

    def __init__(
        self, model: AnnotationModel, old: Annotation | None, new: Annotation | None, text: str
    ) -> None:
        super().__init__(text)
        self._model = model
        self._old = old
        self._new = new

    def redo(self) -> None:
        """Apply the change; one the store refused is dropped from the stack (obsolete)."""
        if not self._model._apply(self._old, self._new):
            self.setObsolete(True)

    def undo(self) -> None:
        """Revert it; an undone edit gets a fresh timestamp so sync sees it as newest."""
        old = self._old.edited() if self._old is not None else None
        if not self._model._apply(self._new, old):
            self.setObsolete(True)
