"""The reader window: every paper and document the user opened, one tab each.

A tab shows the download (progress, Cancel) until the file is on disk, the translated error with
Retry when it cannot be had, then a `viewer.Reader`. Files come from `core.files` (the
verified cache, else a download), notes from `core.notes` (synced with the server after opening;
a sync that changes a document's notes reloads its tab), view states from `core.view_states`.
Every coroutine runs as a task owned by the window; `aclose` cancels and awaits them. A meeting
paper replaced by a new version says so in its tab and offers the new one (ui/replaced_notice.py).
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QCoreApplication, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import Document, DocumentSummary, DocumentVersion, FileRef, Paper
from desktop.meeting_room.papers import PaperReplaced
from desktop.notify import user_message
from ui.confidentiality import confidential_marking
from ui.replaced_notice import ReplacedNotice, new_version
from ui.state_page import StatePage
from ui.tasks import TaskOwner
from viewer import (
    JobRunner,
    Reader,
    RenderPool,
    SignatureInspector,
    accept_pdf_drag,
    sha256_of_file,
    take_pdf_drop,
)

if TYPE_CHECKING:
    from desktop.app import Core

log = logging.getLogger(__name__)

GEOMETRY_KEY = "ui:reader-window:geometry"
TAB_TITLE_CHARS = 32


@dataclass(frozen=True, slots=True)
class Target:
    """What a tab shows once resolved: a server file (`ref`) or a local `path`."""

    title: str
    ref: FileRef | None = None
    path: Path | None = None
    confidentiality: str | None = None


Resolver = Callable[[], Awaitable[Target]]


class ReaderTab(QWidget):
    """One open paper: progress while it comes, the error with Retry, then the reader."""

    cancel_requested = Signal()
    retry_requested = Signal()

    def __init__(self, key: str, title: str, reader: Reader, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.title = title
        self.reader = reader
        self.sha256 = ""
        self.paper: Paper | None = None  # the meeting paper shown, if it is one
        self.notice = ReplacedNotice(self)

        self.progress_label = QLabel(self)
        self.progress_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(420)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.clicked.connect(self.cancel_requested)
        loading = QWidget(self)
        column = QVBoxLayout(loading)
        column.addStretch(1)
        column.addWidget(self.progress_label)
        column.addWidget(self.progress, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(1)

        failed = StatePage(self)
        self.error_label, self.retry_button = failed.message, failed.button
        self.error_label.setObjectName("readerError")
        self.retry_button.setText(self.tr("Retry"))
        self.retry_button.clicked.connect(self.retry_requested)

        self.stack = QStackedWidget(self)
        self.loading_page, self.error_page = loading, failed
        for page in (loading, failed, reader):
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.notice)
        layout.addWidget(self.stack)

    def show_progress(self, done: int = 0, total: int = 0) -> None:
        """Downloading: a busy bar until the size is known, then bytes done of total."""
        self.stack.setCurrentWidget(self.loading_page)
        self.progress_label.setText(self.tr("Downloading “%1”…").replace("%1", self.title))
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(min(1000, done * 1000 // total))
        else:
            self.progress.setRange(0, 0)

    def show_error(self, text: str) -> None:
        """Why the file cannot be shown, with Retry."""
        self.error_label.setText(text)
        self.stack.setCurrentWidget(self.error_page)

    def show_reader(self) -> None:
        """The file is open."""
        self.stack.setCurrentWidget(self.reader)

    def error_text(self) -> str:
        """The error shown ("" while loading or reading)."""
        return self.error_label.text() if self.stack.currentWidget() is self.error_page else ""

    def loading(self) -> bool:
        """Whether the tab waits for its file."""
        return self.stack.currentWidget() is self.loading_page


class ReaderWindow(QMainWindow):
    """Papers and documents in tabs; `open_paper`, `open_document`, `open_local`."""

    tab_ready = Signal(object)  # ReaderTab whose reader shows its file

    def __init__(self, core: Core, icon: QIcon | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.core = core
        self.tasks = TaskOwner(self)
        # Render workers owned here, made with the first tab, so sign-out and quit stop them
        # (the process-wide shared pool would outlive the session with nobody to close it).
        self.pool: RenderPool | None = None
        self.jobs = JobRunner(self)  # export/import of notes, shared by the tabs
        self.inspector = SignatureInspector(parent=self)  # one signature worker for all tabs
        self._loads: dict[ReaderTab, asyncio.Task[None]] = {}
        self._resolvers: dict[ReaderTab, Resolver] = {}
        if icon is not None:
            self.setWindowIcon(icon)
        self.tabs = QTabWidget(self)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(lambda i: self._close_by_user(self.tab_at(i)))
        self.tabs.currentChanged.connect(self._update_title)
        self.setCentralWidget(self.tabs)
        self._add_tab_shortcuts()
        self.setAcceptDrops(True)
        core.notes.changed.connect(self._on_notes_changed)
        core.paper_prefetch.paper_replaced.connect(self._on_paper_replaced)
        self.resize(1200, 850)
        self._restore_geometry()
        self._update_title()

    def _add_tab_shortcuts(self) -> None:
        """Ctrl+W closes the paper in front; Ctrl+Tab / Ctrl+Shift+Tab go round the tabs."""
        keys = QKeySequence.StandardKey
        bindings: list[tuple[QKeySequence.StandardKey, Callable[[], None]]] = [
            (keys.Close, self._close_current),
            (keys.NextChild, lambda: self._step_tab(1)),
            (keys.PreviousChild, lambda: self._step_tab(-1)),
        ]
        for key, slot in bindings:
            action = QAction(self)
            action.setShortcuts(key)
            action.triggered.connect(slot)
            self.addAction(action)

    def _close_current(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            self._close_by_user(tab)

    def _close_by_user(self, tab: ReaderTab) -> None:
        """The user closed a tab: with the last one the window goes too (it stayed as an
        empty grey frame); opening a paper or file brings it back."""
        self.close_tab(tab)
        if self.tabs.count() == 0:
            self.close()

    def _step_tab(self, step: int) -> None:
        if self.tabs.count() > 1:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    # --- opening -------------------------------------------------------------------------------
    def open_paper(self, paper: Paper) -> ReaderTab | None:
        """A meeting paper; a link paper opens in the browser instead (returns None)."""
        if paper.file is None:
            if paper.url:
                QDesktopServices.openUrl(QUrl(paper.url))
            return None
        target = Target(paper.title, ref=paper.file, confidentiality=paper.confidentiality)

        async def resolve() -> Target:
            return target

        tab = self._open(f"sha:{paper.file.sha256}", paper.title, resolve)
        tab.paper = paper
        return tab

    def open_document(
        self, document: DocumentSummary, version: DocumentVersion | None = None
    ) -> ReaderTab:
        """A document's version (the latest when `version` is None). A listed document (no
        versions loaded) is fetched from the documents service first, inside the tab."""
        title = self._document_title(document)

        async def resolve() -> Target:
            if isinstance(document, Document):
                full = document
            else:
                full = await self.core.documents.document(document.id)
            chosen = version
            if chosen is None:
                if not full.versions:
                    raise NoVersion()
                chosen = max(full.versions, key=lambda v: v.no)
            return Target(title, ref=chosen.file, confidentiality=full.confidentiality)

        number = version.no if version is not None else "latest"
        return self._open(f"document:{document.id}:{number}", title, resolve)

    def open_local(self, path: str | Path) -> ReaderTab:
        """A PDF on this computer; its notes are kept under its SHA-256 like any other."""
        file = Path(path).resolve()

        async def resolve() -> Target:
            return Target(file.name, path=file)

        return self._open(f"file:{file}", file.name, resolve)

    def _document_title(self, document: DocumentSummary) -> str:
        number = "/".join(p for p in (str(document.number or ""), str(document.symbol or "")) if p)
        summary = str(document.summary or "")
        if number and summary:
            return self.tr("%1 — %2").replace("%1", number).replace("%2", summary)
        return number or summary or self.tr("Document")

    def _open(self, key: str, title: str, resolve: Resolver) -> ReaderTab:
        """Activate the tab of `key`, or add one and start loading its file."""
        existing = self.find_tab(key)
        if existing is not None:
            self.tabs.setCurrentWidget(existing)
            self.show_window()
            if existing.error_text():  # re-opening a failed tab tries again
                self._start(existing)
            return existing
        tab = ReaderTab(key, title, self._make_reader(), self.tabs)
        tab.cancel_requested.connect(lambda: self._cancel(tab))
        tab.notice.open_requested.connect(lambda replaced: self._open_new_version(tab, replaced))
        tab.retry_requested.connect(lambda: self._start(tab))
        tab.reader.documentOpened.connect(lambda _sha: self._opened(tab))
        self._resolvers[tab] = resolve
        index = self.tabs.addTab(tab, _elide(title))
        self.tabs.setTabToolTip(index, title)
        self.tabs.setCurrentIndex(index)
        self._start(tab)
        self.show_window()
        return tab

    def _make_reader(self) -> Reader:
        core = self.core
        if self.pool is None:
            self.pool = RenderPool(parent=self)
        user = core.session.user
        reader = Reader(
            core.notes,
            core.notes.user,
            user_name=(user.full_name or user.username) if user is not None else "",
            pool=self.pool,
            state_store=core.view_states,
            inspector=self.inspector,
            jobs=self.jobs,
        )
        reader.openFileRequested.connect(self.open_local)
        reader.messageShown.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        reader.errorOccurred.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        return reader

    def _start(self, tab: ReaderTab) -> None:
        old = self._loads.pop(tab, None)
        if old is not None:
            old.cancel()
        tab.show_progress()
        task = self.tasks.run(self._load(tab), on_error=lambda exc: self._failed(tab, exc))
        self._loads[tab] = task

    def _cancel(self, tab: ReaderTab) -> None:
        task = self._loads.pop(tab, None)
        if task is not None:
            task.cancel()
        tab.show_error(self.tr("The download was cancelled."))

    def _failed(self, tab: ReaderTab, exc: BaseException) -> None:
        log.info("cannot open %s: %r", tab.key, exc)
        self._loads.pop(tab, None)
        tab.show_error(user_message(exc))

    async def _load(self, tab: ReaderTab) -> None:
        target = await self._resolvers[tab]()
        files = self.core.files
        if target.path is not None:
            path = target.path
            if not path.is_file():
                raise LocalFileMissing(str(path))
            sha = await asyncio.to_thread(sha256_of_file, path)  # hashing reads the whole file
        else:
            ref = target.ref
            if ref is None:
                raise ValueError(f"{target.title}: neither a server file nor a local path")
            sha = ref.sha256
            path = await files.fetch(ref, tab.show_progress)  # cache first, in a thread
        self._loads.pop(tab, None)
        tab.sha256 = sha
        marking = confidential_marking(target.confidentiality)
        tab.show_reader()  # says "opening" until the render worker has opened the file
        tab.reader.open_path(path, sha256=sha, title=target.title, watermark=marking)

    def _opened(self, tab: ReaderTab) -> None:
        """The tab's file is shown: its notes sync."""
        self.tab_ready.emit(tab)
        self.tasks.run(self.core.notes.sync(tab.sha256), on_error=self._sync_failed)

    def _sync_failed(self, exc: BaseException) -> None:
        """Offline: the notes kept on this computer are shown; they sync later."""
        log.info("notes sync failed: %r", exc)
        self.statusBar().showMessage(user_message(exc), 10_000)

    def _on_notes_changed(self, sha256: str) -> None:
        for tab in self.open_tabs():
            if tab.sha256 == sha256:
                tab.reader.reload_notes()

    def _on_paper_replaced(self, replaced: PaperReplaced) -> None:
        """A paper open here has a new version: its tab says so."""
        for tab in self.open_tabs():
            paper = tab.paper
            if paper and paper.file and replaced.replaces(paper.id, paper.file.sha256):
                tab.notice.offer(replaced)

    def _open_new_version(self, tab: ReaderTab, replaced: PaperReplaced) -> None:
        """The new version takes the old one's place."""
        self.open_paper(new_version(tab.paper, replaced))
        if tab.key != f"sha:{replaced.file.sha256}":
            self.close_tab(tab)

    # --- tabs ----------------------------------------------------------------------------------
    def open_tabs(self) -> list[ReaderTab]:
        """The tabs, left to right."""
        return [self.tab_at(i) for i in range(self.tabs.count())]

    def tab_at(self, index: int) -> ReaderTab:
        """The tab at `index`."""
        widget = self.tabs.widget(index)
        assert isinstance(widget, ReaderTab)
        return widget

    def find_tab(self, key: str) -> ReaderTab | None:
        """The open tab of `key` (`sha:<sha256>`, `document:<id>:<no>`, `file:<path>`)."""
        return next((t for t in self.open_tabs() if t.key == key), None)

    def current_tab(self) -> ReaderTab | None:
        """The tab in front."""
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, ReaderTab) else None

    def close_tab(self, tab: ReaderTab) -> None:
        """Stop its download, close its document, remove it."""
        task = self._loads.pop(tab, None)
        if task is not None:
            task.cancel()
        self._resolvers.pop(tab, None)
        tab.reader.shutdown()
        self.tabs.removeTab(self.tabs.indexOf(tab))
        tab.deleteLater()

    def close_all(self) -> None:
        """Close every tab."""
        for tab in self.open_tabs():
            self.close_tab(tab)

    def _update_title(self) -> None:
        tab = self.current_tab()
        base = self.tr("HopDesk — documents")
        self.setWindowTitle(f"{tab.title} — {base}" if tab is not None else base)

    def show_window(self) -> None:
        """Bring the window to the front."""
        self.show()
        self.raise_()
        self.activateWindow()

    # --- geometry, drops, closing --------------------------------------------------------------
    def _restore_geometry(self) -> None:
        saved = self.core.store.get(GEOMETRY_KEY)
        if isinstance(saved, str):
            try:
                self.restoreGeometry(QByteArray(base64.b64decode(saved)))
            except ValueError:
                log.info("ignoring a stored reader window geometry")

    def save_geometry(self) -> None:
        """Remember size and place for the next time (in the local store, written by its
        writer thread: closing the window never waits for another process's lock)."""
        data = bytes(self.saveGeometry().data())
        self.core.store.set_later(GEOMETRY_KEY, base64.b64encode(data).decode("ascii"))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a drag that carries a local PDF."""
        accept_pdf_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:
        """Open a dropped PDF in a new tab."""
        path = take_pdf_drop(event)
        if path is not None:
            self.open_local(path)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window closes its documents (the window itself can open again)."""
        self.save_geometry()
        self.close_all()
        super().closeEvent(event)

    async def aclose(self) -> None:
        """Sign-out or quit: cancel and await every task, close documents and workers."""
        if self.isVisible():
            self.save_geometry()
        self.close_all()
        await self.tasks.aclose()
        self.jobs.close()
        self.inspector.close()
        self._close_pool()
        self.hide()

    def _close_pool(self) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.close()  # also clean while its workers are still starting


class NoVersion(Exception):
    """A document without any file yet."""

    def user_message(self) -> str:
        """Translated, for the tab."""
        return QCoreApplication.translate("ReaderWindow", "This document has no file yet.")


class LocalFileMissing(Exception):
    """A local file that is gone (moved, deleted) by the time it is opened."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path

    def user_message(self) -> str:
        """Translated, for the tab."""
        return QCoreApplication.translate("ReaderWindow", "The file %1 no longer exists.").replace(
            "%1", self.path
        )


def _elide(title: str) -> str:
    return title if len(title) <= TAB_TITLE_CHARS else title[: TAB_TITLE_CHARS - 1] + "…"
