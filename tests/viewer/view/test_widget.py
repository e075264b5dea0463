"""The composed viewer driven offscreen: open, paint, scroll, zoom, layouts, search, copy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from pytestqt.qtbot import QtBot

from tests.viewer.conftest import open_and_wait, wait_opened, wait_painted
from viewer.render.pool import RenderPool
from viewer.search.find import SearchOptions
from viewer.view.layout import LayoutMode, ZoomMode
from viewer.view.outline import PageRole
from viewer.view.page_view import PageOverlay
from viewer.view.state import MemoryStateStore, ViewState
from viewer.view.widget import ViewerWidget


@pytest.fixture
def viewer(qtbot: QtBot, pool: RenderPool) -> Iterator[ViewerWidget]:
    """A shown viewer sharing the session's pool."""
    widget = ViewerWidget(pool, MemoryStateStore(), password_callback=lambda _n, _w: None)
    widget.resize(1000, 800)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.close_document()


def dark_pixels(image: QImage, step: int = 3) -> int:
    """Pixels that are clearly ink (text), not white paper or the grey background."""
    count = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            if QColor(image.pixel(x, y)).lightness() < 100:
                count += 1
    return count


def test_open_paints_first_page(qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path) -> None:
    assert open_and_wait(qtbot, viewer, str(text_pdf))
    view = viewer.page_view
    wait_painted(qtbot, view, 0)
    assert dark_pixels(view.viewport().grab().toImage()) > 50
    assert viewer.page_box.value() == 1
    assert viewer.page_total.text().endswith("30")


def test_scroll_changes_current_page(qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path) -> None:
    open_and_wait(qtbot, viewer, str(text_pdf))
    view = viewer.page_view
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    assert 12 <= view.current_page() <= 17
    wait_painted(qtbot, view, view.visible_pages()[0])
    bar.setValue(bar.maximum())
    assert view.current_page() == 29
    wait_painted(qtbot, view, 29)


def test_zoom_modes(qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path) -> None:
    open_and_wait(qtbot, viewer, str(text_pdf))
    view = viewer.page_view
    view.set_zoom_mode(ZoomMode.FIT_WIDTH)
    box = view.page_layout().boxes[0]
    assert box is not None
    assert view.viewport().width() - 2 * 12 - 2 <= box.w <= view.viewport().width()
    view.set_zoom_mode(ZoomMode.FIT_PAGE)
    box = view.page_layout().boxes[0]
    assert box is not None
    assert box.h <= view.viewport().height()
    view.set_zoom(2.0)
    assert view.zoom() == 2.0
    assert view.zoom_mode() is ZoomMode.CUSTOM
    view.set_zoom(9.0)
    assert view.zoom() == 4.0
    view.set_zoom(0.01)
    assert view.zoom() == 0.25
    view.zoom_in()
    assert view.zoom() > 0.25
    wait_painted(qtbot, view, view.current_page())


