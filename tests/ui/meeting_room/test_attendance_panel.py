"""The attendance panel on the real core and server: sorted the Vietnamese way, live from the
event stream, and the chair's check-in and absence with a reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from desktop.app import Core
from desktop.meeting_room.attendance import AttendanceService
from tests.fixtures.server import ServerProcess
from tests.server.conftest import api_for
from tests.ui.conftest import until
from ui.meeting_room.attendance_panel import AttendancePanel
from ui.table_model import RECORD_ROLE

pytestmark = pytest.mark.timeout(120)


def names(panel: AttendancePanel) -> list[str]:
    proxy = panel.proxy
    return [proxy.index(r, 0).data(RECORD_ROLE).user.full_name for r in range(proxy.rowCount())]


def select(panel: AttendancePanel, full_name: str) -> None:
    row = names(panel).index(full_name)
    flags = (
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    panel.table.selectionModel().select(panel.proxy.index(row, 0), flags)


def test_the_chair_follows_and_keeps_the_attendance(
    aio: Any, qtbot: QtBot, core: Core, server: ServerProcess
) -> None:
    api = api_for(server)
    secretary, delegate = api.login("chanhvp"), api.login("chuyenvien1")
    others = [api.login(n) for n in ("chuyenvien2", "vanthu", "khach")]
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    created = secretary.post(
        "/meetings",
        {
            "title": "Họp",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
            "chair_id": 1,
            "secretary_id": secretary.user["id"],
            "invitee_ids": [delegate.user["id"], *(o.user["id"] for o in others)],
        },
    )
    assert created.status == 201, created.body
    meeting_id = created.json()["id"]
    service = AttendanceService(core.session, core.events, core.outbox, meeting_id)
    panel = AttendancePanel(service, manage=True)
    qtbot.addWidget(panel)
    try:
        aio(service.refresh())
        # Đ sorts after D and before H (a code-point sort puts "Đỗ" after "Vũ").
        assert names(panel) == [
            "Bùi Thanh Tùng",
            "Đỗ Thị Hạnh",
            "Hoàng Minh Đức",
            "Lê Văn Nam",
            "Nguyễn Văn Hùng",
            "Phạm Thị Lan",
        ]
        assert panel.count.text() == "Present: 0 of 6"
        assert not panel.check_in_button.isEnabled()

        # A delegate checks in at the door: the chair's panel hears of it.
        assert delegate.post(f"/meetings/{meeting_id}/attendance/check-in", {}).status == 200
        aio(until(lambda: panel.count.text() == "Present: 1 of 6"))
        row = names(panel).index("Phạm Thị Lan")
        assert panel.proxy.index(row, 2).data().startswith("Checked in at ")

        # The chair checks the clerk in and records the guest absent, with the reason.
        select(panel, "Đỗ Thị Hạnh")
        qtbot.mouseClick(panel.check_in_button, Qt.MouseButton.LeftButton)
        aio(until(lambda: panel.count.text() == "Present: 2 of 6"))
        select(panel, "Bùi Thanh Tùng")
        assert not panel.absent_button.isEnabled()  # a reason first
        panel.reason.setText("Ốm")
        qtbot.mouseClick(panel.absent_button, Qt.MouseButton.LeftButton)
        row = names(panel).index("Bùi Thanh Tùng")
        aio(until(lambda: panel.proxy.index(row, 2).data() == "Absent: Ốm"))
        seen = {
            e["user"]["full_name"]: e
            for e in delegate.get(f"/meetings/{meeting_id}/attendance").json()
        }
        assert seen["Bùi Thanh Tùng"]["absent_reason"] == "Ốm"
        assert seen["Đỗ Thị Hạnh"]["checked_in_at"] is not None
    finally:
        aio(service.close())


def test_without_manage_there_are_no_actions(
    aio: Any, qtbot: QtBot, core: Core, server: ServerProcess
) -> None:
    service = AttendanceService(core.session, None, core.outbox, 1)
    panel = AttendancePanel(service)
    qtbot.addWidget(panel)
    panel.show()
    try:
        assert not panel.check_in_button.isVisible()
        assert not panel.absent_button.isVisible()
        assert panel.count.text() == "Present: 0 of 0"
    finally:
        aio(service.close())
