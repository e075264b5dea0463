"""A meeting in detail: title, time, place or online, and the agenda with its papers.

The meeting comes from `MeetingsService.meeting(id)` (the cached copy when offline), loaded by a
task this window owns. Double-click or Enter on a paper asks for it (`paper_activated`); the shell
opens it in the reader window. An invitee answers from here: accept, decline with a reason, or
send a deputy (through the attendance service, so through the outbox). "Vào phòng họp" asks for
the meeting room (`join_requested`); it
shows while the meeting is in progress or about to start (desktop.meetings.can_join), checked
again every `JOIN_CHECK_MS` so it appears on time in a window left open. The meeting's opinion
forms (phiếu lấy ý kiến) show here too, for members who are away (ui/meeting_room/opinion_forms).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QIcon, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QStyle,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import AgendaItem, Meeting, Paper
from desktop.meetings import can_join
from desktop.notify import user_message
from ui.confidentiality import confidential_marking
from ui.meeting_room.attendance_panel import AttendanceModel, attendance_table
from ui.meeting_room.opinion_forms import OpinionForms, PollsFactory
from ui.meetings_view import MeetingsModel
from ui.state_page import StatePage
from ui.tasks import TaskOwner

if TYPE_CHECKING:
    from desktop.domain import User
    from desktop.meeting_room.attendance import AttendanceService
    from desktop.meetings import MeetingsService
    from ui.meeting_room.poll_panel import BallotVerifier, KeyOpener

AttendanceFactory = Callable[[int], "AttendanceService"]
PeopleLoader = Callable[[], Awaitable[list["User"]]]
ANSWERS_ROLES = frozenset({"delegate", "guest", "site"})
ANSWERABLE = frozenset({"draft", "scheduled", "in_progress"})


def may_answer(meeting: Meeting) -> bool:
    """Whether the invitation may be answered now (an invitee, before the end, seat not given)."""
    return (
        meeting.my_role in ANSWERS_ROLES
        and meeting.status in ANSWERABLE
        and meeting.my_attendance not in (None, "delegated")
    )


log = logging.getLogger(__name__)

PAPER_ROLE = Qt.ItemDataRole.UserRole + 1
JOIN_CHECK_MS = 30_000


def _paper_icon(paper: Paper) -> QIcon:
    style = QApplication.style()
    if paper.file is None:
        return style.standardIcon(QStyle.StandardPixmap.SP_DriveNetIcon)
    return style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)


def agenda_item_text(item: AgendaItem) -> str:
    """An agenda item as the meeting's lists show it: 2. Title (Presenter, 15 min)."""
    text = QCoreApplication.translate("MeetingDetail", "%1. %2")
    text = text.replace("%1", str(item.order)).replace("%2", item.title)
    extra = []
    if item.presenter is not None:
        extra.append(item.presenter.full_name)
    if item.duration_minutes:
        n = item.duration_minutes
        extra.append(QCoreApplication.translate("MeetingDetail", "%n min", None, n))
    if not extra:
        return text
    around = QCoreApplication.translate("MeetingDetail", "%1 (%2)")
    return around.replace("%1", text).replace("%2", ", ".join(extra))


