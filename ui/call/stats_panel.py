"""The statistics panel: per participant the received and sent bitrate, frame rate, resolution,
round-trip time and loss (media/stats.py), as a table model and its view."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from media.stats import PeerStats

Index = QModelIndex | QPersistentModelIndex


def _columns() -> list[str]:
    return [
        QCoreApplication.translate("StatsModel", "Participant"),
        QCoreApplication.translate("StatsModel", "Received"),
        QCoreApplication.translate("StatsModel", "Sent"),
        QCoreApplication.translate("StatsModel", "Frame rate"),
        QCoreApplication.translate("StatsModel", "Resolution"),
        QCoreApplication.translate("StatsModel", "Round trip"),
        QCoreApplication.translate("StatsModel", "Loss"),
    ]


def cells(stats: PeerStats) -> list[str]:
    """The figures of one row as the panel shows them (after the name)."""
    rtt = (
        QCoreApplication.translate("StatsModel", "{ms} ms").format(ms=round(stats.rtt_ms))
        if stats.rtt_ms is not None
        else "–"
    )
    resolution = f"{stats.width}×{stats.height}" if stats.width else "–"
    return [
        QCoreApplication.translate("StatsModel", "{kbps} kbit/s").format(
            kbps=round(stats.received_kbps)
        ),
        QCoreApplication.translate("StatsModel", "{kbps} kbit/s").format(
            kbps=round(stats.sent_kbps)
        ),
        QCoreApplication.translate("StatsModel", "{fps} fps").format(fps=round(stats.fps, 1)),
        resolution,
        rtt,
        f"{stats.loss * 100:.1f} %",
    ]


class StatsModel(QAbstractTableModel):
    """One row per participant, replaced whole at each sample (every two seconds)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[list[str]] = []

    def set_rows(self, rows: list[tuple[str, PeerStats]]) -> None:
        """The new figures: name and statistics per participant."""
        new = [[name, *cells(stats)] for name, stats in rows]
        if len(new) == len(self._rows):
            self._rows = new
            if new:
                last = self.index(len(new) - 1, self.columnCount() - 1)
                self.dataChanged.emit(self.index(0, 0), last)
            return
        self.beginResetModel()
        self._rows = new
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_columns())

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _columns()[section]
        return None


class StatsPanel(QTableView):
    """The table of `StatsModel`, read-only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stats_model = StatsModel(self)
        self.setModel(self.stats_model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.setMaximumHeight(160)
