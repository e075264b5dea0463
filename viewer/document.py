"""An open PDF as the view sees it, and the typed errors (translated messages) of opening one.

A render worker opens the file (`viewer.render.describe`, asked by `viewer.opening`): the GUI
process gets page count, sizes, outline and metadata from it, and opens a PyMuPDF handle of its
own only when text under a selection or printing first needs one. Rendering and searching
happen in the render workers (viewer/render/pool.py).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import shared_memory
from typing import Any

import pymupdf
from PySide6.QtCore import QCoreApplication

from viewer.password import candidates
from viewer.render.describe import (
    DAMAGED,
    EMPTY,
    MISSING,
    NO_PAGES,
    NOT_PDF,
    PASSWORD,
    Describe,
    DocumentInfo,
    PageSizes,
    describe,
    read_sizes,
)
from viewer.render.worker import DocumentSource

log = logging.getLogger(__name__)

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

_doc_ids = itertools.count(1)


def new_doc_id() -> int:
    """A fresh document identity in the render pool."""
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
    """An open PDF as the view needs it: page count, sizes and rotations, outline and metadata
    as a render worker read them (`viewer.render.describe`), and a PyMuPDF handle of the GUI
    process's own, opened only when text, printing or export first need it.

    Open one with `viewer.opening.DocumentOpener` (the work runs in a render worker); the
    synchronous `open_path` / `open_bytes` do it in this process (tools and tests)."""

    def __init__(
        self,
        info: DocumentInfo,
        name: str,
        source: DocumentSource,
        engine: Any = None,
        block: Any = None,
    ) -> None:
        self.name = name
        self.key = info.key  # identifies the document for the remembered view state
        self._info = info
        self._doc = engine
        self._in_process = engine is not None  # opened here: sizes are read here as well
        self._block = block
        self._file: Any = None
        self.page_count: int = info.page_count
        unknown = info.page_count - len(info.sizes)
        self._sizes: list[tuple[float, float] | None] = [*info.sizes, *[None] * unknown]
        self._rotations: list[int | None] = [*info.rotations, *[None] * unknown]
        self._sizes_known = len(info.sizes)
        self._sizes_changed = False  # sizes arrived that differ from the estimate
        self.closed = False
        # MuPDF rebuilt a damaged file (cross-reference table, objects) to open it: what it
        # could not recover is missing, sometimes whole pages show blank. The reader is told.
        self.repaired: bool = info.repaired
        # The workers (and our own handle) open the repaired copy: nobody repairs it again.
        self._copy = info.repaired_path
        self.source = source
        if self._copy is not None:
            self.source = DocumentSource(source.doc_id, path=self._copy, password=info.password)
        elif info.password != source.password:
            self.source = DocumentSource(
                source.doc_id, source.path, source.shm_name, source.size, info.password
            )

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def from_info(cls, info: DocumentInfo, name: str, source: DocumentSource) -> Document:
        """The document a worker opened, or its error (`error_of`) raised."""
        if info.error:
            raise error_of(info, name)
        doc = cls(info, name, source)
        doc.keep_file_handle()
        return doc

    def keep_file_handle(self) -> None:
        """A handle of our own: if the file is deleted or replaced while shown, workers that
        have not opened it yet get its bytes from here (see `detach_from_file`)."""
        path = self.source.path
        if path is None or self._copy is not None:
            return
        try:
            self._file = open(path, "rb")  # noqa: SIM115 (kept open for the document's life)
        except OSError as exc:
            log.info("no spare handle on %s: %r", path, exc)

    @classmethod
    def open_path(
        cls, path: str, password: PasswordCallback | None = None, doc_id: int | None = None
    ) -> Document:
        """Open a file in this process (blocking: the viewer uses `DocumentOpener`)."""
        source = DocumentSource(doc_id if doc_id is not None else new_doc_id(), path=path)
        info, engine = _describe_asking(source, os.path.basename(path), password, None)
        doc = cls(info, os.path.basename(path), source, engine)
        doc.keep_file_handle()
        return doc

    @classmethod
    def open_bytes(
        cls, data: bytes, name: str = "document.pdf", password: PasswordCallback | None = None
    ) -> Document:
        """Open a document held in memory (an inbox attachment) in this process; workers read
        it from shared memory."""
        if not data:
            raise EmptyFileError(name)
        source = DocumentSource(next(_doc_ids), size=len(data))
        info, engine = _describe_asking(source, name, password, data)
        block = shared_memory.SharedMemory(create=True, size=len(data))
        assert block.buf is not None
        block.buf[: len(data)] = data
        source = DocumentSource(
            source.doc_id, shm_name=block.name, size=len(data), password=info.password
        )
        return cls(info, name, source, engine, block)

    def close(self) -> None:
        """Release the MuPDF handle and the shared-memory copy."""
        if self.closed:
            return
        self.closed = True
        if self._doc is not None:
            self._doc.close()
        if self._copy is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._copy)
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
        page until the worker has read it."""
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
        """True once every page size is known."""
        return self._sizes_known >= self.page_count

    def add_sizes(self, batch: PageSizes) -> None:
        """Page sizes the worker read after its reply (`DocumentOpener` hands them over)."""
        first, first_rotation = self._sizes[0], self._rotations[0]
        for offset, (size, rotation) in enumerate(zip(batch.sizes, batch.rotations, strict=True)):
            i = batch.start + offset
            if i >= self.page_count:
                break
            self._sizes[i], self._rotations[i] = size, rotation
            self._sizes_changed = self._sizes_changed or (size, rotation) != (
                first,
                first_rotation,
            )
        self._sizes_known = max(self._sizes_known, batch.start + len(batch.sizes))

    def load_sizes(self, budget: int = 150, seconds: float = 0.003) -> bool:
        """Take the sizes that arrived since the last call: True if any differs from the
        estimate. A document opened in this process (`open_path`, `open_bytes`) reads up to
        about `seconds` of them itself."""
        if self._in_process and not self.sizes_complete:
            start = self._sizes_known
            sizes, rotations = read_sizes(self._doc, start, seconds)
            self.add_sizes(PageSizes(0, start, sizes[:budget], rotations[:budget]))
        changed, self._sizes_changed = self._sizes_changed, False
        return changed

    def outline(self) -> list[OutlineEntry]:
        """Bookmarks in document order (empty when there are none or they are unreadable)."""
        return [OutlineEntry(lvl, title, page) for lvl, title, page in self._info.outline]

    def metadata(self) -> dict[str, str]:
        """Title, author and the like, as stored."""
        return dict(self._info.metadata)

    def text_in(self, index: int, rect: tuple[float, float, float, float]) -> str:
        """Text of one page inside `rect` (page points): what a selection copies."""
        try:
            return str(self.engine[index].get_textbox(pymupdf.Rect(rect))).strip()
        except Exception as exc:
            log.info("text of page %d unreadable: %r", index, exc)
            return ""

    def words(self, index: int) -> list[tuple[float, float, float, float, str]]:
        """Words of one page with boxes (for selection highlighting)."""
        try:
            return [(w[0], w[1], w[2], w[3], w[4]) for w in self.engine[index].get_text("words")]
        except Exception as exc:
            log.info("words of page %d unreadable: %r", index, exc)
            return []

    @property
    def engine(self) -> Any:
        """The PyMuPDF document (text, printing, overlays that need the raw engine), opened
        on first use: an intact file or the repaired copy, so it opens without a repair."""
        if self._doc is None:
            source = self.source
            if source.path is not None:
                doc = pymupdf.open(source.path)
            else:
                assert self._block is not None
                assert self._block.buf is not None
                doc = pymupdf.open(stream=bytes(self._block.buf[: source.size]), filetype="pdf")
            if doc.needs_pass:
                doc.authenticate(source.password or "")
            self._doc = doc
        return self._doc


_ERRORS: dict[str, type[DocumentError]] = {
    MISSING: FileMissingError,
    EMPTY: EmptyFileError,
    NOT_PDF: NotPdfError,
    DAMAGED: DamagedError,
    NO_PAGES: NoPagesError,
    PASSWORD: PasswordRequiredError,
}


def error_of(info: DocumentInfo, name: str) -> DocumentError:
    """The typed error (translated `user_message`) for a failed open."""
    return _ERRORS.get(info.error, DocumentError)(f"{name}: {info.detail}")


def _describe_asking(
    source: DocumentSource, name: str, ask: PasswordCallback | None, data: bytes | None
) -> tuple[DocumentInfo, Any]:
    """Open in this process, asking for the password until it is right or the user gives up."""
    passwords: tuple[str, ...] = ()
    while True:
        info, engine = describe(Describe(0, source, passwords), data, in_worker=False)
        if info.error != PASSWORD or ask is None:
            break
        secret = ask(name, bool(passwords))
        if secret is None:
            break
        passwords = tuple(candidates(secret))
    if info.error:
        raise error_of(info, name)
    return info, engine
