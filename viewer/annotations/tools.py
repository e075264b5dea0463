"""Annotation tools on the page view: drawing notes as an overlay, and the mouse tools that make
them (select text → highlight / underline / strike-out, click → sticky note, drag → ink or box).

Attaches to `viewer.view.page_view.PageView` through its public hooks only: `add_overlay` for
painting, an event filter on its viewport for the mouse, `map_to_page` / `page_transform` for
coordinates and `document().words()` for the text under a drag. With the select tool, events
pass through so the view's own text selection keeps working.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QInputDialog, QWidget

from viewer.annotations.model import (
    Annotation,
    AnnotationKind,
    AnnotationModel,
    Point,
    Rect,
    bounding_rect,
)
from viewer.view.page_view import PageOverlay, PageView

Word = tuple[float, float, float, float, str]

TextPrompt = Callable[[QWidget, str], "str | None"]
"""Asks for a note's text: (parent, current text) -> new text, or None when cancelled."""


class Tool(enum.StrEnum):
    """The active mouse tool."""

    SELECT = "select"
    HIGHLIGHT = "highlight"
    UNDERLINE = "underline"
    STRIKEOUT = "strike"
    NOTE = "text"
    INK = "ink"
    RECT = "rect"

    @property
    def kind(self) -> AnnotationKind | None:
        """The annotation kind this tool makes (None for select)."""
        return None if self is Tool.SELECT else AnnotationKind(self.value)


# Colours offered in the toolbar: (#rrggbb, English name for translation)
PALETTE: tuple[str, ...] = ("#ffd400", "#5fd35f", "#4aa3ff", "#ff6fb7", "#e53935")


def palette() -> list[tuple[str, str]]:
    """The colours with translated names (literal calls, so pyside6-lupdate sees each name)."""
    names = (
        QCoreApplication.translate("viewer", "Yellow"),
        QCoreApplication.translate("viewer", "Green"),
        QCoreApplication.translate("viewer", "Blue"),
        QCoreApplication.translate("viewer", "Pink"),
        QCoreApplication.translate("viewer", "Red"),
    )
    return list(zip(PALETTE, names, strict=True))


# -- text under a drag (pure) ------------------------------------------------------------------


def _nearest_word(words: Sequence[Word], p: Point) -> int:
    """Index of the word containing `p`, else the nearest (line distance first)."""
    x, y = p

    def distance(w: Word) -> tuple[float, float]:
        dy = 0.0 if w[1] <= y <= w[3] else min(abs(y - w[1]), abs(y - w[3]))
        dx = 0.0 if w[0] <= x <= w[2] else min(abs(x - w[0]), abs(x - w[2]))
        return (dy, dx)

    return min(range(len(words)), key=lambda i: distance(words[i]))


def words_between(words: Sequence[Word], start: Point, end: Point) -> list[Word]:
    """The words from the one at `start` to the one at `end` in reading order (the order
    PyMuPDF's `get_text("words")` gives), as a text selection runs."""
    if not words:
        return []
    a, b = sorted((_nearest_word(words, start), _nearest_word(words, end)))
    return list(words[a : b + 1])


def line_rects(words: Sequence[Word]) -> list[Rect]:
    """Words grouped into lines (vertical overlap of more than half a word's height), each line
    as the rectangle around its words: the quads of a text-markup annotation."""
    lines: list[list[float]] = []
    for x0, y0, x1, y1, _text in words:
        height = max(y1 - y0, 1e-3)
        last = lines[-1] if lines else None
        overlap = min(y1, last[3]) - max(y0, last[1]) if last else 0.0
        if last is not None and overlap > height / 2 and x0 >= last[0] - height:
            last[0], last[1] = min(last[0], x0), min(last[1], y0)
            last[2], last[3] = max(last[2], x1), max(last[3], y1)
        else:
            lines.append([x0, y0, x1, y1])
    return [(r[0], r[1], r[2], r[3]) for r in lines]


# -- painting ----------------------------------------------------------------------------------


def _qrect(r: Rect) -> QRectF:
    return QRectF(r[0], r[1], r[2] - r[0], r[3] - r[1])


def _path(points: Sequence[Point]) -> QPainterPath:
    path = QPainterPath(QPointF(*points[0]))
    for p in points[1:]:
        path.lineTo(QPointF(*p))
    return path