def test_ctrl_wheel_zooms(qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path) -> None:
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent

    open_and_wait(qtbot, viewer, str(text_pdf))
    view = viewer.page_view
    view.set_zoom(1.0)
    event = QWheelEvent(
        QPointF(300, 300),
        QPointF(300, 300),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    view.wheelEvent(event)
    assert view.zoom() == pytest.approx(1.1)


def test_go_to_page_and_history(qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path) -> None:
    open_and_wait(qtbot, viewer, str(text_pdf))
    view = viewer.page_view
    view.go_to_page(10)
    assert view.current_page() == 10
    assert 10 in view.visible_pages()
    view.go_to_page(20)
    assert view.can_go_back()
    view.back()
    assert view.current_page() == 10
    view.back()
    assert view.current_page() == 0
    view.forward()
    assert view.current_page() == 10
    viewer.page_box.setValue(25)
    assert view.current_page() == 24
    wait_painted(qtbot, view, 24)


def test_page_box_shows_the_page_once_per_frame_and_ends_on_the_last(
    qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path
) -> None:
    """Paging fast repaints the toolbar's page box at most once per frame, not per page, and
    it always ends showing the page the reader stopped at."""
    open_and_wait(qtbot, viewer, str(text_pdf))
    view = viewer.page_view
    qtbot.wait(50)  # the open's own page number is shown and its frame is over
    view.go_to_page(3)
    assert viewer.page_box.value() == 4  # the first change shows at once
    for page in range(4, 20):
        view.go_to_page(page)
    assert viewer.page_box.value() == 4  # the rest waits for the frame's end
    qtbot.waitUntil(lambda: viewer.page_box.value() == 20, timeout=2_000)
    assert view.current_page() == 19


@pytest.mark.parametrize("mode", list(LayoutMode))
def test_layouts(qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path, mode: LayoutMode) -> None:
    open_and_wait(qtbot, viewer, str(text_pdf))
    view = viewer.page_view
    view.set_layout_mode(mode)
    view.go_to_page(6)
    visible = view.visible_pages()
    assert 6 in visible
    if mode is LayoutMode.SINGLE:
        assert visible == [6]
        view.next_page()
        assert view.visible_pages() == [7]
    if mode is LayoutMode.TWO_PAGE:
        b6, b7 = view.page_layout().boxes[6], view.page_layout().boxes[7]
        assert b6 is not None
        assert b7 is not None
        assert b6.y == b7.y
    wait_painted(qtbot, view, view.current_page())


def test_rotation_swaps_page_box(qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path) -> None:
    open_and_wait(qtbot, viewer, str(text_pdf))
    view = viewer.page_view
    view.set_zoom(1.0)
    box = view.page_layout().boxes[0]
    view.rotate()
    rotated = view.page_layout().boxes[0]
    assert box is not None
    assert rotated is not None
    assert (rotated.w, rotated.h) == (box.h, box.w)
    wait_painted(qtbot, view, 0)


def test_search_accent_insensitive_streams_and_highlights(
    qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path
) -> None:
    open_and_wait(qtbot, viewer, str(text_pdf))
    session = viewer.search_panel.session
    viewer.search("dac biet")
    qtbot.waitUntil(lambda: not session.running, timeout=10_000)
    hits = session.model.hits
    assert {h.page for h in hits} == {17}
    assert "ĐẶC BIỆT" in hits[0].context
    assert viewer.page_view.current_page() == 17  # the first hit is shown
    assert 17 in viewer.page_view.visible_pages()
    viewer.search("dac biet", SearchOptions(match_diacritics=True))
    qtbot.waitUntil(lambda: not session.running, timeout=10_000)
    assert session.model.hits == []
    viewer.search("quyết định")
    qtbot.waitUntil(lambda: not session.running, timeout=10_000)
    assert len(session.model.hits) > 29
    first = session.current
    session.next()
    assert session.current == first + 1
    session.previous()
    assert session.current == first
    assert session.model.data(session.model.index(0)).startswith("p. ")


def test_copy_selected_text(qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path) -> None:
    open_and_wait(qtbot, viewer, str(text_pdf))
    view = viewer.page_view
    view.set_zoom(1.0)
    view.go_to_page(0)
    t = view.page_transform(0)
    assert t is not None
    start, end = t.map(QPointF(60, 60)), t.map(QPointF(300, 95))
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start.toPoint())
    qtbot.mouseMove(view.viewport(), end.toPoint())
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end.toPoint())
    assert "Trang 1" in view.selected_text()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert "Trang 1" in QGuiApplication.clipboard().text()


def test_overlay_hook_gets_page_transform(
    qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path
) -> None:
    open_and_wait(qtbot, viewer, str(text_pdf))
    view = viewer.page_view
    seen: list[PageOverlay] = []

    def overlay(painter: QPainter, info: PageOverlay) -> None:
        seen.append(info)
        painter.setTransform(info.transform)
        painter.fillRect(0, 0, 50, 50, QColor(255, 0, 0))

    view.add_overlay(overlay)
    wait_painted(qtbot, view, 0)
    info = next(s for s in seen if s.page == 0)
    corner = info.transform.map(QPointF(0, 0)).toPoint()
    assert info.rect.topLeft() == corner
    image = view.viewport().grab().toImage()
    assert QColor(image.pixel(corner.x() + 5, corner.y() + 5)) == QColor(255, 0, 0)
    mapped = view.map_to_page(info.transform.map(QPointF(100, 200)))
    assert mapped is not None
    assert mapped[0] == 0
    assert mapped[1].x() == pytest.approx(100, abs=0.5)
    view.remove_overlay(overlay)


