"""The schedule's periods (desktop/meetings.py `period_range`) in the machine's own zone: each
day starts at its own local midnight, with that day's offset, not the offset the clock shows
now (a week or a day across a summer-time change was off by an hour at one end)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest

from desktop.meetings import period_range

SPRING_FORWARD = dt.date(2031, 3, 30)  # Sunday: Berlin goes from +01:00 to +02:00 at 02:00
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def berlin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("berlin")
def test_periods_across_summer_time_start_and_end_at_local_midnight() -> None:
    start, end = period_range("day", SPRING_FORWARD)
    assert (start.utcoffset(), end.utcoffset()) == (HOUR, 2 * HOUR)
    assert (start.hour, end.hour, end.date()) == (0, 0, dt.date(2031, 3, 31))
    start, end = period_range("week", dt.date(2031, 3, 27))
    assert (start.date(), start.hour, start.utcoffset()) == (dt.date(2031, 3, 24), 0, HOUR)
    assert (end.date(), end.hour, end.utcoffset()) == (dt.date(2031, 3, 31), 0, 2 * HOUR)
    start, end = period_range("upcoming", dt.date(2031, 7, 1))
    assert (start.hour, start.utcoffset(), end) == (0, 2 * HOUR, None)