def paint_annotation(painter: QPainter, a: Annotation, selected: bool = False) -> None:
    """Draw one note; the painter maps PDF page points to the device."""
    color = QColor(a.color)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if a.kind is AnnotationKind.HIGHLIGHT:
        # multiply keeps the text dark under the colour, as a highlighter pen does
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
        for r in a.line_rects():
            painter.fillRect(_qrect(r), color)
    elif a.kind.is_text_markup:
        for x0, y0, x1, y1 in a.line_rects():
            width = max(0.8, (y1 - y0) / 12)
            painter.setPen(QPen(color, width))
            y = y1 - width if a.kind is AnnotationKind.UNDERLINE else (y0 + y1) / 2
            painter.drawLine(QPointF(x0, y), QPointF(x1, y))
    elif a.kind is AnnotationKind.NOTE:
        # The icon stays upright on a rotated page (as readers draw /Text icons): paint it in
        # device pixels over the box its page rect maps to.
        to_device = painter.transform()
        box = to_device.mapRect(_qrect(a.rect))
        painter.resetTransform()
        unit = box.width() / 20  # the icon is 20 points wide
        painter.setPen(QPen(color.darker(160), unit))
        painter.setBrush(color)
        painter.drawRoundedRect(box, 3 * unit, 3 * unit)
        painter.setPen(QPen(color.darker(220), 1.2 * unit))
        for i in range(3):
            y = box.top() + box.height() * (0.3 + 0.2 * i)
            painter.drawLine(
                QPointF(box.left() + 4 * unit, y),
                QPointF(box.right() - (8 if i == 2 else 4) * unit, y),
            )
        painter.setTransform(to_device)
    else:
        pen = QPen(color, 2.0)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        if a.kind is AnnotationKind.RECT:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(_qrect(a.rect))
        elif a.points:
            painter.drawPath(_path(a.points))
    if selected:
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(40, 110, 220), 1, Qt.PenStyle.DashLine))
        painter.drawRect(_qrect(a.rect).adjusted(-2, -2, 2, 2))
    painter.restore()


def hit_test(annotations: Sequence[Annotation], p: Point, tolerance: float = 3.0) -> str | None:
    """Id of the topmost note under `p` (page points)."""
    x, y = p
    for a in reversed(annotations):
        x0, y0, x1, y1 = a.rect
        if x0 - tolerance <= x <= x1 + tolerance and y0 - tolerance <= y <= y1 + tolerance:
            return a.id
    return None


def _ask_text(parent: QWidget, current: str) -> str | None:
    """Default prompt for a sticky note's text."""
    text, ok = QInputDialog.getMultiLineText(
        parent,
        QCoreApplication.translate("viewer", "Note"),
        QCoreApplication.translate("viewer", "Text of the note:"),
        current,
    )
    return text if ok else None


# -- the tools ---------------------------------------------------------------------------------


