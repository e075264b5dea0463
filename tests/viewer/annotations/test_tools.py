"""Mouse tools and the annotation overlay on the real page view (viewer/annotations/tools.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from tests.viewer.fixtures_sign import make_pdf
from viewer.annotations.model import Annotation, AnnotationKind, AnnotationModel
from viewer.annotations.store import MemoryAnnotationStore
from viewer.annotations.tools import (
    AnnotationTools,
    Tool,
    hit_test,
    line_rects,
    palette,
    words_between,
)
from viewer.document import Document
from viewer.render.pool import RenderPool
from viewer.view.page_view import PageView

SHA = "ef" * 32
WORDS = [
    (72.0, 90.0, 100.0, 104.0, "Page"),
    (104.0, 90.0, 110.0, 104.0, "1"),
    (114.0, 90.0, 140.0, 104.0, "line"),
    (72.0, 110.0, 100.0, 124.0, "Page"),
    (104.0, 110.0, 110.0, 124.0, "1"),
    (114.0, 110.0, 140.0, 124.0, "line"),
]


def test_words_between_follow_reading_order() -> None:
    assert words_between(WORDS, (120, 95), (105, 115)) == WORDS[2:5]
    assert words_between(WORDS, (105, 115), (120, 95)) == WORDS[2:5]  # dragged upwards
    assert words_between([], (0, 0), (1, 1)) == []
    assert line_rects(WORDS[2:5]) == [(114, 90, 140, 104), (72, 110, 110, 124)]


def test_hit_test_and_palette() -> None:
    a = Annotation.sticky(SHA, 0, (10, 10))
    assert hit_test([a], (15, 15)) == a.id
    assert hit_test([a], (100, 100)) is None
    assert len(palette()) >= 4


@pytest.fixture
def setup(
    qtbot: QtBot, tmp_path: Path, pool: RenderPool
) -> Iterator[tuple[PageView, AnnotationModel, AnnotationTools, Document]]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(make_pdf())
    doc = Document.open_path(str(path))
    view = PageView(pool)
    qtbot.addWidget(view)
    view.resize(600, 800)
    view.show()
    view.set_document(doc)
    model = AnnotationModel(MemoryAnnotationStore(), SHA, "u")
    prompts: list[str] = []

    def prompt(_parent: object, current: str) -> str | None:
        prompts.append(current)
        return "Ghi chú mới"

    tools = AnnotationTools(view, model, prompt=prompt)
    yield view, model, tools, doc
    tools.detach()
    view.set_document(None)
    doc.close()


def _at(view: PageView, page: int, x: float, y: float) -> QPoint:
    t = view.page_transform(page)
    assert t is not None
    return t.map(QPointF(x, y)).toPoint()


def _drag(view: PageView, a: QPoint, b: QPoint) -> None:
    vp = view.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    mid = QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2 + 3)
    QTest.mouseMove(vp, mid)
    QTest.mouseMove(vp, b)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)


def _pixel(view: PageView, p: QPoint) -> tuple[int, int, int]:
    image: QImage = view.viewport().grab().toImage()
    c = image.pixelColor(p)
    return c.red(), c.green(), c.blue()


def test_highlight_by_dragging_over_text(
    setup: tuple[PageView, AnnotationModel, AnnotationTools, Document],
) -> None:
    view, model, tools, doc = setup
    words = doc.words(0)
    line2 = [w for w in words if 112 < (w[1] + w[3]) / 2 < 128]
    assert line2
    tools.set_tool(Tool.HIGHLIGHT)
    tools.set_color("#00ff00")
    first, last = line2[0], line2[-1]
    _drag(
        view,
        _at(view, 0, first[0] + 1, (first[1] + first[3]) / 2),
        _at(view, 0, last[2] - 1, (last[1] + last[3]) / 2),
    )
    (a,) = model.annotations()
    assert a.kind is AnnotationKind.HIGHLIGHT
    assert a.color == "#00ff00"
    assert len(a.line_rects()) == 1  # one line
    assert a.rect[0] == pytest.approx(first[0], abs=1)
    assert a.rect[2] == pytest.approx(last[2], abs=1)
    # drawn by the overlay: a spot between letters of the line turns green
    gap = _at(view, 0, a.rect[0] + 0.5, a.rect[1] + 1)
    r, g, _b = _pixel(view, gap)
    assert g > 200
    assert r < 80
    # the view's own text selection did not run
    assert view.selected_text() == ""


def test_underline_spans_two_lines(
    setup: tuple[PageView, AnnotationModel, AnnotationTools, Document],
) -> None:
    view, model, tools, doc = setup
    words = doc.words(0)
    tools.set_tool(Tool.UNDERLINE)
    _drag(view, _at(view, 0, words[1][0] + 1, words[1][1] + 3), _at(view, 0, 80, 124))
    (a,) = model.annotations()
    assert a.kind is AnnotationKind.UNDERLINE
    assert len(a.line_rects()) == 2


def test_sticky_note_and_ink(
    setup: tuple[PageView, AnnotationModel, AnnotationTools, Document], qtbot: QtBot
) -> None:
    view, model, tools, _doc = setup
    tools.set_tool(Tool.NOTE)
    tools.set_color("#ff0000")
    with qtbot.waitSignal(tools.annotationCreated):
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_at(view, 0, 300, 400))
    (note,) = model.annotations()
    assert note.kind is AnnotationKind.NOTE
    assert note.text == "Ghi chú mới"
    assert note.rect[:2] == pytest.approx((300, 400), abs=1)
    r, g, b = _pixel(view, _at(view, 0, 302, 402))
    assert (r, g, b) != (255, 255, 255)
    assert r > 150

    tools.set_tool(Tool.INK)
    _drag(view, _at(view, 0, 100, 500), _at(view, 0, 200, 520))
    ink = next(a for a in model.annotations() if a.kind is AnnotationKind.INK)
    assert len(ink.points) >= 3
    assert ink.rect[0] == pytest.approx(100, abs=1)

    tools.set_tool(Tool.RECT)
    _drag(view, _at(view, 0, 350, 600), _at(view, 0, 450, 700))
    box = next(a for a in model.annotations() if a.kind is AnnotationKind.RECT)
    assert box.rect == pytest.approx((350, 600, 450, 700), abs=1.5)

    # select tool: a click on the note selects it, and text selection still works
    tools.set_tool(Tool.SELECT)
    with qtbot.waitSignal(tools.annotationClicked) as clicked:
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_at(view, 0, 305, 405))
    assert clicked.args == [note.id]
    for _ in range(3):
        model.undo_stack.undo()
    assert model.annotations() == []
