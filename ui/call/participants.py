"""The participant list of the call window: a list model over the call's `Roster`
(media/participants.py) — name, muted, camera, talking and connection quality as roles — and
its view. Row signals become beginInsertRows / dataChanged, so a join, a mute or a new quality
grade changes one row and the view keeps its selection and scroll position."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from media.participants import Participant, Roster
from media.stats import Quality

Index = QModelIndex | QPersistentModelIndex

QUALITY_COLOURS = {
    Quality.GOOD: QColor(52, 168, 83),
    Quality.FAIR: QColor(251, 188, 4),
    Quality.POOR: QColor(234, 67, 53),
    Quality.UNKNOWN: QColor(128, 134, 139),
}


class Role(IntEnum):
    """The model's data roles beyond Qt's display, decoration and tooltip."""

    NAME = Qt.ItemDataRole.UserRole + 1
    MUTED = Qt.ItemDataRole.UserRole + 2
    CAMERA = Qt.ItemDataRole.UserRole + 3
    TALKING = Qt.ItemDataRole.UserRole + 4
    QUALITY = Qt.ItemDataRole.UserRole + 5  # a media.stats.Quality
    PEER = Qt.ItemDataRole.UserRole + 6


def quality_text(grade: Quality) -> str:
    """The grade in words."""
    return {
        Quality.GOOD: QCoreApplication.translate("ParticipantsModel", "Good connection"),
        Quality.FAIR: QCoreApplication.translate("ParticipantsModel", "Fair connection"),
        Quality.POOR: QCoreApplication.translate("ParticipantsModel", "Poor connection"),
        Quality.UNKNOWN: QCoreApplication.translate(
            "ParticipantsModel", "Connection not measured yet"
        ),
    }[grade]


def state_text(row: Participant) -> str:
    """What the row's badges say, as one line (muted, camera off, speaking)."""
    parts = []
    if row.talking:
        parts.append(QCoreApplication.translate("ParticipantsModel", "speaking"))
    if row.muted:
        parts.append(QCoreApplication.translate("ParticipantsModel", "muted"))
    if not row.camera:
        parts.append(QCoreApplication.translate("ParticipantsModel", "camera off"))
    return ", ".join(parts)


class ParticipantsModel(QAbstractListModel):
    """One row per other participant, in join order, following the roster."""

    def __init__(self, roster: Roster, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.roster = roster
        roster.row_inserted.connect(self._inserted)
        roster.row_removed.connect(self._removed)
        roster.row_changed.connect(self._changed)

    def _inserted(self, row: int) -> None:
        # the roster already holds the row: announce it as inserted
        self.beginInsertRows(QModelIndex(), row, row)
        self.endInsertRows()

    def _removed(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        self.endRemoveRows()

    def _changed(self, row: int) -> None:
        index = self.index(row)
        self.dataChanged.emit(index, index)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.roster)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.roster):
            return None
        row = self.roster[index.row()]
        name = row.display or QCoreApplication.translate("ParticipantsModel", "Participant")
        if role == Qt.ItemDataRole.DisplayRole:
            state = state_text(row)
            return f"{name} — {state}" if state else name
        if role == Qt.ItemDataRole.DecorationRole:
            return QUALITY_COLOURS[row.quality]
        if role == Qt.ItemDataRole.ToolTipRole:
            return quality_text(row.quality)
        values: dict[int, object] = {
            Role.NAME: name,
            Role.MUTED: row.muted,
            Role.CAMERA: row.camera,
            Role.TALKING: row.talking,
            Role.QUALITY: row.quality,
            Role.PEER: row.peer,
        }
        return values.get(role)


class ParticipantsPanel(QListView):
    """The list beside the tiles, read-only; a coloured mark per row is the quality."""

    def __init__(self, roster: Roster, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.participants_model = ParticipantsModel(roster, self)
        self.setModel(self.participants_model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setIconSize(QSize(10, 10))
        self.setUniformItemSizes(True)
        self.setMinimumWidth(220)
        self.setMaximumWidth(320)
