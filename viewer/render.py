"""Render scheduler: a pool of worker processes, a priority queue of page requests, a pixel cache.

The GUI thread never renders: it queues `PageKey`s, a free worker renders the most urgent one into
its shared-memory block, and a reader thread (blocked in `connection.wait`, so it holds no GIL
while idle) hands the reply to the GUI thread as a queued Qt signal. A worker that dies or hangs
is replaced and the page reports an error; the app lives on.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import multiprocessing
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing import shared_memory
from multiprocessing.connection import Connection, wait
from typing import Any, cast

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from viewer.render_worker import (
    CancelSearch,
    CloseDocument,
    DocumentSource,
    OpenDocument,
    RenderRequest,
    RenderResult,
    SearchBatch,
    SearchRequest,
    worker_main,
)
from viewer.search import SearchOptions

log = logging.getLogger(__name__)

BLOCK_BYTES = 64 * 1024 * 1024  # one page at 400 % of A4 fits; bigger pages are scaled down
DEFAULT_CACHE_BYTES = 160 * 1024 * 1024
HANG_SECONDS = 30.0
BACKGROUND = 2  # request priorities from here on are prefetch / thumbnails
STALE_SECONDS = 0.2  # a render for a closed document running longer than this is cut short
_STARTED = -2  # inbox marker: the starter thread has started the workers


@dataclass(frozen=True, slots=True, order=True)
class PageKey:
    """Identity of a rendered image: document, page, zoom in thousandths, extra rotation."""

    doc_id: int
    page: int
    zoom_milli: int
    rotation: int = 0

    @property
    def zoom(self) -> float:
        """Scale factor relative to 72 dpi."""
        return self.zoom_milli / 1000.0


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """A rendered page image; `zoom` may be below the requested one for an enormous page."""

    key: PageKey
    image: QImage
    zoom: float


class PixelCache:
    """LRU of rendered images bounded in bytes, so RSS stays flat through a 500-page scroll."""

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[PageKey, RenderedPage] = OrderedDict()
        # Evicted images kept for reuse: writing into memory already mapped costs ~1 ms for
        # a 150 % page, fresh memory ~8 ms of page faults on the GUI thread.
        self._spares: list[QImage] = []

    def take_spare(self, width: int, height: int) -> QImage:
        """An image of that size and RGB888 format, recycled when possible."""
        for i, image in enumerate(self._spares):
            if image.width() == width and image.height() == height:
                return self._spares.pop(i)
        return QImage(width, height, QImage.Format.Format_RGB888)

    def get(self, key: PageKey) -> RenderedPage | None:
        """The image for `key`, marked as recently used."""
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def closest(self, key: PageKey) -> RenderedPage | None:
        """The best stand-in for `key` (same page and rotation, nearest zoom) while it renders."""
        best: RenderedPage | None = None
        for other, item in self._items.items():
            if (other.doc_id, other.page, other.rotation) != (key.doc_id, key.page, key.rotation):
                continue
            if best is None or abs(other.zoom_milli - key.zoom_milli) < abs(
                best.key.zoom_milli - key.zoom_milli
            ):
                best = item
        return best

    def put(self, page: RenderedPage) -> None:
        """Insert and evict the least recently used images beyond the byte bound."""
        old = self._items.pop(page.key, None)
        if old is not None:
            self.bytes -= old.image.sizeInBytes()
        self._items[page.key] = page
        self.bytes += page.image.sizeInBytes()
        while self.bytes > self.max_bytes and len(self._items) > 1:
            _, evicted = self._items.popitem(last=False)
            self.bytes -= evicted.image.sizeInBytes()
            self._spares = [evicted.image, *self._spares[:2]]

    def drop_document(self, doc_id: int) -> None:
        """Forget every image of a closed document."""
        for key in [k for k in self._items if k.doc_id == doc_id]:
            self.bytes -= self._items.pop(key).image.sizeInBytes()

    def __len__(self) -> int:
        return len(self._items)


class _Bridge(QObject):
    """Wakes the GUI thread when the reader thread has queued worker replies.

    The replies travel in a deque, not as signal arguments: PySide6 6.12 corrupted reference
    counts (fatal "none_dealloc") when Python objects were emitted from a non-Qt thread.
    """

    arrived = Signal()


@dataclass(slots=True)
class _Slot:
    """One worker process, its connection and pixel block, and what it is doing."""

    index: int
    process: Any
    conn: Connection
    block: shared_memory.SharedMemory
    busy: Any = None  # the RenderRequest in flight
    since: float = 0.0
    priority: int = 0
    opened: set[int] = field(default_factory=set)  # documents it has (probably) open
    generation: int = 0


def _context() -> Any:
    """forkserver where available (workers fork from a warm server: ~ms), spawn elsewhere."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["__main__", "viewer.render_worker"])
        return ctx
    return multiprocessing.get_context("spawn")


