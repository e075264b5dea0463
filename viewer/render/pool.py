"""Render scheduler: a pool of worker processes, a priority queue of page requests, a pixel cache.

The GUI thread never renders: it queues `PageKey`s, and each worker gets up to `PIPELINE` of
the most urgent ones at a time (the next request waits in its pipe, so no round-trip idles it).
A worker draws each page straight into a shared-memory `PixelBlock` from the pool's `BlockPool`;
the GUI wraps that block in a QImage without copying, and the cache entry owns the block until
it is evicted (then it is reused for another page). A reader thread (blocked in
`connection.wait`, so it holds no GIL while idle) hands the replies to the GUI thread through a
queued Qt signal. A worker that dies or hangs is replaced and the page reports an error; the
app lives on.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing import shared_memory
from multiprocessing.connection import Connection, wait
from typing import Any, NamedTuple, cast

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QImage

from viewer.render.worker import (
    CancelSearch,
    CloseDocument,
    DocumentSource,
    DropBlocks,
    OpenDocument,
    RenderRequest,
    RenderResult,
    SearchBatch,
    SearchRequest,
    worker_main,
)
from viewer.search.find import SearchOptions

log = logging.getLogger(__name__)

MAX_PAGE_BYTES = 64 * 1024 * 1024  # A4 at 400 % fits; bigger pages are scaled down to fit
BLOCK_GRAIN = 64 * 1024  # block sizes are multiples of this (Windows' allocation granularity)
SPARE_BLOCK_BYTES = 48 * 1024 * 1024  # free blocks kept for reuse beyond this are unlinked
PIPELINE = 2  # requests in flight per worker: one rendering, one waiting in its pipe
FAST_PAGE_SECONDS = 0.02  # a document whose pages render faster may prefetch on every worker
DRAIN_SECONDS = 0.006  # the GUI thread handles replies for at most this long per event
DEFAULT_CACHE_BYTES = 160 * 1024 * 1024
HANG_SECONDS = 30.0
BACKGROUND = 2  # request priorities from here on are prefetch / thumbnails
STALE_SECONDS = 0.2  # a render for a closed document running longer than this is cut short
# For this long after a document's first visible page arrived, its background pages go only to
# workers that have it open: another worker would first spend 3-10 ms (more on a big file)
# opening it, and a paper opened next (readers flip through a meeting's papers) would wait
# behind that uninterruptible open for its own first page.
SPREAD_SECONDS = 0.1
_STARTED = -2  # inbox marker: the starter thread has started the workers
_REPLACED = -3  # inbox marker: a replacer thread has started a worker's successor
_START_FAILED = -4  # inbox marker: the workers could not be started (message: the reason)


class PageKey(NamedTuple):
    """Identity of a rendered image: document, page, zoom in thousandths, extra rotation.

    A tuple, not a dataclass: keys are hashed and compared in every cache and queue lookup
    (~190,000 times in 2 s of scrolling), and a dataclass does both in Python."""

    doc_id: int
    page: int
    zoom_milli: int
    rotation: int = 0

    @property
    def zoom(self) -> float:
        """Scale factor relative to 72 dpi."""
        return self.zoom_milli / 1000.0


class PixelBlock:
    """A shared-memory block that a worker draws a page into and a QImage then wraps.

    PySide6 keeps a reference to `view` (not a buffer export) for as long as any QImage made
    from it, or a shallow copy of one, lives: the block is in use exactly while that reference
    count is raised. Nothing stops `memoryview.release()` and `mmap.close()` under a live image,
    so `destroy` checks first: unmapping under an image would crash the next paint of it.
    """

    __slots__ = ("shm", "size", "view")

    def __init__(self, size: int) -> None:
        self.shm = shared_memory.SharedMemory(create=True, size=size)
        self.size = size
        assert self.shm.buf is not None
        self.view: memoryview = self.shm.buf[:]

    @property
    def name(self) -> str:
        """The name workers attach it by."""
        return self.shm.name

    def in_use(self) -> bool:
        """True while an image wraps the block (the attribute and the argument make two)."""
        return sys.getrefcount(self.view) > 2

    def image(self, width: int, height: int, stride: int) -> QImage:
        """The page a worker drew at the start of the block, without copying it."""
        # Opaque BGRA is Qt's RGB32 (0xffRRGGBB): painting it is a plain copy, no blending.
        return QImage(self.view, width, height, stride, QImage.Format.Format_RGB32)

    def destroy(self) -> bool:
        """Unlink the name (workers can no longer attach) and unmap, unless an image still
        wraps the block: then it stays mapped and False asks the caller to try again later."""
        with contextlib.suppress(FileNotFoundError):  # already unlinked
            self.shm.unlink()
        if self.in_use():
            # SharedMemory.__del__ would try to unmap under the image (and print a BufferError at
            # exit): the mapping goes instead with the last reference to the shm object.
            self.shm.close = _keep_mapped  # type: ignore[method-assign]
            return False
        self.view.release()
        self.shm.close()
        return True


def _keep_mapped() -> None:
    """`close` of a lingering block's shared memory: nothing (see `PixelBlock.destroy`)."""


