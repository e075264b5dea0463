"""The render worker process: opens documents, renders pages into shared memory, searches text.

It runs in its own process because PyMuPDF holds the GIL while it renders (a thread would freeze
the GUI). It imports no Qt so that it starts fast. Messages are the small value objects below,
sent over a multiprocessing Connection; pixels are drawn straight into shared-memory blocks that
the GUI process owns (creates, recycles and unlinks) and paints from without copying.
"""

from __future__ import annotations

import logging
import math
import mmap
import os
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from multiprocessing import shared_memory
from multiprocessing.connection import Connection
from typing import Any

# Imported here, not lazily: the forkserver preloads this module, so forked workers start with
# PyMuPDF already imported (~5 ms instead of ~100 ms).
import pymupdf
from pymupdf import mupdf

from viewer.render.describe import (
    SIZE_SECONDS,
    Describe,
    PageSizes,
    describe,
    describe_failure,
    read_sizes,
)
from viewer.search.find import PageText, SearchHit, SearchOptions, extract_page_text, find_in_page

log = logging.getLogger(__name__)

# MuPDF's store (decoded images, fonts) grows to hundreds of MB on scans: keep it bounded.
STORE_LIMIT_BYTES = 64 * 1024 * 1024
MAX_OPEN_DOCUMENTS = 3
CANCELLED = "cancelled: the document was closed"
# Workers yield the CPU to the GUI process: at nice 5 the GUI thread still lost 5-15 ms slices
# to two busy workers on a 2-core machine; at 15 (CFS weight ~1:30) it barely does. The price:
# other busy programs slow the workers down more.
RENDER_NICENESS = 15


@dataclass(frozen=True, slots=True)
class DocumentSource:
    """Where a worker finds a document: a file path, or a shared-memory block holding its bytes."""

    doc_id: int
    path: str | None = None
    shm_name: str | None = None
    size: int = 0
    password: str | None = None


@dataclass(frozen=True, slots=True)
class RenderRequest:
    """Render one page at `zoom` (1.0 = 72 dpi) and extra `rotation` into the shared-memory
    block `block` (`capacity` bytes), from its start; `max_bytes` caps an enormous page."""

    request_id: int
    source: DocumentSource
    page: int
    zoom: float
    rotation: int = 0
    block: str = ""
    capacity: int = 0
    max_bytes: int = 64 * 1024 * 1024
    debug_sleep: float = 0.0  # tests: simulate a page that takes the engine a long time
    priority: int = 0  # the pool's: 0 is the page the reader looks at
    epoch: int = 0  # the document's registration in the pool this page was asked for


@dataclass(frozen=True, slots=True)
class RenderResult:
    """A rendered page at the start of the request's block: premultiplied BGRA, opaque
    (Qt's RGB32 on little-endian), `stride` bytes per row; or an error; or, when
    the block was too small, `needed` bytes and nothing rendered (the pool retries)."""

    request_id: int
    page: int
    width: int = 0
    height: int = 0
    stride: int = 0
    zoom: float = 0.0
    error: str | None = None
    seconds: float = 0.0
    needed: int = 0


