"""The meeting room window: one meeting, its stage in the middle, its panels at the side.

This is where the meeting-room slices meet (docs/architecture.md, issue 14). The window builds
each panel's service from the app's `Core` in `_build_panels` — one line per panel — and owns
those services: it closes them when it closes, so no task of a meeting outlives its window.
The stage shows the call when the meeting has one, else the current paper; until either is
set it says where they will appear. The chair and the secretary open and end the meeting from
the header; everyone sees the status change through `meeting.updated`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import ApiError
from desktop.meeting_room.attendance import AttendanceService
from desktop.meeting_room.item_notes import ItemNotes
from desktop.meeting_room.minutes import MinutesService
from desktop.meeting_room.polls import PollsService
from desktop.meetings import runs_meeting
from desktop.notify import user_message
from ui.meeting_room.attendance_panel import AttendancePanel
from ui.meeting_room.conclusions_panel import ConclusionsPanel
from ui.meeting_room.floor import add_floor
from ui.meeting_room.floor_call import FloorCall, chair_ids
from ui.meeting_room.poll_panel import PollPanel, ballot_verifier, key_opener
from ui.meeting_room.site_mode import SiteMode
from ui.tasks import TaskOwner

if TYPE_CHECKING:
    from desktop.app import Core
    from desktop.domain import Event, Meeting
    from ui.meeting_room.paper_stage import PaperStage

log = logging.getLogger(__name__)

# Who sees the live attendance list and checks people in: the chair, the secretary, and a
# bridge point's PC for the people in its hall.
MANAGES_ATTENDANCE = frozenset({"chair", "secretary", "site"})


class RoomService(Protocol):
    """What the window needs of a panel's service: a way to stop its tasks."""

    async def close(self) -> None:
        """Cancel and await the service's tasks."""


def status_text(status: str) -> str:
    """The meeting's status in the user's language."""
    texts = {
        "draft": QCoreApplication.translate("MeetingRoom", "Draft"),
        "scheduled": QCoreApplication.translate("MeetingRoom", "Not started"),
        "in_progress": QCoreApplication.translate("MeetingRoom", "In progress"),
        "ended": QCoreApplication.translate("MeetingRoom", "Ended"),
        "minutes_approved": QCoreApplication.translate("MeetingRoom", "Minutes approved"),
    }
    return texts.get(status, status)