def test_thumbnails_and_outline_models(qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path) -> None:
    open_and_wait(qtbot, viewer, str(text_pdf))
    thumbs = viewer.thumbnails.thumbnail_model
    assert thumbs.rowCount() == 30
    assert thumbs.data(thumbs.index(3)) == "4"
    thumbs.data(thumbs.index(3), Qt.ItemDataRole.DecorationRole)
    key = thumbs.key(3)
    assert key is not None
    qtbot.waitUntil(lambda: viewer.pool.cache.get(key) is not None, timeout=10_000)
    image = thumbs.data(thumbs.index(3), Qt.ItemDataRole.DecorationRole)
    assert isinstance(image, QImage)
    assert max(image.width(), image.height()) in (120, 121)  # MuPDF rounds outwards
    outline = viewer.outline.outline_model
    assert outline.rowCount() == 3
    first = outline.index(0, 0)
    assert outline.data(first) == "Chương 1"
    assert outline.rowCount(first) == 1
    assert outline.data(outline.index(0, 0, first), PageRole) == 1
    viewer.outline.pageActivated.emit(outline.data(outline.index(2, 0), PageRole))
    assert viewer.page_view.current_page() == 20


def test_view_state_is_remembered(qtbot: QtBot, pool: RenderPool, text_pdf: Path) -> None:
    store = MemoryStateStore()
    first = ViewerWidget(pool, store)
    qtbot.addWidget(first)
    first.resize(800, 600)
    open_and_wait(qtbot, first, str(text_pdf))
    first.page_view.set_layout_mode(LayoutMode.TWO_PAGE)
    first.page_view.set_zoom(1.5)
    first.page_view.go_to_page(12)
    first.close_document()
    second = ViewerWidget(pool, store)
    qtbot.addWidget(second)
    second.resize(800, 600)
    open_and_wait(qtbot, second, str(text_pdf))
    view = second.page_view
    assert view.layout_mode() is LayoutMode.TWO_PAGE
    assert view.zoom() == 1.5
    assert view.current_page() == 12
    second.close_document()


def test_follow_and_drive_from_outside(qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path) -> None:
    open_and_wait(qtbot, viewer, str(text_pdf))
    pages: list[int] = []
    viewer.pageChanged.connect(pages.append)
    viewer.page_view.go_to_page(5)
    assert pages[-1] == 5
    zooms: list[float] = []
    viewer.zoomChanged.connect(zooms.append)
    viewer.page_view.set_zoom(1.25)
    assert zooms[-1] == 1.25


def test_presentation_mode(qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path) -> None:
    open_and_wait(qtbot, viewer, str(text_pdf))
    viewer.page_view.go_to_page(3)
    window = viewer.present()
    assert window is not None
    assert window.view.visible_pages() == [3]
    wait_painted(qtbot, window.view, 3)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.view.current_page() == 4
    window.close()
    assert viewer.page_view.current_page() == 4


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.pdf", b""),
        ("page.pdf", b"<!DOCTYPE html><html><body>not a pdf</body></html>"),
        ("junk.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8),
    ],
)
def test_bad_file_shows_message(
    qtbot: QtBot, viewer: ViewerWidget, tmp_path: Path, name: str, data: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    errors: list[str] = []
    viewer.errorOccurred.connect(errors.append)
    assert not open_and_wait(qtbot, viewer, str(path))
    assert errors
    assert viewer.message.isVisible()
    assert viewer.message.text() == errors[0]


def test_a_repaired_file_shows_a_notice(
    qtbot: QtBot, viewer: ViewerWidget, tmp_path: Path, text_pdf: Path
) -> None:
    """A damaged file MuPDF repairs opens with a notice above the pages that content may be
    missing (it opened silently, sometimes as blank pages); an intact file shows none."""
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(text_pdf.read_bytes().replace(b"startxref", b"startxrex"))
    assert open_and_wait(qtbot, viewer, str(damaged))
    assert viewer.notice.isVisible()
    assert "damaged" in viewer.notice.text()
    wait_painted(qtbot, viewer.page_view, 0)
    assert open_and_wait(qtbot, viewer, str(text_pdf))
    assert not viewer.notice.isVisible()


def test_deleted_file_keeps_working(qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path) -> None:
    open_and_wait(qtbot, viewer, str(text_pdf))
    wait_painted(qtbot, viewer.page_view, 0)
    text_pdf.unlink()
    viewer.page_view.go_to_page(22)
    wait_painted(qtbot, viewer.page_view, 22)


def test_password_prompt_from_widget(qtbot: QtBot, pool: RenderPool, tmp_path: Path) -> None:
    import pymupdf

    from tests.viewer.conftest import make_text_pdf

    doc = pymupdf.open("pdf", make_text_pdf(2, outline=False))
    path = tmp_path / "locked.pdf"
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="o")
    answers = iter(["bad", "pw"])
    widget = ViewerWidget(pool, password_callback=lambda _n, _w: next(answers))
    qtbot.addWidget(widget)
    widget.resize(600, 500)
    widget.show()
    assert open_and_wait(qtbot, widget, str(path))
    wait_painted(qtbot, widget.page_view, 0)
    widget.close_document()