class AnnotationTools(QObject):
    """Draws `model`'s notes on `view` and turns mouse gestures into new notes."""

    toolChanged = Signal(str)
    colorChanged = Signal(str)
    annotationClicked = Signal(str)  # id of a note clicked with the select tool
    annotationCreated = Signal(str)

    def __init__(
        self,
        view: PageView,
        model: AnnotationModel,
        prompt: TextPrompt | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or view)
        self._view = view
        self._model = model
        self._prompt = prompt or _ask_text
        self._tool = Tool.SELECT
        self._color = PALETTE[0]
        self._selected: str | None = None
        self._press: tuple[int, QPointF] | None = None
        self._stroke: list[Point] = []
        self._preview: list[Rect] = []
        view.add_overlay(self.paint_overlay)
        view.viewport().installEventFilter(self)
        model.annotationsChanged.connect(view.update_overlays)

    def detach(self) -> None:
        """Stop drawing and listening (before the model or view goes away)."""
        self._view.remove_overlay(self.paint_overlay)
        self._view.viewport().removeEventFilter(self)
        self._model.annotationsChanged.disconnect(self._view.update_overlays)

    # -- state -----------------------------------------------------------------------------

    def tool(self) -> Tool:
        """The active tool."""
        return self._tool

    def set_tool(self, tool: Tool) -> None:
        """Switch tools (an unfinished gesture is dropped)."""
        self._tool = Tool(tool)
        self._reset_gesture()
        cursor = Qt.CursorShape.ArrowCursor
        if tool in (Tool.HIGHLIGHT, Tool.UNDERLINE, Tool.STRIKEOUT):
            cursor = Qt.CursorShape.IBeamCursor
        elif tool in (Tool.NOTE, Tool.INK, Tool.RECT):
            cursor = Qt.CursorShape.CrossCursor
        self._view.viewport().setCursor(cursor)
        self.toolChanged.emit(self._tool.value)

    def color(self) -> str:
        """The colour new notes get."""
        return self._color

    def set_color(self, color: str) -> None:
        """Colour for new notes (`#rrggbb`)."""
        self._color = QColor(color).name()
        self.colorChanged.emit(self._color)

    def select(self, annotation_id: str | None) -> None:
        """Outline a note (the notes panel's current row)."""
        self._selected = annotation_id
        self._view.update_overlays()

    # -- painting --------------------------------------------------------------------------

    def paint_overlay(self, painter: QPainter, overlay: PageOverlay) -> None:
        """Page-view overlay: this page's notes, then the gesture in progress."""
        painter.setTransform(overlay.transform)
        for a in self._model.on_page(overlay.page):
            paint_annotation(painter, a, a.id == self._selected)
        if self._press is None or self._press[0] != overlay.page:
            return
        color = QColor(self._color)
        if self._stroke:
            painter.setPen(QPen(color, 2.0))
            if self._tool is Tool.RECT:
                painter.drawRect(_qrect(bounding_rect(self._stroke)))
            else:
                painter.drawPath(_path(self._stroke))
        color.setAlpha(90)
        for r in self._preview:
            painter.fillRect(_qrect(r), color)

    # -- mouse -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Mouse gestures on the view's viewport for the active tool; select passes through."""
        kind = event.type()
        if kind not in (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.MouseButtonRelease,
        ) or not isinstance(event, QMouseEvent):
            return False
        if self._tool is Tool.SELECT:
            if kind == QEvent.Type.MouseButtonPress:
                self._click_select(event)
            return False
        if kind == QEvent.Type.MouseButtonPress:
            if event.button() != Qt.MouseButton.LeftButton:
                return False
            self._on_press(event)
        elif kind == QEvent.Type.MouseMove:
            self._on_move(event)
        else:
            self._on_release(event)
        return True

    def _page_point(self, page: int, event: QMouseEvent) -> Point | None:
        t = self._view.page_transform(page)
        if t is None:
            return None
        inverse, ok = t.inverted()
        if not ok:
            return None
        q = inverse.map(event.position())
        return (q.x(), q.y())

    def _click_select(self, event: QMouseEvent) -> None:
        hit = self._view.map_to_page(event.position())
        if hit is None:
            return
        found = hit_test(self._model.on_page(hit[0]), (hit[1].x(), hit[1].y()))
        if found is not None:
            self.select(found)
            self.annotationClicked.emit(found)

    def _on_press(self, event: QMouseEvent) -> None:
        self._reset_gesture()
        self._press = self._view.map_to_page(event.position())
        if self._press is not None and self._tool in (Tool.INK, Tool.RECT):
            self._stroke = [(self._press[1].x(), self._press[1].y())]

    def _on_move(self, event: QMouseEvent) -> None:
        if self._press is None:
            return
        p = self._page_point(self._press[0], event)
        if p is None:
            return
        if self._tool is Tool.INK:
            self._stroke.append(p)
        elif self._tool is Tool.RECT:
            self._stroke[1:] = [p]
        elif self._tool is not Tool.NOTE:
            start = (self._press[1].x(), self._press[1].y())
            self._preview = line_rects(words_between(self._words(self._press[0]), start, p))
        self._view.update_overlays()

    def _on_release(self, event: QMouseEvent) -> None:
        press = self._press
        if press is None:
            return
        page, start_q = press
        start = (start_q.x(), start_q.y())
        end = self._page_point(page, event) or start
        created: Annotation | None = None
        sha = self._model.target_sha256
        kind = self._tool.kind
        if self._tool is Tool.INK:
            self._stroke.append(end)
            if len(self._stroke) >= 2:
                created = Annotation.ink(sha, page, self._stroke, color=self._color)
        elif self._tool is Tool.RECT:
            x0, y0, x1, y1 = bounding_rect([start, end])
            if x1 - x0 > 2 and y1 - y0 > 2:
                created = Annotation.box(sha, page, (x0, y0, x1, y1), color=self._color)
        elif self._tool is Tool.NOTE:
            text = self._prompt(self._view, "")
            if text is not None:
                created = Annotation.sticky(sha, page, start, color=self._color, text=text)
        elif kind is not None:
            lines = line_rects(words_between(self._words(page), start, end))
            if lines and start != end:
                created = Annotation.markup(sha, page, kind, lines, color=self._color)
        self._reset_gesture()
        if created is not None:
            self._model.add(created)
            self.annotationCreated.emit(created.id)
        self._view.update_overlays()

    def _words(self, page: int) -> list[Word]:
        doc = self._view.document()
        return doc.words(page) if doc is not None else []

    def _reset_gesture(self) -> None:
        self._press = None
        self._stroke = []
        self._preview = []

    def edit_text(self, annotation_id: str) -> None:
        """Ask for a note's new text (the notes panel's Edit, a double click on a note)."""
        a = self._model.find(annotation_id)
        if a is None:
            return
        text = self._prompt(self._view, a.text)
        if text is not None and text != a.text:
            self._model.edit(annotation_id, text=text)
