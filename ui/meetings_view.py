"""Lịch họp: today's and upcoming meetings from `MeetingsService`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle, QWidget

from desktop.domain import MeetingSummary
from ui.record_view import RecordView
from ui.table_model import RecordTableModel, SortValue, format_date, format_time

if TYPE_CHECKING:
    from desktop.meetings import MeetingsService


def online_icon() -> QIcon:
    """The mark of an online meeting (a screen)."""
    return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)


class MeetingsModel(RecordTableModel[MeetingSummary]):
    """Columns: time, title, location (or online), chair, my attendance."""

    COLUMNS: ClassVar[tuple[str, ...]] = ("time", "title", "location", "chair", "attendance")
    me: int | None = None  # the signed-in user's id: "Chairing" instead of an empty attendance

    def title(self, key: str) -> str:
        return {
            "time": self.tr("Time"),
            "title": self.tr("Meeting"),
            "location": self.tr("Location"),
            "chair": self.tr("Chair"),
            "attendance": self.tr("My attendance"),
        }[key]

    def attendance_text(self, value: str | None) -> str:
        """Translated attendance state."""
        return {
            "invited": self.tr("Invited"),
            "accepted": self.tr("Accepted"),
            "declined": self.tr("Declined"),
            "delegated": self.tr("Delegated"),
            "checked_in": self.tr("Checked in"),
        }.get(value or "", "—")

    def when(self, meeting: MeetingSummary) -> str:
        """'Today, 08:00–10:00' or '23/11/2026, 08:00–10:00'."""
        start, end = meeting.starts_at, meeting.ends_at
        times = format_time(self.locale, start)
        if end is not None:
            times = (
                self.tr("%1–%2").replace("%1", times).replace("%2", format_time(self.locale, end))
            )
        local = start.astimezone() if start.tzinfo else start
        today = dt.date.today()
        if local.date() == today:
            return self.tr("Today, %1").replace("%1", times)
        if local.date() == today + dt.timedelta(days=1):
            return self.tr("Tomorrow, %1").replace("%1", times)
        return self.tr("%1, %2").replace("%1", format_date(self.locale, start)).replace("%2", times)

    def text(self, record: MeetingSummary, key: str) -> str:
        if key == "time":
            return self.when(record)
        if key == "title":
            return str(record.title)
        if key == "location":
            place = str(record.location or "")
            return place or (self.tr("Online") if record.online else "")
        if key == "chair":
            return str(record.chair.full_name) if record.chair else ""
        if record.my_attendance is None and record.chair and record.chair.id == self.me:
            return self.tr("Chairing")
        return self.attendance_text(record.my_attendance)

    def icon(self, record: MeetingSummary, key: str) -> QIcon | None:
        if key == "location" and record.online:
            return online_icon()
        return None

    def sort_value(self, record: MeetingSummary, key: str) -> SortValue:
        if key == "time":
            return record.starts_at.timestamp()
        return self.text(record, key)

    def tooltip(self, record: MeetingSummary, key: str) -> str:
        if key == "location" and record.online:
            return self.tr("Online: %1").replace("%1", self.text(record, key))
        if key == "chair" and record.chair:
            return f"{record.chair.full_name} — {record.chair.title}"
        return self.text(record, key)


class MeetingsView(RecordView[MeetingSummary]):
    """The Meetings page, bound to `MeetingsService.changed`."""

    def __init__(
        self, service: MeetingsService, parent: QWidget | None = None, me: int | None = None
    ) -> None:
        model = MeetingsModel()
        model.me = me
        super().__init__(model, parent)
        self.model.setParent(self)
        self.service = service
        service.changed.connect(self.reload)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        if service.meetings:
            self.reload()

    def heading_text(self) -> str:
        return self.tr("Meetings")

    def empty_text(self) -> str:
        return self.tr("No meetings today or in the coming days.")

    def reload(self) -> None:
        """Show the service's current list."""
        self.show_rows(list(self.service.meetings))
