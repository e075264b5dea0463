"""The reader: one paper or document as the app shows it — the viewer, the annotation tools, the
user's notes and the document's digital signatures side by side, export and import of notes.

`Reader` is the reusable "read one paper" widget. The host injects where notes live
(`AnnotationStore`) and who reads (`user`: the notes' owner key; `user_name`: the name stamped on
confidential papers and written as the author of exported notes). The host also owns opening:
the viewer's Open… action and dropped PDFs become `openFileRequested(path)`, because only the host
knows a file's SHA-256 (the key notes are stored under) without hashing it on the GUI thread.

Slow work runs off the GUI thread: page rendering in the render pool, signature checks in the
signature inspector's process, export/import of notes in a `JobRunner` process (PyMuPDF holds the
GIL while it works, so a thread would stall the GUI).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QDragEnterEvent, QDropEvent, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from resources.icons import icon
from viewer.annotations.export import export_annotated_copy, import_annotations
from viewer.annotations.model import Annotation, AnnotationModel
from viewer.annotations.notes_panel import NotesPanel, connect_notes
from viewer.annotations.store import AnnotationStore
from viewer.annotations.tools import AnnotationTools, TextPrompt, Tool, palette
from viewer.document import PasswordCallback
from viewer.drop import accept_pdf_drag, take_pdf_drop
from viewer.jobs import JobRunner
from viewer.render.pool import RenderPool
from viewer.signatures.inspector import SignatureInspector
from viewer.signatures.panel import SignaturesPanel
from viewer.view.state import ViewStateStore
from viewer.view.watermark import WatermarkSpec
from viewer.view.widget import ViewerWidget

log = logging.getLogger(__name__)

TOOL_ICONS = {  # Lucide names (resources/icons.py)
    Tool.SELECT: "mouse-pointer",
    Tool.HIGHLIGHT: "highlighter",
    Tool.UNDERLINE: "underline",
    Tool.STRIKEOUT: "strikethrough",
    Tool.NOTE: "sticky-note",
    Tool.INK: "pen-line",
    Tool.RECT: "square",
}


def _same_notes(a: list[Annotation], b: list[Annotation]) -> bool:
    """Whether two lists hold the same notes in the same versions (order ignored)."""
    return {n.id: n.to_json() for n in a} == {n.id: n.to_json() for n in b}


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class Reader(QWidget):
    """The viewer plus notes, signatures and annotation tools for one document at a time."""

    documentOpened = Signal(str)  # sha256: `open_path` has shown the document
    openFailed = Signal(str)  # translated message: `open_path` could not open it
    errorOccurred = Signal(str)  # translated message
    messageShown = Signal(str)  # translated status (export done, notes imported)
    openFileRequested = Signal(str)  # a local PDF the user chose or dropped; the host opens it
    exportFinished = Signal(str, int)  # destination, notes written
    importFinished = Signal(int)  # notes added or updated
    notesReloaded = Signal()
    pageChanged = Signal(int)
    zoomChanged = Signal(float)

    def __init__(
        self,
        store: AnnotationStore,
        user: str,
        *,
        user_name: str = "",
        pool: RenderPool | None = None,
        state_store: ViewStateStore | None = None,
        inspector: SignatureInspector | None = None,
        jobs: JobRunner | None = None,
        prompt: TextPrompt | None = None,
        password_callback: PasswordCallback | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.user = user
        self.user_name = user_name or user
        self._prompt = prompt
        self._owns_jobs = jobs is None
        self.jobs = jobs or JobRunner(self)
        self.jobs.finished.connect(self._on_job_finished)
        self.jobs.failed.connect(self._on_job_failed)
        self._job_handlers: dict[int, tuple[Callable[[Any], None], Callable[[], str]]] = {}
        self._owns_inspector = inspector is None
        self._path: Path | None = None
        self._sha = ""
        self._title = ""
        # What `open_path` was asked to show, until the viewer has opened it.
        self._opening: tuple[Path, str, str, str | None] | None = None
        self.model: AnnotationModel | None = None
        self.tools: AnnotationTools | None = None
        self.notes: NotesPanel | None = None
        self._tool = Tool.SELECT
        self._color = palette()[0][0]

        self.viewer = ViewerWidget(pool, state_store, password_callback, self)
        self.viewer.handles_open_externally = True  # only the host knows a file's SHA-256
        self.viewer.openRequested.connect(self.choose_file)
        self.viewer.fileDropped.connect(self.openFileRequested)
        self.viewer.pageChanged.connect(self.pageChanged)
        self.viewer.zoomChanged.connect(self.zoomChanged)
        self.viewer.errorOccurred.connect(self.errorOccurred)
        self.viewer.documentOpened.connect(self._on_opened)
        self.viewer.openFailed.connect(self._on_open_failed)

        self.signatures = SignaturesPanel(inspector, self)
        self.notes_page = QWidget(self)
        self._notes_layout = QVBoxLayout(self.notes_page)
        self._notes_layout.setContentsMargins(0, 0, 0, 0)
        self.no_notes = QLabel(self.tr("No document."), self.notes_page)
        self.no_notes.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._notes_layout.addWidget(self.no_notes)
        self.side = QTabWidget(self)
        self.side.addTab(self.notes_page, icon("notebook-pen"), self.tr("My notes"))
        self.side.addTab(self.signatures, icon("signature"), self.tr("Signatures"))
        for index in range(self.side.count()):
            self.side.setTabToolTip(index, self.side.tabText(index))

        self.toolbar = QToolBar(self)
        self._build_toolbar()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.hide()

        splitter = QSplitter(self)
        splitter.addWidget(self.viewer)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([900, 280])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        self.setAcceptDrops(True)
        self._update_actions()

    # -- toolbar ---------------------------------------------------------------------------

    def _tool_texts(self) -> dict[Tool, str]:
        return {
            Tool.SELECT: self.tr("Select"),
            Tool.HIGHLIGHT: self.tr("Highlight"),
            Tool.UNDERLINE: self.tr("Underline"),
            Tool.STRIKEOUT: self.tr("Strike out"),
            Tool.NOTE: self.tr("Sticky note"),
            Tool.INK: self.tr("Draw"),
            Tool.RECT: self.tr("Box"),
        }

    def _build_toolbar(self) -> None:
        self.tool_group = QActionGroup(self)
        self.tool_group.setExclusive(True)
        self.tool_actions: dict[Tool, QAction] = {}
        # Icons with the names as tooltips: seven tool names, the colour and the two export
        # commands did not fit a toolbar at the reader's default width.
        for tool, text in self._tool_texts().items():
            action = QAction(icon(TOOL_ICONS[tool]), text, self)
            action.setCheckable(True)
            action.setChecked(tool is self._tool)
            action.triggered.connect(lambda _checked=False, t=tool: self.set_tool(t))
            self.tool_group.addAction(action)
            self.toolbar.addAction(action)
            self.tool_actions[tool] = action
        self.color_box = QComboBox(self)
        self.color_box.setToolTip(self.tr("Colour of new notes"))
        for hex_, name in palette():
            self.color_box.addItem(_swatch(hex_), name, hex_)
        self.color_box.activated.connect(lambda i: self.set_color(str(self.color_box.itemData(i))))
        self.toolbar.addWidget(self.color_box)
        self.toolbar.addSeparator()
        self.export_action = QAction(
            icon("file-output"), self.tr("Export notes into a copy…"), self
        )
        self.export_action.triggered.connect(lambda _checked=False: self.choose_export())
        import_text = self.tr("Import notes from a PDF…")
        self.import_action = QAction(icon("file-input"), import_text, self)
        self.import_action.triggered.connect(lambda _checked=False: self.choose_import())
        self.toolbar.addAction(self.export_action)
        self.toolbar.addAction(self.import_action)

    def _update_actions(self) -> None:
        has_doc = self.model is not None
        for action in (*self.tool_actions.values(), self.export_action, self.import_action):
            action.setEnabled(has_doc)
        self.color_box.setEnabled(has_doc)
        busy = bool(self._job_handlers)
        self.export_action.setEnabled(has_doc and not busy)
        self.import_action.setEnabled(has_doc and not busy)

    def set_tool(self, tool: Tool) -> None:
        """The mouse tool for the page (select, highlight, sticky note, ...)."""
        self._tool = Tool(tool)
        self.tool_actions[self._tool].setChecked(True)
        if self.tools is not None:
            self.tools.set_tool(self._tool)

    def set_color(self, color: str) -> None:
        """The colour new notes get (`#rrggbb`)."""
        self._color = QColor(color).name()
        index = self.color_box.findData(self._color)
        if index >= 0:
            self.color_box.setCurrentIndex(index)
        if self.tools is not None:
            self.tools.set_color(self._color)

    # -- opening ---------------------------------------------------------------------------

    def open_path(
        self, path: str | Path, *, sha256: str, title: str = "", watermark: str | None = None
    ) -> None:
        """Start showing a PDF whose exact bytes hash to `sha256` (the notes' key); the file
        opens in a render worker, then `documentOpened(sha256)` follows, or `openFailed` with
        the message the viewer shows. `watermark` None: no watermark; a string: stamp the
        reader's name and the time over every page, with the string as the marking."""
        self._unbind_notes()
        self._set_watermark(None)
        self.signatures.clear()
        self._path, self._sha = None, ""
        self._opening = (Path(path), sha256, title, watermark)
        self._update_actions()
        self.viewer.open_path(str(path))

    def opening(self) -> bool:
        """A document is being opened."""
        return self._opening is not None

    def _on_opened(self, _name: str) -> None:
        opening, self._opening = self._opening, None
        if opening is None:
            return
        path, sha256, title, watermark = opening
        self._path, self._sha = path, sha256
        self._title = title or path.name
        self._bind_notes()
        if watermark is not None:
            self._set_watermark(WatermarkSpec(name=self.user_name, marking=watermark))
        self.signatures.show_document(str(path))
        self.documentOpened.emit(sha256)

    def _on_open_failed(self, message: str) -> None:
        if self._opening is not None:
            self._opening = None
            self._update_actions()
            self.openFailed.emit(message)

    def close_document(self) -> None:
        """Close the document (view state saved, notes already are)."""
        self._opening = None
        self._unbind_notes()
        self._set_watermark(None)
        self.viewer.close_document()
        self.signatures.clear()
        self._path, self._sha, self._title = None, "", ""
        self._update_actions()

    def path(self) -> Path | None:
        """The file shown."""
        return self._path

    def sha256(self) -> str:
        """The key of the document shown ("" when none)."""
        return self._sha

    def title(self) -> str:
        """The document's title as the host named it."""
        return self._title

    def watermark(self) -> WatermarkSpec | None:
        """The watermark stamped over the pages, if any."""
        return self.viewer.watermark()

    def choose_file(self) -> None:
        """Ask for a local PDF (non-blocking dialog); the host opens it."""
        dialog = QFileDialog(self, self.tr("Open document"), "", self.tr("PDF documents (*.pdf)"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.openFileRequested)
        dialog.open()

    def _set_watermark(self, spec: WatermarkSpec | None) -> None:
        """On screen, in the presentation window and in print (the viewer stamps all three)."""
        self.viewer.set_watermark(spec)

    # -- notes -----------------------------------------------------------------------------

    def _excerpt(self, page: int, rect: tuple[float, float, float, float]) -> str:
        doc = self.viewer.document
        return doc.text_in(page, rect) if doc is not None else ""

    def _bind_notes(self) -> None:
        """A model, the page tools and a notes panel for the open document's notes."""
        self._unbind_notes()
        model = AnnotationModel(self.store, self._sha, self.user, self._excerpt, self)
        model.errorOccurred.connect(self.show_error)
        view = self.viewer.page_view
        tools = AnnotationTools(view, model, self._prompt, self)
        tools.set_tool(self._tool)
        tools.set_color(self._color)
        panel = NotesPanel(model, self.notes_page)
        connect_notes(view, tools, panel)
        self.model, self.tools, self.notes = model, tools, panel
        self.no_notes.hide()
        self._notes_layout.addWidget(panel)
        self._set_watermark(self.viewer.watermark())  # stamped again: the mark stays on top
        view.update_overlays()
        self._update_actions()

    def _unbind_notes(self) -> None:
        tools, model, panel = self.tools, self.model, self.notes
        self.tools = self.model = self.notes = None
        if tools is not None:
            tools.detach()
            tools.deleteLater()
        if panel is not None:
            panel.hide()
            self._notes_layout.removeWidget(panel)
            panel.deleteLater()
        if model is not None:
            model.deleteLater()
        self.no_notes.show()
        self.viewer.page_view.update_overlays()

    def reload_notes(self) -> bool:
        """Show the store's notes again (after a sync changed them underneath). Nothing happens
        when the store holds what is shown, so undo history survives the echo of our own
        changes; returns whether the list was rebuilt."""
        model = self.model
        if model is None:
            return False
        stored = self.store.load(self._sha, self.user)
        if _same_notes(stored, model.annotations()):
            return False
        current = self.notes.current() if self.notes is not None else None
        self._bind_notes()
        if current is not None and self.notes is not None:
            self.notes.select_annotation(current.id)
        self.notesReloaded.emit()
        return True

    # -- export and import -----------------------------------------------------------------

    def choose_export(self) -> None:
        """Ask where to write an annotated copy (non-blocking dialog), then export."""
        if self.model is None:
            return
        base = self._path.stem if self._path is not None else "document"
        name = self.tr("%1 (notes).pdf").replace("%1", base)
        dialog = QFileDialog(self, self.tr("Export notes"), name, self.tr("PDF documents (*.pdf)"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("pdf")
        dialog.fileSelected.connect(self.export_to)
        dialog.open()

    def export_to(self, destination: str | Path) -> int | None:
        """Write the document with the notes as standard PDF annotations to `destination` (the
        original is never written); `exportFinished` or `errorOccurred` follows. Returns the job
        id, None when nothing is open."""
        if self.model is None or self._path is None:
            return None
        doc = self.viewer.document
        password = doc.source.password if doc is not None else None
        target = Path(destination)
        job = self.jobs.submit(
            export_annotated_copy,
            str(self._path),
            self.model.annotations(),
            str(target),
            self.user_name,
            password,
        )

        def done(count: Any) -> None:
            self.show_message(
                self.tr("%n note(s) exported to %1.", "", int(count)).replace("%1", str(target))
            )
            self.exportFinished.emit(str(target), int(count))

        self._watch(job, done, lambda: self.tr("The notes could not be exported."))
        return job

    def choose_import(self) -> None:
        """Ask for a PDF whose annotations become notes (non-blocking dialog)."""
        if self.model is None:
            return
        dialog = QFileDialog(self, self.tr("Import notes"), "", self.tr("PDF documents (*.pdf)"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.import_from)
        dialog.open()

    def import_from(self, source: str | Path) -> int | None:
        """Add the annotations of a PDF as notes on this document (one undo step);
        `importFinished` or `errorOccurred` follows. Returns the job id."""
        if self.model is None:
            return None
        sha = self._sha
        job = self.jobs.submit(import_annotations, str(source), sha)

        def done(notes: Any) -> None:
            if self.model is None or self._sha != sha:
                return  # another document is shown now
            count = self.model.merge(notes)
            self.show_message(self.tr("%n note(s) imported.", "", count))
            self.importFinished.emit(count)

        self._watch(job, done, lambda: self.tr("The notes could not be imported from that file."))
        return job

    def _watch(self, job: int, done: Callable[[Any], None], failure: Callable[[], str]) -> None:
        self._job_handlers[job] = (done, failure)
        self._update_actions()

    def _on_job_finished(self, job: int, result: object) -> None:
        handlers = self._job_handlers.pop(job, None)
        self._update_actions()
        if handlers is not None:
            handlers[0](result)

    def _on_job_failed(self, job: int, exc: object) -> None:
        handlers = self._job_handlers.pop(job, None)
        self._update_actions()
        if handlers is not None:
            log.warning("reader job %d failed: %r", job, exc)
            self.show_error(handlers[1]())

    # -- messages --------------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        """A line under the reader (and `messageShown` for the app's status bar)."""
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self.messageShown.emit(text)

    def show_error(self, text: str) -> None:
        """An error line under the reader (and `errorOccurred` for the app)."""
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self.errorOccurred.emit(text)

    # -- follow / drive (meeting room page sync) -------------------------------------------

    def current_page(self) -> int:
        """The page shown (0-based)."""
        return self.viewer.page_view.current_page()

    def go_to_page(self, page: int) -> None:
        """Show a page (0-based)."""
        self.viewer.page_view.go_to_page(page)

    def zoom(self) -> float:
        """The zoom factor (1.0 = 100 %)."""
        return self.viewer.page_view.zoom()

    def set_zoom(self, zoom: float) -> None:
        """Set the zoom factor."""
        self.viewer.page_view.set_zoom(zoom)

    # -- drops and shutdown ----------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a drag that carries a local PDF."""
        accept_pdf_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:
        """A dropped PDF: the host opens it."""
        path = take_pdf_drop(event)
        if path is not None:
            self.openFileRequested.emit(str(path))

    def shutdown(self) -> None:
        """Close the document and stop the worker processes this reader owns."""
        self.close_document()
        for job in list(self._job_handlers):
            self._job_handlers.pop(job)
        if self._owns_jobs:
            self.jobs.close()
        if self._owns_inspector:
            self.signatures.shutdown()
