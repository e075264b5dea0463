"""The shared base of every list in HopDesk: a table model over frozen records, and sorting.

Subclasses name their columns by key and say how a record shows in each (`title`, `text`,
`sort_value`); the base does the Qt plumbing, updates rows in place when only values changed,
and retranslates headers and dates when the language changes. `CollatingProxy` sorts text with a
QCollator of the current language, so Vietnamese sorts as Vietnamese (Đ after D, tones after the
base letter) and numbers inside text sort numerically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeAlias, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTime,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon

from desktop import i18n

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
SortValue: TypeAlias = str | int | float | None  # None sorts last
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2
ATTENTION = QColor("#b3261e")  # urgent / overdue: the red of Vietnamese "hỏa tốc" stamps


def to_qdatetime(value: dt.datetime) -> QDateTime:
    """A Python datetime in the machine's local time zone as a QDateTime."""
    local = value.astimezone() if value.tzinfo else value
    return QDateTime(
        QDate(local.year, local.month, local.day), QTime(local.hour, local.minute, local.second)
    )


def format_date(locale: QLocale, value: dt.date | dt.datetime | None) -> str:
    """Short date in the locale (dd/MM/yyyy in Vietnamese)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone().date() if value.tzinfo else value.date()
    return locale.toString(QDate(value.year, value.month, value.day), "dd/MM/yyyy")


def format_time(locale: QLocale, value: dt.datetime) -> str:
    """Hours and minutes in the locale (24-hour clock, as Vietnamese offices write it)."""
    return locale.toString(to_qdatetime(value).time(), "HH:mm")


def format_datetime(locale: QLocale, value: dt.datetime | None) -> str:
    """Short date and time."""
    if value is None:
        return ""
    return f"{format_time(locale, value)} {format_date(locale, value)}"


class RecordTableModel(QAbstractTableModel, Generic[T]):
    """Rows are frozen records (API dataclasses); columns are keys the subclass knows."""

    COLUMNS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[T] = []
        self._locale = i18n.locale_for()

    # --- what subclasses provide -------------------------------------------------------------
    def title(self, key: str) -> str:
        """Translated header of a column."""
        raise NotImplementedError

    def text(self, record: T, key: str) -> str:
        """What a cell shows."""
        raise NotImplementedError

    def sort_value(self, record: T, key: str) -> SortValue:
        """What a column sorts by (strings are collated); default: the shown text."""
        return self.text(record, key)

    def tooltip(self, record: T, key: str) -> str:
        """Tooltip of a cell; default: the text (long summaries are cut in the view)."""
        return self.text(record, key)

    def icon(self, record: T, key: str) -> QIcon | None:
        """An icon before a cell's text (online meetings)."""
        return None

    def needs_attention(self, record: T, key: str) -> bool:
        """Whether a cell is shown in red and bold (urgent, overdue)."""
        return False

    def identity(self, record: T) -> object:
        """What makes two records the same row (for in-place updates)."""
        return getattr(record, "id", id(record))

    # --- the data ------------------------------------------------------------------------------
    @property
    def locale(self) -> QLocale:
        """The locale dates and numbers are shown in."""
        return self._locale

    def rows(self) -> list[T]:
        """The records, in model order."""
        return list(self._rows)

    def record(self, row: int) -> T:
        """The record of a model row."""
        return self._rows[row]

    def set_rows(self, rows: Sequence[T]) -> None:
        """Show `rows`: same rows in the same order are updated in place, otherwise reset."""
        rows = list(rows)
        if rows == self._rows:
            return
        same_shape = [self.identity(r) for r in rows] == [self.identity(r) for r in self._rows]
        if same_shape and rows:
            self._rows = rows
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(rows) - 1, len(self.COLUMNS) - 1)
            )
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def retranslate(self) -> None:
        """Re-read the language: headers and every cell change text."""
        self._locale = i18n.locale_for()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(self.COLUMNS) - 1)
            )

    # --- Qt plumbing ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        record, key = self._rows[index.row()], self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(record, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(record, key) or None
        if role == SORT_ROLE:
            return self.sort_value(record, key)
        if role == RECORD_ROLE:
            return record
        if role == Qt.ItemDataRole.DecorationRole:
            return self.icon(record, key)
        if role == Qt.ItemDataRole.ForegroundRole and self.needs_attention(record, key):
            return QBrush(ATTENTION)
        if role == Qt.ItemDataRole.FontRole and self.needs_attention(record, key):
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.title(self.COLUMNS[section])
        return None


class CollatingProxy(QSortFilterProxyModel):
    """Sorts by `SORT_ROLE`, collating strings for the current language; filters on any column."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._collator = i18n.collator()
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def retranslate(self) -> None:
        """Collate in the new language and re-sort."""
        self._collator = i18n.collator()
        self.invalidate()

    def lessThan(self, left: Index, right: Index) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:  # empty values last
            return a is not None and b is None
        if isinstance(a, str) and isinstance(b, str):
            return self._collator.compare(a, b) < 0
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)
