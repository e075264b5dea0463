"""The composed viewer component: toolbar, sidebars (thumbnails, outline, search), page view,
presentation mode, printing and drag-and-drop. Embeddable in any Qt app.

Outside code drives or follows it through `open_path`/`open_bytes`, `page_view` (go_to_page,
set_zoom, ...) and the `pageChanged`/`zoomChanged` signals (the meeting room's presenter sync).
Errors are shown in the view and emitted as `errorOccurred(user message)`.

Overlays: `page_view.add_overlay` paints on screen (the presentation window gets the same
overlays), `add_print_overlay` on paper; `set_watermark` puts the confidential watermark on all
three.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from resources.icons import icon
from viewer.document import Document, DocumentError, PasswordCallback
from viewer.drop import accept_pdf_drag, take_pdf_drop
from viewer.opening import DocumentOpener
from viewer.printing import PrintJob, PrintOverlay, pages_to_print
from viewer.render.pool import RenderPool
from viewer.search.find import SearchHit, SearchOptions
from viewer.search.panel import SearchPanel
from viewer.view.layout import LayoutMode, ZoomMode
from viewer.view.outline import OutlineView
from viewer.view.page_view import FRAME_MS, OverlayPainter, PageView, Throttle
from viewer.view.state import MemoryStateStore, ViewState, ViewStateStore
from viewer.view.thumbnails import ThumbnailView
from viewer.view.watermark import WatermarkOverlay, WatermarkSpec

log = logging.getLogger(__name__)

ZOOM_PRESETS = (25, 50, 75, 100, 125, 150, 200, 300, 400)
STATE_SAVE_DELAY_MS = 500  # a view that held still this long is written to the state store


class PresentationWindow(QWidget):
    """Full-screen presentation: one page fitted, black around it; keys and clicks turn pages.

    `overlays` are painted as on the reader's page view: a confidential paper shown on a
    projector carries its watermark too."""

    closed = Signal(int)

    def __init__(
        self,
        pool: RenderPool,
        doc: Document,
        page: int,
        overlays: Sequence[OverlayPainter] = (),
    ) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setWindowTitle(doc.name)
        self.view = PageView(pool, self)
        for overlay in overlays:
            self.view.add_overlay(overlay)
        self.view.background = QColor(Qt.GlobalColor.black)
        self.view.setFrameShape(PageView.Shape.NoFrame)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.view.set_layout_mode(LayoutMode.SINGLE)
        self.view.set_zoom_mode(ZoomMode.FIT_PAGE)
        self.view.set_document(doc, page)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc leaves; space, arrows and page keys move."""
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.close()
        elif key in (Qt.Key.Key_Space, Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_PageDown):
            self.view.next_page()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_PageUp, Qt.Key.Key_Backspace):
            self.view.previous_page()
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Hand the page back to the main view."""
        page = self.view.current_page()
        self.view.set_document(None)
        self.closed.emit(page)
        super().closeEvent(event)


class ViewerWidget(QWidget):
    """A PDF viewer: open a document and read, search, print and present it."""

    documentOpened = Signal(str)  # document name
    openFailed = Signal(str)  # translated message: `open_path` could not open the file
    # With `handles_open_externally` set, "Open…" and dropped files go to the host instead:
    openRequested = Signal()  # the Open… action
    fileDropped = Signal(str)  # path of a PDF dropped on the viewer
    errorOccurred = Signal(str)  # translated message for the app's notification service
    pageChanged = Signal(int)
    zoomChanged = Signal(float)

    def __init__(
        self,
        pool: RenderPool | None = None,
        state_store: ViewStateStore | None = None,
        password_callback: PasswordCallback | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.pool = pool or RenderPool.shared()
        self.state_store: ViewStateStore = state_store or MemoryStateStore()
        self.password_callback: PasswordCallback = password_callback or self._ask_password
        self.document: Document | None = None
        # A host (HopDesk's reader window) that opens papers through its own code sets this:
        # "Open…" then emits `openRequested` and a drop `fileDropped` instead of opening.
        self.handles_open_externally = False
        self._presentation: PresentationWindow | None = None
        self._print_overlays: list[PrintOverlay] = []
        self._watermark: WatermarkOverlay | None = None
        self.print_job: PrintJob | None = None
        self.print_progress: QProgressDialog | None = None

        # Files open in a render worker: the GUI thread never opens or repairs one.
        self.opener = DocumentOpener(self.pool, lambda n, w: self.password_callback(n, w), self)
        self.opener.opened.connect(self.set_document)
        self.opener.failed.connect(self._open_failed)
        self.page_view = PageView(self.pool, self)
        self.thumbnails = ThumbnailView(self.pool, self)
        self.outline = OutlineView(self)
        self.search_panel = SearchPanel(self.pool, self)
        self.message = QLabel(self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setMinimumWidth(1)  # a long file name in a message never widens the window
        # Shown above the pages while the document is one MuPDF had to repair.
        self.notice = QLabel(
            self.tr(
                "This file is damaged and was repaired to show it: some content may be"
                " missing or blank. Ask the sender for an intact copy if it matters."
            ),
            self,
        )
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("QLabel { background: #fff4ce; color: #3b2f00; padding: 6px; }")
        self.notice.hide()
        # Icon tabs, names as tooltips: three text tabs did not fit the 180 px side bar (the
        # third, Search, hid behind scroll arrows).
        self.sidebar = QTabWidget(self)
        for page, name, text in (
            (self.thumbnails, "layout-grid", self.tr("Pages")),
            (self.outline, "list-tree", self.tr("Bookmarks")),
            (self.search_panel, "search", self.tr("Search")),
        ):
            index = self.sidebar.addTab(page, icon(name), "")
            self.sidebar.setTabToolTip(index, text)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.page_view)
        self._stack.addWidget(self.message)
        splitter = QSplitter(self)
        splitter.addWidget(self.sidebar)
        splitter.addWidget(self._stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([180, 800])
        self.toolbar = QToolBar(self)
        self._build_toolbar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)
        self.setAcceptDrops(True)

        view = self.page_view
        view.currentPageChanged.connect(self._on_page_changed)
        view.zoomChanged.connect(self._on_zoom_changed)
        # A fling changes the page sixty times a second: the state is written once the view has
        # held still, and at once when the document closes or another replaces it.
        self._save_timer = QTimer(self, singleShot=True, interval=STATE_SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._save_state)
        view.viewChanged.connect(self._save_timer.start)
        view.historyChanged.connect(self._update_actions)
        self.thumbnails.clicked.connect(lambda index: view.go_to_page(index.row()))
        self.outline.pageActivated.connect(view.go_to_page)
        self.search_panel.queryChanged.connect(self._start_search)
        self.search_panel.session.hitSelected.connect(self._show_hit)
        self.search_panel.session.model.rowsInserted.connect(self._update_highlights)
        self._update_actions()

    # -- toolbar ---------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        icon_name: str = "",
    ) -> QAction:
        action = QAction(icon(icon_name), text, self) if icon_name else QAction(text, self)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(action)
        return action

    def _build_toolbar(self) -> None:
        view = self.page_view
        std = QKeySequence.StandardKey
        self.open_action = self._action(
            self.tr("Open…"), self._on_open_action, std.Open, "folder-open"
        )
        self.back_action = self._action(self.tr("Back"), view.back, std.Back, "arrow-left")
        self.forward_action = self._action(
            self.tr("Forward"), view.forward, std.Forward, "arrow-right"
        )
        self.page_box = QSpinBox(self)
        self.page_box.setKeyboardTracking(False)
        self.page_box.valueChanged.connect(lambda n: view.go_to_page(n - 1))
        # The box repainted on every page change (hundreds a second while scrolling or paging):
        # it shows the page at most once per display frame, and always the last one.
        self._page_box_follow = Throttle(FRAME_MS, self._show_page_number, self)
        self.page_total = QLabel(self)
        self.zoom_box = QComboBox(self)
        self.zoom_box.addItem(self.tr("Fit width"), ZoomMode.FIT_WIDTH)
        self.zoom_box.addItem(self.tr("Fit page"), ZoomMode.FIT_PAGE)
        for percent in ZOOM_PRESETS:
            self.zoom_box.addItem(self.tr("%1 %").replace("%1", str(percent)), percent)
        self.zoom_box.activated.connect(self._on_zoom_chosen)
        self.layout_box = QComboBox(self)
        self.layout_box.addItem(self.tr("Single page"), LayoutMode.SINGLE)
        self.layout_box.addItem(self.tr("Continuous"), LayoutMode.CONTINUOUS)
        self.layout_box.addItem(self.tr("Two pages"), LayoutMode.TWO_PAGE)
        self.layout_box.setCurrentIndex(1)
        self.layout_box.activated.connect(
            lambda i: view.set_layout_mode(self.layout_box.itemData(i))
        )
        self.toolbar.addAction(self.open_action)
        self.toolbar.addAction(self.back_action)
        self.toolbar.addAction(self.forward_action)
        self.toolbar.addWidget(self.page_box)
        self.toolbar.addWidget(self.page_total)
        self.toolbar.addAction(
            self._action(self.tr("Zoom out"), view.zoom_out, std.ZoomOut, "zoom-out")
        )
        self.toolbar.addWidget(self.zoom_box)
        self.toolbar.addAction(
            self._action(self.tr("Zoom in"), view.zoom_in, std.ZoomIn, "zoom-in")
        )
        self.toolbar.addAction(self._action(self.tr("Rotate"), view.rotate, "Ctrl+R", "rotate-cw"))
        self.toolbar.addWidget(self.layout_box)
        self.toolbar.addAction(self._action(self.tr("Find"), self.show_search, std.Find, "search"))
        self.toolbar.addAction(self._action(self.tr("Present"), self.present, "F5", "presentation"))
        self.toolbar.addAction(
            self._action(self.tr("Print…"), self.print_dialog, std.Print, "printer")
        )
        self._action(self.tr("Next match"), self.search_panel.session.next, std.FindNext)
        self._action(self.tr("Previous match"), self.search_panel.session.previous, "Shift+F3")
        self._action(self.tr("Go to page"), self._focus_page_box, "Ctrl+G")

    def _focus_page_box(self) -> None:
        self.page_box.setFocus()
        self.page_box.selectAll()

    def _update_actions(self) -> None:
        self.back_action.setEnabled(self.page_view.can_go_back())
        self.forward_action.setEnabled(self.page_view.can_go_forward())

    def _on_zoom_chosen(self, index: int) -> None:
        data = self.zoom_box.itemData(index)
        if isinstance(data, ZoomMode):
            self.page_view.set_zoom_mode(data)
        else:
            self.page_view.set_zoom(int(data) / 100.0)

    def _on_zoom_changed(self, zoom: float) -> None:
        mode = self.page_view.zoom_mode()
        if mode is ZoomMode.CUSTOM:
            self.zoom_box.setEditText(f"{round(zoom * 100)} %")
            presets = [
                i
                for i in range(self.zoom_box.count())
                if self.zoom_box.itemData(i) == round(zoom * 100)
            ]
            if presets:
                self.zoom_box.setCurrentIndex(presets[0])
        else:
            self.zoom_box.setCurrentIndex(self.zoom_box.findData(mode))
        self.zoomChanged.emit(zoom)
        self._save_timer.start()

    def _show_page_number(self, page: int) -> None:
        self.page_box.blockSignals(True)
        self.page_box.setValue(page + 1)
        self.page_box.blockSignals(False)

    def _on_page_changed(self, page: int) -> None:
        self._page_box_follow(page)
        self.thumbnails.show_page(page)
        self.pageChanged.emit(page)
        self._save_timer.start()

    # -- opening ---------------------------------------------------------------------------

    def open_path(self, path: str) -> None:
        """Start opening a file (in a render worker): `documentOpened` follows, or the view
        shows why it cannot be opened (translated) and emits `openFailed` and
        `errorOccurred`. Meanwhile the view says that the file is being opened."""
        self.close_document()
        self.message.setText(self.tr("Opening the document…"))
        self._stack.setCurrentWidget(self.message)
        self.opener.open(path)

    def opening(self) -> bool:
        """A file is being opened."""
        return self.opener.busy()

    def _open_failed(self, error: DocumentError) -> None:
        message = error.user_message()
        self.show_error(message)
        self.openFailed.emit(message)

    def open_bytes(self, data: bytes, name: str = "document.pdf") -> bool:
        """Open a document held in memory (a downloaded paper), in this process."""
        self.opener.cancel()
        try:
            doc = Document.open_bytes(data, name, self.password_callback)
        except DocumentError as exc:
            log.warning("cannot open document: %s", exc)
            self.show_error(exc.user_message())
            return False
        self.set_document(doc)
        return True

    def set_document(self, doc: Document | None) -> None:
        """Show `doc` (the widget owns it from now on), restoring its remembered view."""
        old = self.document
        if self._save_timer.isActive():
            self._save_state()  # the document being replaced keeps its last view
        if self.print_job is not None:
            self.print_job.cancel()  # it prints from the document about to close
        self.search_panel.session.clear()
        self.document = doc
        state = self.state_store.load(doc.key) if doc is not None else None
        view = self.page_view
        view.set_document(doc, state=state)  # first: the first page starts rendering now
        self.layout_box.setCurrentIndex(self.layout_box.findData(view.layout_mode()))
        self.thumbnails.thumbnail_model.set_document(doc)
        self.outline.set_entries(doc.outline() if doc is not None else [])
        if old is not None:
            old.close()
        self.notice.setVisible(doc is not None and doc.repaired)
        if doc is None:
            return
        self._stack.setCurrentWidget(view)
        self.page_box.setRange(1, doc.page_count)
        self.page_total.setText(self.tr("of %1").replace("%1", str(doc.page_count)))
        self._on_page_changed(view.current_page())
        self.documentOpened.emit(doc.name)

    def show_error(self, message: str) -> None:
        """Show a message in place of the pages and tell the app."""
        self.message.setText(message)
        self._stack.setCurrentWidget(self.message)
        self.notice.hide()
        self.errorOccurred.emit(message)

    def close_document(self) -> None:
        """Close the document (state saved), or stop opening one."""
        self.opener.cancel()
        self._save_state()
        self.set_document(None)

    def _on_open_action(self) -> None:
        if self.handles_open_externally:
            self.openRequested.emit()
        else:
            self.choose_file()

    def choose_file(self) -> None:
        """Ask for a file and open it."""
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Open document"), "", self.tr("PDF documents (*.pdf)")
        )
        if path:
            self.open_path(path)

    def _ask_password(self, name: str, wrong: bool) -> str | None:
        """Default password prompt (an embedding app may inject its own)."""
        prompt = (
            self.tr("Wrong password. Enter the password for %1:")
            if wrong
            else self.tr("Enter the password for %1:")
        ).replace("%1", name)
        text, ok = QInputDialog.getText(
            self, self.tr("Password required"), prompt, QLineEdit.EchoMode.Password
        )
        return text if ok else None

    # -- state -----------------------------------------------------------------------------

    def view_state(self) -> ViewState:
        """The current view state."""
        v = self.page_view
        return ViewState(
            v.current_page(), v.zoom(), v.zoom_mode().value, v.layout_mode().value, v.rotation()
        )

    def _save_state(self) -> None:
        self._save_timer.stop()
        if self.document is not None:
            self.state_store.save(self.document.key, self.view_state())

    # -- search ----------------------------------------------------------------------------

    def show_search(self) -> None:
        """Show the search tab and focus the query."""
        self.sidebar.setCurrentWidget(self.search_panel)
        self.search_panel.query.setFocus()
        self.search_panel.query.selectAll()

    def search(self, query: str, options: SearchOptions | None = None) -> None:
        """Start a search (also what the panel's query box does)."""
        self.search_panel.query.setText(query)
        if options is not None:
            self.search_panel.match_case.setChecked(options.match_case)
            self.search_panel.diacritics.setChecked(options.match_diacritics)
        self.search_panel.restart()

    def _start_search(self, query: str, options: SearchOptions) -> None:
        self.page_view.set_highlights({})
        if self.document is None:
            return
        self.search_panel.session.start(
            self.document.doc_id, query, options, self.page_view.current_page()
        )

    def _update_highlights(self) -> None:
        self.page_view.set_highlights(self.search_panel.session.hits_by_page())

    def _show_hit(self, hit: SearchHit) -> None:
        self.page_view.set_current_highlight(hit.page, hit.rects)

    # -- presentation and printing ---------------------------------------------------------

    def present(self) -> PresentationWindow | None:
        """Full-screen presentation from the current page."""
        if self.document is None:
            return None
        window = PresentationWindow(
            self.pool, self.document, self.page_view.current_page(), self.page_view.overlays()
        )
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.closed.connect(self._presentation_closed)
        window.view.currentPageChanged.connect(self.pageChanged)
        self._presentation = window
        window.showFullScreen()
        return window

    def _presentation_closed(self, page: int) -> None:
        self._presentation = None
        self.page_view.go_to_page(page, record=False)

    def add_print_overlay(self, overlay: PrintOverlay) -> None:
        """Call `overlay(painter, page index, page box)` on every printed page, after the page."""
        self._print_overlays.append(overlay)

    def remove_print_overlay(self, overlay: PrintOverlay) -> None:
        """Stop calling a print overlay."""
        if overlay in self._print_overlays:
            self._print_overlays.remove(overlay)

    def watermark(self) -> WatermarkSpec | None:
        """The watermark stamped over the pages, if any."""
        return self._watermark.spec if self._watermark is not None else None

    def set_watermark(self, spec: WatermarkSpec | None) -> None:
        """Stamp `spec` (the viewer's name and the time) over the pages on screen, in the
        presentation window and in print; None removes it."""
        old = self._watermark
        if old is not None:
            self.page_view.remove_overlay(old)
            self.remove_print_overlay(old.paint_print)
            if self._presentation is not None:
                self._presentation.view.remove_overlay(old)
        self._watermark = WatermarkOverlay(spec) if spec is not None else None
        if self._watermark is not None:
            self.page_view.add_overlay(self._watermark)
            self.add_print_overlay(self._watermark.paint_print)
            if self._presentation is not None:
                self._presentation.view.add_overlay(self._watermark)

    def print_dialog(self) -> None:
        """Qt's print dialog (all pages, a range or the current page), then print."""
        if self.document is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setMinMax(1, self.document.page_count)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintCurrentPage, True)
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            self.print_document(printer)

    def print_document(self, printer: QPrinter) -> PrintJob | None:
        """Print the printer's page range (all / from-to / current page) in the background:
        the render workers draw the pages at the printer's resolution (at most 300 dpi), a
        progress dialog offers Cancel. Returns the running job (None without a document or
        when the printer failed at once: the message is then shown and emitted)."""
        doc = self.document
        if doc is None:
            return None
        if self.print_job is not None:
            self.print_job.cancel()
        pages = pages_to_print(printer, doc.page_count, self.page_view.current_page())
        job = PrintJob(self.pool, doc, printer, pages, self._print_overlays, self)
        progress = QProgressDialog(self)
        progress.setWindowTitle(self.tr("Printing"))
        progress.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # Not modal: a modal QProgressDialog runs processEvents() inside setValue(), and the
        # reader may go on reading while the pages print.
        progress.setWindowModality(Qt.WindowModality.NonModal)
        progress.setRange(0, max(1, job.total))
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setLabelText(self.tr("Preparing the pages…"))
        progress.canceled.connect(job.cancel)
        job.progress.connect(lambda done, total: self._on_print_progress(progress, done, total))
        job.finished.connect(lambda _n: self._end_print(job, progress, None))
        job.cancelled.connect(lambda _n: self._end_print(job, progress, None))
        job.failed.connect(lambda message: self._end_print(job, progress, message))
        self.print_job, self.print_progress = job, progress
        progress.show()
        job.start()
        return job if job.is_running() or job.printed else None

    def _on_print_progress(self, progress: QProgressDialog, done: int, total: int) -> None:
        progress.setValue(done)
        progress.setLabelText(
            self.tr("Printed page %1 of %2").replace("%1", str(done)).replace("%2", str(total))
        )

    def _end_print(self, job: PrintJob, progress: QProgressDialog, message: str | None) -> None:
        """Close the progress dialog; on failure keep it open with the reason instead."""
        if self.print_job is job:
            self.print_job = None
        progress.canceled.disconnect(job.cancel)
        job.deleteLater()
        if message is None:
            progress.close()
            return
        log.warning("printing failed: %s", message)
        progress.setLabelText(message)
        progress.setCancelButtonText(self.tr("Close"))
        progress.canceled.connect(progress.close)
        self.errorOccurred.emit(message)

    # -- drag and drop ---------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a dropped PDF file."""
        accept_pdf_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:
        """Open the dropped PDF."""
        path = take_pdf_drop(event)
        if path is None:
            return
        if self.handles_open_externally:
            self.fileDropped.emit(str(path))
        else:
            self.open_path(str(path))

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the view state and release the document."""
        self.close_document()
        super().closeEvent(event)
