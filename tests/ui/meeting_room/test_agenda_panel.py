"""The agenda panel on the real core and the real reference server: the secretary adds items,
moves one up, uploads a paper and replaces it; the paper shows under its kind and whether it is
on this computer; a replaced paper shows its new version; a delegate sees the agenda without
the editing buttons."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from desktop.app import Core
from desktop.domain import Paper
from desktop.meeting_room.papers import MeetingPapers
from tests.fixtures.server import ServerProcess
from tests.ui.conftest import memory_secrets, until
from tests.ui.meeting_room.test_window import create_meeting
from tests.ui.test_shell import make_core
from ui.meeting_room.agenda_panel import PAPER_ROLE, AgendaPanel

pytestmark = pytest.mark.timeout(120)


def write_pdf(path: Path, text: str) -> Path:
    with pymupdf.open() as doc:
        doc.new_page().insert_text((72, 72), text)
        doc.save(path)
    return path


def signed_in_core(aio: Any, server: ServerProcess, tmp_path: Path, username: str) -> Core:
    made = make_core(tmp_path / username, memory_secrets(), server.url)
    aio(made.session.sign_in(server.url, username, "hopdesk-demo", False))
    aio(made.start_session())
    return made


def panel_for(core: Core, meeting_id: int, qtbot: QtBot) -> AgendaPanel:
    service = MeetingPapers(
        core.session,
        core.events,
        core.outbox,
        meeting_id,
        files=core.files,
        meetings=core.meetings,
    )
    panel = AgendaPanel(service)
    qtbot.addWidget(panel)
    return panel


def wait(aio: Any, condition: Any) -> None:
    """Let Qt and the loop run until `condition()` holds (a minute: the machine may be busy)."""
    aio(until(condition, 60), 90)


def click(aio: Any, button: QPushButton) -> None:
    """Click inside the running loop, as in the app (the outbox schedules its flush there)."""

    async def press() -> None:
        button.click()

    aio(press())


def titles(panel: AgendaPanel) -> list[str]:
    return [panel.model.item(r).text() for r in range(panel.model.rowCount())]


def paper_rows(panel: AgendaPanel) -> list[tuple[str, str, str]]:
    """(group, paper text, state) of every paper shown."""
    found = []
    for r in range(panel.model.rowCount()):
        item = panel.model.item(r)
        for g in range(item.rowCount()):
            group = item.child(g)
            for p in range(group.rowCount()):
                found.append((group.text(), group.child(p, 0).text(), group.child(p, 1).text()))
    return found


def test_the_secretary_builds_the_agenda_and_a_replacement_is_announced(
    aio: Any, qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    meeting_id = create_meeting(server, dt.timedelta(days=1))
    secretary = signed_in_core(aio, server, tmp_path, "chanhvp")
    delegate = signed_in_core(aio, server, tmp_path, "chuyenvien1")
    panel = panel_for(secretary, meeting_id, qtbot)
    watching = panel_for(delegate, meeting_id, qtbot)
    try:
        wait(aio, lambda: panel.service.meeting is not None)
        wait(aio, lambda: watching.service.meeting is not None)
        assert panel.editing.isVisibleTo(panel)
        assert not watching.editing.isVisibleTo(watching)

        answers = iter(["Khai mạc", "Thảo luận dự thảo"])
        panel.ask_text = lambda *_args, **_kw: next(answers)  # type: ignore[method-assign]
        click(aio, panel.add_item_button)
        wait(aio, lambda: len(titles(panel)) == 1)
        click(aio, panel.add_item_button)
        wait(aio, lambda: len(titles(panel)) == 2)
        panel.select_item(panel.service.agenda[1].id)
        click(aio, panel.up_button)
        assert titles(panel) == ["1. Thảo luận dự thảo (15 min)", "2. Khai mạc (15 min)"]
        wait(aio, lambda: titles(watching) == titles(panel))  # the delegate follows

        pdf = write_pdf(tmp_path / "du-thao.pdf", "Dự thảo bản 1")
        panel.choose_pdf = lambda _title: pdf  # type: ignore[method-assign]
        panel.ask_text = lambda *_args, **_kw: "Dự thảo kế hoạch"  # type: ignore[method-assign]
        panel.select_item(panel.service.agenda[0].id)
        click(aio, panel.upload_button)
        wait(aio, lambda: bool(paper_rows(watching)))
        assert paper_rows(watching) == [
            ("Main documents", "Dự thảo kế hoạch", "Not downloaded yet")
        ]

        # The delegate opens it: it is downloaded, and the panel says so.
        opened: list[Paper] = []
        watching.paper_activated.connect(opened.append)
        first_item, _ = watching.service.agenda
        assert first_item.title == "Thảo luận dự thảo"
        (listed,) = first_item.papers  # the item selected when uploading
        index = watching.model.paper_index(listed.id)
        watching.view.setCurrentIndex(index)
        watching.view.activated.emit(index)
        (paper,) = opened
        aio(watching.service.open_path(paper))
        wait(aio, lambda: paper_rows(watching)[0][2] == "Downloaded")

        # The secretary replaces it; the delegate's agenda shows version 2 (the reader that has
        # it open offers the new version: tests/ui/test_reader_window.py).
        wait(aio, lambda: bool(paper_rows(panel)))
        panel.view.setCurrentIndex(panel.model.paper_index(paper.id))
        assert panel.replace_button.isEnabled()
        new_pdf = write_pdf(tmp_path / "du-thao-2.pdf", "Dự thảo bản 2")
        panel.choose_pdf = lambda _title: new_pdf  # type: ignore[method-assign]
        click(aio, panel.replace_button)
        wait(aio, lambda: "(version 2)" in paper_rows(watching)[0][1])
        assert watching.model.paper_index(paper.id).data(PAPER_ROLE).version == 2
    finally:
        aio(panel.service.close())
        aio(watching.service.close())
        aio(secretary.aclose())
        aio(delegate.aclose())
