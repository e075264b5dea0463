"""Which page a worker renders next: a priority queue of requests, and the policy that keeps
background work (prefetch, thumbnails) from delaying the page the reader looks at.

Plain Python, no processes and no Qt: `RenderPool` feeds it and sends what it hands out.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Protocol, TypeVar

from viewer.render.cache import PageKey

BACKGROUND = 2  # request priorities from here on are prefetch / thumbnails
FAST_PAGE_SECONDS = 0.02  # a document whose pages render faster may prefetch on every worker
# For this long after a document's first visible page arrived, its background pages go only to
# workers that have it open: another worker would first spend 3-10 ms (more on a big file)
# opening it, and a paper opened next (readers flip through a meeting's papers) would wait
# behind that uninterruptible open for its own first page.
SPREAD_SECONDS = 0.1


class RenderQueue:
    """Pages asked for, most urgent (lowest priority number) first.

    A non-empty owner (one per view) replaces its older requests: pages scrolled past are never
    rendered. Incremental: a view asks on every scroll step that changes what it wants, and
    rebuilding the queue each time (hundreds of thumbnails in it) cost more than the step."""

    def __init__(self) -> None:
        # A heap of (priority, seq, key, owner); an entry no longer in `_wants` is skipped.
        self._heap: list[tuple[int, int, PageKey, str]] = []
        self._wants: dict[PageKey, dict[str, int]] = {}  # queued page -> owner -> priority
        self._owned: dict[str, list[PageKey]] = {}  # owner -> the pages of its last request
        self._seq = itertools.count()

    def ask(
        self, keys: Iterable[tuple[PageKey, int]], owner: str, skip: Callable[[PageKey], bool]
    ) -> None:
        """Queue (key, priority) pairs, except those `skip` says are rendered or rendering."""
        wants = self._wants
        asked: list[PageKey] = []
        for key, priority in keys:
            if skip(key):
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
                heapq.heappush(self._heap, (priority, next(self._seq), key, owner))
        if owner:
            kept = set(asked)
            for key in self._owned.get(owner, ()):
                by_owner = wants.get(key) if key not in kept else None
                if by_owner is not None and by_owner.pop(owner, None) is not None and not by_owner:
                    del wants[key]
            self._owned[owner] = asked
        if len(self._heap) > 4 * len(wants) + 256:  # mostly superseded entries: compact
            self._heap = [q for q in self._heap if wants.get(q[2], {}).get(q[3]) == q[0]]
            heapq.heapify(self._heap)

    def put_back(self, key: PageKey, priority: int) -> None:
        """Queue a page again (its worker was replaced, or its block was too small)."""
        by_owner = self._wants.setdefault(key, {})
        if by_owner.get("", 1 << 30) > priority:
            by_owner[""] = priority
            heapq.heappush(self._heap, (priority, next(self._seq), key, ""))

    def head(self) -> tuple[int, PageKey] | None:
        """The most urgent live request (priority, key), superseded entries dropped first."""
        heap, wants = self._heap, self._wants
        while heap:
            priority, _, key, owner = heap[0]
            by_owner = wants.get(key)
            if by_owner is not None and by_owner.get(owner) == priority:
                return priority, key
            heapq.heappop(heap)
        return None

    def pop(self) -> PageKey | None:
        """Take the most urgent request; every owner's request for that page is settled."""
        if self.head() is None:
            return None
        key = heapq.heappop(self._heap)[2]
        del self._wants[key]
        return key

    def drop_document(self, doc_id: int) -> None:
        """Forget every request for a closed document."""
        self._heap = [q for q in self._heap if q[2].doc_id != doc_id]
        heapq.heapify(self._heap)
        self._wants = {k: v for k, v in self._wants.items() if k.doc_id != doc_id}
        self._owned = {
            o: [k for k in keys if k.doc_id != doc_id] for o, keys in self._owned.items()
        }

    def take_all(self) -> list[PageKey]:
        """Empty the queue; the pages that were in it, each once."""
        keys = list(dict.fromkeys(key for _priority, _seq, key, _owner in self._heap))
        self._heap.clear()
        self._wants.clear()
        return keys

    def __bool__(self) -> bool:
        return bool(self._heap)


class Worker(Protocol):
    """What the background policy needs to know of a worker."""

    opened: set[int]

    def priorities(self) -> Collection[int]:
        """The priorities of the requests it has in hand."""
        ...


W = TypeVar("W", bound=Worker)


def background_workers(
    candidates: list[W],
    workers: Sequence[W],
    priority: int,
    doc_id: int,
    cores: int,
    first_shown: float | None,
    page_seconds: float,
) -> list[W]:
    """The `candidates` (free workers) that may take a request of `priority` > 0 now.

    Without a spare core, work behind a visible page (priority 0) only queues behind it in its
    own worker: no second render competes with it for the CPU, so first paint comes sooner.
    And background work (prefetch, thumbnails) never takes the last idle worker unless the
    document's pages render fast: a page the reader scrolls to (or a newly opened document)
    must not wait seconds behind it; behind a fast page it waits a millisecond, and
    render-ahead on every worker keeps up with a fast scroll. Right after a document's first
    page arrived (`first_shown`), background work stays on the workers that have it open
    (SPREAD_SECONDS)."""
    slots = candidates
    busy = [w for w in workers if w.priorities()]
    visible = [w for w in busy if 0 in w.priorities()]
    if visible and len(busy) + 1 >= cores:
        slots = [w for w in slots if w in visible]
    if first_shown is not None and time.perf_counter() - first_shown < SPREAD_SECONDS:
        slots = [w for w in slots if doc_id in w.opened]
    fast = page_seconds < FAST_PAGE_SECONDS
    if priority >= BACKGROUND and len(workers) > 1 and not fast:
        with_background = [w for w in workers if any(p >= BACKGROUND for p in w.priorities())]
        if len(with_background) + 1 >= len(workers):
            slots = [w for w in slots if w in with_background]
    return slots
