"""Links opened by the running app (ui/shell.py): from the command line, a later launch and
"Join by link" (Ctrl+Shift+J), on the real core and server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from desktop.app import Options
from desktop.join_link import MeetingLink, NoMeetingInRoom, meeting_of
from desktop.notify import Notice, Severity
from tests.fixtures.server import ServerProcess
from tests.ui.conftest import memory_secrets, until
from tests.ui.test_shell import make_core, remember_sign_in, window_with_lists
from ui.join_link_dialog import JoinLinkDialog
from ui.shell import QtFrontend


class Browser(QObject):
    """Stands in for the system's web browser (QDesktopServices' handler for https)."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


def _dialogs() -> list[JoinLinkDialog]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, JoinLinkDialog) and w.isVisible()
    ]


def test_links_open_the_meeting_room_or_say_why_not(
    aio: Any, qapp: QApplication, server: ServerProcess, tmp_path: Path
) -> None:
    secrets = memory_secrets()
    remember_sign_in(aio, tmp_path, secrets, server.url)
    core = make_core(tmp_path, secrets, server.url)
    notices: list[Notice] = []
    core.notifier.posted.connect(notices.append)
    frontend = QtFrontend()
    browser = Browser()
    QDesktopServices.setUrlHandler("https", browser, "open")  # instead of the system's browser
    # launched by a click on a link for another server: said once signed in, nothing opened
    elsewhere = "hopdesk://join?server=https://other.example&meeting=1"

    async def scenario() -> int:
        run = asyncio.ensure_future(frontend.run(core, Options(link=elsewhere)))
        await window_with_lists(frontend)
        await until(lambda: any("other.example" in n.text for n in notices))
        warning = next(n for n in notices if "other.example" in n.text)
        assert warning.severity is Severity.WARNING
        assert server.url.split("://")[1] in warning.text  # the server signed in to
        assert not frontend.meeting_rooms

        # a later launch hands over the server's own meeting URL: its room opens
        offline = next(m for m in core.meetings.meetings if not m.online)
        frontend.open_link(f"{server.url}/api/v1/meetings/{offline.id}")
        await until(lambda: offline.id in frontend.meeting_rooms)
        assert frontend.meeting_rooms[offline.id].isVisible()

        # a guest link is made for a browser: it goes to the browser, with its fragment
        token = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFi"
        frontend.open_link(f"https://office.gov.vn/guest#{token}")
        await until(lambda: bool(browser.opened))
        assert browser.opened == [f"https://office.gov.vn/guest#{token}"]

        # hostile text from a later launch: a warning, nothing opened
        frontend.open_link("hopdesk://join?server=https://a.vn&meeting=1&meeting=2")
        await until(lambda: any("twice" in n.text for n in notices))

        # Ctrl+Shift+J: the dialog; Join opens the link typed in it
        window = frontend.window
        assert window is not None
        action = window.join_link_action
        assert action.shortcut().toString() == "Ctrl+Shift+J"
        assert action in window.file_menu.actions()
        action.trigger()
        await until(lambda: bool(_dialogs()))
        dialog = _dialogs()[0]
        dialog.field.setText(f"hopdesk://join?server={server.url}&meeting={offline.id}")
        frontend.meeting_rooms[offline.id].close()
        await frontend.meeting_rooms.pop(offline.id).aclose()
        dialog.accept()
        await until(lambda: offline.id in frontend.meeting_rooms)
        frontend._finish("quit")
        return await run

    try:
        assert aio(scenario(), 90) == 0
    finally:
        QDesktopServices.unsetUrlHandler("https")
    aio(core.aclose())


def test_a_room_link_finds_the_online_meeting_of_that_room(
    aio: Any, server: ServerProcess, tmp_path: Path
) -> None:
    core = make_core(tmp_path, memory_secrets(), server.url)
    aio(core.session.sign_in(server.url, "giamdoc", "hopdesk-demo", False))
    aio(core.start_session())
    try:
        aio(core.meetings.refresh())
        online = [m for m in core.meetings.meetings if m.online]
        assert online
        meeting = aio(core.meetings.meeting(online[0].id))
        assert meeting.media is not None
        room = str(meeting.media["room"])
        found = aio(meeting_of(MeetingLink(server.url + "/", room=room), core.meetings, server.url))
        assert found.id == meeting.id
        nowhere = MeetingLink(server.url, room="no-such-room")
        with pytest.raises(NoMeetingInRoom) as caught:
            aio(meeting_of(nowhere, core.meetings, server.url))
        assert "None of your meetings" in caught.value.user_message()
    finally:
        aio(core.aclose())
