"""The render worker, driven in this process through a real pipe and a real pixel block."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from multiprocessing import shared_memory
from pathlib import Path

import pytest

from viewer.render.worker import (
    CANCELLED,
    CloseDocument,
    DocumentSource,
    RenderRequest,
    RenderResult,
    _Worker,
)


@pytest.fixture
def block() -> Iterator[shared_memory.SharedMemory]:
    """A pixel block the worker draws into (the GUI process owns these)."""
    shm = shared_memory.SharedMemory(create=True, size=4 * 1024 * 1024)
    yield shm
    shm.close()
    shm.unlink()


def test_renders_queued_behind_a_close_are_skipped(
    text_pdf: Path, block: shared_memory.SharedMemory
) -> None:
    """The view closed the document while two of its pages waited in the pipe: the worker
    answers them as cancelled instead of rendering them; another document still renders."""
    ours, theirs = multiprocessing.Pipe()
    worker = _Worker(theirs)
    closed = DocumentSource(1, path=str(text_pdf))
    other = DocumentSource(2, path=str(text_pdf))
    try:
        worker.handle(RenderRequest(1, closed, 0, 1.0, 0, block.name, block.size))
        first: RenderResult = ours.recv()
        assert first.error is None
        assert (first.width, first.height) == (595, 842)
        ours.send(RenderRequest(3, other, 2, 1.0, 0, block.name, block.size))
        ours.send(CloseDocument(1))
        worker.handle(RenderRequest(2, closed, 1, 1.0, 0, block.name, block.size))
        skipped: RenderResult = ours.recv()
        assert (skipped.request_id, skipped.error) == (2, CANCELLED)
        worker.handle(worker.pending.pop(0))  # the other document's page, read ahead
        rendered: RenderResult = ours.recv()
        assert (rendered.request_id, rendered.error) == (3, None)
    finally:
        for mapping, _pointer in worker.blocks.values():
            mapping.close()
        ours.close()
        theirs.close()


def test_the_page_the_reader_looks_at_goes_before_queued_background_pages(
    text_pdf: Path, block: shared_memory.SharedMemory
) -> None:
    """Prefetch queued in the pipe waits; a priority-0 page sent after it is rendered first;
    other messages keep their order."""
    ours, theirs = multiprocessing.Pipe()
    worker = _Worker(theirs)
    source = DocumentSource(1, path=str(text_pdf))
    try:
        ours.send(RenderRequest(1, source, 5, 0.5, 0, block.name, block.size, priority=3))
        ours.send(RenderRequest(2, source, 6, 0.5, 0, block.name, block.size, priority=4))
        ours.send(RenderRequest(3, source, 0, 0.5, 0, block.name, block.size, priority=0))
        order = []
        for _ in range(3):
            worker.handle(worker._next())
            order.append(ours.recv().request_id)
        assert order == [3, 1, 2]
    finally:
        for mapping, _pointer in worker.blocks.values():
            mapping.close()
        ours.close()
        theirs.close()
