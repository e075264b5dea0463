"""The page view's render scheduling: render-ahead in the scroll direction, and a fast flick."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.viewer.conftest import same_pixels
from viewer.document import Document
from viewer.layout import POINTS_TO_PIXELS
from viewer.page_view import PageView
from viewer.render import PageKey, RenderPool


@pytest.fixture
def view(qtbot: QtBot, pool: RenderPool, text_pdf: Path) -> Iterator[PageView]:
    """A 600 x 400 view of the 30-page text PDF at 100 % (a page is taller than the view)."""
    widget = PageView(pool)
    widget.resize(600, 400)
    qtbot.addWidget(widget)
    widget.show()
    widget.set_document(Document.open_path(str(text_pdf)))
    widget.set_zoom(1.0)
    yield widget
    doc = widget.document()
    widget.set_document(None)
    if doc is not None:
        doc.close()


def _key(view: PageView, page: int) -> PageKey:
    doc = view.document()
    assert doc is not None
    scale = view.zoom() * POINTS_TO_PIXELS * view.devicePixelRatioF()
    return PageKey(doc.doc_id, page, round(scale * 1000))


def _scroll_to(view: PageView, page: int) -> None:
    box = view.page_layout().boxes[page]
    assert box is not None
    view.verticalScrollBar().setValue(box.y)


def test_pages_ahead_in_the_scroll_direction_are_rendered_before_they_show(
    qtbot: QtBot, view: PageView, pool: RenderPool, text_pdf: Path
) -> None:
    _scroll_to(view, 4)
    _scroll_to(view, 5)  # downwards: the next pages come next
    assert view.visible_pages() == [5]
    ahead = [_key(view, p) for p in range(6, 10)]
    qtbot.waitUntil(lambda: all(pool.cache.get(k) for k in ahead), timeout=10_000)
    rendered = pool.cache.get(ahead[2])
    assert rendered is not None
    assert same_pixels(rendered.image, text_pdf, 8, rendered.key.zoom)

    _scroll_to(view, 25)
    _scroll_to(view, 20)  # upwards: the pages above come next
    above = [_key(view, p) for p in range(16, 20)]
    qtbot.waitUntil(lambda: all(pool.cache.get(k) for k in above), timeout=10_000)


def test_after_a_fast_flick_the_page_where_it_stops_is_painted(
    qtbot: QtBot, view: PageView, pool: RenderPool
) -> None:
    """Scrolling far faster than renders arrive asks for pages ahead of the viewport; once the
    scroll stops, the page on screen is rendered and painted all the same."""
    painted: list[int] = []
    view.pagePainted.connect(painted.append)
    for page in range(1, 12):  # eleven pages within microseconds: a flick
        _scroll_to(view, page)
    assert view.visible_pages() == [11]
    qtbot.waitUntil(lambda: 11 in painted, timeout=10_000)
    assert pool.cache.get(_key(view, 11)) is not None


def test_thumbnails_follow_a_fast_page_change_and_end_on_the_last_page(
    qtbot: QtBot, pool: RenderPool, text_pdf: Path
) -> None:
    """The sidebar follows at most every FOLLOW_MS while pages change fast, and always ends
    on the page the reader stopped at."""
    from viewer.thumbnails import ThumbnailView

    thumbs = ThumbnailView(pool)
    qtbot.addWidget(thumbs)
    doc = Document.open_path(str(text_pdf))
    thumbs.thumbnail_model.set_document(doc)
    try:
        thumbs.show_page(2)
        assert thumbs.currentIndex().row() == 2  # the first change shows at once
        for page in range(3, 20):
            thumbs.show_page(page)
        assert thumbs.currentIndex().row() == 2  # the rest waits for the next follow
        qtbot.waitUntil(lambda: thumbs.currentIndex().row() == 19, timeout=2_000)
    finally:
        thumbs.thumbnail_model.set_document(None)
        doc.close()
