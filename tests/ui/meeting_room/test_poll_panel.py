"""The votes panel on the real core and server: the chair creates a secret vote from the form,
opens it, sees the turnout live and the result bars after the close; a delegate votes with a
button and sees that the vote was taken; a delegate has no chair controls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from desktop.app import Core
from desktop.meeting_room.polls import PollsService
from tests.fixtures.server import ServerProcess
from tests.server.room_helpers import Room, open_room
from tests.ui.conftest import memory_secrets, until
from tests.ui.test_shell import make_core
from ui.meeting_room.poll_panel import PollPanel

pytestmark = pytest.mark.timeout(120)


def signed_in(aio: Any, server: ServerProcess, tmp_path: Path, username: str) -> Core:
    made = make_core(tmp_path / username, memory_secrets(), server.url)
    aio(made.session.sign_in(server.url, username, "hopdesk-demo", False))
    aio(made.start_session())
    return made


@pytest.fixture
def room(server: ServerProcess) -> Room:
    return open_room(server)


async def press(button: QPushButton) -> None:
    """Click inside the running loop, as a user's click is (the outbox flushes on it)."""
    button.click()


def panel_for(aio: Any, qtbot: QtBot, core: Core, room: Room, runs: bool) -> PollPanel:
    service = PollsService(core.session, core.events, core.outbox, room.meeting_id)
    aio(service.refresh())
    panel = PollPanel(service, runs=runs)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def test_the_chair_runs_a_secret_vote_from_the_panel(
    aio: Any, qtbot: QtBot, server: ServerProcess, room: Room, tmp_path: Path
) -> None:
    core = signed_in(aio, server, tmp_path, "giamdoc")
    try:
        panel = panel_for(aio, qtbot, core, room, runs=True)
        assert panel.form is not None
        assert not panel.detail.isVisible()
        panel.new_title.setText("Bầu tổ thư ký")
        panel.new_live.setChecked(True)
        panel.new_secret.setChecked(True)  # a secret vote shows no live result
        assert not panel.new_live.isChecked()
        assert not panel.new_live.isEnabled()
        panel.create_button.click()
        aio(until(lambda: panel.model.rowCount() == 1))
        assert panel.secret_badge.isVisible()
        assert panel.open_button.isVisible()
        assert not panel.close_button.isVisible()
        panel.open_button.click()
        aio(until(lambda: panel.close_button.isVisible()))
        assert [b.text() for b in panel.vote_buttons] == [
            "Tán thành",
            "Không tán thành",
            "Không biểu quyết",
        ]
        poll_id = panel.selected
        for name, option in (("chuyenvien1", 0), ("chuyenvien2", 0), ("vanthu", 1)):
            reply = room.call(name, "POST", f"polls/{poll_id}/vote", {"option": option})
            assert reply.status == 200, reply.body
        aio(until(lambda: "3" in panel.turnout.text()))
        assert not panel.result_bars  # secret: nothing before the close
        aio(press(panel.vote_buttons[2]))  # the chair votes too
        assert not panel.vote_buttons
        assert panel.service.sending(poll_id)
        aio(until(lambda: panel.service.polls[poll_id].i_voted))
        assert not panel.service.sending(poll_id)
        assert panel.mine.text() == panel.tr(
            "You have voted. Your choice is secret: it is kept nowhere."
        )
        panel.close_button.click()
        aio(until(lambda: len(panel.result_bars) == 3))
        assert [b.value() for b in panel.result_bars] == [500, 250, 250]
        assert "Tán thành: 2" in panel.result_bars[0].format()
        assert panel.result_bars[0].format().endswith("(50,0%)")
        assert not panel.close_button.isVisible()
    finally:
        aio(core.aclose())


def test_a_delegate_votes_with_a_button_and_has_no_chair_controls(
    aio: Any, qtbot: QtBot, server: ServerProcess, room: Room, tmp_path: Path
) -> None:
    core = signed_in(aio, server, tmp_path, "chuyenvien1")
    try:
        poll = room.ok("chanhvp", "POST", "polls", {"title": "Thông qua chương trình"})
        panel = panel_for(aio, qtbot, core, room, runs=False)
        assert panel.form is None
        assert not panel.open_button.isVisible()
        room.ok("giamdoc", "POST", f"polls/{poll['id']}/open")
        aio(until(lambda: len(panel.vote_buttons) == 3))
        assert not panel.close_button.isVisible()
        assert not panel.secret_badge.isVisible()
        aio(press(panel.vote_buttons[1]))
        aio(until(lambda: "Không tán thành" in panel.mine.text()))
        assert not panel.vote_buttons
        seen = room.ok("giamdoc", "GET", f"polls/{poll['id']}")
        assert seen["voted"] == 1
    finally:
        aio(core.aclose())