class MeetingDetail(QWidget):
    """One meeting at a time (a window of its own); `show_meeting(id)` loads and shows it."""

    paper_activated = Signal(object)  # desktop.domain.Paper
    meeting_shown = Signal(object)  # desktop.domain.Meeting
    join_requested = Signal(object)  # desktop.domain.Meeting

    def __init__(
        self,
        service: MeetingsService,
        parent: QWidget | None = None,
        attendance: AttendanceFactory | None = None,
        people: PeopleLoader | None = None,
        polls: PollsFactory | None = None,
        open_key: KeyOpener | None = None,
        verify: BallotVerifier | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.service = service
        self.attendance = attendance
        self.people = people
        self.tasks = TaskOwner(self)
        self.meeting: Meeting | None = None
        self.meeting_id: int | None = None
        self._times = MeetingsModel(self)  # the list's wording of times and places

        self.heading = QLabel(self)
        self.heading.setObjectName("pageHeading")
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.when = QLabel(self)
        self.where = QLabel(self)
        self.chair = QLabel(self)
        self.join_button = QPushButton(self)
        self.join_button.setDefault(True)
        self.join_button.hide()
        self.join_button.clicked.connect(self._on_join)
        self.join_timer = QTimer(self)
        self.join_timer.setInterval(JOIN_CHECK_MS)
        self.join_timer.timeout.connect(self.update_join)
        self.join_timer.start()
        self.agenda_model = QStandardItemModel(self)
        self.agenda = QTreeView(self)
        self.agenda.setModel(self.agenda_model)
        self.agenda.setHeaderHidden(True)
        self.agenda.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.agenda.setWordWrap(True)
        self.agenda.activated.connect(self._on_activated)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self._build_answer_bar()
        self.attendees_heading = QLabel(self)
        self.attendees_model = AttendanceModel(self)
        self.attendees, _ = attendance_table(self.attendees_model, self)
        details = QWidget(self)
        column = QVBoxLayout(details)
        for widget in (self.heading, self.when, self.where, self.chair, self.join_button):
            column.addWidget(widget)
        column.addWidget(self.answer_bar)
        column.addWidget(self.agenda, 2)
        column.addWidget(self.hint)
        column.addWidget(self.attendees_heading)
        column.addWidget(self.attendees, 1)
        self.forms = (
            OpinionForms(polls, open_key, details, verify=verify) if polls is not None else None
        )
        if self.forms is not None:
            column.addWidget(self.forms, 2)

        state = StatePage(self)
        self.message, self.retry_button = state.message, state.button
        self.retry_button.clicked.connect(self.reload)

        self.stack = QStackedWidget(self)
        self.details_page, self.state_page = details, state
        self.stack.addWidget(details)
        self.stack.addWidget(state)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        self.retry_button.setText(self.tr("Retry"))
        self.join_button.setText(self.tr("Join the meeting room"))
        self.attendees_heading.setText(self.tr("Attendees"))
        self.accept_button.setText(self.tr("Accept"))
        self.decline_button.setText(self.tr("Decline"))
        self.reason.setPlaceholderText(self.tr("Reason for declining"))
        self.delegate_button.setText(self.tr("Send a deputy"))
        self.hint.setText(self.tr("Double-click a paper, or press Enter, to read it."))
        self.setWindowTitle(self.tr("Meeting"))
        self.resize(640, 560)

    # --- loading -------------------------------------------------------------------------------
    def show_meeting(self, meeting_id: int) -> None:
        """Load meeting `meeting_id` and show it (the window comes to the front)."""
        self.meeting_id = meeting_id
        self.reload()
        self.show()
        self.raise_()
        self.activateWindow()

    def reload(self) -> None:
        """(Re)load the current meeting."""
        if self.meeting_id is None:
            return
        self.tasks.cancel_all()
        self.message.setText(self.tr("Loading…"))
        self.retry_button.hide()
        self.stack.setCurrentWidget(self.state_page)
        self.tasks.run(self._load(self.meeting_id), on_error=self._failed)

    async def _load(self, meeting_id: int) -> None:
        meeting = await self.service.meeting(meeting_id)
        if meeting_id == self.meeting_id:
            self.set_meeting(meeting)

    def _failed(self, exc: BaseException) -> None:
        log.info("meeting %s could not be loaded: %r", self.meeting_id, exc)
        self.message.setText(user_message(exc))
        self.retry_button.show()
        self.stack.setCurrentWidget(self.state_page)

    # --- showing -------------------------------------------------------------------------------
    def set_meeting(self, meeting: Meeting) -> None:
        """Show `meeting`."""
        self.meeting = meeting
        self.setWindowTitle(meeting.title)
        self.heading.setText(meeting.title)
        self.when.setText(self.tr("Time: %1").replace("%1", self._times.when(meeting)))
        place = self._times.text(meeting, "location")
        self.where.setText(self.tr("Place: %1").replace("%1", place) if place else "")
        self.where.setVisible(bool(place))
        chair = meeting.chair.full_name if meeting.chair else ""
        self.chair.setText(self.tr("Chair: %1").replace("%1", chair) if chair else "")
        self.chair.setVisible(bool(chair))
        self.update_join()
        self.update_answer_bar()
        self.attendees_model.set_rows(meeting.attendees)
        if self.forms is not None:
            self.forms.show_meeting(meeting)
        self.agenda_model.clear()
        for item in sorted(meeting.agenda, key=lambda i: i.order):
            row = QStandardItem(agenda_item_text(item))
            row.setSelectable(True)
            for paper in item.papers:
                marking = confidential_marking(paper.confidentiality)
                text = paper.title
                if marking is not None:  # "MẬT": the reader will stamp the user's name on it
                    text = self.tr("%1 — %2").replace("%1", paper.title).replace("%2", marking)
                child = QStandardItem(_paper_icon(paper), text)
                child.setData(paper, PAPER_ROLE)
                child.setToolTip(paper.url or text)
                row.appendRow(child)
            self.agenda_model.appendRow(row)
        self.agenda.expandAll()
        first = self.first_paper_index()
        if first.isValid():
            self.agenda.setCurrentIndex(first)
        self.stack.setCurrentWidget(self.details_page)
        self.meeting_shown.emit(meeting)

    # --- answering the invitation ----------------------------------------------------------------
    def _build_answer_bar(self) -> None:
        self.answer_bar = QWidget(self)
        row = QHBoxLayout(self.answer_bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.accept_button = QPushButton(self.answer_bar)
        self.decline_button = QPushButton(self.answer_bar)
        self.reason = QLineEdit(self.answer_bar)
        self.deputy = QComboBox(self.answer_bar)
        self.delegate_button = QPushButton(self.answer_bar)
        for widget in (self.accept_button, self.decline_button, self.reason):
            row.addWidget(widget)
        row.addWidget(self.deputy, 1)
        row.addWidget(self.delegate_button)
        self.accept_button.clicked.connect(self.accept)
        self.decline_button.clicked.connect(self.decline)
        self.delegate_button.clicked.connect(self.send_deputy)
        self.reason.textChanged.connect(self._update_answer_buttons)
        self.answer_bar.hide()

    def update_answer_bar(self) -> None:
        """Show the answer buttons to an invitee who may still answer; deputies to delegates."""
        meeting = self.meeting
        shown = self.attendance is not None and meeting is not None and may_answer(meeting)
        self.answer_bar.setVisible(shown)
        delegates = shown and meeting is not None and meeting.my_role == "delegate"
        self.deputy.setVisible(delegates and self.people is not None)
        self.delegate_button.setVisible(delegates and self.people is not None)
        if delegates and self.people is not None and self.deputy.count() == 0:
            self.tasks.run(self._load_people(self.people))
        self._update_answer_buttons()

    async def _load_people(self, people: PeopleLoader) -> None:
        me = self.service.session.user
        for person in await people():
            if me is None or person.id != me.id:
                self.deputy.addItem(person.full_name, person.id)
        self._update_answer_buttons()

    def _update_answer_buttons(self) -> None:
        mine = self.meeting.my_attendance if self.meeting is not None else None
        self.accept_button.setEnabled(mine != "accepted")
        self.decline_button.setEnabled(bool(self.reason.text().strip()))
        self.delegate_button.setEnabled(self.deputy.currentData() is not None)

    def accept(self) -> None:
        """Accept the invitation."""
        self._answer(lambda service: service.accept())

    def decline(self) -> None:
        """Decline, with the reason typed."""
        reason = self.reason.text().strip()
        if reason:
            self._answer(lambda service: service.decline(reason))

    def send_deputy(self) -> None:
        """Send the chosen colleague in my place."""
        deputy = self.deputy.currentData()
        if deputy is not None:
            self._answer(lambda service: service.delegate(int(deputy)))

    def _answer(self, action: Callable[[AttendanceService], Awaitable[None]]) -> None:
        if self.attendance is None or self.meeting_id is None:
            return
        self.answer_bar.setEnabled(False)
        self.tasks.run(self._send(self.attendance(self.meeting_id), action, self.meeting_id))

    async def _send(
        self,
        service: AttendanceService,
        action: Callable[[AttendanceService], Awaitable[None]],
        meeting_id: int,
    ) -> None:
        try:
            await action(service)
        finally:
            await service.close()
            self.answer_bar.setEnabled(True)
        await self._load(meeting_id)  # my answer as the server now has it

    def update_join(self) -> None:
        """Show the join button when the meeting room may be entered now."""
        meeting = self.meeting
        self.join_button.setVisible(meeting is not None and can_join(meeting, self.service.now()))

    def _on_join(self) -> None:
        if self.meeting is not None:
            self.join_requested.emit(self.meeting)

    def first_paper_index(self) -> QModelIndex:
        """The first paper of the agenda (an invalid index when there is none)."""
        for row in range(self.agenda_model.rowCount()):
            item = self.agenda_model.item(row)
            if item is not None and item.rowCount():
                return self.agenda_model.indexFromItem(item.child(0))
        return QModelIndex()

    def papers(self) -> list[Paper]:
        """Every paper shown, in agenda order."""
        found: list[Paper] = []
        for row in range(self.agenda_model.rowCount()):
            item = self.agenda_model.item(row)
            for child in range(item.rowCount() if item is not None else 0):
                found.append(item.child(child).data(PAPER_ROLE))
        return found

    def _on_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        paper = index.data(PAPER_ROLE)
        if paper is not None:
            self.paper_activated.emit(paper)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop loading."""
        self.join_timer.stop()
        self.tasks.cancel_all()
        if self.forms is not None:
            self.forms.drop()
        super().closeEvent(event)
