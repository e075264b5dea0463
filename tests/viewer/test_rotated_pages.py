"""Pages with /Rotate, a CropBox away from the origin and a MediaBox away from the origin, under
the user's view rotation: overlays land on the glyphs and the mouse maps to the right words.

Nothing here trusts `page_transform` to place things: where a word is on screen is read from the
grabbed widget image (the target word is the only blue ink on its page), and overlays are found
as the pixels they change.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from tests.viewer.conftest import open_and_wait
from viewer.annotations.export import export_annotated_copy
from viewer.annotations.model import Annotation, AnnotationKind, AnnotationModel
from viewer.annotations.store import MemoryAnnotationStore
from viewer.annotations.tools import AnnotationTools, Tool
from viewer.render.pool import RenderPool
from viewer.view.layout import LayoutMode
from viewer.view.page_view import PageView
from viewer.view.state import MemoryStateStore
from viewer.view.widget import ViewerWidget

from .conftest import wait_painted

WORD = "Zebra"
SHA = "ab" * 32
# page index -> what is special about it
PAGES = {
    0: "plain",
    1: "/Rotate 90",
    2: "/Rotate 180",
    3: "/Rotate 270",
    4: "CropBox off the origin",
    5: "MediaBox and CropBox off the origin, /Rotate 90",
}


def make_geometry_pdf() -> bytes:
    """One page per case of PAGES: a line "Alpha Zebra Omega" (Zebra in blue) near the top left
    and a second black line, so a misplaced mapping lands on other words or on paper."""
    doc = pymupdf.open()
    for index in PAGES:
        page = doc.new_page(width=640, height=520)
        page.insert_text((130, 200), "Alpha", fontsize=36)
        page.insert_text((250, 200), WORD, fontsize=36, color=(0, 0, 1))
        page.insert_text((390, 200), "Omega", fontsize=36)
        page.insert_text((130, 330), "Second line of text", fontsize=24)
        if index in (1, 2, 3):
            page.set_rotation(90 * index)
        elif index == 4:
            page.set_cropbox(pymupdf.Rect(100, 120, 600, 480))
        elif index == 5:
            page.set_mediabox(pymupdf.Rect(60, 30, 640, 520))
            page.set_cropbox(pymupdf.Rect(100, 110, 560, 470))
            page.set_rotation(90)
    data: bytes = doc.tobytes()
    return data


def test_fixture_pages_are_what_they_claim() -> None:
    doc = pymupdf.open("pdf", make_geometry_pdf())
    assert [doc[i].rotation for i in PAGES] == [0, 90, 180, 270, 0, 90]
    assert doc[4].cropbox.x0 > 0
    assert doc[4].cropbox.y0 > 0
    assert doc[5].mediabox.x0 > 0
    assert doc[5].cropbox != doc[5].mediabox
    for i in PAGES:
        (hit,) = doc[i].search_for(WORD)
        visible = pymupdf.Rect(0, 0, doc[i].cropbox.width, doc[i].cropbox.height)
        assert hit in visible  # unrotated page coordinates start at the CropBox's corner


# -- reading the grabbed image -------------------------------------------------------------


def _rgb(image: QImage) -> tuple[bytes, int, int, int]:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    return bytes(image.constBits()), image.width(), image.height(), image.bytesPerLine()


def _box(points: list[tuple[int, int]]) -> QRect:
    assert points, "no pixels found"
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return QRect(QPoint(min(xs), min(ys)), QPoint(max(xs), max(ys)))


def blue_ink(image: QImage) -> QRect:
    """Bounding box of the target word's glyphs (the only blue ink)."""
    data, w, h, stride = _rgb(image)
    found = []
    for y in range(h):
        row = data[y * stride : y * stride + 3 * w]
        for x in range(w):
            r, g, b = row[3 * x], row[3 * x + 1], row[3 * x + 2]
            if b > 160 and r < 90 and g < 90:
                found.append((x, y))
    return _box(found)


def changed(before: QImage, after: QImage) -> QRect:
    """Bounding box of the pixels an overlay changed clearly."""
    a, w, h, stride = _rgb(before)
    b = _rgb(after)[0]
    found = []
    for y in range(h):
        ra, rb = a[y * stride : y * stride + 3 * w], b[y * stride : y * stride + 3 * w]
        if ra == rb:
            continue
        for x in range(w):
            i = 3 * x
            if abs(ra[i] - rb[i]) + abs(ra[i + 1] - rb[i + 1]) + abs(ra[i + 2] - rb[i + 2]) > 30:
                found.append((x, y))
    return _box(found)


def grown(rect: QRect, by: int) -> QRect:
    return rect.adjusted(-by, -by, by, by)


def assert_covers_word(marked: QRect, glyphs: QRect, slack: int) -> None:
    """The mark covers every glyph pixel and reaches no further than the word's box would."""
    assert grown(marked, 2).contains(glyphs), (marked, glyphs)
    assert grown(glyphs, slack).contains(marked), (marked, glyphs)


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def geometry_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("geometry") / "geometry.pdf"
    path.write_bytes(make_geometry_pdf())
    return path


@pytest.fixture
def viewer(
    qtbot: QtBot, pool: RenderPool, geometry_pdf: Path
) -> Iterator[tuple[ViewerWidget, AnnotationModel, AnnotationTools]]:
    widget = ViewerWidget(pool, MemoryStateStore(), password_callback=lambda _n, _w: None)
    widget.resize(1000, 900)
    qtbot.addWidget(widget)
    widget.show()
    assert open_and_wait(qtbot, widget, str(geometry_pdf))
    widget.page_view.set_layout_mode(LayoutMode.SINGLE)
    widget.page_view.set_zoom(0.75)
    model = AnnotationModel(MemoryAnnotationStore(), SHA, "u")
    tools = AnnotationTools(widget.page_view, model, prompt=lambda _p, _t: "ghi chú")
    yield widget, model, tools
    tools.detach()
    widget.close_document()


