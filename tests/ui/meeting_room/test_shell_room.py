"""The shell's side of the meeting room on the real core and server: the reminder reaches the
shell for a meeting about to start, the detail's join button opens one room window per meeting,
and signing out closes the rooms with their tasks."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.app import Options
from desktop.domain import MeetingSummary
from tests.fixtures.server import ServerProcess
from tests.server.conftest import api_for
from tests.ui.conftest import memory_secrets, until
from tests.ui.test_shell import (
    make_core,
    remember_sign_in,
    visible_sign_in_dialogs,
    window_with_lists,
)
from ui.shell import QtFrontend

pytestmark = pytest.mark.timeout(180)


def test_reminder_join_and_sign_out(
    aio: Any, server: ServerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secretary = api_for(server).login("chanhvp")
    # A month ahead, the app's clock pinned five minutes before it: the seed's meetings of
    # "today" (08:00 and 14:00 in Hanoi, which giamdoc chairs) are never in the reminder window,
    # as they were when the suite ran between 07:45 and 08:00 or 13:45 and 14:00 in Hanoi.
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=30)
    created = secretary.post(
        "/meetings",
        {
            "title": "Họp khẩn về phòng chống bão",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
            "chair_id": 1,  # giamdoc, who signs in below
            "secretary_id": secretary.user["id"],
        },
    )
    assert created.status == 201, created.body
    meeting_id = created.json()["id"]
    reminded: list[MeetingSummary] = []
    monkeypatch.setattr(QtFrontend, "announce_meeting", lambda _self, m: reminded.append(m))
    secrets = memory_secrets()
    remember_sign_in(aio, tmp_path, secrets, server.url)
    core = make_core(tmp_path, secrets, server.url, clock=lambda: start - dt.timedelta(minutes=5))
    frontend = QtFrontend()

    async def scenario() -> int:
        run = asyncio.ensure_future(frontend.run(core, Options()))
        await window_with_lists(frontend)
        await until(lambda: bool(reminded))
        assert [m.id for m in reminded] == [meeting_id]  # starts in 5 min, I chair it

        detail = frontend.show_meeting(meeting_id)
        await until(lambda: detail.meeting is not None and not detail.join_button.isHidden())
        QTest.mouseClick(detail.join_button, Qt.MouseButton.LeftButton)
        room = frontend.meeting_rooms[meeting_id]
        assert room.isVisible()
        QTest.mouseClick(detail.join_button, Qt.MouseButton.LeftButton)
        assert list(frontend.meeting_rooms.values()) == [room]  # one window per meeting

        frontend._finish("sign_out")
        await until(lambda: bool(visible_sign_in_dialogs()))
        assert frontend.meeting_rooms == {}
        assert not shiboken6.isValid(room)
        left = [
            t
            for t in asyncio.all_tasks()
            if t.get_coro().__qualname__.startswith(("MeetingRoomWindow", "AttendanceService"))
        ]
        assert left == []
        visible_sign_in_dialogs()[0].reject()
        return await run

    assert aio(scenario(), 150) == 0
    aio(core.aclose())
