"""The render pool: worker processes shared by every view render pages and run searches.

The GUI thread never renders: it queues `PageKey`s (`viewer.render.scheduling`), and each worker
gets up to `PIPELINE` of the most urgent ones at a time (the next request waits in its pipe, so
no round-trip idles it). A worker draws each page straight into a shared-memory `PixelBlock`
(`viewer.render.shared_memory`); the GUI wraps that block in a QImage without copying, and the
cache entry (`viewer.render.cache`) owns the block until it is evicted (then it is reused for
another page). A worker that dies or hangs is replaced (`viewer.render.workers`) and the page
reports an error; the app lives on.
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from viewer.render.cache import DEFAULT_CACHE_BYTES, PageKey, PixelCache, RenderedPage
from viewer.render.describe import Describe, DocumentInfo, PageSizes, describe_failure
from viewer.render.scheduling import (
    FAST_PAGE_SECONDS,
    RenderQueue,
    background_workers,
)
from viewer.render.shared_memory import MAX_PAGE_BYTES, BlockPool, PixelBlock
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
)
from viewer.render.workers import SEARCH, Job, Slot, Workers
from viewer.search.find import SearchOptions

log = logging.getLogger(__name__)

PIPELINE = 2  # requests in flight per worker: one rendering, one waiting in its pipe
HANG_SECONDS = 30.0
STALE_SECONDS = 0.2  # a render for a closed document running longer than this is cut short


class RenderPool(QObject):
    """Worker processes shared by every view: renders pages and runs searches.

    Signals: `pageReady(RenderedPage)`, `pageFailed(PageKey, str)`, `searchBatch(SearchBatch)`.
    """

    pageReady = Signal(object)
    ready = Signal()  # the worker processes run
    pageFailed = Signal(object, str)
    searchBatch = Signal(object)
    described = Signal(object)  # DocumentInfo: the reply to `preopen` with a Describe
    pageSizes = Signal(object)  # PageSizes: more page sizes of a described document

    _shared: RenderPool | None = None

    def __init__(
        self,
        workers: int | None = None,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        hang_seconds: float = HANG_SECONDS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.blocks = BlockPool()
        self.cache = PixelCache(cache_bytes, self.release)
        # (doc, zoom, rotation) -> bytes of its last page: the block size to send the next one
        self._size_hints: dict[tuple[int, int, int], int] = {}
        self._page_seconds: dict[int, float] = {}  # doc -> recent engine seconds per page
        self._first_shown: dict[int, float] = {}  # doc -> when its first visible page arrived
        self._cores = os.cpu_count() or 2
        self._first_page: tuple[int, int] | None = None  # (zoom, rotation) page 0 was shown at
        self._preopened: set[int] = set()  # documents pre-opened but not registered yet
        self.hang_seconds = hang_seconds
        self._queue = RenderQueue()
        self._in_flight: dict[PageKey, Job] = {}
        # doc -> its registration: replies to an earlier one are dropped, so a document closed
        # and opened again never shows what its previous opening was told ("cancelled").
        self._epochs: dict[int, int] = {}
        self._epoch_ids = itertools.count(1)
        self._sources: dict[int, DocumentSource] = {}
        self._users: dict[int, int] = {}
        self._request_ids = itertools.count(1)
        self.debug_sleep: dict[int, float] = {}  # tests: page -> seconds the engine "takes"
        self._closed = False
        self.start_error = ""  # why the workers could not start ("" while all is well)
        self._pending_search: SearchRequest | None = None
        self._pending_describes: list[Describe] = []  # asked for before the workers ran
        self._describing: dict[int, tuple[int, Describe]] = {}  # request id -> (slot, request)
        self._workers = Workers(workers or max(1, min(3, os.cpu_count() or 2)), self)
        if parent is not None:
            # A pool owned by a widget dies with it, closed or not: it closes then, or its
            # workers' replies would reach a deleted object ("Signal source has been deleted")
            # and the processes would outlive their window.
            self.destroyed.connect(lambda: self.close())
        self._watchdog = QTimer(self)
        self._watchdog.setInterval(250)
        self._watchdog.timeout.connect(self._check_hangs)
        self._workers.start()
        self._watchdog.start()

    @classmethod
    def shared(cls) -> RenderPool:
        """The process-wide pool, started on first use (call early to hide worker start-up)."""
        if cls._shared is None or cls._shared._closed:
            cls._shared = cls()
        return cls._shared

    # -- lifecycle -------------------------------------------------------------------------

    def workers_started(self) -> None:
        """The workers are up: serve what was queued meanwhile."""
        self.ready.emit()
        if self._pending_search is not None and self._workers.search_slot is not None:
            self._workers.search_slot.send(self._pending_search)
            self._pending_search = None
        pending, self._pending_describes = self._pending_describes, []
        for describe in pending:
            self.preopen(describe.source, describe)
        self._dispatch()

    def worker_replaced(self) -> None:
        """A replacement worker runs: give it work."""
        pending, self._pending_describes = self._pending_describes, []
        for describe in pending:
            self.preopen(describe.source, describe)
        self._dispatch()

    def is_rendering(self, key: PageKey) -> bool:
        """True while a worker has `key` in hand."""
        return key in self._in_flight

    def is_ready(self) -> bool:
        """True once the worker processes run."""
        return self._workers.is_ready()

    def close(self) -> None:
        """Stop the workers and free the shared memory (orderly shutdown). Returns at once:
        the worker processes are waited for off the GUI thread (`wait_closed`)."""
        if self._closed:
            return
        self._watchdog.stop()
        self._closed = True
        self._workers.close()
        self._in_flight.clear()
        for source in list(self._sources.values()):
            self.unregister(source.doc_id)
        self.cache.clear()
        self.blocks.close()

    def wait_closed(self, timeout: float = 5.0) -> bool:
        """Wait until the worker processes have exited after `close` (tests, benchmarks)."""
        return self._workers.wait_closed(timeout)

    def pids(self) -> list[int]:
        """Process ids of the workers (benchmarks measure their memory)."""
        return self._workers.pids()

    # -- documents --------------------------------------------------------------------------

    def register(self, source: DocumentSource) -> None:
        """Make a document known to the workers (they open it on first request); counted, so
        several views (page view, thumbnails, presentation) can share it."""
        self._sources[source.doc_id] = source
        self._users[source.doc_id] = self._users.get(source.doc_id, 0) + 1
        self._epochs.setdefault(source.doc_id, next(self._epoch_ids))  # kept from a pre-open
        self._preopened.discard(source.doc_id)

    def preopen(self, source: DocumentSource, describe: Describe | None = None) -> None:
        """Let the worker that will render the first page open the file now, in parallel with
        the GUI process's own open and layout (saves the worker's open on the first paint),
        and render the first page right away at the zoom the last first page was shown at
        (the view's layout needs the GUI's open first; papers of a meeting share a size, so
        its request usually finds the page rendered or rendering).

        With `describe`, the worker opens the file for the GUI process as well: `described`
        follows with what it found (the GUI never opens or repairs a file itself)."""
        # Replies already read settle first: the busy counts below are then current (an open
        # right after a close found every worker "busy" with renders done meanwhile).
        self._workers.drain()
        running = [s for s in self._workers.slots if not s.conn.closed]
        if not running:
            if describe is not None:
                self._pending_describes.append(describe)
            return
        slot = min(running, key=self._pending_work)
        slot.opened.add(source.doc_id)
        if not slot.send(describe or OpenDocument(source)):
            if describe is not None:
                self.described.emit(describe_failure(describe, "render worker unreachable"))
            return
        if describe is not None:
            self._describing[describe.request_id] = (slot.index, describe)
        self._epochs.setdefault(source.doc_id, next(self._epoch_ids))
        if self._first_page is not None:
            self._preopened.add(source.doc_id)
            zoom_milli, rotation = self._first_page
            key = PageKey(source.doc_id, 0, zoom_milli, rotation)
            self._send(slot, key, source, 0, speculative=True)

    def _pending_work(self, slot: Slot) -> tuple[int, float]:
        """How soon a worker gets to a request sent now: renders it will still do (the one
        in hand cannot be interrupted; those queued for a closed document are skipped), then
        the sooner its current render started, the sooner it probably ends."""
        head = slot.head()
        if head is None:
            return (0, 0.0)
        queued = [job for job in slot.jobs.values() if job is not head]
        return (1 + sum(self._current(job) for job in queued), head.since)

    def forget(self, doc_id: int) -> None:
        """Close a pre-opened document that was never registered (it failed to open)."""
        self._preopened.discard(doc_id)
        self.cache.drop_document(doc_id)
        self._end_registration(doc_id, self._workers.slots)

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
        self._queue.drop_document(doc_id)
        self.cache.drop_document(doc_id)
        self._page_seconds.pop(doc_id, None)
        self._first_shown.pop(doc_id, None)
        self._size_hints = {k: v for k, v in self._size_hints.items() if k[0] != doc_id}
        for slot in self._workers.slots:
            slot.opened.discard(doc_id)
        self._end_registration(doc_id, self._workers.every())

    def _end_registration(self, doc_id: int, slots: list[Slot]) -> None:
        """The workers close the document; what is still in flight for it is stale, so the
        same pages asked for by a later registration are sent again."""
        epoch = self._epochs.pop(doc_id, 0)
        self._in_flight = {k: j for k, j in self._in_flight.items() if k.doc_id != doc_id}
        self._workers.send_to(slots, CloseDocument(doc_id, epoch))

    # -- rendering -------------------------------------------------------------------------

    def request(self, keys: Iterable[tuple[PageKey, int]], owner: str = "") -> None:
        """Queue (key, priority) pairs, lower priority first. A non-empty `owner` (one per view)
        replaces that owner's older queued requests: pages scrolled past are never rendered."""
        keys = list(keys)
        for key, priority in keys:
            if key.page == 0 and priority == 0:
                self._first_page = (key.zoom_milli, key.rotation)
        self._queue.ask(keys, owner, self._has)
        if self.start_error:
            self._fail_queued()
            return
        self._dispatch()

    def _has(self, key: PageKey) -> bool:
        """The page is rendered or rendering: asking for it again changes nothing."""
        return key in self._in_flight or self.cache.get(key) is not None

    def _dispatch(self) -> None:
        """Hand the most urgent pages to workers with room in their pipeline."""
        slots = self._workers.slots
        while self._queue:
            # (a closed connection: the worker is being replaced)
            open_slots = [s for s in slots if len(s.jobs) < PIPELINE and not s.conn.closed]
            if not open_slots:
                return
            head = self._queue.head()
            if head is None:
                return
            priority, key = head
            if priority > 0:
                open_slots = background_workers(
                    open_slots,
                    slots,
                    priority,
                    key.doc_id,
                    self._cores,
                    self._first_shown.get(key.doc_id),
                    self._page_seconds.get(key.doc_id, FAST_PAGE_SECONDS),
                )
                if not open_slots:
                    return
            self._queue.pop()
            source = self._sources.get(key.doc_id)
            if source is None:
                continue
            # Prefer a worker that already has the document open (no second open), then the
            # least loaded one.
            slot = min(open_slots, key=lambda s: (key.doc_id not in s.opened, len(s.jobs)))
            if not self._send(slot, key, source, priority):
                return

    def _send(
        self,
        slot: Slot,
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
        epoch = self._epochs.get(key.doc_id, 0)
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
            epoch,
        )
        now = time.perf_counter()
        job = Job(key, request, block, priority, now, speculative, epoch)
        slot.jobs[request.request_id] = job
        slot.opened.add(key.doc_id)
        self._in_flight[key] = job
        if not slot.send(request):
            log.warning("worker %d unreachable", slot.index)
            self._fail_slot(slot, "render worker unreachable")
            return False
        return True

    def _current(self, job: Job) -> bool:
        """The job was asked for by its document's registration of now (shown, or about to
        be: pre-opened), not by one closed since."""
        return self._epochs.get(job.key.doc_id) == job.epoch

    def _settle(self, job: Job) -> None:
        """The job is no longer in flight (its key may be again, for a later registration)."""
        if self._in_flight.get(job.key) is job:
            del self._in_flight[job.key]

    def release(self, block: PixelBlock) -> None:
        """A block is free again (its image was evicted, or its job settled unused)."""
        self.blocks.release(block)
        self._drop_freed_blocks()

    def _drop_freed_blocks(self) -> None:
        """Let the workers detach from blocks the pool has unlinked."""
        if not self.blocks.dropped or self._closed:
            self.blocks.dropped.clear()
            return
        message = DropBlocks(tuple(self.blocks.dropped))
        self.blocks.dropped.clear()
        self._workers.send_to(self._workers.slots, message)

    def _requeue(self, job: Job) -> None:
        """Put a page back in the queue (its worker was replaced, or its block too small)."""
        self.release(job.block)
        self._settle(job)
        if job.key.doc_id in self._sources and self._current(job):
            self._queue.put_back(job.key, job.priority)

    def _take(self, slot: Slot, request_id: int) -> Job | None:
        """Settle a job that the worker answered; the next one starts now."""
        job = slot.jobs.pop(request_id, None)
        if job is None:
            return None
        self._settle(job)
        head = slot.head()
        if head is not None:
            head.since = time.perf_counter()
        return job

    def _fail_slot(self, slot: Slot, reason: str) -> None:
        """The worker died or hangs: its current page fails, the pages behind it are queued
        again, and a fresh worker takes over."""
        head = slot.head()
        for request_id, (index, describe) in list(self._describing.items()):
            if index == slot.index:
                del self._describing[request_id]
                self.described.emit(describe_failure(describe, reason))
        for job in list(slot.jobs.values()):
            if job is not head:
                self._requeue(job)
        slot.jobs = {k: j for k, j in slot.jobs.items() if j is head}
        if head is not None:
            self._settle(head)
        self._workers.respawn(slot)
        if head is not None and self._current(head):
            self.pageFailed.emit(head.key, reason)
        self._dispatch()

    def _on_render(self, slot: Slot, result: RenderResult) -> None:
        job = self._take(slot, result.request_id)
        if job is None:
            return
        key = job.key
        if not self._current(job):  # closed meanwhile (the worker may have cancelled it)
            self.release(job.block)
            self._dispatch()
            return
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
            self.release(job.block)
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
        image = job.block.image(result.width, result.height, result.stride)
        page = RenderedPage(key, image, result.zoom, job.block)
        self.cache.put(page)
        self.pageReady.emit(page)

    def _respawn_and_resend(self, slot: Slot, reason: str) -> None:
        """Replace a worker that is well but busy with stale work; the files it was opening
        for the GUI are asked of another worker (or of its replacement)."""
        resend = [d for index, d in self._describing.values() if index == slot.index]
        self._describing = {k: v for k, v in self._describing.items() if v[0] != slot.index}
        self._workers.respawn(slot, reason)
        for describe in resend:
            self.preopen(describe.source, describe)

    def _check_hangs(self) -> None:
        """Replace workers that hang, and workers still busy (over STALE_SECONDS) with a page
        of a closed document: it may take the engine seconds and nobody wants it any more."""
        now = time.perf_counter()
        for slot in self._workers.slots:
            head = slot.head()
            if head is None:
                continue
            if now - head.since > self.hang_seconds:
                self._fail_slot(slot, "render worker did not answer")
            elif not self._current(head) and now - head.since > STALE_SECONDS:
                for job in list(slot.jobs.values()):
                    self._requeue(job)
                slot.jobs = {}
                self._respawn_and_resend(slot, "its document was closed")
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
        worker = self._workers.search_slot
        if worker is None:
            self._pending_search = request
        elif not worker.send(request):
            log.warning("search worker unreachable")
            self._workers.respawn(worker)

    def cancel_search(self, search_id: int) -> None:
        """Stop a running search."""
        worker = self._workers.search_slot
        if worker is None:
            self._pending_search = None
        else:
            worker.send(CancelSearch(search_id))

    # -- replies ---------------------------------------------------------------------------

    def workers_failed(self, reason: str) -> None:
        """No workers: every page asked for, now or later, fails with a message the views
        show in place of the page (instead of placeholders waiting for ever)."""
        self.start_error = QCoreApplication.translate(
            "viewer", "The PDF renderer could not start (%1). Restart HopDesk."
        ).replace("%1", reason)
        self._fail_queued()

    def _fail_queued(self) -> None:
        for key in self._queue.take_all():
            self.pageFailed.emit(key, self.start_error)

    def worker_replied(self, slot: Slot, message: object) -> None:
        """A worker's reply: a rendered page, search hits, or the end of a dead worker."""
        if self._closed:
            return
        if isinstance(message, RenderResult):
            self._on_render(slot, message)
        elif isinstance(message, SearchBatch):
            self.searchBatch.emit(message)
        elif isinstance(message, DocumentInfo):
            if self._describing.pop(message.request_id, None) is not None:
                self.described.emit(message)
        elif isinstance(message, PageSizes):
            self.pageSizes.emit(message)
        elif isinstance(message, BaseException):
            log.warning("render worker %d died: %r", slot.index, message)
            if slot.index == SEARCH:
                self._workers.respawn(slot)
            else:
                self._fail_slot(slot, "render worker crashed")
