"""Reminders before meetings (nhắc lịch họp): a tray message N minutes before a meeting I accepted.

Decided from the meetings service's upcoming list and its clock (`MeetingsService.now`), checked
on a timer and whenever the list changes; each meeting is announced once per session (a
reminder for a meeting moved to a later time comes again for the new time). Only meetings the
user accepted, or runs, are announced: an unanswered invitation is a different notice, and a
declined or delegated one is none of their business any more. The clock is injectable so a test
drives time instead of waiting for it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.domain import MeetingSummary
from desktop.meetings import RUNS_MEETING

if TYPE_CHECKING:
    from desktop.meetings import MeetingsService

REMIND_BEFORE = dt.timedelta(minutes=15)
CHECK_EVERY_MS = 30_000  # a reminder is at most this late


def wants_reminder(meeting: MeetingSummary) -> bool:
    """Whether the user is expected at this meeting: accepted it, or chairs or runs it."""
    return meeting.status == "scheduled" and (
        meeting.my_attendance == "accepted" or meeting.my_role in RUNS_MEETING
    )


def due(
    meetings: list[MeetingSummary], now: dt.datetime, before: dt.timedelta = REMIND_BEFORE
) -> list[MeetingSummary]:
    """The meetings to remind of at `now`: starting within `before`, not started yet."""
    return [m for m in meetings if wants_reminder(m) and m.starts_at - before <= now < m.starts_at]


class MeetingReminders(QObject):
    """Emits `reminder(MeetingSummary)` once per meeting and start time, `before` ahead."""

    reminder = Signal(object)  # desktop.domain.MeetingSummary

    def __init__(
        self,
        meetings: MeetingsService,
        before: dt.timedelta = REMIND_BEFORE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.meetings = meetings
        self.before = before
        self._told: set[tuple[int, dt.datetime]] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        meetings.changed.connect(self.check)

    def start(self) -> None:
        """Check now and then every `CHECK_EVERY_MS`."""
        self.timer.start()
        self.check()

    def stop(self) -> None:
        """No more reminders (sign-out)."""
        self.timer.stop()
        self.meetings.changed.disconnect(self.check)

    def check(self) -> None:
        """Announce the meetings that became due since the last check."""
        for meeting in due(self.meetings.upcoming, self.meetings.now(), self.before):
            key = (meeting.id, meeting.starts_at)
            if key not in self._told:
                self._told.add(key)
                self.reminder.emit(meeting)
