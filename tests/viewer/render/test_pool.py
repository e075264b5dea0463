"""The render pool: pages come back through shared memory; crashes and hangs are contained."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.viewer.conftest import image_rows, same_pixels
from viewer.document import Document, new_doc_id
from viewer.render.cache import PageKey, PixelCache, RenderedPage
from viewer.render.pool import RenderPool
from viewer.render.worker import DocumentSource
from viewer.render.workers import Workers


def _collect(pool: RenderPool) -> tuple[list[RenderedPage], list[tuple[PageKey, str]]]:
    ready: list[RenderedPage] = []
    failed: list[tuple[PageKey, str]] = []
    pool.pageReady.connect(ready.append)
    pool.pageFailed.connect(lambda key, reason: failed.append((key, reason)))
    return ready, failed


def test_renders_pages_into_the_cache(qtbot: QtBot, pool: RenderPool, text_pdf: Path) -> None:
    doc = Document.open_path(str(text_pdf))
    pool.register(doc.source)
    ready, _failed = _collect(pool)
    keys = [PageKey(doc.doc_id, i, 1000) for i in range(4)]
    pool.request([(k, 0) for k in keys])
    qtbot.waitUntil(lambda: all(pool.cache.get(k) for k in keys), timeout=10_000)
    image = pool.cache.get(keys[0])
    assert image is not None
    assert (image.image.width(), image.image.height()) == (595, 842)
    assert {p.key for p in ready} >= set(keys)
    pool.unregister(doc.doc_id)
    assert pool.cache.get(keys[0]) is None
    doc.close()


def test_cache_is_bounded_in_bytes() -> None:
    cache = PixelCache(max_bytes=3 * 100 * 100 * 3)
    for i in range(10):
        image = QImage(100, 100, QImage.Format.Format_RGB888)
        cache.put(RenderedPage(PageKey(1, i, 1000), image, 1))
    assert len(cache) == 3
    assert cache.get(PageKey(1, 9, 1000)) is not None
    assert cache.closest(PageKey(1, 9, 2000)) is not None


def test_stand_in_is_the_nearest_zoom_of_the_same_page_and_rotation_still_cached() -> None:
    """The stand-in index follows puts, evictions and dropped documents."""
    image = QImage(10, 10, QImage.Format.Format_RGB32)  # 400 bytes each
    cache = PixelCache(max_bytes=400 * 5)

    def put(key: PageKey) -> None:
        cache.put(RenderedPage(key, image.copy(), key.zoom))

    for key in (
        PageKey(1, 3, 1000),
        PageKey(1, 3, 1500),
        PageKey(1, 3, 1400, 90),
        PageKey(1, 4, 1400),
        PageKey(2, 3, 1400),
    ):
        put(key)
    found = cache.closest(PageKey(1, 3, 1400))
    assert found is not None
    assert found.key == PageKey(1, 3, 1500)
    rotated = cache.closest(PageKey(1, 3, 2000, 90))
    assert rotated is not None
    assert rotated.key == PageKey(1, 3, 1400, 90)
    assert cache.closest(PageKey(1, 5, 1000)) is None
    put(PageKey(1, 6, 1000))  # evicts the oldest, page 3 at 1000
    found = cache.closest(PageKey(1, 3, 900))
    assert found is not None
    assert found.key == PageKey(1, 3, 1500)
    put(PageKey(1, 3, 1500))  # replaced: still one entry
    cache.drop_document(1)
    assert cache.closest(PageKey(1, 3, 1500)) is None
    found = cache.closest(PageKey(2, 3, 1000))
    assert found is not None
    assert found.key == PageKey(2, 3, 1400)
    cache.clear()
    assert cache.closest(PageKey(2, 3, 1000)) is None


def test_an_owner_replaces_only_its_own_queued_pages(qtbot: QtBot, text_pdf: Path) -> None:
    """A view's new request drops the pages it no longer wants, but not the same page someone
    else (a thumbnail) asked for; queued pages go in priority order."""
    pool = RenderPool(workers=1)
    try:
        qtbot.waitUntil(pool.is_ready, timeout=10_000)
        doc = Document.open_path(str(text_pdf))
        pool.register(doc.source)
        ready, _failed = _collect(pool)
        pool.debug_sleep[0] = 0.5  # the worker is busy while the queue changes
        pool.debug_sleep[1] = 0.5
        keys = [PageKey(doc.doc_id, page, 1000) for page in range(6)]
        pool.request([(keys[0], 0), (keys[1], 1)], owner="view")  # both in the worker
        pool.request([(keys[0], 0), (keys[1], 1), (keys[2], 2), (keys[3], 3)], owner="view")
        pool.request([(keys[3], 20)])  # a thumbnail of the same page
        pool.request([(keys[0], 0), (keys[1], 1), (keys[4], 2)], owner="view")
        qtbot.waitUntil(lambda: {p.key.page for p in ready} >= {0, 1, 3, 4}, timeout=10_000)
        # Page 2 was dropped: at priority 2 it would have gone before page 3 (priority 20).
        assert 2 not in {p.key.page for p in ready}
        assert pool.cache.get(keys[2]) is None
        assert not pool.is_rendering(keys[2])
        order = [p.key.page for p in ready]
        assert order.index(4) < order.index(3)
        pool.unregister(doc.doc_id)
        doc.close()
    finally:
        pool.close()


def test_enormous_page_is_scaled_to_fit(qtbot: QtBot, pool: RenderPool, tmp_path: Path) -> None:
    import pymupdf

    src = pymupdf.open()
    page = src.new_page(width=14400, height=14400)
    page.insert_text((100, 200), "Bản đồ", fontsize=200)
    path = tmp_path / "huge.pdf"
    src.save(path)
    doc = Document.open_path(str(path))
    pool.register(doc.source)
    key = PageKey(doc.doc_id, 0, 1333)
    pool.request([(key, 0)])
    qtbot.waitUntil(lambda: pool.cache.get(key) is not None, timeout=20_000)
    rendered = pool.cache.get(key)
    assert rendered is not None
    assert rendered.zoom < 1.333
    assert rendered.image.width() * rendered.image.height() * 3 <= 64 * 1024 * 1024
    pool.unregister(doc.doc_id)
    doc.close()


def test_crashed_worker_is_replaced(qtbot: QtBot, text_pdf: Path) -> None:
    pool = RenderPool(workers=1)
    try:
        doc = Document.open_path(str(text_pdf))
        pool.register(doc.source)
        ready, failed = _collect(pool)
        pool.debug_sleep[0] = 5.0
        pool.request([(PageKey(doc.doc_id, 0, 1000), 0), (PageKey(doc.doc_id, 1, 1000), 1)])
        qtbot.waitUntil(pool.is_ready, timeout=10_000)
        time.sleep(0.3)
        os.kill(pool.pids()[0], signal.SIGKILL)
        qtbot.waitUntil(lambda: bool(failed), timeout=10_000)
        assert failed[0][0].page == 0
        # The replacement worker goes on with the queue.
        qtbot.waitUntil(lambda: any(p.key.page == 1 for p in ready), timeout=10_000)
        doc.close()
    finally:
        pool.close()


def test_hung_worker_is_replaced_and_gui_stays_free(qtbot: QtBot, text_pdf: Path) -> None:
    pool = RenderPool(workers=1, hang_seconds=1.0)
    try:
        doc = Document.open_path(str(text_pdf))
        pool.register(doc.source)
        _ready, failed = _collect(pool)
        pool.debug_sleep[0] = 30.0  # a page that takes the engine "forever"
        gaps: list[int] = []
        clock = QElapsedTimer()
        clock.start()
        ticker = QTimer()
        ticker.setInterval(1)

        def tick() -> None:
            gaps.append(clock.restart())

        ticker.timeout.connect(tick)
        ticker.start()
        pool.request([(PageKey(doc.doc_id, 0, 1000), 0)])
        qtbot.waitUntil(lambda: bool(failed), timeout=10_000)
        ticker.stop()
        assert failed[0][0].page == 0
        assert max(gaps[5:]) < 100  # generous for a loaded CI machine; the bench reports it
        doc.close()
    finally:
        pool.close()


def test_closing_a_document_cuts_its_slow_render_short(qtbot: QtBot, text_pdf: Path) -> None:
    pool = RenderPool(workers=1)
    try:
        qtbot.waitUntil(pool.is_ready, timeout=10_000)
        first = Document.open_path(str(text_pdf))
        pool.register(first.source)
        pool.debug_sleep[0] = 30.0  # a page that takes the engine "forever"
        pool.request([(PageKey(first.doc_id, 0, 500), 0)])
        time.sleep(0.3)
        pool.unregister(first.doc_id)
        first.close()
        second = Document.open_path(str(text_pdf))
        pool.register(second.source)
        key = PageKey(second.doc_id, 1, 500)
        pool.request([(key, 0)])
        qtbot.waitUntil(lambda: pool.cache.get(key) is not None, timeout=5_000)
        second.close()
    finally:
        pool.close()


def test_close_before_workers_are_adopted_is_clean(qtbot: QtBot, text_pdf: Path) -> None:
    pool = RenderPool(workers=1)
    assert not pool.is_ready()  # the GUI thread has not adopted the started workers yet
    doc = Document.open_path(str(text_pdf))
    pool.register(doc.source)
    pool.request([(PageKey(doc.doc_id, 0, 1000), 0)])
    pool.close()  # raised RuntimeError (joined the reader thread that never started)
    assert pool.wait_closed(10.0)
    pids = pool.pids()
    assert pids  # the workers had been started...
    assert not any(_alive(pid) for pid in pids)  # ...and are stopped
    qtbot.wait(50)  # the late "started" notice reaches a closed pool: ignored
    doc.close()


def test_close_does_not_wait_for_a_busy_worker(qtbot: QtBot, text_pdf: Path) -> None:
    """Closing the pool while a worker is in a long render returns at once: the GUI thread
    asks the workers to stop and a closer thread waits for them (it waited up to 2 s per
    worker, then killed it, with the window frozen)."""
    pool = RenderPool(workers=1)
    doc = Document.open_path(str(text_pdf))
    try:
        qtbot.waitUntil(pool.is_ready, timeout=10_000)
        pool.register(doc.source)
        pool.debug_sleep[0] = 30.0  # a page that takes the engine "forever"
        key = PageKey(doc.doc_id, 0, 500)
        pool.request([(key, 0)])
        assert pool.is_rendering(key)
        pids = pool.pids()
        pool.close()
        # Still rendering when close returned: nobody waited for it on this thread...
        assert any(_alive(pid) for pid in pids)
        # ...and it is stopped off it (killed after its grace period).
        assert pool.wait_closed(10.0)
        assert not any(_alive(pid) for pid in pids)
    finally:
        pool.close()
        doc.close()


def test_a_pool_deleted_with_its_widget_stops_its_workers(qtbot: QtBot, text_pdf: Path) -> None:
    """A document pane owns its pool as a Qt child: deleting the pane without closing the pool
    stops the workers, and a reply still on its way is dropped (it raised "Signal source has been
    deleted" in the Qt event loop, and the worker processes outlived the pane)."""
    owner = QWidget()
    pool = RenderPool(workers=1, parent=owner)
    qtbot.waitUntil(pool.is_ready, timeout=10_000)
    doc = Document.open_path(str(text_pdf))
    pool.register(doc.source)
    pool.debug_sleep[0] = 0.3  # the reply comes after the pane is gone
    pool.request([(PageKey(doc.doc_id, 0, 500), 0)])
    pids = pool.pids()
    workers = pool._workers
    shiboken6.delete(owner)  # what a pane's deleteLater does in the end
    qtbot.waitUntil(lambda: workers.wait_closed(0.0), timeout=10_000)
    assert not any(_alive(pid) for pid in pids)
    qtbot.wait(100)  # a late reply reaches the closed workers: dropped, nothing raised
    doc.close()


def test_workers_that_cannot_start_fail_pages_with_a_message(
    qtbot: QtBot, text_pdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No worker processes (a locked-down PC, a broken install): pages fail with a reason the
    view shows, instead of placeholders waiting for ever."""

    def refuse(self: Workers, index: int) -> object:
        raise OSError("process creation is not allowed")

    monkeypatch.setattr(Workers, "spawn", refuse)
    pool = RenderPool(workers=1)
    doc = Document.open_path(str(text_pdf))
    try:
        pool.register(doc.source)
        first, later = PageKey(doc.doc_id, 0, 1000), PageKey(doc.doc_id, 1, 1000)
        with qtbot.waitSignal(pool.pageFailed, timeout=10_000) as failed:
            pool.request([(first, 0)])  # queued while the start is under way
        assert failed.args[0] == first
        assert "could not start" in failed.args[1]
        assert "process creation is not allowed" in failed.args[1]
        with qtbot.waitSignal(pool.pageFailed, timeout=1_000) as again:
            pool.request([(later, 0)])  # asked afterwards: fails at once
        assert again.args[0] == later
        assert not pool.is_ready()
    finally:
        pool.close()
        doc.close()


def _first_page_shown(qtbot: QtBot, pool: RenderPool, path: Path, zoom_milli: int) -> Document:
    """Open `path` in the pool and wait until its first page is rendered at `zoom_milli`."""
    qtbot.waitUntil(pool.is_ready, timeout=10_000)
    doc = Document.open_path(str(path))
    pool.register(doc.source)
    shown = PageKey(doc.doc_id, 0, zoom_milli)
    pool.request([(shown, 0)])
    qtbot.waitUntil(_cached(pool, shown), timeout=10_000)
    return doc


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _delivered(ready: list[RenderedPage], key: PageKey) -> Callable[[], bool]:
    return lambda: any(p.key == key for p in ready)


def _cached(pool: RenderPool, key: PageKey) -> Callable[[], bool]:
    return lambda: pool.cache.get(key) is not None


def test_pipelined_pages_have_the_right_pixels(
    qtbot: QtBot, pool: RenderPool, text_pdf: Path
) -> None:
    """Several requests in flight per worker, drawn straight into shared memory (BGRA): each
    page comes back with exactly raw PyMuPDF's pixels for that page (pages differ by their
    heading, so a mix-up shows)."""
    doc = Document.open_path(str(text_pdf))
    pool.register(doc.source)
    try:
        keys = [PageKey(doc.doc_id, i, 1333) for i in range(8)]
        pool.request([(k, 1) for k in keys])
        qtbot.waitUntil(lambda: all(pool.cache.get(k) for k in keys), timeout=20_000)
        first, second = pool.cache.get(keys[0]), pool.cache.get(keys[1])
        assert first is not None
        assert second is not None
        assert image_rows(first.image) != image_rows(second.image)  # pages differ
        for key in keys:
            rendered = pool.cache.get(key)
            assert rendered is not None
            assert rendered.block is not None  # wrapped, not copied
            assert same_pixels(rendered.image, text_pdf, key.page, 1.333), key.page
    finally:
        pool.unregister(doc.doc_id)
        doc.close()


def test_blocks_are_reused_and_a_kept_image_is_never_overwritten(
    qtbot: QtBot, text_pdf: Path
) -> None:
    """A cache of three pages: rendering twelve recycles the evicted pages' blocks, except the
    block of an image someone still holds, whose pixels stay those of its page."""
    page_bytes = 794 * 1123 * 4
    pool = RenderPool(workers=1, cache_bytes=3 * page_bytes)
    try:
        doc = Document.open_path(str(text_pdf))
        pool.register(doc.source)
        ready, _failed = _collect(pool)
        kept = None
        for i in range(12):
            key = PageKey(doc.doc_id, i, 1333)
            pool.request([(key, 0)])
            qtbot.waitUntil(_delivered(ready, key), timeout=10_000)
            page = next(p for p in ready if p.key == key)
            assert same_pixels(page.image, text_pdf, i, 1.333), i
            if i == 0:
                kept = page
            ready.clear()  # the pages delivered so far are no longer held
        assert kept is not None
        assert pool.cache.get(kept.key) is None  # evicted long ago...
        assert same_pixels(kept.image, text_pdf, 0, 1.333)  # ...but its block was not reused
        # 3 cached + 1 in flight + the kept one, not one per page.
        assert pool.blocks.created <= 6
        pool.unregister(doc.doc_id)
        doc.close()
    finally:
        pool.close()


def test_a_page_bigger_than_its_block_is_rendered_again_in_a_bigger_one(
    qtbot: QtBot, pool: RenderPool, tmp_path: Path
) -> None:
    """Blocks are sized by the document's previous page: an A3 page after A5 pages does not
    fit, and comes back at its full size all the same."""
    import pymupdf

    src = pymupdf.open()
    for width, height in ((420, 595), (420, 595), (842, 1191), (420, 595)):
        page = src.new_page(width=width, height=height)
        page.insert_text((50, 100), f"{width} x {height}", fontsize=30)
    path = tmp_path / "sizes.pdf"
    src.save(path)
    doc = Document.open_path(str(path))
    pool.register(doc.source)
    try:
        keys = [PageKey(doc.doc_id, i, 1333) for i in range(4)]
        for key in keys:  # one at a time, so that the size hint is the previous page's
            pool.request([(key, 0)])
            qtbot.waitUntil(_cached(pool, key), timeout=10_000)
        for key in keys:
            rendered = pool.cache.get(key)
            assert rendered is not None
            assert same_pixels(rendered.image, path, key.page, 1.333), key.page
    finally:
        pool.unregister(doc.doc_id)
        doc.close()


def test_block_pool_waits_for_the_last_image() -> None:
    """A block handed back while an image (or a copy of it) wraps it is not given out again
    until that image is gone; an unused one is."""
    from viewer.render.shared_memory import BlockPool

    blocks = BlockPool()
    try:
        block = blocks.acquire(100 * 100 * 4)
        image = block.image(100, 100, 400)
        shallow = QImage(image)
        del image
        blocks.release(block)
        other = blocks.acquire(100 * 100 * 4)
        assert other is not block
        blocks.release(other)
        del shallow
        again = {blocks.acquire(100 * 100 * 4), blocks.acquire(100 * 100 * 4)}
        assert again == {block, other}  # the image is gone: its block is given out again
        blocks.release(block)
        blocks.release(other)
    finally:
        blocks.close()


def test_closing_the_pool_never_unmaps_a_live_image() -> None:
    """A widget may still show (and repaint) its last page after the render pool closed: the
    block under that image must stay mapped until the image is gone (unmapped: a crash)."""
    from viewer.render.shared_memory import _LINGERING, BlockPool

    blocks = BlockPool()
    block = blocks.acquire(64 * 64 * 4)
    block.view[: 64 * 64 * 4] = bytes([0x11, 0x22, 0x33, 0xFF]) * (64 * 64)
    image = block.image(64, 64, 256)
    shallow = QImage(image)  # a C++ copy Python does not see
    del image
    blocks.release(block)
    blocks.close()
    assert block in _LINGERING
    assert shallow.pixel(63, 63) == 0xFF332211  # still mapped, same pixels
    del shallow
    BlockPool().close()  # the next close unmaps what no image wraps any more
    assert block not in _LINGERING
    with pytest.raises(ValueError, match="released"):  # the mapping is gone
        block.view.tobytes()


def test_a_preopened_first_page_is_the_new_documents(
    qtbot: QtBot, pool: RenderPool, text_pdf: Path, tmp_path: Path
) -> None:
    """Pre-opening renders page 1 at the zoom the last first page was shown at, before the
    document is registered; the view then gets that render, with the new document's pixels."""
    import pymupdf

    first = _first_page_shown(qtbot, pool, text_pdf, 1000)
    src = pymupdf.open()
    page = src.new_page(width=595, height=842)
    page.insert_text((72, 120), "Tài liệu thứ hai", fontsize=40)
    other_path = tmp_path / "hai.pdf"
    src.save(other_path)
    doc_id = new_doc_id()
    try:
        pool.preopen(DocumentSource(doc_id, path=str(other_path)))
        key = PageKey(doc_id, 0, 1000)
        assert pool.is_rendering(key)  # started before the document is registered
        second = Document.open_path(str(other_path), doc_id=doc_id)
        pool.register(second.source)
        pool.request([(key, 0)])
        qtbot.waitUntil(_cached(pool, key), timeout=10_000)
        rendered = pool.cache.get(key)
        assert rendered is not None
        assert same_pixels(rendered.image, other_path, 0, 1.0)
        pool.unregister(doc_id)
        second.close()
    finally:
        pool.unregister(first.doc_id)
        first.close()


def test_a_preopened_first_page_goes_to_the_worker_that_is_free_first(
    qtbot: QtBot, text_pdf: Path, tmp_path: Path
) -> None:
    """An open right after another document: one worker is stuck in a long render, the other
    has finished its pages but the GUI has not read the replies yet (both look busy). The new
    first page goes to the free one and comes back with its own pixels while the long render
    still runs."""
    import pymupdf

    pool = RenderPool(workers=2)
    try:
        first = _first_page_shown(qtbot, pool, text_pdf, 500)
        pool.debug_sleep[5] = 30.0  # a page that takes the engine "forever"
        slow = PageKey(first.doc_id, 5, 500)
        pool.request([(slow, 0)])
        # Visible pages (priority 0) fill both workers' pipelines: the stuck one takes one
        # behind its long render, the other two that it finishes at once.
        pool.request([(PageKey(first.doc_id, p, 500), 0) for p in (1, 2, 3)])
        time.sleep(1.0)  # the replies reach the reader thread; the GUI thread reads none
        src = pymupdf.open()
        page = src.new_page(width=595, height=842)
        page.insert_text((72, 120), "Tài liệu thứ hai", fontsize=40)
        other_path = tmp_path / "hai.pdf"
        src.save(other_path)
        doc_id = new_doc_id()
        pool.preopen(DocumentSource(doc_id, path=str(other_path)))
        second = Document.open_path(str(other_path), doc_id=doc_id)
        pool.register(second.source)
        key = PageKey(doc_id, 0, 500)
        pool.request([(key, 0)])
        qtbot.waitUntil(_cached(pool, key), timeout=10_000)
        assert pool.is_rendering(slow)  # it did not wait behind the 30-second page
        rendered = pool.cache.get(key)
        assert rendered is not None
        assert same_pixels(rendered.image, other_path, 0, 0.5)
        pool.unregister(first.doc_id)
        pool.unregister(doc_id)
        first.close()
        second.close()
    finally:
        pool.close()


def test_replies_to_an_earlier_opening_never_reach_a_later_one(
    qtbot: QtBot, text_pdf: Path
) -> None:
    """A document closed and shown again while its pages were still with the worker: the
    worker cancels the earlier opening's pages, and that reply ("cancelled: the document was
    closed") must not fail the same page asked for again (the flaky
    test_a_document_shown_again_is_rendered_again)."""
    pool = RenderPool(workers=1)
    doc = Document.open_path(str(text_pdf))
    try:
        qtbot.waitUntil(pool.is_ready, timeout=10_000)
        _ready, failed = _collect(pool)
        pool.register(doc.source)
        pool.debug_sleep[0] = 0.5  # page 0 keeps the worker busy; page 1 waits in its pipe
        slow, waiting = PageKey(doc.doc_id, 0, 500), PageKey(doc.doc_id, 1, 500)
        pool.request([(slow, 0), (waiting, 0)])
        assert pool.is_rendering(waiting)
        pool.unregister(doc.doc_id)
        pool.register(doc.source)  # shown again
        pool.request([(waiting, 0)])
        qtbot.waitUntil(lambda: pool.cache.get(waiting) is not None, timeout=10_000)
        assert failed == []
    finally:
        pool.close()
        doc.close()