class MeetingRoomWindow(QMainWindow):
    """The room of one meeting: header, stage, side panels; `aclose()` ends it all."""

    meeting_changed = Signal(object)  # desktop.domain.Meeting
    file_requested = Signal(Path)  # a file to show in the session's reader (the minutes)
    paper_requested = Signal(object)  # desktop.domain.Paper to open in the reader

    def __init__(self, core: Core, meeting: Meeting, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.meeting = meeting
        self.meeting_id = meeting.id
        self.tasks = TaskOwner(self)
        self.services: list[RoomService] = []
        self._closed = False

        self.heading = QLabel(self)
        self.heading.setObjectName("pageHeading")
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.status = QLabel(self)
        self.chair = QLabel(self)
        self.open_button = QPushButton(self.tr("Open the meeting"), self)
        self.end_button = QPushButton(self.tr("End the meeting"), self)
        self.open_button.clicked.connect(lambda: self.change_status("in_progress"))
        self.end_button.clicked.connect(lambda: self.change_status("ended"))
        self.check_in_button = QPushButton(self.tr("I am in the hall"), self)
        self.check_in_button.hide()
        self.check_in_button.clicked.connect(self.check_in)
        # The facts above the buttons, not beside them: side by side, with the side panel's
        # whole tab labels, the window was wider than a 1280 px screen in Vietnamese.
        header = QWidget(self)
        facts = QVBoxLayout(header)
        for label in (self.heading, self.status, self.chair):
            facts.addWidget(label)
        row = QHBoxLayout()
        row.addStretch(1)
        facts.addLayout(row)
        row.addWidget(self.check_in_button)
        self.site_button = QPushButton(self.tr("Site mode"), self)
        self.site_button.setToolTip(
            self.tr("Full screen for the hall's screen: the speaker and the page (Esc leaves)")
        )
        row.addWidget(self.site_button)
        self.present_button = QPushButton(self.tr("Present on the stage"), self)
        self.present_button.setToolTip(
            self.tr("Show the paper chosen in the agenda to everyone who follows you")
        )
        self.present_button.clicked.connect(self.present_chosen)
        row.addWidget(self.present_button)
        row.addWidget(self.open_button)
        row.addWidget(self.end_button)

        self.stage = QStackedWidget(self)
        self.placeholder = QLabel(
            self.tr("The call, or the paper being presented, appears here."), self
        )
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stage.addWidget(self.placeholder)
        self.paper_stage: PaperStage | None = None  # built when a paper is first presented
        self.stages = QSplitter(Qt.Orientation.Horizontal, self)  # the call | the paper
        self.stages.addWidget(self.stage)
        middle = QWidget(self)
        column = QVBoxLayout(middle)
        column.addWidget(header)
        column.addWidget(self.stages, 1)
        self.header = header

        self.panels = QTabWidget(self)
        # Every tab's label whole (no scroll arrows hiding "Phát biểu" and the rest): the side
        # panel is at least as wide as its tabs.
        self.panels.tabBar().setUsesScrollButtons(False)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(middle)
        splitter.addWidget(self.panels)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)
        self.resize(1200, 760)

        core.events.event_received.connect(self._on_event)
        core.events.resync_needed.connect(self.reload)
        self._build_panels()
        self.site_mode = SiteMode(self)
        self.site_button.clicked.connect(self.site_mode.enter)
        self.set_meeting(meeting)
        if meeting.my_role == "site":  # a bridge point's room PC: straight to the LED screen
            QTimer.singleShot(0, self.site_mode.enter)

    def _build_panels(self) -> None:
        """Each slice's panel, built on its service from the app's Core (one line each)."""
        self._add_agenda()
        core, meeting_id = self.core, self.meeting_id
        # Everyone has the attendance service: the call reports presence through it.
        self.attendance = AttendanceService(core.session, core.events, core.outbox, meeting_id)
        self.add_service(self.attendance)
        self.attendance.changed.connect(self._update_check_in)
        self.tasks.run(self.attendance.refresh(), on_error=self._failed)
        if self.meeting.my_role in MANAGES_ATTENDANCE:
            self.add_panel(self.tr("Attendance"), AttendancePanel(self.attendance, manage=True))
        call_stage = None
        if self.meeting.media is not None:  # the call (aiortc loads only for online meetings)
            from ui.call.stage import add_call

            call_stage = add_call(self)
        self.polls = PollsService(core.session, core.events, core.outbox, meeting_id)
        self.add_service(self.polls)
        self.tasks.run(self.polls.refresh(), on_error=self._failed)
        self.poll_panel = PollPanel(
            self.polls,
            runs=runs_meeting(self.meeting),
            open_key=key_opener(core),
            verify=ballot_verifier(core),
        )
        self.add_panel(self.tr("Votes"), self.poll_panel)
        self.floor = add_floor(self)  # speak queue, chat, follow the presenter
        self.floor.presenter.changed.connect(self._presented)
        self.floor_call = FloorCall(self.floor.speak, chair_ids(self.meeting), core.notifier, self)
        if call_stage is not None:
            call_stage.joined.connect(self.floor_call.bind)
        self.minutes = MinutesService(core.session, core.events, core.outbox, meeting_id)
        self.add_service(self.minutes)
        self.tasks.run(self.minutes.refresh(), on_error=self._failed)
        self.conclusions = ConclusionsPanel(
            self.minutes,
            self.meeting.agenda,
            core.files,
            writes=runs_meeting(self.meeting),
            secretary=self.meeting.my_role == "secretary",
            chair=self.meeting.my_role == "chair",
            notes=ItemNotes(core.session, core.outbox, core.store),
        )
        self.conclusions.open_requested.connect(self.file_requested)
        self.conclusions.sign_requested.connect(
            lambda document_id: self.tasks.run(self._sign_minutes(document_id), self.change_failed)
        )
        self.meeting_changed.connect(lambda m: self.conclusions.set_status(m.status))
        self.add_panel(self.tr("Conclusions"), self.conclusions)

    def _add_agenda(self) -> None:
        from desktop.meeting_room.papers import MeetingPapers
        from ui.meeting_room.agenda_panel import AgendaPanel

        core = self.core
        service = MeetingPapers(
            core.session,
            core.events,
            core.outbox,
            self.meeting_id,
            files=core.files,
            meetings=core.meetings,
        )
        self.add_service(service)
        self.papers = service
        panel = self.agenda_panel = AgendaPanel(service, self)
        panel.paper_activated.connect(self.paper_requested)
        self.add_panel(self.tr("Agenda"), panel)

    # --- composition ---------------------------------------------------------------------------
    def add_panel(self, title: str, widget: QWidget) -> int:
        """Add a side panel as a tab; returns its index."""
        return self.panels.addTab(widget, title)

    def add_service(self, service: RoomService) -> None:
        """Own a panel's service: it is closed with the window."""
        self.services.append(service)

    def set_stage(self, widget: QWidget) -> None:
        """Show `widget` (the call, or the reader with the current paper) in the middle."""
        if self.stage.indexOf(widget) < 0:
            self.stage.addWidget(widget)
        self.stage.setCurrentWidget(widget)

    def show_paper_stage(self) -> PaperStage:
        """The paper's Reader beside the call (built on first use: it loads the PDF engine)."""
        if self.paper_stage is None:
            from ui.meeting_room.paper_stage import PaperStage

            self.paper_stage = PaperStage(self.core, self.papers, self.floor, self)
            self.stages.addWidget(self.paper_stage)
            if self.stage.currentWidget() is self.placeholder:  # no call: the paper alone
                self.stage.hide()
        return self.paper_stage

    def _presented(self) -> None:
        """A paper is presented: show it on the stage when following (once the stage's reader
        is attached, `paper_wanted` brings it the presenter's next papers)."""
        presenter = self.floor.presenter
        state = presenter.state
        shown = self.paper_stage is not None and self.paper_stage.paper_id is not None
        if shown or state is None or state.paper_id is None:
            return
        if presenter.following and (
            state.presenter is None or state.presenter.id != presenter.my_id
        ):
            self.show_paper_stage().show_paper(state.paper_id)

    def present_chosen(self) -> None:
        """Present the paper chosen in the agenda (the server refuses who may not lead)."""
        paper = self.agenda_panel.current_paper()
        if paper is None or paper.file is None:
            self.core.notifier.info(self.tr("Choose a paper (a file) in the agenda first."))
            return
        self.present(paper.id)

    def present(self, paper_id: int) -> None:
        """Show this paper on my stage and lead: the followers' stages turn with my pages."""
        self.show_paper_stage().present(paper_id)

    # --- the meeting ---------------------------------------------------------------------------
    def set_meeting(self, meeting: Meeting) -> None:
        """Show the meeting's title, status and chair, and the buttons its role allows."""
        self.meeting = meeting
        self.setWindowTitle(meeting.title)
        self.heading.setText(meeting.title)
        self.status.setText(self.tr("Status: %1").replace("%1", status_text(meeting.status)))
        chair = meeting.chair.full_name if meeting.chair else ""
        self.chair.setText(self.tr("Chair: %1").replace("%1", chair) if chair else "")
        runs = runs_meeting(meeting)
        self.open_button.setVisible(runs and meeting.status == "scheduled")
        self.end_button.setVisible(runs and meeting.status == "in_progress")
        self._update_check_in()
        self.meeting_changed.emit(meeting)

    def _update_check_in(self) -> None:
        """Offer "I am in the hall" to a person of a coming or running meeting not checked in
        yet (a bridge point's PC checks in the people of its hall from the attendance panel)."""
        user = self.core.session.user
        mine = self.attendance.entry(user.id) if user is not None else None
        self.check_in_button.setVisible(
            mine is not None
            and mine.checked_in_at is None
            and mine.role != "site"
            and self.meeting.status in ("scheduled", "in_progress")
        )

    def check_in(self) -> None:
        """Check myself in at the hall (through the outbox: the hall's Wi-Fi may be down)."""
        self.tasks.run(self.attendance.check_in(), on_error=self.change_failed)

    def change_status(self, status: str) -> None:
        """Open or end the meeting (chair, secretary); the buttons wait for the answer."""
        self.open_button.setEnabled(False)
        self.end_button.setEnabled(False)
        self.tasks.run(self._change_status(status), on_error=self.change_failed)

    async def _change_status(self, status: str) -> None:
        try:
            self.set_meeting(await self.core.meetings.set_status(self.meeting_id, status))
        finally:
            self.open_button.setEnabled(True)
            self.end_button.setEnabled(True)

    async def _sign_minutes(self, document_id: int) -> None:
        """Ký biên bản: the inbox's signing flow (key, image, PIN; off the GUI thread; sent
        through the signed uploads) on the minutes' document, at my block's place."""
        from ui.signing_flow import sign_from_inbox  # pyHanko loads on the first signature

        document = await self.core.inbox.document(document_id)
        await sign_from_inbox(self.core, self, [document])
        await self.minutes.refresh()

    def reload(self) -> None:
        """Fetch the meeting again (its status changed, or events were missed)."""
        self.tasks.run(self._reload(), on_error=self._failed)

    async def _reload(self) -> None:
        self.set_meeting(await self.core.meetings.meeting(self.meeting_id))

    def change_failed(self, exc: BaseException) -> None:
        """Tell why the step was refused; a refusal means the meeting moved on: show it now."""
        self.core.notifier.failure(exc)
        if isinstance(exc, ApiError):
            self.reload()

    def _failed(self, exc: BaseException) -> None:
        log.info("meeting room %s not reloaded: %r", self.meeting_id, exc)
        self.core.notifier.warning(user_message(exc))

    def _on_event(self, event: Event) -> None:
        if event.type == "meeting.updated" and event.data.get("meeting_id") == self.meeting_id:
            self.reload()

    # --- closing -------------------------------------------------------------------------------
    async def aclose(self) -> None:
        """Stop the window's tasks and every panel's service (once; later calls do nothing)."""
        if self._closed:
            return
        self._closed = True
        for signal, slot in (
            (self.core.events.event_received, self._on_event),
            (self.core.events.resync_needed, self.reload),
        ):
            signal.disconnect(slot)
        await self.tasks.aclose()
        if self.paper_stage is not None:
            self.paper_stage.shutdown()
        for service in self.services:
            await service.close()
        self.services.clear()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop loading; the owner (the shell) awaits `aclose()`."""
        self.tasks.cancel_all()
        super().closeEvent(event)