@dataclass(frozen=True, slots=True)
class DropBlocks:
    """Detach from pixel blocks the GUI process frees (a mapping would keep their memory)."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """Search every page, starting at `start_page` and wrapping around; hits are streamed."""

    search_id: int
    source: DocumentSource
    query: str
    options: SearchOptions = field(default_factory=SearchOptions)
    start_page: int = 0


@dataclass(frozen=True, slots=True)
class CancelSearch:
    """Stop the running search (a newer query, or the panel was closed)."""

    search_id: int


@dataclass(frozen=True, slots=True)
class SearchBatch:
    """Hits found on the pages searched since the last batch; `done` once all pages are read."""

    search_id: int
    hits: tuple[SearchHit, ...]
    pages_done: int
    page_count: int
    done: bool = False
    error: str | None = None


@dataclass(frozen=True, slots=True)
class OpenDocument:
    """Open a document ahead of its first render (while the GUI process opens it too)."""

    source: DocumentSource


@dataclass(frozen=True, slots=True)
class CloseDocument:
    """Forget a document (the view closed it); requests of registration `epoch` still queued
    here are cancelled, those of a later registration (opened again meanwhile) are not."""

    doc_id: int
    epoch: int = 0


@dataclass(slots=True)
class _OpenDocument:
    doc: Any
    keepalive: Any = None  # the shared memory block a stream-opened document reads from
    texts: dict[int, PageText] = field(default_factory=dict)


class _Worker:
    """State of one worker process: its pixel block and the documents it has open."""

    def __init__(self, conn: Connection) -> None:
        self.pymupdf = pymupdf
        pymupdf.TOOLS.mupdf_display_errors(False)
        pymupdf.TOOLS.mupdf_display_warnings(False)
        self.conn = conn
        # Pixel blocks of the GUI process, attached on first use: name -> (mapping, pointer)
        self.blocks: dict[str, tuple[Any, Any]] = {}
        self.bgr = mupdf.fz_device_bgr()
        self.docs: OrderedDict[int, _OpenDocument] = OrderedDict()
        self.pending: list[Any] = []
        # doc id -> (describe request, next page): page sizes still to read for the GUI,
        # read in slices while no message waits (20,000 pages take seconds)
        self.sizing: dict[int, tuple[int, int]] = {}
        self.output_bytes = 0

    def document(self, source: DocumentSource) -> _OpenDocument:
        """The open document for `source`, opening it on first use (LRU of a few)."""
        entry = self.docs.get(source.doc_id)
        if entry is not None:
            self.docs.move_to_end(source.doc_id)
            return entry
        if source.shm_name is not None:
            block = _attach(source.shm_name)
            assert block.buf is not None
            doc = self.pymupdf.open("pdf", bytes(block.buf[: source.size]))
            entry = _OpenDocument(doc, block)
        else:
            entry = _OpenDocument(self.pymupdf.open(source.path, filetype="pdf"))
        if entry.doc.needs_pass and not entry.doc.authenticate(source.password or ""):
            raise PermissionError("wrong password")
        self.docs[source.doc_id] = entry
        while len(self.docs) > MAX_OPEN_DOCUMENTS:
            _, old = self.docs.popitem(last=False)
            self._close(old)
        return entry

    def _close(self, entry: _OpenDocument) -> None:
        entry.doc.close()
        if entry.keepalive is not None:
            entry.keepalive.close()

    def render(self, req: RenderRequest) -> RenderResult:
        """Render straight into the GUI's block (no pixmap of our own, no copy), scaling down a
        page too big for `max_bytes` (an enormous page size).

        MuPDF draws into a 4-byte BGRA pixmap cleared to opaque white, which is what PyMuPDF's
        `get_pixmap(alpha=False)` paints (same device, same page run, same white backdrop) in
        the pixel layout Qt paints fastest: ~35 % less engine time than 3-byte RGB here, and
        neither side copies."""
        started = time.perf_counter()
        if req.debug_sleep:
            time.sleep(req.debug_sleep)
        page = self.document(req.source).doc[req.page]
        fz_page = page.this
        zoom = req.zoom
        bounds = mupdf.fz_bound_page(fz_page)
        need = bounds.x1 - bounds.x0, bounds.y1 - bounds.y0
        need_bytes = (need[0] * zoom + 2) * (need[1] * zoom + 2) * 4
        if need_bytes > req.max_bytes:
            zoom *= math.sqrt(req.max_bytes / need_bytes)
        m = self.pymupdf.Matrix(zoom, zoom).prerotate(req.rotation)
        ctm = mupdf.FzMatrix(m.a, m.b, m.c, m.d, m.e, m.f)
        bbox = mupdf.fz_round_rect(mupdf.fz_transform_rect(bounds, ctm))
        width, height = bbox.x1 - bbox.x0, bbox.y1 - bbox.y0
        stride = width * 4
        if stride * height > req.capacity:
            return RenderResult(req.request_id, req.page, zoom=zoom, needed=stride * height)
        pix = mupdf.fz_new_pixmap_with_data(
            self.bgr, width, height, mupdf.FzSeparations(), 1, stride, self._pointer(req.block)
        )
        pix.m_internal.x, pix.m_internal.y = bbox.x0, bbox.y0
        mupdf.fz_clear_pixmap_with_value(pix, 0xFF)
        device = mupdf.fz_new_draw_device(ctm, pix)
        try:
            mupdf.fz_run_page(fz_page, device, mupdf.FzMatrix(), mupdf.FzCookie())
        finally:
            mupdf.fz_close_device(device)
        del device, pix
        # PyMuPDF cannot report the store's size (TOOLS.store_size() returns None), so shrink it
        # after every STORE_LIMIT_BYTES of output: RSS stays bounded, fonts mostly stay warm.
        self.output_bytes += stride * height
        if self.output_bytes > STORE_LIMIT_BYTES:
            self.output_bytes = 0
            self.pymupdf.TOOLS.store_shrink(50)
        return RenderResult(
            req.request_id,
            req.page,
            width,
            height,
            stride,
            zoom,
            seconds=time.perf_counter() - started,
        )

    def _pointer(self, name: str) -> Any:
        """MuPDF's pointer to the start of a GUI block, attaching it on first use."""
        entry = self.blocks.get(name)
        if entry is None:
            mapping = _map_populated(name)
            if mapping is None:
                block = _attach(name)
                assert block.buf is not None
                entry = (block, mupdf.python_mutable_buffer_data(block.buf))
            else:
                entry = (mapping, mupdf.python_mutable_buffer_data(mapping))
            self.blocks[name] = entry
        return entry[1]

    def search(self, req: SearchRequest) -> None:
        """Stream hits page by page; stop early when a newer message arrives."""
        from viewer.search.find import fold_query

        entry = self.document(req.source)
        count = entry.doc.page_count
        query = fold_query(req.query, req.options)
        batch: list[SearchHit] = []
        last_sent = time.perf_counter()
        for done in range(count):
            index = (req.start_page + done) % count
            if self.conn.poll():
                self.pending.append(self.conn.recv())
                return
            text = entry.texts.get(index)
            if text is None:
                try:
                    text = extract_page_text(entry.doc[index])
                except Exception as exc:  # MuPDF raises many types on damaged pages
                    log.warning("text of page %d unreadable: %r", index, exc)
                    text = PageText("", [])
                entry.texts[index] = text
            batch.extend(find_in_page(index, text, query, req.options))
            now = time.perf_counter()
            if batch or now - last_sent > 0.1:
                self.conn.send(SearchBatch(req.search_id, tuple(batch), done + 1, count))
                batch, last_sent = [], now
        self.conn.send(SearchBatch(req.search_id, tuple(batch), count, count, done=True))

    def handle(self, msg: Any) -> None:
        """Dispatch one message; every failure becomes an error reply, never a dead worker."""
        if isinstance(msg, RenderRequest):
            if self._closing(msg):
                self.conn.send(RenderResult(msg.request_id, msg.page, error=CANCELLED))
                return
            try:
                self.conn.send(self.render(msg))
            except Exception as exc:  # MuPDF raises many types (RuntimeError, FzError*, ...)
                self.conn.send(RenderResult(msg.request_id, msg.page, error=repr(exc)))
        elif isinstance(msg, SearchRequest):
            try:
                self.search(msg)
            except Exception as exc:
                self.conn.send(SearchBatch(msg.search_id, (), 0, 0, True, repr(exc)))
        elif isinstance(msg, Describe):
            self.describe(msg)
        elif isinstance(msg, OpenDocument):
            try:
                self.document(msg.source).doc.load_page(0)
            except Exception as exc:  # the GUI process reports what is wrong with the file
                log.debug("pre-open failed: %r", exc)
                self.docs.pop(msg.source.doc_id, None)
        elif isinstance(msg, DropBlocks):
            for name in msg.names:
                attached = self.blocks.pop(name, None)
                if attached is not None:
                    attached[0].close()
        elif isinstance(msg, CloseDocument):
            entry = self.docs.pop(msg.doc_id, None)
            if entry is not None:
                self._close(entry)

    def describe(self, req: Describe) -> None:
        """Open a document for the GUI process (see viewer.render.describe) and keep it open
        for the renders that follow."""
        entry = self.docs.pop(req.source.doc_id, None)
        if entry is not None:
            self._close(entry)
        data: bytes | None = None
        block = None
        if req.source.shm_name is not None:
            block = _attach(req.source.shm_name)
            assert block.buf is not None
            data = bytes(block.buf[: req.source.size])
        try:
            info, doc = describe(req, data)
        except Exception as exc:  # describe reports failures itself; this is a bug
            log.exception("describe failed")
            info, doc = describe_failure(req, repr(exc)), None
        if doc is not None:
            self.docs[req.source.doc_id] = _OpenDocument(doc, block)
            if len(info.sizes) < info.page_count:
                self.sizing[req.source.doc_id] = (req.request_id, len(info.sizes))
            while len(self.docs) > MAX_OPEN_DOCUMENTS:
                _, old = self.docs.popitem(last=False)
                self._close(old)
        elif block is not None:
            block.close()
        self.conn.send(info)

    def read_more_sizes(self) -> None:
        """One slice of page sizes of the latest document still being sized."""
        doc_id = next(reversed(self.sizing))
        request_id, start = self.sizing.pop(doc_id)
        entry = self.docs.get(doc_id)
        if entry is None:
            return  # closed meanwhile
        try:
            sizes, rotations = read_sizes(entry.doc, start, SIZE_SECONDS)
        except Exception as exc:  # the GUI keeps its estimates
            log.info("page sizes unreadable: %r", exc)
            return
        self.conn.send(PageSizes(request_id, start, sizes, rotations))
        if start + len(sizes) < entry.doc.page_count:
            self.sizing[doc_id] = (request_id, start + len(sizes))

    def _closing(self, req: RenderRequest) -> bool:
        """True if the CloseDocument of the request's registration already waits in the pipe:
        its view closed it, so the renders queued before are skipped (they delayed the next
        document's first page, two per worker with pipelining)."""
        while self.conn.poll():
            self.pending.append(self.conn.recv())
        doc_id, epoch = req.source.doc_id, req.epoch
        return any(
            isinstance(m, CloseDocument) and m.doc_id == doc_id and m.epoch == epoch
            for m in self.pending
        )

    def _next(self) -> Any:
        """The next message: in order, except that the page the reader looks at (priority 0)
        goes before pages waiting for the background (prefetch of a document being closed,
        thumbnails), which the pool may have queued here earlier."""
        while self.conn.poll():
            self.pending.append(self.conn.recv())
        if not self.pending:
            return self.conn.recv()
        head = self.pending[0]
        if isinstance(head, RenderRequest) and head.priority > 0:
            for i, msg in enumerate(self.pending):
                if isinstance(msg, RenderRequest) and msg.priority == 0:
                    return self.pending.pop(i)
        return self.pending.pop(0)

    def run(self) -> None:
        """Serve messages until the GUI process closes the connection."""
        while True:
            if self.sizing and not self.pending and not self.conn.poll():
                self.read_more_sizes()
                continue
            try:
                msg = self._next()
            except (EOFError, OSError):
                return
            if msg is None:
                return
            self.handle(msg)


