"""The attendance list (điểm danh): everyone of the meeting with where they are, live.

`AttendanceModel` is the table (name, role in the meeting, presence) and is also what the
meeting detail shows; the panel binds it to an `AttendanceService` and, for the chair, the
secretary or a bridge point's PC, adds check-in and absence with a reason for the selected
person. Names sort by the current language's collation, as every list of HopDesk does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import Attendee
from ui.table_model import RECORD_ROLE, CollatingProxy, RecordTableModel, format_time
from ui.tasks import TaskOwner

if TYPE_CHECKING:
    from desktop.meeting_room.attendance import AttendanceService


def role_text(role: str) -> str:
    """A meeting role in the user's language."""
    texts = {
        "chair": QCoreApplication.translate("MeetingRoom", "Chair"),
        "secretary": QCoreApplication.translate("MeetingRoom", "Secretary"),
        "delegate": QCoreApplication.translate("MeetingRoom", "Delegate"),
        "guest": QCoreApplication.translate("MeetingRoom", "Guest"),
        "site": QCoreApplication.translate("MeetingRoom", "Bridge point"),
    }
    return texts.get(role, role)


def is_present(attendee: Attendee) -> bool:
    """In the hall or in the call, and not recorded absent."""
    return attendee.absent_reason is None and (
        attendee.in_call or attendee.checked_in_at is not None
    )


class AttendanceModel(RecordTableModel[Attendee]):
    """Columns: name (with whom a deputy represents), role, presence."""

    COLUMNS: ClassVar[tuple[str, ...]] = ("name", "role", "presence")

    def identity(self, record: Attendee) -> object:
        return record.user.id

    def title(self, key: str) -> str:
        return {
            "name": self.tr("Name"),
            "role": self.tr("Role"),
            "presence": self.tr("Attendance"),
        }[key]

    def presence(self, a: Attendee) -> str:
        """Where the person is, most telling first (absent, in the call, in the hall, answer)."""
        if a.absent_reason is not None:
            return self.tr("Absent: %1").replace("%1", a.absent_reason)
        if a.in_call:
            return self.tr("In the call")
        if a.checked_in_at is not None:
            time = format_time(self.locale, a.checked_in_at)
            return self.tr("Checked in at %1").replace("%1", time)
        if a.status == "delegated" and a.represented_by is not None:
            return self.tr("Represented by %1").replace("%1", a.represented_by.full_name)
        if a.status == "declined":
            return self.tr("Declined: %1").replace("%1", a.reason) if a.reason else ""
        return {"accepted": self.tr("Accepted"), "invited": self.tr("Not answered")}.get(
            a.status, a.status
        )

    def text(self, record: Attendee, key: str) -> str:
        if key == "name":
            if record.represents is not None:
                return (
                    self.tr("%1 (for %2)")
                    .replace("%1", record.user.full_name)
                    .replace("%2", record.represents.full_name)
                )
            return record.user.full_name
        if key == "role":
            return role_text(record.role)
        return self.presence(record)

    def sort_value(self, record: Attendee, key: str) -> str:
        return record.user.full_name if key == "name" else self.text(record, key)


def attendance_table(model: AttendanceModel, parent: QWidget) -> tuple[QTableView, CollatingProxy]:
    """A read-only table of `model` sorted by name (the panel and the meeting detail)."""
    proxy = CollatingProxy(parent)
    proxy.setSourceModel(model)
    table = QTableView(parent)
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return table, proxy


class AttendancePanel(QWidget):
    """The live list of one meeting; `manage` adds check-in and absence for the selected row."""

    def __init__(
        self, service: AttendanceService, manage: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.tasks = TaskOwner(self)
        self.model = AttendanceModel(self)
        self.table, self.proxy = attendance_table(self.model, self)
        self.count = QLabel(self)
        self.check_in_button = QPushButton(self.tr("Check in"), self)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText(self.tr("Reason for the absence"))
        self.absent_button = QPushButton(self.tr("Mark absent"), self)
        actions = QWidget(self)
        row = QHBoxLayout(actions)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.check_in_button)
        row.addWidget(self.reason, 1)
        row.addWidget(self.absent_button)
        actions.setVisible(manage)
        layout = QVBoxLayout(self)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        layout.addWidget(actions)

        self.check_in_button.clicked.connect(self.check_in_selected)
        self.absent_button.clicked.connect(self.mark_selected_absent)
        self.reason.textChanged.connect(self._update_buttons)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        service.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Show the service's entries and the count of people present."""
        entries = self.service.entries
        self.model.set_rows(entries)
        present = sum(1 for a in entries if is_present(a))
        self.count.setText(
            self.tr("Present: %1 of %2")
            .replace("%1", str(present))
            .replace("%2", str(len(entries)))
        )
        self._update_buttons()

    def selected(self) -> Attendee | None:
        """The person of the selected row."""
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(RECORD_ROLE) if rows else None

    def check_in_selected(self) -> None:
        """Check the selected person in (they are in the hall)."""
        person = self.selected()
        if person is not None:
            self.tasks.run(self.service.check_in(person.user.id))

    def mark_selected_absent(self) -> None:
        """Record the selected person absent with the typed reason."""
        person, reason = self.selected(), self.reason.text().strip()
        if person is not None and reason:
            self.reason.clear()
            self.tasks.run(self.service.mark_absent(person.user.id, reason))

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.check_in_button.setEnabled(chosen)
        self.absent_button.setEnabled(chosen and bool(self.reason.text().strip()))
