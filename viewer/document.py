"""Opening and validating a PDF: typed errors with translated messages, password, page sizes.

The GUI process keeps its own light PyMuPDF handle (page count, sizes, outline, text under a
selection); all rendering and searching happens in the render workers (viewer/render/pool.py).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import shared_memory
from typing import Any

import pymupdf
from PySide6.QtCore import QCoreApplication

from viewer.password import candidates
from viewer.render.worker import DocumentSource

log = logging.getLogger(__name__)

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

_doc_ids = itertools.count(1)


def new_doc_id() -> int:
    """A fresh document identity (to pre-open a file in a worker before `Document.open_path`)."""
    return next(_doc_ids)


PasswordCallback = Callable[[str, bool], "str | None"]
"""Asked for a password: (document name, previous attempt was wrong) -> password or None."""


class DocumentError(Exception):
    """A document that cannot be shown; `user_message()` is translated, str() is technical."""

    def user_message(self) -> str:
        """The message shown to the user."""
        return QCoreApplication.translate("viewer", "The document could not be opened.")


class FileMissingError(DocumentError):
    """The file does not exist (any more)."""

    def user_message(self) -> str:
        return QCoreApplication.translate("viewer", "The file no longer exists.")


class EmptyFileError(DocumentError):
    """Zero bytes."""

    def user_message(self) -> str:
        return QCoreApplication.translate("viewer", "The file is empty.")


class NotPdfError(DocumentError):
    """Something else, possibly an HTML page or image named .pdf."""

    def user_message(self) -> str:
        return QCoreApplication.translate("viewer", "The file is not a PDF document.")


class DamagedError(DocumentError):
    """MuPDF could not repair the file."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "viewer", "The document is damaged and cannot be displayed."
        )


class NoPagesError(DocumentError):
    """Repaired or valid, but with nothing to show."""

    def user_message(self) -> str:
        return QCoreApplication.translate("viewer", "The document has no pages.")


