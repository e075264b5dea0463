"""The document's PDF inside the approval detail: a `viewer.Reader` with its signatures panel,
so the leader reads, checks the signatures (and what changed after each) and acts in one window.

The file comes as in the reader window: the verified copy in `core.files`, else a download in
the background (hashing and writing in threads); the render worker opens it and the signatures
are checked in the inspector's worker process, so nothing of it runs on the GUI thread. The
Reader, its render workers and the PDF engine are made on the first document shown, not when
the detail is built. Confidential documents are watermarked with the reader's name.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from desktop.notify import user_message
from ui.confidentiality import confidential_marking
from ui.tasks import TaskOwner

if TYPE_CHECKING:
    from desktop.app import Core
    from desktop.domain import FileRef
    from viewer import Reader, RenderPool

log = logging.getLogger(__name__)


class DocumentPane(QWidget):
    """One file of a document at a time; `show_file` loads it, `shown` is its sha256 once the
    reader shows it (then `opened` is emitted)."""

    opened = Signal(str)  # sha256 of the file the reader now shows

    def __init__(self, core: Core, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.tasks = TaskOwner(self)
        self.reader: Reader | None = None
        self.pool: RenderPool | None = None
        self.wanted = ""  # sha256 of the file asked for last
        self.message = QLabel(self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.clear()

    @property
    def shown(self) -> str:
        """The sha256 of the file the reader shows ("" while none or loading)."""
        if self.reader is None or self.pages.currentWidget() is not self.reader:
            return ""
        return self.reader.sha256()

    def clear(self) -> None:
        """No file (a document without versions)."""
        self.wanted = ""
        self.tasks.cancel_all()
        if self.reader is not None:
            self.reader.close_document()
        self.message.setText(self.tr("This document has no file yet."))
        self.pages.setCurrentWidget(self.message)

    def show_file(self, ref: FileRef, title: str, confidentiality: str) -> None:
        """Show `ref` (again only when another file is shown or loading)."""
        if ref.sha256 == self.wanted:
            return
        self.wanted = ref.sha256
        self.tasks.cancel_all()
        self.message.setText(self.tr("Loading the document…"))
        self.pages.setCurrentWidget(self.message)
        self.tasks.run(self._load(ref, title, confidentiality), on_error=self._failed)

    async def _load(self, ref: FileRef, title: str, confidentiality: str) -> None:
        files = self.core.files
        path = await files.fetch(ref)  # the cache is looked at first, in a thread
        if ref.sha256 != self.wanted:
            return  # another document was chosen meanwhile
        reader = self._reader()
        reader.open_path(
            path, sha256=ref.sha256, title=title, watermark=confidential_marking(confidentiality)
        )

    def _reader(self) -> Reader:
        """The reader, made on first use (the PDF engine loads with it)."""
        if self.reader is None:
            from viewer import Reader, RenderPool

            core = self.core
            user = core.session.user
            self.pool = RenderPool(parent=self)
            self.reader = Reader(
                core.notes,
                core.notes.user,
                user_name=(user.full_name or user.username) if user is not None else "",
                pool=self.pool,
                state_store=core.view_states,
                parent=self,
            )
            self.reader.documentOpened.connect(self._opened)
            self.reader.openFailed.connect(self._show_error)
            self.pages.addWidget(self.reader)
        return self.reader

    def _opened(self, sha256: str) -> None:
        if self.reader is None or sha256 != self.wanted:
            return
        self.pages.setCurrentWidget(self.reader)
        self.opened.emit(sha256)
        self.tasks.run(self.core.notes.sync(sha256), on_error=self._sync_failed)

    def _failed(self, exc: BaseException) -> None:
        log.info("document file %s not shown: %r", self.wanted, exc)
        self.wanted = ""  # choosing it again tries again
        self._show_error(user_message(exc))

    def _show_error(self, text: str) -> None:
        self.message.setText(self.tr("The document cannot be shown: %1").replace("%1", text))
        self.pages.setCurrentWidget(self.message)

    @staticmethod
    def _sync_failed(exc: BaseException) -> None:
        log.info("notes sync failed: %r", exc)  # offline: the notes on this computer show

    def shutdown(self) -> None:
        """Stop the loading, the reader's workers and the render pool (the detail closes)."""
        self.tasks.cancel_all()
        reader, self.reader = self.reader, None
        if reader is not None:
            reader.shutdown()
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.close()