class RenderPool(QObject):
    """Worker processes shared by every view: renders pages and runs searches.

    Signals: `pageReady(RenderedPage)`, `pageFailed(PageKey, str)`, `searchBatch(SearchBatch)`.
    """

    pageReady = Signal(object)
    ready = Signal()  # the worker processes run
    pageFailed = Signal(object, str)
    searchBatch = Signal(object)

    _shared: RenderPool | None = None

    def __init__(
        self,
        workers: int | None = None,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        hang_seconds: float = HANG_SECONDS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._count = workers or max(1, min(3, os.cpu_count() or 2))
        self.cache = PixelCache(cache_bytes)
        self.hang_seconds = hang_seconds
        self._ctx = _context()
        self._slots: list[_Slot] = []
        self._search_slot: _Slot | None = None
        self._queue: list[tuple[int, int, PageKey, str]] = []
        self._queued: dict[PageKey, int] = {}
        self._in_flight: dict[PageKey, _Slot] = {}
        self._sources: dict[int, DocumentSource] = {}
        self._users: dict[int, int] = {}
        self._seq = itertools.count()
        self._request_ids = itertools.count(1)
        self._requests: dict[int, PageKey] = {}
        self.debug_sleep: dict[int, float] = {}  # tests: page -> seconds the engine "takes"
        self._bridge = _Bridge()
        self._inbox: deque[tuple[int, int, object]] = deque()
        self._bridge.arrived.connect(self._drain)
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = multiprocessing.Pipe(duplex=False)
        self._closed = False
        self._reader = threading.Thread(target=self._read_loop, name="render-reader", daemon=True)
        self._starter = threading.Thread(
            target=self._start_workers, name="render-start", daemon=True
        )
        self._started: tuple[list[_Slot], _Slot] | None = None
        self._pending_search: SearchRequest | None = None
        self._watchdog = QTimer(self)
        self._watchdog.setInterval(250)
        self._watchdog.timeout.connect(self._check_hangs)
        self._start()

    @classmethod
    def shared(cls) -> RenderPool:
        """The process-wide pool, started on first use (call early to hide worker start-up)."""
        if cls._shared is None or cls._shared._closed:
            cls._shared = cls()
        return cls._shared

    # -- lifecycle -------------------------------------------------------------------------

    def _start(self) -> None:
        self._starter.start()
        self._watchdog.start()

    def _start_workers(self) -> None:
        """Start the processes off the GUI thread: the first start waits (~100 ms) for the
        forkserver to import PyMuPDF; later starts fork from it in a few ms."""
        started = ([self._spawn(i) for i in range(self._count)], self._spawn(-1))
        self._started = started
        self._post(_STARTED, 0, started)

    def _adopt(self, started: tuple[list[_Slot], _Slot]) -> None:
        """The workers are up: serve what was queued meanwhile."""
        if self._slots or self._closed:
            return
        with self._lock:
            self._slots, self._search_slot = started
        self._reader.start()
        self.ready.emit()
        if self._pending_search is not None:
            self._search_slot.conn.send(self._pending_search)
            self._pending_search = None
        self._dispatch()

    def is_ready(self) -> bool:
        """True once the worker processes run."""
        return bool(self._slots)

    def _spawn(self, index: int, block: shared_memory.SharedMemory | None = None) -> _Slot:
        if block is None:
            block = shared_memory.SharedMemory(create=True, size=BLOCK_BYTES)
        ours, theirs = self._ctx.Pipe()
        process = self._ctx.Process(
            target=worker_main, args=(theirs, block.name), name=f"hopdesk-render-{index}"
        )
        process.daemon = True
        process.start()
        theirs.close()
        slot = _Slot(index, process, ours, block)
        self._wake()
        return slot

    def _respawn(self, slot: _Slot, reason: str = "") -> None:
        """Replace a dead, hung or uselessly busy worker, keeping its block."""
        log.log(
            logging.INFO if reason else logging.WARNING,
            "render worker %d (pid %s) replaced %s",
            slot.index,
            slot.process.pid,
            reason,
        )
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join(1.0)
        with self._lock:
            slot.conn.close()
            fresh = self._spawn(slot.index, slot.block)
            slot.process, slot.conn, slot.busy = fresh.process, fresh.conn, None
            slot.generation += 1
            slot.opened = set()
        self._wake()

    def close(self) -> None:
        """Stop the workers and free the shared memory (orderly shutdown)."""
        if self._closed:
            return
        self._watchdog.stop()
        self._starter.join()
        if self._started is not None and not self._slots:
            self._slots, self._search_slot = self._started
        self._closed = True
        slots = [*self._slots, *([self._search_slot] if self._search_slot else [])]
        for slot in slots:
            try:
                slot.conn.send(None)
            except OSError as exc:
                log.debug("worker %d already gone: %r", slot.index, exc)
        self._wake()
        for slot in slots:
            slot.process.join(2.0)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join(1.0)
            slot.conn.close()
            slot.block.close()
            slot.block.unlink()
        if self._reader.ident is not None:  # not started when closed before adopting workers
            self._reader.join(2.0)
        for source in list(self._sources.values()):
            self.unregister(source.doc_id)

    def pids(self) -> list[int]:
        """Process ids of the workers (benchmarks measure their memory)."""
        slots = [*self._slots, *([self._search_slot] if self._search_slot else [])]
        return [s.process.pid for s in slots if s.process.pid]

    # -- documents --------------------------------------------------------------------------

    def register(self, source: DocumentSource) -> None:
        """Make a document known to the workers (they open it on first request); counted, so
        several views (page view, thumbnails, presentation) can share it."""
        self._sources[source.doc_id] = source
        self._users[source.doc_id] = self._users.get(source.doc_id, 0) + 1

    def preopen(self, source: DocumentSource) -> None:
        """Let the worker that will render the first page open the file now, in parallel with
        the GUI process's own open and layout (saves the worker's open on the first paint)."""
        free = [s for s in self._slots if s.busy is None]
        if free:
            free[0].opened.add(source.doc_id)
            try:
                free[0].conn.send(OpenDocument(source))
            except OSError as exc:
                log.debug("pre-open: %r", exc)

    def forget(self, doc_id: int) -> None:
        """Close a pre-opened document that was never registered (it failed to open)."""
        for slot in self._slots:
            try:
                slot.conn.send(CloseDocument(doc_id))
            except OSError as exc:
                log.debug("forget on worker %d: %r", slot.index, exc)

    def replace_source(self, source: DocumentSource) -> None:
        """Point workers that have not opened a document yet at a new source (same doc_id)."""
        if source.doc_id in self._sources:
            self._sources[source.doc_id] = source

    def unregister(self, doc_id: int) -> None:
        """Forget a document once its last user lets go: queued requests, cached images, and
        the workers' open copies."""
        self._users[doc_id] = self._users.get(doc_id, 1) - 1
        if self._users[doc_id] > 0 and not self._closed:
            return
        self._users.pop(doc_id, None)
        self._sources.pop(doc_id, None)
        self._queue = [q for q in self._queue if q[2].doc_id != doc_id]
        heapq.heapify(self._queue)
        self._queued = {k: v for k, v in self._queued.items() if k.doc_id != doc_id}
        self.cache.drop_document(doc_id)
        for slot in self._slots:
            slot.opened.discard(doc_id)
        if self._closed:
            return
        for slot in [*self._slots, *([self._search_slot] if self._search_slot else [])]:
            try:
                slot.conn.send(CloseDocument(doc_id))
            except OSError as exc:
                log.debug("close on worker %d: %r", slot.index, exc)

    # -- rendering -------------------------------------------------------------------------

    def request(self, keys: Iterable[tuple[PageKey, int]], owner: str = "") -> None:
        """Queue (key, priority) pairs, lower priority first. A non-empty `owner` (one per view)
        replaces that owner's older queued requests: pages scrolled past are never rendered."""
        if owner:
            self._queue = [q for q in self._queue if q[3] != owner]
            heapq.heapify(self._queue)
            self._queued = {}
            for priority, _, key, _owner in self._queue:
                self._queued[key] = min(priority, self._queued.get(key, priority))
        for key, priority in keys:
            if key in self._in_flight or self.cache.get(key) is not None:
                continue
            if self._queued.get(key, 1 << 30) <= priority:
                continue
            self._queued[key] = priority
            heapq.heappush(self._queue, (priority, next(self._seq), key, owner))
        self._dispatch()

    def _dispatch(self) -> None:
        cores = os.cpu_count() or 2
        while self._queue:
            free = [s for s in self._slots if s.busy is None]
            if not free:
                return
            busy = len(self._slots) - len(free)
            priority = self._queue[0][0]
            # Without a spare core, background work (prefetch, thumbnails) waits while a visible
            # page renders, so that page gets a whole core: first paint comes sooner.
            visible_busy = any(s.busy is not None and s.priority == 0 for s in self._slots)
            if priority > 0 and visible_busy and busy + 1 >= cores:
                return
            # Background work never takes the last free worker: a page the reader scrolls to
            # (or a newly opened document) must not wait behind prefetch or thumbnails.
            background = sum(s.busy is not None and s.priority >= BACKGROUND for s in self._slots)
            if (
                priority >= BACKGROUND
                and len(self._slots) > 1
                and background + 1 >= len(self._slots)
            ):
                return
            key = self._pop()
            source = self._sources.get(key.doc_id) if key is not None else None
            if key is None or source is None:
                continue
            # Prefer a worker that already has the document open (no second open).
            slot = next((s for s in free if key.doc_id in s.opened), free[0])
            slot.opened.add(key.doc_id)
            request_id = next(self._request_ids)
            req = RenderRequest(
                request_id,
                source,
                key.page,
                key.zoom,
                key.rotation,
                self.debug_sleep.get(key.page, 0.0),
            )
            self._requests[request_id] = key
            slot.busy, slot.since, slot.priority = req, time.perf_counter(), priority
            self._in_flight[key] = slot
            try:
                slot.conn.send(req)
            except OSError as exc:
                log.warning("worker %d unreachable: %r", slot.index, exc)
                self._fail_slot(slot, "render worker unreachable")
                return

    def _pop(self) -> PageKey | None:
        """The most urgent live request (superseded heap entries are skipped)."""
        while self._queue:
            priority, _, key, _owner = heapq.heappop(self._queue)
            if self._queued.get(key) == priority:
                del self._queued[key]
                return key
        return None

    def _finish(self, slot: _Slot) -> PageKey | None:
        req = slot.busy
        slot.busy = None
        if req is None:
            return None
        key = self._requests.pop(req.request_id, None)
        if key is not None:
            self._in_flight.pop(key, None)
        return key

    def _fail_slot(self, slot: _Slot, reason: str) -> None:
        key = self._finish(slot)
        self._respawn(slot)
        if key is not None:
            self.pageFailed.emit(key, reason)
        self._dispatch()

    def _on_render(self, slot: _Slot, result: RenderResult) -> None:
        if slot.busy is None or slot.busy.request_id != result.request_id:
            return
        key = self._finish(slot)
        if key is None:
            self._dispatch()
            return
        if result.error is not None:
            log.warning("page %d of doc %d failed: %s", key.page, key.doc_id, result.error)
            self._dispatch()
            self.pageFailed.emit(key, result.error)
            return
        image = self.cache.take_spare(result.width, result.height)
        n = result.stride * result.height
        if image.isNull() or image.bytesPerLine() != result.stride:
            self._dispatch()
            self.pageFailed.emit(key, "image allocation failed")
            return
        bits: memoryview = image.bits()  # type: ignore[assignment]
        assert slot.block.buf is not None
        bits[:n] = slot.block.buf[:n]
        del bits
        # The block is free again: start the next page before painting this one.
        self._dispatch()
        if key.doc_id not in self._sources:  # closed meanwhile: do not fill the cache
            return
        page = RenderedPage(key, image, result.zoom)
        self.cache.put(page)
        self.pageReady.emit(page)

    def _check_hangs(self) -> None:
        """Replace workers that hang, and workers still busy (over STALE_SECONDS) with a page
        of a closed document: it may take the engine seconds and nobody wants it any more."""
        now = time.perf_counter()
        for slot in self._slots:
            if slot.busy is None:
                continue
            if now - slot.since > self.hang_seconds:
                self._fail_slot(slot, "render worker did not answer")
            elif slot.busy.source.doc_id not in self._sources and now - slot.since > STALE_SECONDS:
                self._finish(slot)
                self._respawn(slot, "its document was closed")
                self._dispatch()

    # -- search ----------------------------------------------------------------------------

    def search(
        self, search_id: int, doc_id: int, query: str, options: SearchOptions, start_page: int
    ) -> None:
        """Start a streamed search; batches arrive through `searchBatch`."""
        source = self._sources.get(doc_id)
        if source is None:
            return
        request = SearchRequest(search_id, source, query, options, start_page)
        if self._search_slot is None:
            self._pending_search = request
            return
        try:
            self._search_slot.conn.send(request)
        except OSError as exc:
            log.warning("search worker unreachable: %r", exc)
            self._respawn(self._search_slot)

    def cancel_search(self, search_id: int) -> None:
        """Stop a running search."""
        if self._search_slot is None:
            self._pending_search = None
            return
        try:
            self._search_slot.conn.send(CancelSearch(search_id))
        except OSError as exc:
            log.debug("cancel search: %r", exc)

    # -- reader thread ---------------------------------------------------------------------

    def _wake(self) -> None:
        try:
            self._wake_w.send_bytes(b"w")
        except OSError as exc:
            log.debug("wake: %r", exc)

    def _read_loop(self) -> None:
        """Wait on every worker connection; forward each reply to the GUI thread."""
        # (worker, generation) at EOF, skipped until the GUI thread replaces the worker
        dead: set[tuple[int, int]] = set()
        while not self._closed:
            with self._lock:
                slots = [*self._slots, *([self._search_slot] if self._search_slot else [])]
                by_conn: dict[Any, tuple[_Slot, int]] = {
                    s.conn: (s, s.generation)
                    for s in slots
                    if not s.conn.closed and (s.index, s.generation) not in dead
                }
            try:
                ready = wait([self._wake_r, *by_conn])
            except OSError as exc:
                log.debug("reader wait: %r", exc)
                time.sleep(0.01)
                continue
            for conn in ready:
                if conn is self._wake_r:
                    try:
                        self._wake_r.recv_bytes()
                    except (EOFError, OSError):
                        return
                    continue
                slot, generation = by_conn.pop(conn)
                try:
                    msg = cast(Connection, conn).recv()
                except (EOFError, OSError) as exc:
                    dead.add((slot.index, generation))
                    if not self._closed:
                        self._post(slot.index, generation, exc)
                    continue
                self._post(slot.index, generation, msg)

    def _post(self, index: int, generation: int, msg: object) -> None:
        self._inbox.append((index, generation, msg))
        self._bridge.arrived.emit()

    def _drain(self) -> None:
        while self._inbox:
            index, generation, msg = self._inbox.popleft()
            if index == _STARTED:
                self._adopt(cast(tuple[list[_Slot], _Slot], msg))
                continue
            slot = self._search_slot if index == -1 else self._slots[index]
            # A reply from a worker already replaced (it died or hung) is stale.
            if slot is not None and slot.generation == generation:
                self._on_message(index, msg)

    def _on_message(self, index: int, msg: object) -> None:
        if self._closed:
            return
        slot = self._search_slot if index == -1 else self._slots[index]
        if slot is None:
            return
        if isinstance(msg, RenderResult):
            self._on_render(slot, msg)
        elif isinstance(msg, SearchBatch):
            self.searchBatch.emit(msg)
        elif isinstance(msg, BaseException):
            log.warning("render worker %d died: %r", index, msg)
            if index == -1:
                self._respawn(slot)
            else:
                self._fail_slot(slot, "render worker crashed")
