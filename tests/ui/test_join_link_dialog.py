"""ui/join_link_dialog.py: the pasted link is checked as it is typed; Join only for a usable one."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop.join_link import MeetingLink, WhipLink
from ui.join_link_dialog import JoinLinkDialog


def _join_enabled(dialog: JoinLinkDialog) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_the_dialog_checks_the_link_as_it_is_typed(qtbot: QtBot) -> None:
    dialog = JoinLinkDialog(text="")
    qtbot.addWidget(dialog)
    assert not _join_enabled(dialog)
    assert dialog.verdict.text() == ""  # nothing typed: nothing to complain about

    qtbot.keyClicks(dialog.field, "https://office.gov.vn@evil.example/api/v1/meetings/4")
    assert not _join_enabled(dialog)
    assert "not safe" in dialog.verdict.text()
    dialog.accept()  # Enter with a refused link does nothing
    assert dialog.result() == 0
    assert dialog.link is None

    dialog.field.setText("<b>hopdesk://join?server=https://office.gov.vn&meeting=42</b>")
    assert not _join_enabled(dialog)
    dialog.field.setText(" hopdesk://join?server=https://office.gov.vn&meeting=42 ")
    assert _join_enabled(dialog)
    assert dialog.verdict.text() == "Meeting number 42 on office.gov.vn."
    assert dialog.link == MeetingLink("https://office.gov.vn", meeting=42)
    dialog.field.setText("https://media.example/whip/room1")
    assert isinstance(dialog.link, WhipLink)
    assert "media.example" in dialog.verdict.text()
    with qtbot.waitSignal(dialog.accepted):
        dialog.accept()


def test_a_link_on_the_clipboard_is_filled_in(qtbot: QtBot) -> None:
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("wss://office.gov.vn/api/v1/rooms/cds-cap-xa")
    dialog = JoinLinkDialog()
    qtbot.addWidget(dialog)
    assert dialog.field.text() == "wss://office.gov.vn/api/v1/rooms/cds-cap-xa"
    assert _join_enabled(dialog)
    clipboard.setText("meeting notes, not a link")
    other = JoinLinkDialog()
    qtbot.addWidget(other)
    assert other.field.text() == ""  # the clipboard's other text is not pasted for the user
