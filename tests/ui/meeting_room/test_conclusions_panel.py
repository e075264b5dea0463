"""The conclusions panel on the real core and server: the secretary writes an item's conclusion
and a delegate's read-only panel shows it live; once the meeting ended the secretary makes the
minutes from the panel (a delegate has no such button), and "open" hands the verified PDF, with
the conclusion in it, to the reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pymupdf
import pytest
from pytestqt.qtbot import QtBot

from desktop.app import Core
from desktop.meeting_room.minutes import MinutesService
from tests.fixtures.server import ServerProcess
from tests.server.room_helpers import CHAIR, SECRETARY, Room, open_room
from tests.server.test_minutes import add_item
from tests.ui.conftest import until
from tests.ui.meeting_room.test_poll_panel import press, signed_in
from ui.meeting_room.conclusions_panel import ConclusionsPanel

pytestmark = pytest.mark.timeout(120)


def panel_for(aio: Any, qtbot: QtBot, core: Core, room: Room, secretary: bool) -> ConclusionsPanel:
    service = MinutesService(core.session, core.events, core.outbox, room.meeting_id)
    aio(service.refresh())
    meeting = aio(core.meetings.meeting(room.meeting_id))
    panel = ConclusionsPanel(
        service, meeting.agenda, core.files, writes=secretary, secretary=secretary
    )
    panel.set_status(meeting.status)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def test_the_secretary_writes_conclusions_and_makes_the_minutes(
    aio: Any, qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    room = open_room(server)
    add_item(room, 1, "Dự thảo kế hoạch năm 2027", "phogiamdoc")
    add_item(room, 2, "Dự toán ngân sách", "chuyenvien1")
    secretary = signed_in(aio, server, tmp_path, SECRETARY)
    delegate = signed_in(aio, server, tmp_path, "chuyenvien1")
    try:
        writer = panel_for(aio, qtbot, secretary, room, secretary=True)
        reader = panel_for(aio, qtbot, delegate, room, secretary=False)
        assert writer.items.count() == 2
        assert reader.editor.isReadOnly()
        assert not reader.save_button.isVisible()
        assert not reader.generate_button.isVisible()
        assert writer.generate_button.isVisible()
        assert not writer.generate_button.isEnabled()  # still in progress

        writer.items.setCurrentRow(1)
        reader.items.setCurrentRow(1)
        writer.editor.setPlainText("Giao Phòng Kế hoạch rà soát lại dự toán.")
        writer.save_button.click()
        aio(until(lambda: writer.saved.text() == "Saved"))
        aio(
            until(lambda: reader.editor.toPlainText() == "Giao Phòng Kế hoạch rà soát lại dự toán.")
        )
        listed = room.ok("chuyenvien2", "GET", "conclusions")
        assert [c["text"] for c in listed] == ["Giao Phòng Kế hoạch rà soát lại dự toán."]

        room.ok(CHAIR, "POST", "status", {"status": "ended"})
        writer.set_status("ended")
        assert writer.generate_button.isEnabled()
        assert writer.minutes_state.text() == "The minutes have not been made yet."
        writer.generate_button.click()
        aio(until(lambda: writer.minutes_state.text() == "Waiting for the secretary's signature."))
        aio(until(lambda: reader.open_button.isEnabled()))  # heard through minutes.updated
        opened: list[Path] = []
        writer.open_requested.connect(opened.append)
        aio(press(writer.open_button))  # a click inside the running loop, as a user's is
        aio(until(lambda: bool(opened)))
        path = opened[0]
        with pymupdf.open(path) as doc:
            text = " ".join(doc[0].get_text().split())
        assert "BIÊN BẢN" in text
        assert "Dự toán ngân sách: Giao Phòng Kế hoạch rà soát lại dự toán." in text
    finally:
        aio(secretary.aclose())
        aio(delegate.aclose())
