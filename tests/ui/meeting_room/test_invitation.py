"""Answering an invitation from the meeting detail, and the schedule's day and week views, on
the real core (chuyenvien1 signed in) and the real server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.app import Core
from desktop.meeting_room.attendance import AttendanceService
from tests.fixtures.server import ServerProcess
from tests.server.conftest import api_for
from tests.ui.conftest import until
from ui.meeting_detail import MeetingDetail
from ui.meetings_view import MeetingsView

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def core(core_as: Callable[[str], Core]) -> Core:
    """chuyenvien1 (a delegate) signed in."""
    return core_as("chuyenvien1")


def invite(server: ServerProcess, core: Core, start: dt.datetime, title: str = "Họp") -> int:
    secretary = api_for(server).login("chanhvp")
    assert core.session.user is not None
    reply = secretary.post(
        "/meetings",
        {
            "title": title,
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
            "chair_id": secretary.user["id"],
            "invitee_ids": [core.session.user.id],
        },
    )
    assert reply.status == 201, reply.body
    return int(reply.json()["id"])


def detail_for(core: Core, qtbot: QtBot) -> MeetingDetail:
    detail = MeetingDetail(
        core.meetings,
        attendance=lambda mid: AttendanceService(core.session, None, core.outbox, mid),
        people=core.inbox.people,
    )
    qtbot.addWidget(detail)
    return detail


def test_decline_with_a_reason_then_accept(
    aio: Any, qtbot: QtBot, core: Core, server: ServerProcess
) -> None:
    meeting_id = invite(server, core, dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    detail = detail_for(core, qtbot)
    detail.show_meeting(meeting_id)
    aio(until(lambda: detail.meeting is not None and not detail.answer_bar.isHidden()))
    assert not detail.decline_button.isEnabled()  # a reason first
    detail.reason.setText("Trùng lịch tiếp dân")
    qtbot.mouseClick(detail.decline_button, Qt.MouseButton.LeftButton)
    aio(until(lambda: detail.meeting is not None and detail.meeting.my_attendance == "declined"))
    mine = [a for a in detail.meeting.attendees if a.user.id == core.session.user.id]  # type: ignore[union-attr]
    assert mine[0].reason == "Trùng lịch tiếp dân"

    qtbot.mouseClick(detail.accept_button, Qt.MouseButton.LeftButton)
    aio(until(lambda: detail.meeting is not None and detail.meeting.my_attendance == "accepted"))
    assert not detail.accept_button.isEnabled()


def test_send_a_deputy_from_the_detail(
    aio: Any, qtbot: QtBot, core: Core, server: ServerProcess
) -> None:
    meeting_id = invite(server, core, dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    detail = detail_for(core, qtbot)
    detail.show_meeting(meeting_id)
    aio(until(lambda: detail.deputy.count() > 0))
    detail.deputy.setCurrentIndex(detail.deputy.findText("Hoàng Minh Đức"))
    qtbot.mouseClick(detail.delegate_button, Qt.MouseButton.LeftButton)
    aio(until(lambda: detail.meeting is not None and detail.meeting.my_attendance == "delegated"))
    assert detail.answer_bar.isHidden()  # the seat is the deputy's now
    deputy = api_for(server).login("chuyenvien2")
    seen = deputy.get(f"/meetings/{meeting_id}").json()
    assert seen["my_role"] == "delegate"
    [mine] = [a for a in seen["attendees"] if a["user"]["id"] == deputy.user["id"]]
    assert mine["represents"]["full_name"] == "Phạm Thị Lan"


def test_the_schedule_by_day_and_by_week(
    aio: Any, qtbot: QtBot, core: Core, server: ServerProcess
) -> None:
    today = dt.datetime.now().astimezone().date()
    monday = today + dt.timedelta(days=21 - today.weekday())
    zone = dt.datetime.now().astimezone().tzinfo
    tuesday = dt.datetime.combine(monday + dt.timedelta(days=1), dt.time(14), tzinfo=zone)
    invite(server, core, tuesday, "Họp thứ Ba")
    view = MeetingsView(core.meetings)
    qtbot.addWidget(view)
    assert view.previous_button.isHidden()

    async def then_loaded(step: Callable[[], object]) -> None:
        step()  # on the running loop, as a click in the app is
        await core.meetings.refresher.wait()

    def titles() -> list[str]:
        return [r.title for r in view.model.rows()]

    aio(then_loaded(lambda: view.show_period("week", monday + dt.timedelta(days=4))))
    assert titles() == ["Họp thứ Ba"]
    assert view.period_text().startswith(monday.strftime("%d/%m/%Y"))
    aio(then_loaded(lambda: qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)))
    assert core.meetings.day == monday + dt.timedelta(days=11)
    assert titles() == []

    aio(then_loaded(lambda: view.show_period("day", monday + dt.timedelta(days=1))))
    assert titles() == ["Họp thứ Ba"]
    aio(then_loaded(lambda: qtbot.mouseClick(view.previous_button, Qt.MouseButton.LeftButton)))
    assert titles() == []
    aio(
        then_loaded(
            lambda: qtbot.mouseClick(view.period_buttons["upcoming"], Qt.MouseButton.LeftButton)
        )
    )
    assert "Họp thứ Ba" in titles()
    assert view.previous_button.isHidden()
