"""Fuzz: mutated PDFs go through open, render and search; never a crash or a hang (~20 s)."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytestqt.qtbot import QtBot

from viewer.document import Document, DocumentError
from viewer.render.cache import PageKey
from viewer.render.pool import RenderPool
from viewer.render.worker import SearchBatch
from viewer.search.find import SearchOptions

from .conftest import make_text_pdf

BASE = make_text_pdf(3)
BUDGET_SECONDS = 20.0
_started: list[float] = []


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """The base PDF with flipped bytes, a cut, and/or a duplicated chunk."""
    data = bytearray(BASE)
    for _ in range(draw(st.integers(0, 30))):
        pos = draw(st.integers(0, len(data) - 1))
        data[pos] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.booleans()) and data:
        a = draw(st.integers(0, len(data) - 1))
        b = draw(st.integers(a, min(len(data), a + 4000)))
        data[a:a] = data[a:b]
    return bytes(data)


@pytest.mark.timeout(120)
@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(data=mutated())
def test_mutated_pdfs(qtbot: QtBot, pool: RenderPool, data: bytes) -> None:
    if not _started:
        _started.append(time.monotonic())
    if time.monotonic() - _started[0] > BUDGET_SECONDS:
        return  # time budget spent: the remaining examples pass trivially
    try:
        doc = Document.open_bytes(data, "fuzz.pdf")
    except DocumentError as exc:
        message = exc.user_message()
        assert message
        return
    _render_and_search(qtbot, pool, doc)


def _render_and_search(qtbot: QtBot, pool: RenderPool, doc: Document) -> None:
    pool.register(doc.source)
    failed: list[PageKey] = []
    finished: list[int] = []
    search_id = int(time.monotonic() * 1e6)

    def on_failed(key: PageKey, _reason: str) -> None:
        failed.append(key)

    def on_batch(batch: SearchBatch) -> None:
        if batch.search_id == search_id and batch.done:
            finished.append(1)

    pool.pageFailed.connect(on_failed)
    pool.searchBatch.connect(on_batch)
    try:
        keys = [PageKey(doc.doc_id, i, 500) for i in range(min(doc.page_count, 2))]
        pool.request([(k, 0) for k in keys])
        qtbot.waitUntil(
            lambda: all(pool.cache.get(k) is not None or k in failed for k in keys),
            timeout=15_000,
        )
        pool.search(search_id, doc.doc_id, "quyet dinh", SearchOptions(), 0)
        qtbot.waitUntil(lambda: bool(finished), timeout=15_000)
    finally:
        pool.pageFailed.disconnect(on_failed)
        pool.searchBatch.disconnect(on_batch)
        pool.unregister(doc.doc_id)
        doc.close()
