"""Opening a file without blocking the GUI: a render worker opens (and if need be repairs) it.

PyMuPDF holds the GIL while MuPDF repairs a damaged file (300-480 ms for a real-world file with
65,000 objects) or loads the page tree of a long one, so neither may run in the GUI process,
not even on a thread. `DocumentOpener.open` asks the render pool's worker that will render the
first page to open the file; its reply becomes a `Document` (`opened`) or a translated
`DocumentError` (`failed`). An encrypted file asks the password callback on the GUI thread and
tries again, as often as the user gives passwords.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from viewer.document import (
    Document,
    PasswordCallback,
    PasswordRequiredError,
    error_of,
    new_doc_id,
)
from viewer.password import candidates
from viewer.render.describe import PASSWORD, Describe, DocumentInfo, PageSizes
from viewer.render.pool import RenderPool
from viewer.render.worker import DocumentSource

log = logging.getLogger(__name__)

_request_ids = itertools.count(1)


@dataclass(slots=True)
class _Opening:
    path: str
    name: str
    source: DocumentSource
    request_id: int
    passwords: tuple[str, ...] = ()


class DocumentOpener(QObject):
    """Opens one file at a time in a render worker; a newer `open` supersedes an older one.

    `opened(Document)` (the receiver owns it) or `failed(DocumentError)` follows on the GUI
    thread; `cancel` drops what is under way."""

    opened = Signal(object)
    failed = Signal(object)

    def __init__(
        self, pool: RenderPool, password: PasswordCallback, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.pool = pool
        self.password = password
        self._opening: _Opening | None = None
        self._dropped: set[int] = set()  # requests of ours whose replies nobody wants
        # describe request -> the document it opened, while the worker sends page sizes
        self._sizing: dict[int, Document] = {}
        pool.described.connect(self._on_described)
        pool.pageSizes.connect(self._on_page_sizes)

    def open(self, path: str) -> None:
        """Start opening `path`; the first page starts rendering in the same worker."""
        self.cancel()
        source = DocumentSource(new_doc_id(), path=path)
        opening = _Opening(path, os.path.basename(path), source, next(_request_ids))
        self._opening = opening
        self.pool.preopen(source, Describe(opening.request_id, source))

    def busy(self) -> bool:
        """A file is being opened."""
        return self._opening is not None

    def cancel(self) -> None:
        """Forget the file being opened (its reply is dropped, the worker closes it)."""
        opening, self._opening = self._opening, None
        if opening is not None:
            self._dropped.add(opening.request_id)
            self.pool.forget(opening.source.doc_id)

    def _on_described(self, info: DocumentInfo) -> None:
        opening = self._opening
        if opening is None or info.request_id != opening.request_id:
            if info.request_id in self._dropped and info.repaired_path is not None:
                with contextlib.suppress(OSError):
                    os.unlink(info.repaired_path)  # a superseded opening's repaired copy
            self._dropped.discard(info.request_id)
            return
        if info.error == PASSWORD:
            self._ask_password(opening)
            return
        self._opening = None
        if info.error:
            self.pool.forget(opening.source.doc_id)
            error = error_of(info, opening.name)
            log.warning("cannot open document: %s", error)
            self.failed.emit(error)
            return
        doc = Document.from_info(info, opening.name, opening.source)
        if not doc.sizes_complete:
            self._sizing[info.request_id] = doc
        self.opened.emit(doc)

    def _on_page_sizes(self, batch: PageSizes) -> None:
        doc = self._sizing.get(batch.request_id)
        if doc is None:
            return
        if doc.closed:
            del self._sizing[batch.request_id]
            return
        doc.add_sizes(batch)
        if doc.sizes_complete:
            del self._sizing[batch.request_id]

    def _ask_password(self, opening: _Opening) -> None:
        """Ask (the callback may run a dialog), then let the worker try again."""
        secret = self.password(opening.name, bool(opening.passwords))
        if self._opening is not opening:
            return  # another file was opened while the dialog was up
        if secret is None:
            self.cancel()
            self.failed.emit(PasswordRequiredError(opening.name))
            return
        opening.passwords = tuple(candidates(secret))
        opening.request_id = next(_request_ids)
        self.pool.preopen(
            opening.source, Describe(opening.request_id, opening.source, opening.passwords)
        )
