"""The meeting room window and the join button, on the real core and the real reference server:
the chair joins shortly before the start, opens the meeting from the room, the secretary ends it
from elsewhere and the room follows through the event stream."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop.app import Core
from desktop.domain import Meeting
from tests.fixtures.server import ServerProcess
from tests.server.conftest import api_for
from tests.ui.conftest import until
from ui.meeting_detail import MeetingDetail
from ui.meeting_room.agenda_panel import AgendaPanel
from ui.meeting_room.attendance_panel import AttendancePanel
from ui.meeting_room.chat_panel import ChatPanel
from ui.meeting_room.conclusions_panel import ConclusionsPanel
from ui.meeting_room.poll_panel import PollPanel
from ui.meeting_room.speak_panel import SpeakPanel
from ui.meeting_room.window import MeetingRoomWindow

pytestmark = pytest.mark.timeout(120)


def create_meeting(server: ServerProcess, starts_in: dt.timedelta) -> int:
    """A meeting chaired by giamdoc, run by chanhvp, with chuyenvien1 invited."""
    api = api_for(server)
    secretary, delegate = api.login("chanhvp"), api.login("chuyenvien1")
    start = dt.datetime.now(dt.UTC) + starts_in
    reply = secretary.post(
        "/meetings",
        {
            "title": "Họp triển khai chuyển đổi số",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
            "chair_id": 1,
            "secretary_id": secretary.user["id"],
            "invitee_ids": [delegate.user["id"]],
        },
    )
    assert reply.status == 201, reply.body
    assert reply.json()["chair"]["full_name"] == "Nguyễn Văn Hùng"  # giamdoc
    return int(reply.json()["id"])


class ClosedService:
    """Records that the window closed it (the window's side of the RoomService protocol)."""

    closed = False

    async def close(self) -> None:
        self.closed = True


def test_join_shows_shortly_before_the_start_and_follows_the_clock(
    aio: Any, qtbot: QtBot, core: Core, server: ServerProcess
) -> None:
    soon = create_meeting(server, dt.timedelta(minutes=5))
    later = create_meeting(server, dt.timedelta(hours=3))
    detail = MeetingDetail(core.meetings)
    qtbot.addWidget(detail)
    joined: list[Meeting] = []
    detail.join_requested.connect(joined.append)

    detail.show_meeting(later)
    aio(until(lambda: detail.meeting is not None and detail.meeting.id == later))
    assert detail.join_button.isHidden()

    detail.show_meeting(soon)
    aio(until(lambda: detail.meeting is not None and detail.meeting.id == soon))
    assert not detail.join_button.isHidden()
    invited = [detail.attendees_model.record(r) for r in range(detail.attendees_model.rowCount())]
    assert [(a.user.full_name, a.role, a.status) for a in invited] == [
        ("Phạm Thị Lan", "delegate", "invited")
    ]
    qtbot.mouseClick(detail.join_button, Qt.MouseButton.LeftButton)
    assert [m.id for m in joined] == [soon]

    # Twenty minutes before the start the room is not open yet; the periodic check hides it.
    starts_at = detail.meeting.starts_at if detail.meeting else dt.datetime.now(dt.UTC)
    core.meetings.now = lambda: starts_at - dt.timedelta(minutes=20)
    detail.join_timer.timeout.emit()
    assert detail.join_button.isHidden()


def test_chair_opens_the_room_and_sees_the_secretary_end_it(
    aio: Any, qtbot: QtBot, core: Core, server: ServerProcess
) -> None:
    meeting_id = create_meeting(server, dt.timedelta(minutes=10))
    meeting = aio(core.meetings.meeting(meeting_id))
    room = MeetingRoomWindow(core, meeting)  # not qtbot.addWidget: aclose first, then delete
    service = ClosedService()
    room.add_service(service)
    panels = [type(room.panels.widget(i)) for i in range(room.panels.count())]
    # the agenda, the chair's attendance list, the votes, the speak queue, the chat, the conclusions
    assert panels == [
        AgendaPanel,
        AttendancePanel,
        PollPanel,
        SpeakPanel,
        ChatPanel,
        ConclusionsPanel,
    ]
    extra = room.add_panel("Thêm", QLabel("…"))
    assert room.panels.tabText(extra) == "Thêm"
    assert room.panels.count() == 7
    room.show()
    try:
        assert room.heading.text() == "Họp triển khai chuyển đổi số"
        assert "Nguyễn Văn Hùng" in room.chair.text()
        assert not room.open_button.isHidden()
        assert room.end_button.isHidden()

        # The chair is in the hall: one click checks them in, and the button goes.
        aio(until(lambda: room.check_in_button.isVisibleTo(room)))
        qtbot.mouseClick(room.check_in_button, Qt.MouseButton.LeftButton)
        aio(until(lambda: not room.check_in_button.isVisibleTo(room)))
        me = room.attendance.entry(1)
        assert me is not None
        assert me.checked_in_at is not None
        assert me.role == "chair"

        qtbot.mouseClick(room.open_button, Qt.MouseButton.LeftButton)
        aio(until(lambda: room.meeting.status == "in_progress"))
        assert room.open_button.isHidden()
        assert not room.end_button.isHidden()
        delegate = api_for(server).login("chuyenvien1")
        assert delegate.get(f"/meetings/{meeting_id}").json()["status"] == "in_progress"

        # The secretary ends it from another machine: the room hears `meeting.updated`.
        secretary = api_for(server).login("chanhvp")
        ended = secretary.post(f"/meetings/{meeting_id}/status", {"status": "ended"})
        assert ended.status == 200, ended.body
        aio(until(lambda: room.meeting.status == "ended"))
        assert room.conclusions.status == "ended"  # the panel follows the meeting's status
        assert room.conclusions.generate_button.isHidden()  # the secretary makes the minutes
        assert room.end_button.isHidden()
        assert room.open_button.isHidden()

        # A delegate's copy of the meeting: no buttons to run it.
        seen = Meeting.from_json(delegate.get(f"/meetings/{meeting_id}").json())
        room.set_meeting(seen)
        assert seen.my_role == "delegate"
        assert room.open_button.isHidden()
        assert room.end_button.isHidden()
    finally:
        aio(room.aclose())
        room.close()
        room.deleteLater()
    assert service.closed


def test_a_refused_step_is_told_to_the_user(
    aio: Any, qtbot: QtBot, core: Core, server: ServerProcess
) -> None:
    meeting_id = create_meeting(server, dt.timedelta(minutes=10))
    room = MeetingRoomWindow(core, aio(core.meetings.meeting(meeting_id)))
    warnings: list[str] = []
    core.notifier.posted.connect(lambda notice: warnings.append(notice.text))
    try:
        room.change_status("ended")  # a scheduled meeting cannot end: 409 from the server
        aio(until(lambda: bool(warnings)))
        assert room.meeting.status == "scheduled"
        assert room.open_button.isEnabled()
    finally:
        aio(room.aclose())
        room.close()
        room.deleteLater()
