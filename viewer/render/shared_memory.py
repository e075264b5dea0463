"""Shared-memory pixel blocks: a worker draws a page into one, the GUI wraps it in a QImage.

A fresh block costs page faults in both processes, so blocks are recycled (`BlockPool`); a block
is never unmapped while an image still wraps it (painting it would then crash).
"""

from __future__ import annotations

import contextlib
import sys
from multiprocessing import shared_memory

from PySide6.QtGui import QImage

MAX_PAGE_BYTES = 64 * 1024 * 1024  # A4 at 400 % fits; bigger pages are scaled down to fit
BLOCK_GRAIN = 64 * 1024  # block sizes are multiples of this (Windows' allocation granularity)
SPARE_BLOCK_BYTES = 48 * 1024 * 1024  # free blocks kept for reuse beyond this are unlinked


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
