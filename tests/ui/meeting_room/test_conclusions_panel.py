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
from desktop.meeting_room.item_notes import ItemNotes
from desktop.meeting_room.minutes import MinutesService
from tests.fixtures.server import ServerProcess
from tests.server.room_helpers import CHAIR, SECRETARY, Room, open_room
from tests.server.test_minutes import add_item
from tests.server.wf_helpers import signed_from, uploaded
from tests.ui.conftest import memory_secrets, until
from tests.ui.meeting_room.test_poll_panel import press, signed_in
from tests.ui.test_shell import make_core
from ui.meeting_room.conclusions_panel import ConclusionsPanel

pytestmark = pytest.mark.timeout(120)


def panel_for(
    aio: Any,
    qtbot: QtBot,
    core: Core,
    room: Room,
    secretary: bool,
    chair: bool = False,
    notes: bool = False,
) -> ConclusionsPanel:
    service = MinutesService(core.session, core.events, core.outbox, room.meeting_id)
    aio(service.refresh())
    meeting = aio(core.meetings.meeting(room.meeting_id))
    panel = ConclusionsPanel(
        service,
        meeting.agenda,
        core.files,
        writes=secretary or chair,
        secretary=secretary,
        chair=chair,
        notes=ItemNotes(core.session, core.outbox, core.store) if notes else None,
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


def test_sign_the_minutes_shows_only_for_the_one_whose_turn_it_is(
    aio: Any, qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    """Ký biên bản: the secretary's panel offers it once the minutes are made (the chair's and a
    delegate's do not); after the secretary's signature it moves, live, to the chair's panel;
    pressing it asks for the signing of the minutes' document."""
    room = open_room(server)
    add_item(room, 1, "Dự thảo kế hoạch năm 2027", "phogiamdoc")
    cores = {
        who: signed_in(aio, server, tmp_path, who) for who in (SECRETARY, CHAIR, "chuyenvien1")
    }
    try:
        panels = {
            who: panel_for(aio, qtbot, core, room, secretary=who == SECRETARY, chair=who == CHAIR)
            for who, core in cores.items()
        }
        room.ok(CHAIR, "POST", "status", {"status": "ended"})
        for panel in panels.values():
            panel.set_status("ended")
        assert not any(p.sign_button.isVisible() for p in panels.values())  # no minutes yet

        minutes = room.ok(SECRETARY, "POST", "minutes")
        aio(until(lambda: panels[SECRETARY].sign_button.isVisible()))
        aio(until(lambda: panels[CHAIR].service.minutes is not None))
        aio(until(lambda: panels["chuyenvien1"].service.minutes is not None))
        assert not panels[CHAIR].sign_button.isVisible()
        assert not panels["chuyenvien1"].sign_button.isVisible()
        asked: list[int] = []
        panels[SECRETARY].sign_requested.connect(asked.append)
        panels[SECRETARY].sign_button.click()
        assert asked == [minutes["document_id"]]

        secretary = room.as_user[SECRETARY]
        base = secretary.get(f"/files/{minutes['file_sha256']}").body
        body = {
            "file_sha256": uploaded(secretary, signed_from(base, tmp_path)),
            "base_sha256": minutes["file_sha256"],
        }
        room.ok(SECRETARY, "POST", "minutes/sign", body)
        aio(until(lambda: panels[CHAIR].sign_button.isVisible()))  # heard through the event
        aio(until(lambda: not panels[SECRETARY].sign_button.isVisible()))
        assert not panels["chuyenvien1"].sign_button.isVisible()
        assert panels[CHAIR].minutes_state.text() == "Waiting for the chair's signature."
    finally:
        for core in cores.values():
            aio(core.aclose())


def test_each_participant_keeps_their_own_note_on_an_item(
    aio: Any, qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    """A delegate's note on an agenda item is saved through the outbox, comes back on another
    of their devices, and is on no one else's panel nor in anyone else's notes."""
    room = open_room(server)
    item = add_item(room, 1, "Dự toán ngân sách", "phogiamdoc")
    here = signed_in(aio, server, tmp_path / "here", "chuyenvien1")
    there = signed_in(aio, server, tmp_path / "there", "chuyenvien1")
    chair = signed_in(aio, server, tmp_path / "chair", CHAIR)
    try:
        mine = panel_for(aio, qtbot, here, room, secretary=False, notes=True)
        mine.my_note.setPlainText("Hỏi lại kinh phí mục 3")
        mine.note_button.click()
        aio(here.outbox.flush())
        listed = room.as_user["chuyenvien1"].get(f"/notes?target=agenda:{item}").json()
        assert [n["text"] for n in listed] == ["Hỏi lại kinh phí mục 3"]

        other_device = panel_for(aio, qtbot, there, room, secretary=False, notes=True)
        aio(until(lambda: other_device.my_note.toPlainText() == "Hỏi lại kinh phí mục 3"))
        chairs = panel_for(aio, qtbot, chair, room, secretary=False, chair=True, notes=True)
        aio(until(lambda: not chairs.tasks.busy))
        assert chairs.my_note.toPlainText() == ""
        assert room.as_user[CHAIR].get(f"/notes?target=agenda:{item}").json() == []
    finally:
        for core in (here, there, chair):
            aio(core.aclose())


def test_a_note_written_offline_reads_back_survives_a_restart_and_is_sent_once(
    aio: Any, qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    """The hall's network goes while a delegate writes their note on an item: it reads back
    offline (the room opened again), is still theirs after the app restarts, and reaches the
    server once, as the same note, when the server is back."""
    room = open_room(server)
    item = add_item(room, 1, "Dự toán ngân sách", "phogiamdoc")
    secrets, folder = memory_secrets(), tmp_path / "hall-pc"
    first = make_core(folder, secrets, server.url)
    aio(first.session.sign_in(server.url, "chuyenvien1", "hopdesk-demo", True))  # remember me
    aio(first.start_session())
    try:
        mine = panel_for(aio, qtbot, first, room, secretary=False, notes=True)
        aio(until(lambda: not mine.tasks.busy))
        mine.my_note.setPlainText("Hỏi lại kinh phí mục 3")
        mine.note_button.click()
        aio(first.outbox.flush())
        (online,) = room.as_user["chuyenvien1"].get(f"/notes?target=agenda:{item}").json()

        server.stop()  # the hall's network is down
        for text in ("Hỏi lại kinh phí mục 3, 4", "Hỏi lại kinh phí mục 3, 4 và 7"):
            mine.my_note.setPlainText(text)
            mine.note_button.click()
        aio(first.store.settled())  # kept (the store's writer thread)
        reopened = ItemNotes(first.session, first.outbox, first.store)  # the room again
        note = aio(reopened.load(item))
        assert note is not None
        assert note.text == "Hỏi lại kinh phí mục 3, 4 và 7"
        assert note.id == online["id"]
        assert first.outbox.pending_paths() == {f"/notes/{note.id}"}  # one PUT, the last text
    finally:
        aio(first.aclose())
        first.store.close()

    server.restart()  # the app starts again, the network is back
    second = make_core(folder, secrets, server.url)
    assert aio(second.session.resume()) is not None
    aio(second.start_session())
    try:
        again = panel_for(aio, qtbot, second, room, secretary=False, notes=True)
        aio(until(lambda: again.my_note.toPlainText() == "Hỏi lại kinh phí mục 3, 4 và 7"))
        aio(until(lambda: not second.outbox.pending_paths()))
        listed = room.as_user["chuyenvien1"].get(f"/notes?target=agenda:{item}").json()
        assert [(n["id"], n["text"]) for n in listed] == [
            (online["id"], "Hỏi lại kinh phí mục 3, 4 và 7")
        ]
    finally:
        aio(second.aclose())