def _show(qtbot: QtBot, view: PageView, page: int, view_rotation: int) -> QImage:
    view.go_to_page(page)
    view.set_rotation(view_rotation)
    wait_painted(qtbot, view, page)
    # until then the page's size and /Rotate are estimated from the first page's
    doc = view.document()
    assert doc is not None
    qtbot.waitUntil(lambda: doc.sizes_complete, timeout=10_000)
    wait_painted(qtbot, view, page)
    return view.viewport().grab().toImage()


def _grab(view: PageView) -> QImage:
    return view.viewport().grab().toImage()


def _word_rect(view: PageView, page: int) -> tuple[float, float, float, float]:
    doc = view.document()
    assert doc is not None
    (word,) = [w for w in doc.words(page) if w[4] == WORD]
    return word[:4]


CASES = [(page, turn) for page in PAGES for turn in (0, 90)]


@pytest.mark.parametrize(("page", "view_rotation"), CASES)
def test_overlays_and_selection_sit_on_the_word(
    qtbot: QtBot,
    viewer: tuple[ViewerWidget, AnnotationModel, AnnotationTools],
    page: int,
    view_rotation: int,
) -> None:
    widget, model, _tools = viewer
    view = widget.page_view
    before = _show(qtbot, view, page, view_rotation)
    glyphs = blue_ink(before)
    slack = round(36 * 0.75 * 96 / 72 * 0.6)  # a word's box reaches past its ink by this much
    x0, y0, x1, y1 = _word_rect(view, page)

    # the mouse: a click on the glyphs maps into the word's box on the page
    hit = view.map_to_page(glyphs.center())
    assert hit is not None
    assert hit[0] == page
    assert x0 <= hit[1].x() <= x1
    assert y0 <= hit[1].y() <= y1

    # text selection by dragging over the glyphs on screen: the word is selected and shaded
    vp = view.viewport()
    corner_a, corner_b = glyphs.topLeft() - QPoint(2, 2), glyphs.bottomRight() + QPoint(2, 2)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, corner_a)
    QTest.mouseMove(vp, corner_b)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, corner_b)
    assert view.selected_text() == WORD
    assert_covers_word(changed(before, _grab(view)), glyphs, slack)
    view.select_area(page, (0, 0, 0, 0))
    assert _grab(view) == before

    # annotation overlays made from the word's box on the page
    markup = Annotation.markup(SHA, page, AnnotationKind.HIGHLIGHT, [(x0, y0, x1, y1)])
    model.add(markup)
    assert_covers_word(changed(before, _grab(view)), glyphs, slack)
    model.remove(markup.id)

    middle = (y0 + y1) / 2
    model.add(Annotation.ink(SHA, page, [(x0 + 2, middle), (x1 - 2, middle)]))
    stroke = changed(before, _grab(view))
    assert grown(glyphs, slack).contains(stroke)
    assert (stroke.width() > stroke.height()) == (glyphs.width() > glyphs.height())
    model.undo_stack.undo()

    model.add(Annotation.sticky(SHA, page, (x0, y0)))
    icon = changed(before, _grab(view))
    assert icon.intersects(glyphs)
    assert grown(glyphs, slack).contains(icon)
    model.undo_stack.undo()
    assert _grab(view) == before

    # search hits (rects from the render worker's text extraction)
    session = widget.search_panel.session
    widget.search(WORD)
    qtbot.waitUntil(lambda: not session.running, timeout=10_000)
    assert {h.page for h in session.model.hits} == set(PAGES)
    widget.search_panel.session.select(
        next(i for i, h in enumerate(session.model.hits) if h.page == page)
    )
    assert view.current_page() == page
    assert_covers_word(changed(before, _grab(view)), glyphs, slack)


@pytest.mark.parametrize(("page", "view_rotation"), [(1, 0), (3, 90), (4, 0), (5, 270)])
def test_highlight_dragged_on_screen_is_exported_over_the_word(
    qtbot: QtBot,
    viewer: tuple[ViewerWidget, AnnotationModel, AnnotationTools],
    geometry_pdf: Path,
    tmp_path: Path,
    page: int,
    view_rotation: int,
) -> None:
    widget, model, tools = viewer
    view = widget.page_view
    glyphs = blue_ink(_show(qtbot, view, page, view_rotation))
    # along the word's long axis on screen, from just inside one end to just inside the other
    centre = glyphs.center()
    if glyphs.width() > glyphs.height():
        start, end = QPoint(glyphs.left() + 3, centre.y()), QPoint(glyphs.right() - 3, centre.y())
    else:
        start, end = QPoint(centre.x(), glyphs.top() + 3), QPoint(centre.x(), glyphs.bottom() - 3)
    tools.set_tool(Tool.HIGHLIGHT)
    vp = view.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(vp, centre)
    QTest.mouseMove(vp, end)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    (note,) = model.annotations()
    assert note.page == page

    out = tmp_path / "annotated.pdf"
    assert export_annotated_copy(geometry_pdf, model.annotations(), out) == 1
    doc = pymupdf.open(out)
    try:
        pdf_page = doc[page]
        (annot,) = list(pdf_page.annots())
        assert annot.type[1] == "Highlight"
        (word,) = pdf_page.search_for(WORD)
        rect = annot.rect
        assert rect.intersect(word).get_area() > 0.95 * word.get_area()
        for other in ("Alpha", "Omega"):
            (box,) = pdf_page.search_for(other)
            assert not rect.intersects(box)
        assert pdf_page.get_textbox(annot.rect).strip() == WORD
    finally:
        doc.close()