# Blocks of closed pools that an image still wrapped: unmapped by a later close once it is gone.
_LINGERING: list[PixelBlock] = []


class BlockPool:
    """Shared-memory blocks for rendered pages, recycled: a fresh block costs page faults in
    both processes (~1 ms per A4 page at 96 dpi), a reused one none.

    A block handed back while an image still wraps it (someone kept a `RenderedPage`) waits
    until that image is gone; free blocks beyond `spare_bytes` are unlinked, and `dropped`
    collects their names so that the workers can detach."""

    def __init__(self, spare_bytes: int = SPARE_BLOCK_BYTES) -> None:
        self.spare_bytes = spare_bytes
        self._free: list[PixelBlock] = []  # oldest first
        self._waiting: list[PixelBlock] = []
        self.dropped: list[str] = []
        self.created = 0

    def acquire(self, nbytes: int) -> PixelBlock:
        """A block of at least `nbytes` (and not much more), reused when possible."""
        self._collect()
        limit = nbytes + nbytes // 4 + BLOCK_GRAIN
        best: PixelBlock | None = None
        for block in self._free:
            if nbytes <= block.size <= limit and (best is None or block.size < best.size):
                best = block
        if best is not None:
            self._free.remove(best)
            return best
        self.created += 1
        return PixelBlock(-(-max(nbytes, 1) // BLOCK_GRAIN) * BLOCK_GRAIN)

    def release(self, block: PixelBlock) -> None:
        """Hand a block back (its image was evicted, or the render did not use it)."""
        if block.in_use():
            self._waiting.append(block)
        else:
            self._free.append(block)
            self._trim()

    def _collect(self) -> None:
        """Blocks whose last image died since they were handed back become free."""
        if self._waiting:
            done = [b for b in self._waiting if not b.in_use()]
            if done:
                self._waiting = [b for b in self._waiting if b.in_use()]
                self._free.extend(done)
                self._trim()

    def _trim(self) -> None:
        total = sum(b.size for b in self._free)
        while self._free and total > self.spare_bytes:
            block = self._free.pop(0)
            total -= block.size
            self.dropped.append(block.name)
            block.destroy()

    def close(self) -> None:
        """Free every block not owned by the cache (the caller clears the cache first). A block
        some image still wraps (a widget showing its last page) stays mapped until that image
        is gone, kept in `_LINGERING` so that nothing unmaps it before."""
        _LINGERING.extend(self._waiting)
        for block in self._free:
            block.destroy()
        self._free.clear()
        self._waiting.clear()
        _LINGERING[:] = [b for b in _LINGERING if not b.destroy()]


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """A rendered page image; `zoom` may be below the requested one for an enormous page.
    `block` is the shared memory the image wraps (None for an image of its own)."""

    key: PageKey
    image: QImage
    zoom: float
    block: PixelBlock | None = field(default=None, compare=False, repr=False)


class PixelCache:
    """LRU of rendered images bounded in bytes, so RSS stays flat through a 500-page scroll.
    An evicted image's block goes to `on_evict` (the pool recycles it)."""

    def __init__(
        self,
        max_bytes: int = DEFAULT_CACHE_BYTES,
        on_evict: Callable[[PixelBlock], None] | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[PageKey, RenderedPage] = OrderedDict()
        # (doc, page) -> its cached keys: a stand-in is looked up on every paint of a page
        # still rendering, and a loop over the whole cache cost more than the paint.
        self._by_page: dict[tuple[int, int], list[PageKey]] = {}
        self.on_evict = on_evict

    def _evicted(self, page: RenderedPage) -> None:
        self.bytes -= page.image.sizeInBytes()
        key = page.key
        same = self._by_page.get((key.doc_id, key.page))
        if same is not None:
            same.remove(key)
            if not same:
                del self._by_page[(key.doc_id, key.page)]
        if page.block is not None and self.on_evict is not None:
            self.on_evict(page.block)

    def get(self, key: PageKey) -> RenderedPage | None:
        """The image for `key`, marked as recently used."""
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def closest(self, key: PageKey) -> RenderedPage | None:
        """The best stand-in for `key` (same page and rotation, nearest zoom) while it renders."""
        best: PageKey | None = None
        for other in self._by_page.get((key.doc_id, key.page), ()):
            if other.rotation != key.rotation:
                continue
            if best is None or abs(other.zoom_milli - key.zoom_milli) < abs(
                best.zoom_milli - key.zoom_milli
            ):
                best = other
        return None if best is None else self._items[best]

    def put(self, page: RenderedPage) -> None:
        """Insert and evict the least recently used images beyond the byte bound."""
        old = self._items.pop(page.key, None)
        if old is not None:
            self._evicted(old)
        self._items[page.key] = page
        self._by_page.setdefault((page.key.doc_id, page.key.page), []).append(page.key)
        self.bytes += page.image.sizeInBytes()
        while self.bytes > self.max_bytes and len(self._items) > 1:
            _, evicted = self._items.popitem(last=False)
            self._evicted(evicted)

    def drop_document(self, doc_id: int) -> None:
        """Forget every image of a closed document."""
        for key in [k for k in self._items if k.doc_id == doc_id]:
            self._evicted(self._items.pop(key))

    def clear(self) -> None:
        """Forget every image."""
        while self._items:
            self._evicted(self._items.popitem()[1])

    def __len__(self) -> int:
        return len(self._items)


class _Bridge(QObject):
    """Wakes the GUI thread when the reader thread has queued worker replies.

    The replies travel in a deque, not as signal arguments: PySide6 6.12 corrupted reference
    counts (fatal "none_dealloc") when Python objects were emitted from a non-Qt thread.
    """

    arrived = Signal()


@dataclass(slots=True)
class _Job:
    """A render request sent to a worker, and the block it draws into."""

    key: PageKey
    request: RenderRequest
    block: PixelBlock
    priority: int
    since: float  # when the worker (probably) started it: sent to an idle worker, or the
    # previous result arrived
    speculative: bool = False  # a first page rendered before its document was registered


@dataclass(slots=True)
class _Slot:
    """One worker process, its connection, and the requests it has in flight (in order)."""

    index: int
    process: Any
    conn: Connection
    jobs: dict[int, _Job] = field(default_factory=dict)  # request id -> job, oldest first
    opened: set[int] = field(default_factory=set)  # documents it has (probably) open
    generation: int = 0

    def head(self) -> _Job | None:
        """The request the worker is rendering now."""
        return next(iter(self.jobs.values()), None)


def _context() -> Any:
    """forkserver where available (workers fork from a warm server: ~ms), spawn elsewhere."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["__main__", "viewer.render.worker"])
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
        self.blocks = BlockPool()
        self.cache = PixelCache(cache_bytes, self._release)
        # (doc, zoom, rotation) -> bytes of its last page: the block size to send the next one
        self._size_hints: dict[tuple[int, int, int], int] = {}
        self._page_seconds: dict[int, float] = {}  # doc -> recent engine seconds per page
        self._first_shown: dict[int, float] = {}  # doc -> when its first visible page arrived
        self._cores = os.cpu_count() or 2
        self._first_page: tuple[int, int] | None = None  # (zoom, rotation) page 0 was shown at
        self._preopened: set[int] = set()  # documents pre-opened but not registered yet
        self.hang_seconds = hang_seconds
        self._ctx = _context()
        self._slots: list[_Slot] = []
        self._search_slot: _Slot | None = None
        # A heap of (priority, seq, key, owner); an entry no longer in `_wants` is skipped.
        self._queue: list[tuple[int, int, PageKey, str]] = []
        self._wants: dict[PageKey, dict[str, int]] = {}  # queued page -> owner -> priority
        self._owned: dict[str, list[PageKey]] = {}  # owner -> the pages of its last request
        self._in_flight: dict[PageKey, _Slot] = {}
        self._sources: dict[int, DocumentSource] = {}
        self._users: dict[int, int] = {}
        self._seq = itertools.count()
        self._request_ids = itertools.count(1)
        self.debug_sleep: dict[int, float] = {}  # tests: page -> seconds the engine "takes"
        self._bridge = _Bridge()
        self._inbox: deque[tuple[int, int, object]] = deque()
        self._bridge.arrived.connect(self._drain)
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = multiprocessing.Pipe(duplex=False)
        self._closed = False
        self.start_error = ""  # why the workers could not start ("" while all is well)
        self._reader = threading.Thread(target=self._read_loop, name="render-reader", daemon=True)
        self._starter = threading.Thread(
            target=self._start_workers, name="render-start", daemon=True
        )
        self._started: tuple[list[_Slot], _Slot] | None = None
        self._pending_search: SearchRequest | None = None
        self._replacers: list[threading.Thread] = []
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
        try:
            started = ([self._spawn(i) for i in range(self._count)], self._spawn(-1))
        except Exception as exc:  # no processes allowed, out of memory, a broken install...
            log.exception("render workers could not start")
            self._post(_START_FAILED, 0, repr(exc))
            return
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

    def is_rendering(self, key: PageKey) -> bool:
        """True while a worker has `key` in hand."""
        return key in self._in_flight

    def is_ready(self) -> bool:
        """True once the worker processes run."""
        return bool(self._slots)

    def _spawn(self, index: int) -> _Slot:
        ours, theirs = self._ctx.Pipe()
        process = self._ctx.Process(
            target=worker_main, args=(theirs,), name=f"hopdesk-render-{index}"
        )
        process.daemon = True
        process.start()
        theirs.close()
        slot = _Slot(index, process, ours)
        self._wake()
        return slot

    def _respawn(self, slot: _Slot, reason: str = "") -> None:
        """Replace a dead, hung or uselessly busy worker (its jobs were settled before)."""
        log.log(
            logging.INFO if reason else logging.WARNING,
            "render worker %d (pid %s) replaced %s",
            slot.index,
            slot.process.pid,
            reason,
        )
        old = slot.process
        if old.is_alive():
            old.kill()
        with self._lock:
            slot.conn.close()  # the slot takes no work until its replacement runs
            for job in slot.jobs.values():
                self._release(job.block)
            slot.jobs = {}
            slot.generation += 1
            slot.opened = set()
        # Reaping the old process and starting the new one took ~12 ms: off the GUI thread.
        replacer = threading.Thread(
            target=self._replace,
            args=(slot.index, slot.generation, old),
            name="render-respawn",
            daemon=True,
        )
        self._replacers = [t for t in self._replacers if t.is_alive()] + [replacer]
        replacer.start()
        self._wake()

    def _replace(self, index: int, generation: int, old: Any) -> None:
        """Replacer thread: reap the killed worker, start its successor, tell the GUI thread."""
        old.join(1.0)
        if not self._closed:
            self._post(_REPLACED, generation, self._spawn(index))

    def _adopt_replacement(self, generation: int, fresh: _Slot) -> None:
        """A replacement worker runs: it takes over its slot (unless replaced again or closed)."""
        slot = self._search_slot if fresh.index == -1 else self._slots[fresh.index]
        if self._closed or slot is None or slot.generation != generation:
            fresh.process.kill()
            fresh.process.join(1.0)
            fresh.conn.close()
            return
        with self._lock:
            slot.process, slot.conn = fresh.process, fresh.conn
        self._wake()
        self._dispatch()

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
            for job in slot.jobs.values():
                self._release(job.block)
            slot.jobs = {}
        for replacer in self._replacers:
            replacer.join(2.0)
        for index, _generation, msg in list(self._inbox):
            if index == _REPLACED:  # started after all: stop it too
                fresh = cast(_Slot, msg)
                fresh.process.kill()
                fresh.process.join(1.0)
                fresh.conn.close()
        if self._reader.ident is not None:  # not started when closed before adopting workers
            self._reader.join(2.0)
        for source in list(self._sources.values()):
            self.unregister(source.doc_id)
        self.cache.clear()
        self.blocks.close()

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
        self._preopened.discard(source.doc_id)

    def preopen(self, source: DocumentSource) -> None:
        """Let the worker that will render the first page open the file now, in parallel with
        the GUI process's own open and layout (saves the worker's open on the first paint),
        and render the first page right away at the zoom the last first page was shown at
        (the view's layout needs the GUI's open first; papers of a meeting share a size, so
        its request usually finds the page rendered or rendering)."""
        # Replies already read settle first: the busy counts below are then current (an open
        # right after a close found every worker "busy" with renders done meanwhile).
        self._drain()
        running = [s for s in self._slots if not s.conn.closed]
        if not running:
            return
        slot = min(running, key=self._pending_work)
        slot.opened.add(source.doc_id)
        try:
            slot.conn.send(OpenDocument(source))
        except OSError as exc:
            log.debug("pre-open: %r", exc)
            return
        if self._first_page is not None:
            self._preopened.add(source.doc_id)
            zoom_milli, rotation = self._first_page
            key = PageKey(source.doc_id, 0, zoom_milli, rotation)
            self._send(slot, key, source, 0, speculative=True)

    def _pending_work(self, slot: _Slot) -> tuple[int, float]:
        """How soon a worker gets to a request sent now: renders it will still do (the one
        in hand cannot be interrupted; those queued for a closed document are skipped), then
        the sooner its current render started, the sooner it probably ends."""
        head = slot.head()
        if head is None:
            return (0, 0.0)
        queued = [job for job in slot.jobs.values() if job is not head]
        return (1 + sum(self._live(job.key.doc_id) for job in queued), head.since)

    def forget(self, doc_id: int) -> None:
        """Close a pre-opened document that was never registered (it failed to open)."""
        self._preopened.discard(doc_id)
        self.cache.drop_document(doc_id)
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
        self._wants = {k: v for k, v in self._wants.items() if k.doc_id != doc_id}
        self._owned = {
            o: [k for k in keys if k.doc_id != doc_id] for o, keys in self._owned.items()
        }
        self.cache.drop_document(doc_id)
        self._page_seconds.pop(doc_id, None)
        self._first_shown.pop(doc_id, None)
        self._size_hints = {k: v for k, v in self._size_hints.items() if k[0] != doc_id}
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
        replaces that owner's older queued requests: pages scrolled past are never rendered.

        Incremental: a view asks on every scroll step that changes what it wants, and
        rebuilding the queue each time (hundreds of thumbnails in it) cost more than the step."""
        wants = self._wants
        asked: list[PageKey] = []
        for key, priority in keys:
            if key.page == 0 and priority == 0:
                self._first_page = (key.zoom_milli, key.rotation)
            if key in self._in_flight or self.cache.get(key) is not None:
                continue
            by_owner = wants.get(key)
            if by_owner is None:
                by_owner = wants[key] = {}
            old = by_owner.get(owner)
            if owner:
                asked.append(key)
            elif old is not None and old <= priority:  # anonymous requests keep the best
                continue
            if old != priority:
                by_owner[owner] = priority
                heapq.heappush(self._queue, (priority, next(self._seq), key, owner))
        if owner:
            kept = set(asked)
            for key in self._owned.get(owner, ()):
                by_owner = wants.get(key) if key not in kept else None
                if by_owner is not None and by_owner.pop(owner, None) is not None and not by_owner:
                    del wants[key]
            self._owned[owner] = asked
        if self.start_error:
            self._fail_queued()
            return
        if len(self._queue) > 4 * len(wants) + 256:  # mostly superseded entries: compact
            self._queue = [q for q in self._queue if wants.get(q[2], {}).get(q[3]) == q[0]]
            heapq.heapify(self._queue)
        self._dispatch()

    def _dispatch(self) -> None:
        cores = self._cores
        while self._queue:
            # (a closed connection: the worker is being replaced)
            open_slots = [s for s in self._slots if len(s.jobs) < PIPELINE and not s.conn.closed]
            if not open_slots:
                return
            if not self._skip_superseded():
                return
            priority, _, head, _owner = self._queue[0]
            if priority > 0:
                open_slots = self._allowed_for_background(open_slots, priority, head, cores)
                if not open_slots:
                    return
            key = self._pop()
            source = self._sources.get(key.doc_id) if key is not None else None
            if key is None or source is None:
                continue
            # Prefer a worker that already has the document open (no second open), then the
            # least loaded one.
            slot = min(open_slots, key=lambda s: (key.doc_id not in s.opened, len(s.jobs)))
            if not self._send(slot, key, source, priority):
                return

    def _allowed_for_background(
        self, slots: list[_Slot], priority: int, key: PageKey, cores: int
    ) -> list[_Slot]:
        """The workers that may take a request of `priority` > 0 for `key` now.

        Without a spare core, work behind a visible page (priority 0) only queues behind it in
        its own worker: no second render competes with it for the CPU, so first paint comes
        sooner. And background work (prefetch, thumbnails) never takes the last idle worker
        unless the document's pages render fast: a page the reader scrolls to (or a newly
        opened document) must not wait seconds behind it; behind a fast page it waits a
        millisecond, and render-ahead on every worker keeps up with a fast scroll. Right after
        a document's first page arrived, background work stays on the workers that have it
        open (SPREAD_SECONDS)."""
        busy = [s for s in self._slots if s.jobs]
        visible = [s for s in busy if any(j.priority == 0 for j in s.jobs.values())]
        if visible and len(busy) + 1 >= cores:
            slots = [s for s in slots if s in visible]
        shown = self._first_shown.get(key.doc_id)
        if shown is not None and time.perf_counter() - shown < SPREAD_SECONDS:
            slots = [s for s in slots if key.doc_id in s.opened]
        fast = self._page_seconds.get(key.doc_id, FAST_PAGE_SECONDS) < FAST_PAGE_SECONDS
        if priority >= BACKGROUND and len(self._slots) > 1 and not fast:
            with_background = [
                s for s in self._slots if any(j.priority >= BACKGROUND for j in s.jobs.values())
            ]
            if len(with_background) + 1 >= len(self._slots):
                slots = [s for s in slots if s in with_background]
        return slots

    def _send(
        self,
        slot: _Slot,
        key: PageKey,
        source: DocumentSource,
        priority: int,
        speculative: bool = False,
    ) -> bool:
        """Hand one page to a worker, with a block sized by the document's last page."""
        hint = self._size_hints.get((key.doc_id, key.zoom_milli, key.rotation))
        if hint is None:  # the document's first page at this zoom: guess A4
            z = key.zoom
            hint = int((595 * z + 2) * (842 * z + 2)) * 4
        block = self.blocks.acquire(min(hint, MAX_PAGE_BYTES))
        self._drop_freed_blocks()
        request = RenderRequest(
            next(self._request_ids),
            source,
            key.page,
            key.zoom,
            key.rotation,
            block.name,
            block.size,
            MAX_PAGE_BYTES,
            self.debug_sleep.get(key.page, 0.0),
            priority,
        )
        now = time.perf_counter()
        slot.jobs[request.request_id] = _Job(key, request, block, priority, now, speculative)
        slot.opened.add(key.doc_id)
        self._in_flight[key] = slot
        try:
            slot.conn.send(request)
        except OSError as exc:
            log.warning("worker %d unreachable: %r", slot.index, exc)
            self._fail_slot(slot, "render worker unreachable")
            return False
        return True

    def _live(self, doc_id: int) -> bool:
        """The document is shown (registered) or about to be (pre-opened)."""
        return doc_id in self._sources or doc_id in self._preopened

    def _release(self, block: PixelBlock) -> None:
        self.blocks.release(block)
        self._drop_freed_blocks()

    def _drop_freed_blocks(self) -> None:
        """Let the workers detach from blocks the pool has unlinked."""
        if not self.blocks.dropped or self._closed:
            self.blocks.dropped.clear()
            return
        message = DropBlocks(tuple(self.blocks.dropped))
        self.blocks.dropped.clear()
        for slot in self._slots:
            try:
                slot.conn.send(message)
            except OSError as exc:
                log.debug("drop blocks on worker %d: %r", slot.index, exc)

    def _skip_superseded(self) -> bool:
        """Drop superseded entries off the top of the heap; False when nothing is queued."""
        queue, wants = self._queue, self._wants
        while queue:
            priority, _, key, owner = queue[0]
            by_owner = wants.get(key)
            if by_owner is not None and by_owner.get(owner) == priority:
                return True
            heapq.heappop(queue)
        return False

    def _pop(self) -> PageKey | None:
        """The most urgent live request (superseded heap entries are skipped); every owner's
        request for that page is settled with it."""
        if not self._skip_superseded():
            return None
        key = heapq.heappop(self._queue)[2]
        del self._wants[key]
        return key

    def _requeue(self, job: _Job) -> None:
        """Put a page back in the queue (its worker was replaced, or its block too small)."""
        self._release(job.block)
        self._in_flight.pop(job.key, None)
        if job.key.doc_id in self._sources:
            by_owner = self._wants.setdefault(job.key, {})
            if by_owner.get("", 1 << 30) > job.priority:
                by_owner[""] = job.priority
                heapq.heappush(self._queue, (job.priority, next(self._seq), job.key, ""))

    def _take(self, slot: _Slot, request_id: int) -> _Job | None:
        """Settle a job that the worker answered; the next one starts now."""
        job = slot.jobs.pop(request_id, None)
        if job is None:
            return None
        self._in_flight.pop(job.key, None)
        head = slot.head()
        if head is not None:
            head.since = time.perf_counter()
        return job

    def _fail_slot(self, slot: _Slot, reason: str) -> None:
        """The worker died or hangs: its current page fails, the pages behind it are queued
        again, and a fresh worker takes over."""
        head = slot.head()
        for job in list(slot.jobs.values()):
            if job is not head:
                self._requeue(job)
        slot.jobs = {k: j for k, j in slot.jobs.items() if j is head}
        if head is not None:
            self._in_flight.pop(head.key, None)
        self._respawn(slot)
        if head is not None:
            self.pageFailed.emit(head.key, reason)
        self._dispatch()

    def _on_render(self, slot: _Slot, result: RenderResult) -> None:
        job = self._take(slot, result.request_id)
        if job is None:
            return
        key = job.key
        if result.needed:  # a page bigger than the last one: again with a block that fits
            self._size_hints[(key.doc_id, key.zoom_milli, key.rotation)] = result.needed
            self._requeue(job)
            self._dispatch()
            return
        if result.error is not None and job.speculative:
            # e.g. a password the pre-open did not have: the view's own request retries it
            self._requeue(job)
            self._dispatch()
            return
        if result.error is not None:
            self._release(job.block)
            if key.doc_id not in self._sources:  # closed meanwhile (the worker may have skipped it)
                self._dispatch()
                return
            log.warning("page %d of doc %d failed: %s", key.page, key.doc_id, result.error)
            self._dispatch()
            self.pageFailed.emit(key, result.error)
            return
        self._size_hints[(key.doc_id, key.zoom_milli, key.rotation)] = result.stride * result.height
        recent = self._page_seconds.get(key.doc_id, result.seconds)
        self._page_seconds[key.doc_id] = 0.8 * recent + 0.2 * result.seconds
        if job.priority == 0 and key.doc_id in self._sources:
            self._first_shown.setdefault(key.doc_id, time.perf_counter())
        self._dispatch()
        if not self._live(key.doc_id):  # closed meanwhile: do not fill the cache
            self._release(job.block)
            return
        image = job.block.image(result.width, result.height, result.stride)
        page = RenderedPage(key, image, result.zoom, job.block)
        self.cache.put(page)
        self.pageReady.emit(page)

    def _check_hangs(self) -> None:
        """Replace workers that hang, and workers still busy (over STALE_SECONDS) with a page
        of a closed document: it may take the engine seconds and nobody wants it any more."""
        now = time.perf_counter()
        for slot in self._slots:
            head = slot.head()
            if head is None:
                continue
            if now - head.since > self.hang_seconds:
                self._fail_slot(slot, "render worker did not answer")
            elif not self._live(head.key.doc_id) and now - head.since > STALE_SECONDS:
                for job in list(slot.jobs.values()):
                    self._requeue(job)
                slot.jobs = {}
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
        """Handle queued replies for at most DRAIN_SECONDS: the reader posts one wake-up per
        reply, so what is left waits for the next one, after the events queued meanwhile
        (input, timers, painting) had their turn."""
        deadline = time.perf_counter() + DRAIN_SECONDS
        while self._inbox and time.perf_counter() < deadline:
            index, generation, msg = self._inbox.popleft()
            if index == _STARTED:
                self._adopt(cast(tuple[list[_Slot], _Slot], msg))
                continue
            if index == _REPLACED:
                self._adopt_replacement(generation, cast(_Slot, msg))
                continue
            if index == _START_FAILED:
                self._start_failed(str(msg))
                continue
            slot = self._search_slot if index == -1 else self._slots[index]
            # A reply from a worker already replaced (it died or hung) is stale.
            if slot is not None and slot.generation == generation:
                self._on_message(index, msg)

    def _start_failed(self, reason: str) -> None:
        """No workers: every page asked for, now or later, fails with a message the views
        show in place of the page (instead of placeholders waiting for ever)."""
        self.start_error = QCoreApplication.translate(
            "viewer", "The PDF renderer could not start (%1). Restart HopDesk."
        ).replace("%1", reason)
        self._fail_queued()

    def _fail_queued(self) -> None:
        failed = [key for _priority, _seq, key, _owner in self._queue]
        self._queue.clear()
        self._wants.clear()
        for key in dict.fromkeys(failed):
            self.pageFailed.emit(key, self.start_error)

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
