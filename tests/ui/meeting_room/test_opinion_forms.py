"""Opinion forms (phiếu lấy ý kiến) in the meeting detail on the real core and server: the
secretary creates and opens one there, days before the meeting (the room cannot be entered
yet); a delegate who is away sees it in the detail, fills it in before its deadline, and sees a
form closed with its result once its deadline has passed; drafts stay with those who run it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from desktop.app import Core
from desktop.meeting_room.polls import PollsService
from tests.fixtures.server import ServerProcess
from tests.server.room_helpers import CHAIR, SECRETARY, Room, open_room
from tests.ui.conftest import until
from tests.ui.meeting_room.test_poll_panel import press
from ui.meeting_detail import MeetingDetail

pytestmark = pytest.mark.timeout(120)

AWAY = "chuyenvien2"


@pytest.fixture
def room(server: ServerProcess) -> Room:
    return open_room(server, starts_in=dt.timedelta(days=2))


def detail_for(core: Core, qtbot: QtBot) -> MeetingDetail:
    def polls(meeting_id: int, parent: QObject) -> PollsService:
        return PollsService(core.session, core.events, core.outbox, meeting_id, parent)

    detail = MeetingDetail(core.meetings, polls=polls)
    qtbot.addWidget(detail)
    return detail


def test_the_secretary_creates_a_form_in_the_detail_and_the_away_member_fills_it(
    aio: Any,
    qtbot: QtBot,
    core_as: Callable[[str], Core],
    room: Room,
    vietnamese: None,
) -> None:
    room.ok(AWAY, "POST", "attendance/answer", {"answer": "declined", "reason": "Đi công tác"})
    secretary = detail_for(core_as(SECRETARY), qtbot)
    secretary.show_meeting(room.meeting_id)
    aio(until(lambda: secretary.forms is not None and secretary.forms.panel is not None))
    assert secretary.forms is not None
    assert not secretary.join_button.isVisible()  # the room is not open yet
    aio(until(secretary.forms.isVisible))  # empty, but the secretary may create one
    panel = secretary.forms.panel
    assert panel is not None
    assert panel.form is not None
    assert panel.new_opinion.isChecked()
    assert not panel.new_opinion.isEnabled()  # only opinion forms here
    panel.new_title.setText("Góp ý dự thảo quy chế")
    panel.new_deadline.setDateTime(panel.new_deadline.dateTime().addSecs(3600))
    panel.create_button.click()
    aio(until(lambda: panel.model.rowCount() == 1))
    [draft] = panel.model.rows
    assert (draft.kind, draft.status) == ("opinion", "draft")

    away = detail_for(core_as(AWAY), qtbot)
    away.show_meeting(room.meeting_id)
    aio(until(lambda: away.forms is not None and away.forms.panel is not None))
    assert away.forms is not None
    assert away.forms.panel is not None
    aio(until(lambda: away.forms.service is not None and draft.id in away.forms.service.polls))
    assert not away.forms.isVisible()  # a draft is not for the voters yet
    assert away.forms.panel.form is None

    panel.open_button.click()
    filling = away.forms.panel
    aio(until(lambda: away.forms.isVisible() and len(filling.vote_buttons) == 3))
    assert "hạn đến" in filling.state.text()
    aio(press(filling.vote_buttons[1]))
    aio(until(lambda: "Không tán thành" in filling.mine.text()))
    seen = room.ok(CHAIR, "GET", f"polls/{draft.id}")
    assert (seen["voted"], seen["status"]) == (1, "open")


def test_a_form_past_its_deadline_is_shown_closed_with_its_result(
    aio: Any,
    qtbot: QtBot,
    core_as: Callable[[str], Core],
    room: Room,
    vietnamese: None,
) -> None:
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=6)
    form = room.ok(
        SECRETARY,
        "POST",
        "polls",
        {"title": "Góp ý kế hoạch năm", "kind": "opinion", "deadline": deadline.isoformat()},
    )
    room.ok(SECRETARY, "POST", f"polls/{form['id']}/open")
    room.ok("phogiamdoc", "POST", f"polls/{form['id']}/vote", {"option": 0})
    away = detail_for(core_as(AWAY), qtbot)
    away.show()
    away.show_meeting(room.meeting_id)
    aio(until(lambda: away.forms is not None and away.forms.panel is not None))
    assert away.forms is not None
    assert away.forms.panel is not None
    panel = away.forms.panel
    aio(until(lambda: len(panel.vote_buttons) == 3))  # before the deadline: may fill it in
    assert panel.state.text().startswith("Đang biểu quyết")
    # not filled in: at the deadline the buttons go and the server's result comes
    aio(until(lambda: not panel.vote_buttons, 15))
    assert panel.state.text().startswith("Đã kết thúc")
    aio(until(lambda: len(panel.result_bars) == 3, 15))
    closed = away.forms.service.polls[form["id"]]  # type: ignore[union-attr]
    assert (closed.status, closed.counts) == ("closed", [1, 0, 0])
    assert panel.result_bars[0].value() == 1000
