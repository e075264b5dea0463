"""Opinion forms (phiếu lấy ý kiến) in the meeting detail, for members who are away.

An opinion form is a poll with a deadline, answered outside the live meeting: before it, after
it, or by a member who will not come. The meeting room opens only around the meeting
(desktop.meetings.can_join), so the detail shows the meeting's forms too: a member fills one in
before its deadline (signed if they wish, as in the room) and sees it closed, with its result,
after; the chair and the secretary create and open forms here. The votes panel does the work,
kept to opinion forms; its service lives as long as the detail shows this meeting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QGroupBox, QVBoxLayout, QWidget

from desktop.meetings import runs_meeting
from ui.meeting_room.poll_panel import BallotVerifier, KeyOpener, PollPanel
from ui.tasks import TaskOwner

if TYPE_CHECKING:
    from desktop.domain import Meeting
    from desktop.meeting_room.polls import PollsService

# Makes the polls service of a meeting (its events followed), owned by the given parent.
PollsFactory = Callable[[int, QObject], "PollsService"]


class OpinionForms(QGroupBox):
    """The shown meeting's opinion forms; hidden when there is none for this user."""

    def __init__(
        self,
        polls: PollsFactory,
        open_key: KeyOpener | None,
        parent: QWidget | None = None,
        *,
        verify: BallotVerifier | None = None,
    ) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Opinion forms"))
        self._polls = polls
        self._open_key = open_key
        self._verify = verify
        self.service: PollsService | None = None
        self.panel: PollPanel | None = None
        self.runs = False
        self._layout = QVBoxLayout(self)
        self.tasks = TaskOwner(self)
        self.hide()

    def show_meeting(self, meeting: Meeting) -> None:
        """Show `meeting`'s forms (the same service while it is the same meeting)."""
        if meeting.my_role is None:  # not in the meeting (the IT admin sees every meeting)
            self.drop()
            return
        runs = runs_meeting(meeting)
        if self.service is not None and self.service.meeting_id == meeting.id and runs == self.runs:
            return
        self.drop()
        self.runs = runs
        self.service = self._polls(meeting.id, self)
        self.panel = PollPanel(
            self.service,
            runs=runs,
            parent=self,
            open_key=self._open_key,
            verify=self._verify,
            opinion_forms=True,
        )
        self._layout.addWidget(self.panel)
        self.service.changed.connect(self._update)
        self.service.start()
        self._update()

    def _update(self) -> None:
        panel = self.panel
        self.setVisible(panel is not None and (self.runs or panel.model.rowCount() > 0))

    def drop(self) -> None:
        """Forget the shown meeting's forms (their service is closed in the background)."""
        service, panel = self.service, self.panel
        self.service = self.panel = None
        self.hide()
        if panel is not None:
            panel.tasks.cancel_all()
            self._layout.removeWidget(panel)
            panel.deleteLater()
        if service is not None:
            self.tasks.run(self._retire(service))

    async def _retire(self, service: PollsService) -> None:
        await service.close()
        service.deleteLater()  # its connections to the events and the outbox go with it

    async def aclose(self) -> None:
        """Stop the service (the detail closes)."""
        self.drop()
        await self.tasks.aclose()
