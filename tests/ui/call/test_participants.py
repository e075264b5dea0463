"""ui/call/participants.py: the participant list follows the call's roster row by row, and tiles
show the connection's quality."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from media.participants import Participant, Roster
from media.stats import Quality
from ui.call.participants import QUALITY_COLOURS, ParticipantsModel, ParticipantsPanel, Role
from ui.call.tile import BAR_COLOURS, VideoTile


def test_the_model_follows_the_roster_row_by_row(qtbot: QtBot) -> None:
    roster = Roster()
    model = ParticipantsModel(roster)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    inserted: list[int] = []
    removed: list[int] = []
    changed: list[int] = []
    model.rowsInserted.connect(lambda _p, first, _l: inserted.append(first))
    model.rowsRemoved.connect(lambda _p, first, _l: removed.append(first))
    model.dataChanged.connect(lambda top, _b: changed.append(top.row()))
    model.modelReset.connect(lambda: changed.append(-1))  # a reset would lose the selection

    roster.add(Participant("a", "Nguyễn Văn An"))
    roster.add(Participant("b", ""))
    assert model.rowCount() == 2
    assert inserted == [0, 1]
    first, second = model.index(0), model.index(1)
    assert first.data() == "Nguyễn Văn An — muted, camera off"  # nothing heard or seen yet
    assert second.data(Role.NAME) == "Participant"  # a peer without a name still reads well
    assert first.data(Role.PEER) == "a"
    assert first.data(Role.QUALITY) is Quality.UNKNOWN
    assert first.data(Qt.ItemDataRole.ToolTipRole) == "Connection not measured yet"

    roster.update("a", muted=False, camera=True, talking=True, quality=Quality.POOR)
    assert changed == [0]
    assert first.data() == "Nguyễn Văn An — speaking"
    assert (first.data(Role.MUTED), first.data(Role.CAMERA), first.data(Role.TALKING)) == (
        False,
        True,
        True,
    )
    assert first.data(Qt.ItemDataRole.DecorationRole) == QUALITY_COLOURS[Quality.POOR]
    assert first.data(Qt.ItemDataRole.ToolTipRole) == "Poor connection"

    roster.remove("a")
    assert removed == [0]
    assert model.rowCount() == 1
    assert model.index(0).data(Role.PEER) == "b"
    assert model.rowCount(model.index(0)) == 0  # a list: no children
    assert model.data(QModelIndex()) is None


def test_the_panel_is_a_read_only_list(qtbot: QtBot) -> None:
    roster = Roster()
    roster.add(Participant("a", "An"))  # rows already there when the panel is built
    panel = ParticipantsPanel(roster)
    qtbot.addWidget(panel)
    assert panel.model().rowCount() == 1
    assert panel.editTriggers() == panel.EditTrigger.NoEditTriggers


def test_a_tile_shows_its_quality_as_bars(qapp: QApplication) -> None:
    tile = VideoTile("p1", "Trần Thị Bình")
    tile.resize(320, 180)
    before = tile.grab().toImage()
    tile.set_quality(Quality.FAIR)
    assert tile.toolTip().splitlines()[0] == "Fair connection"
    image = tile.grab().toImage()
    corner = [
        image.pixelColor(x, y) for x in range(250, 320) for y in range(0, 40)
    ]  # the top right corner
    assert BAR_COLOURS[Quality.FAIR] in corner
    assert BAR_COLOURS[Quality.GOOD] not in corner
    tile.set_quality(Quality.UNKNOWN)  # not measured: no bars at all
    assert tile.grab().toImage() == before
    assert isinstance(BAR_COLOURS[Quality.POOR], QColor)