class PasswordRequiredError(DocumentError):
    """The user gave no (correct) password."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "viewer", "The document is protected by a password that was not given."
        )


@dataclass(frozen=True, slots=True)
class OutlineEntry:
    """A bookmark: nesting level (1 = top), title, target page (-1 = none)."""

    level: int
    title: str
    page: int


class Document:
    """An open PDF as the view needs it. Use `Document.open_path` / `open_bytes`."""

    def __init__(self, doc: Any, name: str, source: DocumentSource, key: str, block: Any) -> None:
        self._doc = doc
        self.name = name
        self.source = source
        self.key = key  # identifies the document for the remembered view state
        self._block = block
        self._file: Any = None
        self.page_count: int = doc.page_count
        first = doc[0]
        self._sizes: list[tuple[float, float] | None] = [None] * self.page_count
        self._sizes[0] = (first.rect.width, first.rect.height)
        self._rotations: list[int | None] = [None] * self.page_count
        self._rotations[0] = first.rotation % 360
        self._sizes_known = 1
        self.closed = False
        # MuPDF rebuilt a damaged file (cross-reference table, objects) to open it: what it
        # could not recover is missing, sometimes whole pages show blank. The reader is told.
        self.repaired: bool = bool(doc.is_repaired)

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open_path(
        cls, path: str, password: PasswordCallback | None = None, doc_id: int | None = None
    ) -> Document:
        """Open a file; MuPDF keeps it open, so deleting it later does not break the view."""
        name = os.path.basename(path)
        try:
            size = os.path.getsize(path)
        except OSError as exc:
            raise FileMissingError(f"{path}: {exc}") from exc
        if size == 0:
            raise EmptyFileError(path)
        # The state key hashes the size and both ends (a full hash of a 100 MB scan would stall).
        with open(path, "rb") as f:
            head = f.read(1 << 16)
            if size > len(head):
                f.seek(max(len(head), size - (1 << 16)))
                head += f.read()
        key = f"{size}:{hashlib.sha256(head).hexdigest()}"
        doc = cls._open(lambda: pymupdf.open(path), name, head)
        doc_id = doc_id if doc_id is not None else new_doc_id()
        secret = cls._authenticate(doc, name, password)
        source = DocumentSource(doc_id, path=path, password=secret)
        opened = cls._validated(doc, name, source, key)
        # A handle of our own: if the file is deleted or replaced while shown, workers that
        # have not opened it yet get its bytes from here (see `detach_from_file`).
        try:
            opened._file = open(path, "rb")  # noqa: SIM115 (kept open for the document's life)
        except OSError as exc:
            log.info("no spare handle on %s: %r", path, exc)
        return opened

    @classmethod
    def open_bytes(
        cls, data: bytes, name: str = "document.pdf", password: PasswordCallback | None = None
    ) -> Document:
        """Open a document held in memory (an inbox attachment); workers read it from shared
        memory."""
        if not data:
            raise EmptyFileError(name)
        doc = cls._open(lambda: pymupdf.open(stream=data, filetype="pdf"), name, data[:1024])
        secret = cls._authenticate(doc, name, password)
        block = shared_memory.SharedMemory(create=True, size=len(data))
        assert block.buf is not None
        block.buf[: len(data)] = data
        source = DocumentSource(
            next(_doc_ids), shm_name=block.name, size=len(data), password=secret
        )
        key = f"{len(data)}:{hashlib.sha256(data).hexdigest()}"
        try:
            return cls._validated(doc, name, source, key, block)
        except DocumentError:
            block.close()
            block.unlink()
            raise

    @staticmethod
    def _open(opener: Callable[[], Any], name: str, head: bytes) -> Any:
        """Let MuPDF decide: it repairs many files, even some without a %PDF- header. What
        it cannot open is "damaged" when it said it was a PDF, else "not a PDF"."""
        try:
            return opener()
        except pymupdf.EmptyFileError as exc:
            raise EmptyFileError(f"{name}: {exc}") from exc
        except FileNotFoundError as exc:
            raise FileMissingError(f"{name}: {exc}") from exc
        except Exception as exc:  # FileDataError, RuntimeError, FzError*: all mean unreadable
            log.info("open %s failed: %r", name, exc)
            if not _has_header(head):
                raise NotPdfError(f"{name}: no %PDF- header, and MuPDF: {exc}") from exc
            raise DamagedError(f"{name}: {exc}") from exc

    @staticmethod
    def _authenticate(doc: Any, name: str, ask: PasswordCallback | None) -> str | None:
        """Ask until the password is right or the user gives up; return it for the workers."""
        if not doc.needs_pass:
            return None
        wrong = False
        while ask is not None:
            secret = ask(name, wrong)
            if secret is None:
                break
            for form in candidates(secret):
                if doc.authenticate(form):
                    return form  # the form that opened it: the workers use it as it is
            wrong = True
        doc.close()
        raise PasswordRequiredError(name)

    @classmethod
    def _validated(
        cls, doc: Any, name: str, source: DocumentSource, key: str, block: Any = None
    ) -> Document:
        try:
            if not doc.is_pdf:
                raise NotPdfError(f"{name}: opened as {doc.metadata.get('format')}")
            if doc.page_count < 1:
                raise NoPagesError(name)
            return cls(doc, name, source, key, block)
        except DocumentError:
            doc.close()
            raise
        except Exception as exc:  # page_count raises RuntimeError on some truncated files
            log.info("validate %s failed: %r", name, exc)
            doc.close()
            raise DamagedError(f"{name}: {exc}") from exc

    def close(self) -> None:
        """Release the MuPDF handle and the shared-memory copy."""
        if self.closed:
            return
        self.closed = True
        self._doc.close()
        if self._file is not None:
            self._file.close()
        if self._block is not None:
            self._block.close()
            self._block.unlink()

    # -- properties ------------------------------------------------------------------------

    def detach_from_file(self) -> DocumentSource | None:
        """The file went away under us: copy its bytes (through our own open handle) into
        shared memory and return the new source for the workers; None if impossible."""
        if self._file is None or self._block is not None or self.closed:
            return None
        try:
            self._file.seek(0)
            data = self._file.read()
        except OSError as exc:
            log.warning("%s: cannot read the kept handle: %r", self.name, exc)
            return None
        if not data:
            return None
        block = shared_memory.SharedMemory(create=True, size=len(data))
        assert block.buf is not None
        block.buf[: len(data)] = data
        self._block = block
        self.source = DocumentSource(
            self.doc_id, shm_name=block.name, size=len(data), password=self.source.password
        )
        return self.source

    @property
    def doc_id(self) -> int:
        """Identity of this open document in the render pool."""
        return self.source.doc_id

    def page_size(self, index: int) -> tuple[float, float]:
        """Width and height in points (rotation of the page applied); estimated from the first
        page until `load_sizes` has reached it."""
        size = self._sizes[index]
        return size if size is not None else self._sizes[0] or (612.0, 792.0)

    def page_sizes(self) -> list[tuple[float, float]]:
        """`page_size` of every page, in one pass (a layout of thousands of pages needs all)."""
        estimate = self._sizes[0] or (612.0, 792.0)
        return [estimate if size is None else size for size in self._sizes]

    def page_rotation(self, index: int) -> int:
        """The page's own /Rotate (0, 90, 180, 270). Text, search hits and annotations are in
        the unrotated page's coordinates while renders show it rotated, so the view needs it
        to map between them; estimated from the first page like `page_size`."""
        rotation = self._rotations[index]
        return rotation if rotation is not None else self._rotations[0] or 0

    @property
    def sizes_complete(self) -> bool:
        """True once every page size has been read."""
        return self._sizes_known >= self.page_count

    def load_sizes(self, budget: int = 150, seconds: float = 0.003) -> bool:
        """Read up to `budget` more page sizes, for at most about `seconds` (called in slices
        so a 5,000-page file never stalls the GUI: 150 pages took up to 8 ms on a busy
        machine); returns True if any size differed from the estimate."""
        changed = False
        end = min(self.page_count, self._sizes_known + budget)
        deadline = time.perf_counter() + seconds
        for i in range(self._sizes_known, end):
            if i > self._sizes_known and time.perf_counter() > deadline:
                end = i
                break
            try:
                page = self._doc[i]
                size = (page.rect.width, page.rect.height)
                rotation = page.rotation % 360
            except Exception as exc:  # a damaged page: keep the estimate, the render shows why
                log.info("page %d size unreadable: %r", i, exc)
                size, rotation = self.page_size(0), self.page_rotation(0)
            changed = changed or size != self._sizes[0] or rotation != self._rotations[0]
            self._sizes[i] = size
            self._rotations[i] = rotation
        self._sizes_known = end
        return changed

    def outline(self) -> list[OutlineEntry]:
        """Bookmarks in document order (empty when there are none or they are unreadable)."""
        try:
            toc = self._doc.get_toc(simple=True)
        except Exception as exc:
            log.info("outline unreadable: %r", exc)
            return []
        return [OutlineEntry(int(lvl), str(title), int(page) - 1) for lvl, title, page in toc]

    def metadata(self) -> dict[str, str]:
        """Title, author and the like, as stored."""
        return {k: v for k, v in (self._doc.metadata or {}).items() if isinstance(v, str) and v}

    def text_in(self, index: int, rect: tuple[float, float, float, float]) -> str:
        """Text of one page inside `rect` (page points): what a selection copies."""
        try:
            return str(self._doc[index].get_textbox(pymupdf.Rect(rect))).strip()
        except Exception as exc:
            log.info("text of page %d unreadable: %r", index, exc)
            return ""

    def words(self, index: int) -> list[tuple[float, float, float, float, str]]:
        """Words of one page with boxes (for selection highlighting)."""
        try:
            return [(w[0], w[1], w[2], w[3], w[4]) for w in self._doc[index].get_text("words")]
        except Exception as exc:
            log.info("words of page %d unreadable: %r", index, exc)
            return []

    @property
    def engine(self) -> Any:
        """The PyMuPDF document (printing, and overlays that need the raw engine)."""
        return self._doc


def _has_header(head: bytes) -> bool:
    """A PDF starts with %PDF- (readers accept it within the first KiB)."""
    return b"%PDF-" in head[:1024]
