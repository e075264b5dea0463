"""The main window: a side list (Lịch họp, Văn bản, Tài liệu), the pages, and a status bar.

Opening is the shell's business: a meeting row asks for the meeting (`meeting_requested`), a
document row for its latest version (`document_requested`), File → Open file… and a dropped PDF
for a local file (`file_requested`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QStyle,
    QWidget,
)

from desktop.inbox_index import WAITING
from ui.approval_view import ApprovalView
from ui.documents_view import DocumentsView
from ui.inbox_view import InboxView
from ui.meetings_view import MeetingsView

if TYPE_CHECKING:
    from desktop.documents import DocumentsService
    from desktop.domain import User
    from desktop.events import EventStream
    from desktop.inbox import ApprovalInbox
    from desktop.meetings import MeetingsService
    from desktop.outbox import Outbox

CONNECTION_COLOURS = {"connected": "#1b7f3b", "reconnecting": "#b26a00", "offline": "#b3261e"}


class MainWindow(QMainWindow):
    """Binds the pages to the services; the shell reacts to the requests it emits."""

    settings_requested = Signal()
    about_requested = Signal()
    sign_out_requested = Signal()
    quit_requested = Signal()
    refresh_requested = Signal()
    lists_ready = Signal()  # shown, and the meetings and inbox lists hold rows (cached or not)
    meeting_requested = Signal(object)  # a MeetingSummary row was opened
    document_requested = Signal(object)  # a DocumentSummary row was opened
    approval_requested = Signal(object)  # a DocumentSummary of the approval inbox was opened
    batch_sign_requested = Signal(list)  # DocumentSummary rows to sign with one PIN
    file_requested = Signal(str)  # a local PDF to read
    join_link_requested = Signal()  # "Join by link…": ask for a meeting link

    def __init__(
        self,
        user: User | None,
        meetings: MeetingsService,
        documents: DocumentsService,
        *,
        events: EventStream | None = None,
        outbox: Outbox | None = None,
        inbox: ApprovalInbox | None = None,
        icon: QIcon | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.user = user
        if icon is not None:
            self.setWindowIcon(icon)
        self.meetings_view = MeetingsView(meetings, self, me=user.id if user else None)
        self.inbox_view = InboxView(documents, self)
        self.documents_view = DocumentsView(documents, self)
        self.pages: list[QWidget] = [self.meetings_view, self.inbox_view, self.documents_view]
        self.approval_view: ApprovalView | None = None
        if inbox is not None:  # the approval inbox (issue 12): one more page
            self.approval_view = ApprovalView(inbox, self)
            self.approval_view.activated.connect(self.approval_requested)
            self.approval_view.sign_selected.connect(self.batch_sign_requested)
            self.approval_view.counted.connect(self.retranslate_navigation)
            self.pages.append(self.approval_view)
        self.meetings_view.activated.connect(self.meeting_requested)
        self.inbox_view.activated.connect(self.document_requested)
        self.documents_view.activated.connect(self.document_requested)

        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(22, 22))
        self.nav.setFixedWidth(160)  # the three page names fit; the lists get the width
        style = self.style()
        icons = [
            style.standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView),
            style.standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView),
            style.standardIcon(QStyle.StandardPixmap.SP_DirIcon),
            style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton),
        ][: len(self.pages)]
        for page_icon in icons:
            item = QListWidgetItem(page_icon, "", self.nav)
            item.setSizeHint(QSize(0, 36))
        self.stack = QStackedWidget(self)
        for page in self.pages:
            self.stack.addWidget(page)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(6, 6, 6, 0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.user_label = QLabel(self)
        self.connection_label = QLabel(self)
        self.outbox_label = QLabel(self)
        for label in (self.user_label, self.connection_label, self.outbox_label):
            self.statusBar().addPermanentWidget(label)
        # the stream may have connected already (it starts with the session, before this
        # window): its state now, then its changes
        self.connection_state = events.state if events is not None else ""
        self.pending = 0

        self.settings_action = QAction(self)
        self.settings_action.triggered.connect(self.settings_requested)
        self.refresh_action = QAction(self)
        self.refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_action.triggered.connect(self.refresh_requested)
        self.open_file_action = QAction(self)
        self.open_file_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Open))
        self.open_file_action.triggered.connect(self.choose_file)
        self.join_link_action = QAction(self)
        self.join_link_action.setShortcut(QKeySequence("Ctrl+Shift+J"))
        self.join_link_action.triggered.connect(self.join_link_requested)
        self.sign_out_action = QAction(self)
        self.sign_out_action.triggered.connect(self.sign_out_requested)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        self.quit_action.triggered.connect(self.quit_requested)
        self.file_menu = self.menuBar().addMenu("")
        self.file_menu.addAction(self.open_file_action)
        self.file_menu.addAction(self.join_link_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.refresh_action)
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.sign_out_action)
        self.file_menu.addAction(self.quit_action)
        self.about_action = QAction(self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.about_requested)
        self.help_menu = self.menuBar().addMenu("")
        self.help_menu.addAction(self.about_action)

        if events is not None:
            events.state_changed.connect(self.set_connection_state)
        if outbox is not None:
            outbox.pending_changed.connect(self.set_pending)
        self._ready_sent = False
        for view in (self.meetings_view, self.inbox_view):
            view.rows_shown.connect(self._check_ready)
        self.nav.setCurrentRow(0)
        self.setAcceptDrops(True)
        self.retranslate()
        self.resize(1180, 700)

    # --- status bar ----------------------------------------------------------------------------
    def set_connection_state(self, state: str) -> None:
        """connected / reconnecting / offline, from `EventStream.state_changed`."""
        self.connection_state = state
        self._show_connection()

    def set_pending(self, count: int) -> None:
        """Actions written to the outbox and not yet accepted by the server."""
        self.pending = count
        self._show_pending()

    def connection_text(self) -> str:
        """The connection state in words."""
        return {
            "connected": self.tr("Connected"),
            "reconnecting": self.tr("Reconnecting…"),
            "offline": self.tr("Offline"),
        }.get(self.connection_state, "")

    def _show_connection(self) -> None:
        colour = CONNECTION_COLOURS.get(self.connection_state, "palette(text)")
        text = self.connection_text()
        self.connection_label.setText(
            f"<span style='color:{colour}'>●</span> {text}" if text else ""
        )
        self.connection_label.setToolTip(self.tr("Connection to the office server"))

    def _show_pending(self) -> None:
        if self.pending:
            self.outbox_label.setText(self.tr("%n action(s) waiting to be sent", "", self.pending))
        else:
            self.outbox_label.setText(self.tr("All changes sent"))

    # --- language ------------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Every text the window owns (pages retranslate themselves)."""
        self.setWindowTitle(self.tr("HopDesk — paperless office"))
        self.retranslate_navigation()
        user = self.user
        name = (user.full_name or user.username) if user else ""
        title = user.title if user else ""
        self.user_label.setText(
            self.tr("%1, %2").replace("%1", name).replace("%2", title) if title else name
        )
        self.user_label.setToolTip(self.tr("Signed in as %1").replace("%1", name))
        self.file_menu.setTitle(self.tr("&HopDesk"))
        self.open_file_action.setText(self.tr("&Open file…"))
        self.join_link_action.setText(self.tr("&Join by link…"))
        self.refresh_action.setText(self.tr("&Refresh"))
        self.settings_action.setText(self.tr("&Settings…"))
        self.sign_out_action.setText(self.tr("Sign &out"))
        self.quit_action.setText(self.tr("&Quit"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.about_action.setText(self.tr("&About HopDesk"))
        self._show_connection()
        self._show_pending()

    def retranslate_navigation(self) -> None:
        """Page names; the approval page carries the count waiting for me (its badge)."""
        names = [self.tr("Meetings"), self.tr("Inbox"), self.tr("Documents")]
        if self.approval_view is not None:
            waiting = self.approval_view.counts.get(WAITING, 0)  # as last read in a thread
            name = self.tr("Approvals")
            names.append(f"{name} ({waiting})" if waiting else name)
        for row, text in enumerate(names):
            self.nav.item(row).setText(text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- local files ---------------------------------------------------------------------------
    def choose_file(self) -> None:
        """File → Open file…: pick a local PDF (the dialog does not block the loop)."""
        dialog = QFileDialog(self, self.tr("Open file"), "", self.tr("PDF documents (*.pdf)"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.file_requested)
        dialog.open()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a drag that carries a local PDF."""
        from viewer import accept_pdf_drag  # the reader's package loads when first needed

        accept_pdf_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:
        """A dropped PDF opens in the reader."""
        from viewer import take_pdf_drop

        path = take_pdf_drop(event)
        if path is not None:
            self.file_requested.emit(str(path))

    # --- readiness -----------------------------------------------------------------------------
    def lists_loaded(self) -> bool:
        """Whether the meetings and inbox pages show what the server sent."""
        return self.meetings_view.loaded and self.inbox_view.loaded

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._check_ready()

    def _check_ready(self, *_: object) -> None:
        if not self._ready_sent and self.isVisible() and self.lists_loaded():
            self._ready_sent = True
            self.lists_ready.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window quits the app (the tray offers Show while it runs)."""
        event.ignore()
        self.quit_requested.emit()