def _map_populated(name: str) -> mmap.mmap | None:
    """Map a fresh block with all its pages at once (Linux): drawing into a block page by page
    faulted 900 times for an A4 page at 96 dpi, 3-8 ms here, against ~2 ms in one call.
    None where POSIX shared memory is not a /dev/shm file (the caller attaches normally)."""
    populate = getattr(mmap, "MAP_POPULATE", 0)
    path = os.path.join("/dev/shm", name.lstrip("/"))
    if not populate or not os.path.exists(path):
        return None
    fd = os.open(path, os.O_RDWR)
    try:
        return mmap.mmap(fd, os.fstat(fd).st_size, flags=mmap.MAP_SHARED | populate)
    finally:
        os.close(fd)


def _attach(name: str) -> shared_memory.SharedMemory:
    """Attach to a block the GUI process owns (and unlinks).

    Workers share the GUI process's resource tracker, whose registry is a set: attaching adds
    the name again harmlessly and the owner's unlink removes it.
    """
    return shared_memory.SharedMemory(name=name)


def worker_main(conn: Connection) -> None:
    """Entry point of a worker process, at a lower CPU priority than the GUI process so that
    rendering never takes a core from the GUI thread (no stall even on a 2-core machine)."""
    if hasattr(os, "nice"):
        os.nice(RENDER_NICENESS)
    _Worker(conn).run()
