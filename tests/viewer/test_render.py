"""The render pool: pages come back through shared memory; crashes and hangs are contained."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QTimer
from pytestqt.qtbot import QtBot

from viewer.document import Document
from viewer.render import PageKey, PixelCache, RenderedPage, RenderPool


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
    from PySide6.QtGui import QImage

    cache = PixelCache(max_bytes=3 * 100 * 100 * 3)
    for i in range(10):
        image = QImage(100, 100, QImage.Format.Format_RGB888)
        cache.put(RenderedPage(PageKey(1, i, 1000), image, 1))
    assert len(cache) == 3
    assert cache.get(PageKey(1, 9, 1000)) is not None
    assert cache.closest(PageKey(1, 9, 2000)) is not None


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
    pids = pool.pids()
    assert pids  # the workers had been started...
    assert not any(_alive(pid) for pid in pids)  # ...and are stopped
    qtbot.wait(50)  # the late "started" notice reaches a closed pool: ignored
    doc.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
