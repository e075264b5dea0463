"""The schedule against the real server: my meetings by day and by week, and the reminder
before a meeting I accepted, with the clock driven by the test (no waiting)."""

from __future__ import annotations

import datetime as dt

from desktop.meeting_reminders import MeetingReminders
from desktop.meetings import MeetingsService, period_range
from desktop.session import Session
from tests.fixtures.server import ServerProcess
from tests.integration.conftest import PASSWORD, Recorder, SessionFactory


class Clock:
    """A clock the test sets."""

    def __init__(self, now: dt.datetime) -> None:
        self.at = now

    def __call__(self) -> dt.datetime:
        return self.at


async def signed_in(make_session: SessionFactory, url: str, username: str) -> Session:
    session = make_session()
    await session.sign_in(url, username, PASSWORD, False)
    return session


async def create(secretary: Session, invitee: int, start: dt.datetime, title: str) -> int:
    assert secretary.user is not None
    created = await secretary.api.post_json(
        "/meetings",
        {
            "title": title,
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
            "chair_id": secretary.user.id,
            "invitee_ids": [invitee],
        },
    )
    assert isinstance(created, dict)
    return int(created["id"])


def test_a_week_starts_on_monday_and_a_day_is_one_day() -> None:
    zone = dt.timezone(dt.timedelta(hours=7))
    wednesday = dt.date(2026, 12, 9)
    start, end = period_range("week", wednesday, zone)
    assert start == dt.datetime(2026, 12, 7, tzinfo=zone)
    assert end == dt.datetime(2026, 12, 14, tzinfo=zone)
    assert period_range("day", wednesday, zone) == (
        dt.datetime(2026, 12, 9, tzinfo=zone),
        dt.datetime(2026, 12, 10, tzinfo=zone),
    )
    assert period_range("upcoming", wednesday, zone)[1] is None


async def test_my_meetings_by_day_and_by_week(
    make_session: SessionFactory, server: ServerProcess
) -> None:
    secretary = await signed_in(make_session, server.url, "chanhvp")
    me = await signed_in(make_session, server.url, "chuyenvien1")
    assert me.user is not None
    today = dt.datetime.now().astimezone().date()
    monday = today + dt.timedelta(days=14 - today.weekday())  # in two weeks' time
    zone = dt.datetime.now().astimezone().tzinfo

    def at(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(9), tzinfo=zone)

    first = await create(secretary, me.user.id, at(monday), "Thứ Hai")
    wednesday = await create(secretary, me.user.id, at(monday + dt.timedelta(days=2)), "Thứ Tư")
    next_week = await create(secretary, me.user.id, at(monday + dt.timedelta(days=7)), "Tuần sau")
    service = MeetingsService(me)
    try:
        service.show_period("day", monday)
        await service.refresher.wait()
        assert [m.id for m in service.meetings] == [first]
        service.show_period("week", monday + dt.timedelta(days=3))
        await service.refresher.wait()
        assert [m.id for m in service.meetings] == [first, wednesday]
        assert {first, wednesday, next_week} <= {m.id for m in service.upcoming}
        service.show_period("upcoming")
        await service.refresher.wait()
        assert service.meetings == service.upcoming
    finally:
        await service.close()


async def test_a_reminder_comes_once_before_a_meeting_i_accepted(
    make_session: SessionFactory, server: ServerProcess
) -> None:
    secretary = await signed_in(make_session, server.url, "chanhvp")
    me = await signed_in(make_session, server.url, "chuyenvien1")
    assert me.user is not None
    start = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    accepted = await create(secretary, me.user.id, start, "Họp đã nhận lời")
    await create(secretary, me.user.id, start, "Họp chưa trả lời")
    declined = await create(secretary, me.user.id, start, "Họp đã từ chối")
    await me.api.post_json(f"/meetings/{accepted}/attendance/answer", {"answer": "accepted"})
    await me.api.post_json(
        f"/meetings/{declined}/attendance/answer", {"answer": "declined", "reason": "Bận"}
    )
    clock = Clock(start - dt.timedelta(minutes=20))
    service = MeetingsService(me, now=clock)
    reminders = MeetingReminders(service, before=dt.timedelta(minutes=15))
    told = Recorder()
    reminders.reminder.connect(told)
    try:
        await service.refresh()
        reminders.check()
        assert told.calls == []  # twenty minutes ahead: too early

        clock.at = start - dt.timedelta(minutes=14)
        reminders.timer.timeout.emit()
        assert [m.id for m in told.calls] == [accepted]
        await service.refresh()  # a list update checks again: still once
        clock.at = start - dt.timedelta(minutes=1)
        reminders.check()
        assert [m.id for m in told.calls] == [accepted]

        clock.at = start + dt.timedelta(minutes=1)
        reminders.check()
        assert len(told.calls) == 1  # started: no reminder any more
    finally:
        reminders.stop()
        await service.close()