def test_host_can_take_over_opening(
    qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QMimeData, QUrl
    from PySide6.QtGui import QDropEvent
    from PySide6.QtWidgets import QFileDialog

    dialogs: list[str] = []
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileName",
        lambda *_a, **_k: (dialogs.append("asked"), (str(text_pdf), ""))[1],
    )
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(text_pdf))])

    def drop() -> None:
        event = QDropEvent(
            QPointF(50, 50),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        viewer.dropEvent(event)

    # default: the viewer asks for the file and opens drops itself
    opened: list[str] = []
    viewer.documentOpened.connect(opened.append)
    viewer.open_action.trigger()
    assert dialogs == ["asked"]
    wait_opened(qtbot, viewer)
    drop()
    wait_opened(qtbot, viewer)
    assert opened == ["quyet-dinh.pdf", "quyet-dinh.pdf"]

    # a host routes both through its own code
    viewer.handles_open_externally = True
    requested: list[bool] = []
    dropped: list[str] = []
    viewer.openRequested.connect(lambda: requested.append(True))
    viewer.fileDropped.connect(dropped.append)
    viewer.open_action.trigger()
    drop()
    assert requested == [True]
    assert dropped == [str(text_pdf)]
    assert dialogs == ["asked"]
    assert len(opened) == 2


def test_selection_gives_page_and_text(qtbot: QtBot, viewer: ViewerWidget, text_pdf: Path) -> None:
    open_and_wait(qtbot, viewer, str(text_pdf))
    view = viewer.page_view
    assert view.selection() is None
    view.go_to_page(2)
    view.select_area(2, (60, 50, 300, 95))
    selection = view.selection()
    assert selection is not None
    assert selection.page == 2
    assert "Trang 3" in selection.text
    assert selection.rect == (60, 50, 300, 95)
    # a new press starts over: nothing selected, nothing stale to copy
    changes: list[str] = []
    view.selectionChanged.connect(changes.append)
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.viewport().rect().center()
    )
    assert view.selection() is None
    assert view.selected_text() == ""
    assert changes == [""]


class CountingStateStore(MemoryStateStore):
    """A state store that counts its writes (each is a database transaction in the app)."""

    def __init__(self) -> None:
        super().__init__()
        self.saves = 0

    def save(self, key: str, state: ViewState) -> None:
        self.saves += 1
        super().save(key, state)


def test_a_fling_writes_the_view_state_once_it_holds_still(
    qtbot: QtBot, pool: RenderPool, text_pdf: Path
) -> None:
    store = CountingStateStore()
    widget = ViewerWidget(pool, store)
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    open_and_wait(qtbot, widget, str(text_pdf))
    qtbot.waitUntil(lambda: store.saves > 0)  # the open's own state, once
    store.saves = 0
    for page in range(1, 25):
        widget.page_view.go_to_page(page)
    assert store.saves == 0  # sixty page changes a second are not sixty transactions
    qtbot.waitUntil(lambda: store.saves == 1)
    assert widget.document is not None
    key = widget.document.key
    assert store.load(key) == widget.view_state()
    assert widget.view_state().page == 24
    widget.page_view.go_to_page(7)
    widget.close_document()  # closing writes at once what the timer had not yet
    assert store.saves == 2
    state = store.load(key)
    assert state is not None
    assert state.page == 7
