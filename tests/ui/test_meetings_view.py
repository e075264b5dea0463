"""The schedule's time column (ui/meetings_view.py) says "Today" and "Tomorrow" by the clock of
the meetings service (`MeetingsService.now`), like the list it shows, not by the machine's date:
the two disagreed in tests that pin the clock, and would in a session left open past midnight
until both are read again."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QApplication

from desktop.domain import MeetingSummary
from ui.meetings_view import MeetingsModel

PINNED = dt.datetime(2031, 3, 10, 9).astimezone()  # a Monday, far from the machine's date


def _meeting(start: dt.datetime) -> MeetingSummary:
    return MeetingSummary(
        id=1,
        title="Giao ban",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        status="scheduled",
    )


def test_today_and_tomorrow_follow_the_services_clock(qapp: QApplication) -> None:
    model = MeetingsModel()
    model.now = lambda: PINNED
    later_today = _meeting(PINNED + dt.timedelta(hours=5))
    tomorrow = _meeting(PINNED + dt.timedelta(days=1))
    next_week = _meeting(PINNED + dt.timedelta(days=7))
    assert model.when(later_today) == "Today, 14:00–16:00"
    assert model.when(tomorrow) == "Tomorrow, 09:00–11:00"
    assert model.when(next_week) == "17/03/2031, 09:00–11:00"
