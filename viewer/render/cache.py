"""The pixel cache: rendered page images by `PageKey`, bounded in bytes, least recently used out."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from PySide6.QtGui import QImage

from viewer.render.shared_memory import PixelBlock

DEFAULT_CACHE_BYTES = 160 * 1024 * 1024


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
