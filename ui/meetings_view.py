"""Lịch họp: my meetings from today on, or of one day, or of one week, from `MeetingsService`.

The period bar picks what is shown (the service loads it); ◀ and ▶ step by a day or a week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import MeetingSummary
from desktop.meetings import period_range, utc_now
from ui.record_view import RecordView
from ui.table_model import RecordTableModel, SortValue, format_date, format_time

if TYPE_CHECKING:
    from desktop.meetings import MeetingsService, Period

PERIODS: tuple[Period, ...] = ("upcoming", "day", "week")


def online_icon() -> QIcon:
    """The mark of an online meeting (a screen)."""
    return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)


class MeetingsModel(RecordTableModel[MeetingSummary]):
    """Columns: time, title, location (or online), chair, my attendance."""

    COLUMNS: ClassVar[tuple[str, ...]] = ("time", "title", "location", "chair", "attendance")
    me: int | None = None  # the signed-in user's id: "Chairing" instead of an empty attendance
    # "Today" and "Tomorrow" by the service's clock, the one that chose the rows shown.
    now: Callable[[], dt.datetime] = staticmethod(utc_now)

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
        today = self.now().astimezone().date()
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
        model.now = service.now
        super().__init__(model, parent)
        self.model.setParent(self)
        self.service = service
        self._build_period_bar()
        service.changed.connect(self.reload)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        if service.meetings:
            self.reload()

    def _build_period_bar(self) -> None:
        bar = QWidget(self)
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.period_buttons: dict[Period, QPushButton] = {}
        group = QButtonGroup(bar)
        for period in PERIODS:
            button = QPushButton(bar)
            button.setCheckable(True)
            button.setChecked(period == self.service.period)
            button.clicked.connect(lambda _=False, p=period: self.show_period(p))
            group.addButton(button)
            row.addWidget(button)
            self.period_buttons[period] = button
        self.previous_button = QPushButton("◀", bar)
        self.today_button = QPushButton(bar)
        self.next_button = QPushButton("▶", bar)
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.today_button.clicked.connect(lambda: self.show_period(self.service.period))
        self.period_label = QLabel(bar)
        for widget in (self.previous_button, self.today_button, self.next_button):
            row.addWidget(widget)
        row.addWidget(self.period_label, 1)
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(1, bar)
        self._update_period_bar()

    def show_period(self, period: Period, day: dt.date | None = None) -> None:
        """Show the meetings from today on, of a day or of a week (`day`: today)."""
        self.service.show_period(period, day)
        self._update_period_bar()

    def step(self, direction: int) -> None:
        """The previous (-1) or next (1) day or week."""
        days = 7 if self.service.period == "week" else 1
        self.show_period(
            self.service.period, self.service.day + dt.timedelta(days=direction * days)
        )

    def _update_period_bar(self) -> None:
        period = self.service.period
        texts = {"upcoming": self.tr("Upcoming"), "day": self.tr("Day"), "week": self.tr("Week")}
        for key, button in self.period_buttons.items():
            button.setText(texts[key])
            button.setChecked(key == period)
        self.today_button.setText(self.tr("Today"))
        for widget in (self.previous_button, self.today_button, self.next_button):
            widget.setVisible(period != "upcoming")
        self.period_label.setText(self.period_text())

    def period_text(self) -> str:
        """'Thứ Hai, 21/12/2026' or '21/12/2026 – 27/12/2026' for the period shown."""
        period = self.service.period
        if period == "upcoming":
            return ""
        day = self.service.day
        start, end = period_range(period, day)
        if period == "day":
            weekday = self.model.locale.dayName(day.isoweekday())
            return (
                self.tr("%1, %2")
                .replace("%1", weekday)
                .replace("%2", format_date(self.model.locale, start))
            )
        assert end is not None
        last = end - dt.timedelta(days=1)
        return (
            self.tr("%1 – %2")
            .replace("%1", format_date(self.model.locale, start))
            .replace("%2", format_date(self.model.locale, last))
        )

    def heading_text(self) -> str:
        return self.tr("Meetings")

    def empty_text(self) -> str:
        if self.service.period == "day":
            return self.tr("No meetings on this day.")
        if self.service.period == "week":
            return self.tr("No meetings in this week.")
        return self.tr("No meetings today or in the coming days.")

    def reload(self) -> None:
        """Show the service's current list."""
        self._update_period_bar()
        self.show_rows(list(self.service.meetings))

    def retranslate(self) -> None:
        """Texts in the new language, the period bar's too (once it exists)."""
        super().retranslate()
        if hasattr(self, "period_buttons"):
            self._update_period_bar()
