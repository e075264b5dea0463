"""The floor's part of the meeting room: the speak queue and chat panels, and the "follow the
presenter" toggle, built on their services for one MeetingRoomWindow.

Kept here so the window adds the whole floor in one line; whoever shows a paper in a Reader on
the stage calls `Floor.show_paper(reader, paper_id)` so following drives it, and handles
`Floor.presenter.paper_wanted` by opening the paper the presenter moved to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QPushButton, QWidget

from desktop.meeting_room.chat import ChatService
from desktop.meeting_room.presenter import PageDriven, PresenterService
from desktop.meeting_room.speak import SpeakService
from desktop.meetings import runs_meeting
from ui.meeting_room.chat_panel import ChatPanel
from ui.meeting_room.speak_panel import SpeakPanel

if TYPE_CHECKING:
    from desktop.domain import Meeting, UserRef
    from ui.meeting_room.window import MeetingRoomWindow


class FollowButton(QPushButton):
    """ "Theo dõi người trình bày": pressed while following; a click stops or comes back."""

    def __init__(self, service: PresenterService, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Follow the presenter"), parent)
        self.service = service
        self.setCheckable(True)
        self.setChecked(service.following)
        self.clicked.connect(self._on_clicked)
        service.following_changed.connect(self.setChecked)

    def _on_clicked(self, checked: bool) -> None:
        if checked:
            self.service.follow()
        else:
            self.service.stop_following()


def participants(meeting: Meeting) -> list[UserRef]:
    """Everyone one may write to: chair, secretary and attendees, once each."""
    people = [meeting.chair, meeting.secretary, *(a.user for a in meeting.attendees)]
    return list({p.id: p for p in people if p is not None}.values())


@dataclass
class Floor:
    """The floor's services of one room window (the window owns and closes them)."""

    speak: SpeakService
    chat: ChatService
    presenter: PresenterService
    follow_button: FollowButton

    def show_paper(self, reader: PageDriven, paper_id: int) -> None:
        """A Reader on the stage shows this paper: follow (or lead) through it."""
        self.presenter.attach(reader, paper_id)


def add_floor(window: MeetingRoomWindow) -> Floor:
    """Build the floor's services from the window's Core and add their panels to the window."""
    core = window.core
    args = (core.session, core.events, core.outbox, window.meeting_id)
    speak, chat, presenter = SpeakService(*args), ChatService(*args), PresenterService(*args)
    for service in (speak, chat, presenter):
        window.add_service(service)
        QTimer.singleShot(0, service.start)  # loads once the loop runs (the window may be
        # built before it does)
    title = QCoreApplication.translate("MeetingRoom", "Speakers")
    window.add_panel(title, SpeakPanel(speak, runs_meeting(window.meeting), window))
    window.add_panel(
        QCoreApplication.translate("MeetingRoom", "Chat"),
        ChatPanel(chat, participants(window.meeting), window),
    )
    follow = FollowButton(presenter, window)
    window.statusBar().addPermanentWidget(follow)
    return Floor(speak, chat, presenter, follow)
