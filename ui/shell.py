"""The UI's entry: sign in (demo, silent or by dialog), the main window, tray, settings.

`QtFrontend.run()` is awaited by the bootstrap (`desktop.app`); it returns the exit status when
the user quits. Windows bind to the `Core` services; all network calls run as tasks owned here.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog

from desktop import i18n
from desktop.errors import ServerUnreachable, SessionExpired, TlsError
from desktop.meeting_reminders import MeetingReminders
from desktop.notify import user_message
from ui.main_window import MainWindow
from ui.notices import NoticePresenter
from ui.tasks import TaskOwner
from ui.tray import Tray

if TYPE_CHECKING:
    from desktop.app import Core, Options
    from desktop.domain import Document, JsonObject, Meeting, MeetingSummary, User
    from desktop.join_link import JoinLink, WhipLink
    from ui.about_dialog import AboutDialog
    from ui.approval_detail import ApprovalDetail
    from ui.call.link_window import LinkCallWindow
    from ui.join_link_dialog import JoinLinkDialog
    from ui.meeting_detail import MeetingDetail
    from ui.meeting_room.window import MeetingRoomWindow
    from ui.reader_window import ReaderWindow
    from ui.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)

ICON = Path(__file__).resolve().parent.parent / "resources" / "icons" / "hopdesk.svg"
DEMO_USER = "giamdoc"
DEMO_PASSWORD = "hopdesk-demo"  # the reference server's documented demo password


def process_age_ms() -> int:
    """Milliseconds since this process was created (as the OS tells it, not since import)."""
    import psutil

    return round((time.time() - psutil.Process().create_time()) * 1000)


async def wait_dialog(dialog: QDialog) -> int:
    """Show a dialog window-modally and await its result without a nested event loop."""
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def finished(code: int) -> None:
        if not done.done():
            done.set_result(int(code))

    dialog.finished.connect(finished)
    dialog.open()
    return await done


async def send_pending_requests(turns: int = 8) -> None:
    """Let the loop turn a few times so tasks just started write their requests (connection
    from the pool, headers to the socket) before the GUI thread gets busy; returns at once
    when nothing is ready to run."""
    for _ in range(turns):
        await asyncio.sleep(0)


class QtFrontend(QObject):
    """One signed-in session at a time; sign-out returns to the sign-in dialog."""

    core: Core  # given to `run()`
    options: Options

    def __init__(self) -> None:
        super().__init__()
        self.tasks = TaskOwner(self)
        self.window: MainWindow | None = None
        self.tray: Tray | None = None
        self.reader_window: ReaderWindow | None = None  # made on first use: PyMuPDF loads then
        self.meeting_detail: MeetingDetail | None = None
        self.meeting_rooms: dict[int, MeetingRoomWindow] = {}  # by meeting id
        self.approval_detail: ApprovalDetail | None = None
        self.link_calls: list[LinkCallWindow] = []  # calls opened from WHIP links
        self._link: str | None = None  # a link to open once signed in (command line, launch)
        self.icon = QIcon(str(ICON))
        self._next: asyncio.Future[str] | None = None
        self.exit_code = 0
        self._loaded = False  # the first refresh of both lists came back from the server
        self._loading = False  # ... and is under way
        self._shown = False  # the window is visible with its lists (cached or the server's)
        self._ready_said = self._fresh_said = False  # `--exit-when-ready` lines printed

    async def run(self, core: Core, options: Options) -> int:
        """The whole life of the UI."""
        self.core, self.options = core, options
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setWindowIcon(self.icon)
        self.presenter = NoticePresenter(core.notifier, str(core.log_path), self)
        core.session.signed_out.connect(self._on_signed_out)
        core.session.sign_in_warning.connect(core.notifier.warning)
        self._link = options.link
        if core.instance is not None:  # later launches: their links, or "show yourself"
            core.instance.link_received.connect(self.open_link)
            core.instance.activation_requested.connect(self.show_window)
        if core.cache_was_reset:
            core.notifier.warning(
                self.tr(
                    "The local cache was damaged and has been rebuilt. "
                    "Your data on the server is safe; lists will reload."
                )
            )
        if Tray.available():
            self.tray = Tray(self.icon, self)
            self.tray.show_requested.connect(self.show_window)
            self.tray.sign_out_requested.connect(lambda: self._finish("sign_out"))
            self.tray.quit_requested.connect(lambda: self._finish("quit"))
            self.tray.show()
        try:
            while True:
                user = await self.sign_in()
                if user is None:
                    return 0
                outcome = await self.session_window(user)
                if outcome in ("sign_out", "ended"):
                    await core.stop_session()
                    if outcome == "sign_out":  # "ended": the server already closed the session
                        await core.session.sign_out()
                    continue
                return self.exit_code
        finally:
            await self.tasks.aclose()
            if self.tray is not None:
                self.tray.hide()

    async def sign_in(self) -> User | None:
        """Demo account, then silent sign-in from the keyring, then the dialog."""
        core = self.core
        if self.options.demo and core.demo is not None:
            url = await core.demo.start()
            await core.demo.prepare_drafts(url, DEMO_PASSWORD)
            return await core.session.sign_in(url, DEMO_USER, DEMO_PASSWORD, False)
        try:
            # The last session's user and lists at once; the server is asked once the window
            # shows (an older version's account, with no profile kept, asks it first).
            user = await core.session.resume_cached() or await core.session.resume()
        except Exception as exc:  # expired or unreachable: the dialog says why
            log.info("silent sign-in failed: %r", exc)
            user = None
        if user is not None:
            return user
        from ui.sign_in_dialog import SignInDialog  # a remembered sign-in never shows it

        secrets = core.secrets
        dialog = SignInDialog(
            core.session.sign_in,
            server_url=core.config.settings.server_url or "",
            server_locked=bool(core.config.locked("server_url")),
            remember_available=bool(secrets.available),
            remember_unavailable_reason=str(getattr(secrets, "why_unavailable", "") or ""),
        )
        dialog.setWindowIcon(self.icon)
        core.first_screen_shown.set()
        if await wait_dialog(dialog) != QDialog.DialogCode.Accepted:
            return None
        return dialog.user

    async def session_window(self, user: User) -> str:
        """Show the main window for `user` until sign-out or quit; returns which."""
        core = self.core
        # Resumed from the cache (no access token yet): the window first, with the cached
        # lists, then the network, whose first use imports aiohttp in a thread (desktop/api.py)
        # that would otherwise compete with building the window. Signed in with a password,
        # the first lists are asked for before the window is built: the server works on them
        # while the GUI thread builds the pages, instead of after.
        from_cache = core.session.access_token is None
        await core.start_session(connect=not from_cache)
        self._next = asyncio.get_running_loop().create_future()
        self._loaded = self._loading = self._shown = False
        self._ready_said = self._fresh_said = False
        if not from_cache:
            self._go_online()
            await send_pending_requests()
        window = MainWindow(
            user,
            core.meetings,
            core.documents,
            events=core.events,
            outbox=core.outbox,
            inbox=core.inbox,
            icon=self.icon,
        )
        self.window = window
        self.presenter.window = window
        window.quit_requested.connect(lambda: self._finish("quit"))
        window.sign_out_requested.connect(lambda: self._finish("sign_out"))
        window.settings_requested.connect(self.open_settings)
        window.about_requested.connect(self.open_about)
        window.join_link_requested.connect(self.ask_link)
        window.refresh_requested.connect(self.refresh)
        window.meeting_requested.connect(lambda meeting: self.show_meeting(meeting.id))
        window.document_requested.connect(lambda document: self.reader().open_document(document))
        window.file_requested.connect(lambda path: self.reader().open_local(path))
        window.approval_requested.connect(lambda document: self.show_approval(document.id))
        window.batch_sign_requested.connect(
            lambda rows: self.tasks.run(self.sign_batch([row.id for row in rows]))
        )
        core.inbox.newly_assigned.connect(self.announce_assigned)
        window.lists_ready.connect(self._on_lists_shown)
        reminders = MeetingReminders(core.meetings, parent=self)
        reminders.reminder.connect(self.announce_meeting)
        reminders.start()
        window.show()
        core.first_screen_shown.set()
        if from_cache:
            core.connect()
            self._go_online()
        core.events.state_changed.connect(self._on_stream_state)
        self.tasks.run(self.resume_issues())
        link, self._link = self._link, None
        if link:
            self.open_link(link)
        try:
            return await self._next
        finally:
            reminders.stop()
            reminders.deleteLater()
            await self.close_documents()
            self.presenter.window = None
            self.window = None
            window.hide()
            window.deleteLater()

    def reader(self) -> ReaderWindow:
        """The reader window of this session (created on first use)."""
        if self.reader_window is None:
            from ui.reader_window import ReaderWindow  # imports the PDF engine: not at start-up

            self.reader_window = ReaderWindow(self.core, icon=self.icon)
        return self.reader_window

    def show_meeting(self, meeting_id: int) -> MeetingDetail:
        """The meeting's details (one window, re-used); its papers open in the reader."""
        if self.meeting_detail is None:
            from desktop.meeting_room.attendance import AttendanceService
            from desktop.meeting_room.polls import PollsService
            from ui.meeting_detail import MeetingDetail  # not on the first screen
            from ui.meeting_room.poll_panel import ballot_verifier, key_opener

            core = self.core
            self.meeting_detail = MeetingDetail(
                core.meetings,
                attendance=lambda meeting_id: AttendanceService(
                    core.session, None, core.outbox, meeting_id
                ),
                people=core.inbox.people,
                polls=lambda meeting_id, parent: PollsService(
                    core.session, core.events, core.outbox, meeting_id, parent
                ),
                open_key=key_opener(core),
                verify=ballot_verifier(core),
            )
            self.meeting_detail.setWindowIcon(self.icon)
            self.meeting_detail.paper_activated.connect(lambda p: self.reader().open_paper(p))
            self.meeting_detail.join_requested.connect(self.show_room)
        self.meeting_detail.show_meeting(meeting_id)
        return self.meeting_detail

    def show_room(self, meeting: Meeting) -> MeetingRoomWindow:
        """The meeting room of `meeting` (one window per meeting, re-used while open)."""
        room = self.meeting_rooms.get(meeting.id)
        if room is None:
            from ui.meeting_room.window import MeetingRoomWindow  # a window: loaded when used

            room = MeetingRoomWindow(self.core, meeting)
            room.setWindowIcon(self.icon)
            room.file_requested.connect(lambda path: self.reader().open_local(path))
            room.paper_requested.connect(lambda paper: self.reader().open_paper(paper))
            self.meeting_rooms[meeting.id] = room
        room.show()
        room.raise_()
        room.activateWindow()
        return room

    def ask_link(self) -> None:
        """Join by link: the dialog, then the link opened."""
        from ui.join_link_dialog import JoinLinkDialog

        dialog = JoinLinkDialog(self.window)
        dialog.setWindowIcon(self.icon)
        self.tasks.run(self._ask_link(dialog))

    async def _ask_link(self, dialog: JoinLinkDialog) -> None:
        if await wait_dialog(dialog) == QDialog.DialogCode.Accepted and dialog.link is not None:
            self.tasks.run(self._open_link(dialog.link), on_error=self._link_failed)
        dialog.deleteLater()

    def open_link(self, text: str) -> None:
        """Open a meeting link (from the command line, a later launch or the dialog); before
        sign-in it waits for the session."""
        self.show_window()
        if self.window is None:
            self._link = text
            return
        from desktop.join_link import BadLink, parse_link

        try:
            link = parse_link(text)
        except BadLink as exc:
            self.core.notifier.warning(exc.user_message())
            return
        self.tasks.run(self._open_link(link), on_error=self._link_failed)

    async def _open_link(self, link: JoinLink) -> None:
        from desktop.join_link import GuestLink, MeetingLink, meeting_of

        if isinstance(link, MeetingLink):
            server = self.core.session.server_url or ""
            self.show_room(await meeting_of(link, self.core.meetings, server))
        elif isinstance(link, GuestLink):  # made for a browser: the browser joins as a guest
            from PySide6.QtCore import QUrl
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(QUrl(link.url))
        else:
            self.show_link_call(link)

    def _link_failed(self, exc: BaseException) -> None:
        self.core.notifier.warning(user_message(exc))

    def show_link_call(self, link: WhipLink) -> LinkCallWindow:
        """A call to a WHIP endpoint from a link, in a window of its own."""
        from urllib.parse import urlsplit

        from desktop.call_service import CallService
        from media.config import WhipBackend
        from ui.call.link_window import LinkCallWindow

        backend = WhipBackend(link.url, link.token)
        demo = self.core.demo is not None  # test sources where a device is missing
        service = CallService(self.core.session, None, demo=demo, backend=backend)
        window = LinkCallWindow(service, urlsplit(link.url).netloc)
        window.setWindowIcon(self.icon)
        self.link_calls.append(window)
        window.closed.connect(lambda: self._forget_call(window))
        window.show()
        return window

    def _forget_call(self, window: LinkCallWindow) -> None:
        if window in self.link_calls:
            self.link_calls.remove(window)

    def show_approval(self, document_id: int) -> ApprovalDetail:
        """A document of the approval inbox (one window, re-used); its file opens in the reader."""
        if self.approval_detail is None:
            from ui.approval_detail import ApprovalDetail  # a window: loaded when first used
            from ui.document_pane import DocumentPane

            self.approval_detail = ApprovalDetail(
                self.core.inbox, submitter=self.submit, pane=DocumentPane(self.core)
            )
            self.approval_detail.setWindowIcon(self.icon)
            self.approval_detail.open_requested.connect(lambda d: self.reader().open_document(d))
            self.approval_detail.sign_requested.connect(self.sign)
            self.approval_detail.issue_requested.connect(self.issue)
        self.tasks.run(self._show_and_index(self.approval_detail, document_id))
        return self.approval_detail

    async def _show_and_index(self, detail: ApprovalDetail, document_id: int) -> None:
        """Show the document; a version already downloaded joins the full-text search."""
        document = await detail.show_document(document_id)
        for version in document.versions[-1:]:
            path = await self.core.files.lookup(version.file.sha256)
            if path is not None:
                self.core.inbox.index_text(document_id, path)

    async def submit(self, document: Document, body: JsonObject) -> str:
        """Trình ký: the draft gets its signature fields, is added as a version, then submitted."""
        from desktop.prepare_flow import submit_prepared

        core = self.core
        return await submit_prepared(core.inbox, document, body, core.files, core.uploads)

    def sign(self, document: Document) -> None:
        """Ký: the signing dialog and the signature (pyHanko loads on the first one)."""
        from ui.signing_flow import sign_from_inbox

        self.tasks.run(sign_from_inbox(self.core, self.approval_detail, [document]))

    def issue(self, document: Document, body: JsonObject) -> None:
        """Phát hành: the agency's key, then issued on the server, signed and sent back."""
        from ui.signing_flow import issue_from_inbox

        self.tasks.run(issue_from_inbox(self.core, self.approval_detail, document, body))

    async def resume_issues(self) -> None:
        """Documents issued before the app stopped, still without the agency's signature, are
        signed now (the clerk is told why the key is asked). The usual start has none: then
        the signing flow (and with it pyHanko, 0.3-0.6 s) is not imported."""
        from desktop.issue_journal import IssueJournal

        if not IssueJournal(self.core.store, self.core.session.scope).pending():
            return
        from ui.signing_flow import resume_issues

        await resume_issues(self.core, self.window)

    async def sign_batch(self, document_ids: list[int]) -> None:
        """Ký for several documents: each loaded, then one dialog and one PIN for all."""
        from ui.signing_flow import sign_from_inbox

        documents = [await self.core.inbox.document(i) for i in document_ids]
        await sign_from_inbox(self.core, self.window, documents)

    def announce_assigned(self, document_id: int, waiting: int) -> None:
        """A tray message when something new is assigned to me, with the count waiting."""
        if self.tray is None:
            return
        self.tray.icon.showMessage(
            self.tr("New document assigned to you"),
            self.tr("%n document(s) waiting for you", "", waiting),
        )

    def announce_meeting(self, meeting: MeetingSummary) -> None:
        """A tray message shortly before a meeting I accepted (desktop.meeting_reminders)."""
        if self.tray is None:
            return
        start = meeting.starts_at.astimezone().strftime("%H:%M")
        self.tray.icon.showMessage(
            self.tr("Meeting soon"),
            self.tr("%1 starts at %2.").replace("%1", meeting.title).replace("%2", start),
        )

    async def close_documents(self) -> None:
        """Sign-out or quit: the meeting window and the reader window with all its tasks."""
        approval, self.approval_detail = self.approval_detail, None
        if approval is not None:
            await approval.tasks.aclose()
            approval.shutdown()
            approval.close()
            approval.deleteLater()
        calls, self.link_calls = self.link_calls, []
        for call in calls:
            await call.aclose()
            call.close()
            call.deleteLater()
        rooms, self.meeting_rooms = list(self.meeting_rooms.values()), {}
        for room in rooms:
            await room.aclose()
            room.close()
            room.deleteLater()
        detail, self.meeting_detail = self.meeting_detail, None
        if detail is not None:
            await detail.tasks.aclose()
            detail.close()
            detail.deleteLater()
        reader, self.reader_window = self.reader_window, None
        if reader is not None:
            await reader.aclose()
            reader.deleteLater()

    def _go_online(self) -> None:
        """The first lists from the server."""
        self._loading = True
        self.tasks.run(self._first_load(), on_error=self._first_load_failed)

    def _on_stream_state(self, state: str) -> None:
        """Started offline: the lists are asked for again once the server answers."""
        if state == "connected" and not (self._loaded or self._loading) and self.window:
            self._go_online()

    async def _first_load(self) -> None:
        await asyncio.gather(self.core.meetings.refresh(), self.core.documents.refresh())
        self._loaded, self._loading = True, False
        self.core.paper_prefetch.start()  # the coming week's papers, after the first lists
        self._check_ready()

    def _first_load_failed(self, exc: BaseException) -> None:
        self._loading = False
        if isinstance(exc, SessionExpired):
            pass  # `signed_out` says why, and the sign-in dialog follows
        elif isinstance(exc, ServerUnreachable | TlsError):
            self._refresh_failed(exc)  # started offline: the cached lists stay
        else:
            self.core.notifier.failure(exc)
        if self.options.exit_when_ready:
            print(f"not ready: {exc!r}", file=sys.stderr, flush=True)
            self.exit_code = 1
            self._finish("quit")

    def _on_lists_shown(self) -> None:
        self._shown = True
        self._check_ready()

    def _check_ready(self) -> None:
        """`--exit-when-ready` (the start-up bench): `ready` once the window shows its lists
        (the last session's, from the cache, or the server's), `fresh` and quit once they hold
        what the server sent in this run."""
        if not self.options.exit_when_ready or not self._shown:
            return
        if not self._ready_said:
            self._ready_said = True
            print(f"ready {process_age_ms()}", flush=True)
        if self._loaded and not self._fresh_said:
            self._fresh_said = True
            self._ready()

    def refresh(self) -> None:
        """Reload meetings and documents (the services announce `changed`)."""
        core = self.core
        self.tasks.run(core.meetings.refresh(), on_error=self._refresh_failed)
        self.tasks.run(core.documents.refresh(), on_error=self._refresh_failed)

    def _refresh_failed(self, exc: BaseException) -> None:
        """Offline is a state, not an emergency: say it in the status bar, keep the cache."""
        self.core.notifier.warning(user_message(exc))

    def _on_signed_out(self, reason: str) -> None:
        """The server ended the session (revoked, expired): tell why, back to sign-in."""
        if reason and self.window is not None:
            self.core.notifier.warning(reason)
            self._finish("ended")

    def show_window(self) -> None:
        """Bring the main window to the front (tray → Show)."""
        if self.window is not None:
            self.window.showNormal()
            self.window.raise_()
            self.window.activateWindow()

    def open_settings(self) -> None:
        """The settings dialog; a new language applies at once."""
        from ui.settings_dialog import SettingsDialog  # not on the first screen

        demo = self.core.session.server_url if self.options.demo else None
        dialog = SettingsDialog(
            self.core.config,
            self.window,
            demo_server=demo,
            save_remote_token=self._save_remote_token,
        )
        self.tasks.run(self._settings(dialog))

    def _save_remote_token(self, token: str) -> None:
        """Settings → the remote signing token into the keyring, in a worker thread (a keyring
        call can take 100+ ms: Secret Service, Windows Credential Locker); told when it cannot
        be."""
        self.tasks.run(self._keep_remote_token(token))

    async def _keep_remote_token(self, token: str) -> None:
        from desktop.errors import HopDeskError
        from ui.signing_flow import save_remote_token

        try:
            await asyncio.to_thread(save_remote_token, self.core, token)
        except HopDeskError as exc:
            self.core.notifier.warning(exc.user_message())

    def open_about(self) -> AboutDialog:
        """Help → About: version, log folder, licences (non-modal, deleted on close)."""
        from desktop.app import version
        from ui.about_dialog import AboutDialog

        dialog = AboutDialog(version(), Path(self.core.log_path).parent, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    async def _settings(self, dialog: SettingsDialog) -> None:
        if (
            await wait_dialog(dialog) == QDialog.DialogCode.Accepted
            and "language" in dialog.changes
        ):
            app = QApplication.instance()
            if app is not None:
                i18n.install(app, str(dialog.changes["language"]))
        dialog.deleteLater()

    def _ready(self) -> None:
        """`--exit-when-ready`: one line for the benchmark, then quit normally."""
        print(f"fresh {process_age_ms()}", flush=True)
        shot = os.environ.get("HOPDESK_SCREENSHOT")  # docs/screenshots, taken under Xvfb
        if shot and self.window is not None:
            self.window.grab().save(shot)
        QTimer.singleShot(0, lambda: self._finish("quit"))

    def _finish(self, outcome: str) -> None:
        if self._next is not None and not self._next.done():
            self._next.set_result(outcome)
