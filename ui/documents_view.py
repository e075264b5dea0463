"""Tài liệu: every document I may see; also the document model the Inbox page shares."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from desktop.domain import DocumentSummary
from ui.record_view import RecordView
from ui.table_model import RecordTableModel, SortValue, format_date, format_datetime

if TYPE_CHECKING:
    from desktop.documents import DocumentsService

URGENCY_RANK = {"normal": 0, "urgent": 1, "very_urgent": 2, "flash": 3}


class DocumentsModel(RecordTableModel[DocumentSummary]):
    """Văn bản rows; which columns show is the subclass's `COLUMNS`."""

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "number",
        "issued_on",
        "summary",
        "agency",
        "doc_type",
        "direction",
        "status",
    )

    def title(self, key: str) -> str:
        return {
            "urgency": self.tr("Urgency"),
            "number": self.tr("Number/symbol"),
            "issued_on": self.tr("Issued on"),
            "summary": self.tr("Summary"),
            "agency": self.tr("Issuing agency"),
            "doc_type": self.tr("Type"),
            "direction": self.tr("In/out"),
            "status": self.tr("Status"),
            "deadline": self.tr("Deadline"),
            "action": self.tr("Action wanted"),
        }[key]

    def urgency_text(self, value: str) -> str:
        """Độ khẩn as Vietnamese offices name it."""
        return {
            "normal": self.tr("Normal"),
            "urgent": self.tr("Urgent"),
            "very_urgent": self.tr("Very urgent"),
            "flash": self.tr("Flash"),
        }.get(value, value)

    def status_text(self, value: str) -> str:
        """Workflow state of a document."""
        return {
            "draft": self.tr("Draft"),
            "drafting": self.tr("Drafting"),
            "processing": self.tr("Processing"),
            "awaiting_review": self.tr("Awaiting review"),
            "awaiting_approval": self.tr("Awaiting approval"),
            "awaiting_signature": self.tr("Awaiting signature"),
            "approved": self.tr("Approved"),
            "signed": self.tr("Signed"),
            "issued": self.tr("Issued"),
            "returned": self.tr("Returned"),
            "done": self.tr("Done"),
        }.get(value, value)

    def action_text(self, value: str | None) -> str:
        """What is wanted of me."""
        return {
            "process": self.tr("Process"),
            "coordinate": self.tr("Coordinate"),
            "review": self.tr("Review"),
            "approve": self.tr("Approve"),
            "sign": self.tr("Sign"),
        }.get(value or "", "—")

    def text(self, record: DocumentSummary, key: str) -> str:
        if key == "urgency":
            return self.urgency_text(record.urgency)
        if key == "number":
            return "/".join(p for p in (str(record.number or ""), str(record.symbol or "")) if p)
        if key == "issued_on":
            return format_date(self.locale, record.issued_on)
        if key == "summary":
            return str(record.summary)
        if key == "agency":
            return str(record.issuing_agency)
        if key == "doc_type":
            return str(record.doc_type)
        if key == "direction":
            return self.tr("Incoming") if record.direction == "in" else self.tr("Outgoing")
        if key == "status":
            return self.status_text(record.status)
        if key == "deadline":
            return format_datetime(self.locale, record.deadline)
        return self.action_text(record.my_action)

    def sort_value(self, record: DocumentSummary, key: str) -> SortValue:
        if key == "urgency":
            return URGENCY_RANK.get(record.urgency, 0)
        if key == "issued_on":
            return record.issued_on.toordinal() if record.issued_on else None
        if key == "deadline":
            return record.deadline.timestamp() if record.deadline else None
        if key == "number":  # the number first, numerically; the collator handles "45" < "4821"
            return self.text(record, key)
        return self.text(record, key)

    def needs_attention(self, record: DocumentSummary, key: str) -> bool:
        if key == "urgency":
            return URGENCY_RANK.get(record.urgency, 0) >= 2
        if key == "deadline" and record.deadline is not None:
            return bool(record.deadline <= dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
        return False


class DocumentsView(RecordView[DocumentSummary]):
    """The Tài liệu page, bound to `DocumentsService.changed` (its `documents` list)."""

    def __init__(self, service: DocumentsService, parent: QWidget | None = None) -> None:
        super().__init__(self.make_model(), parent)
        self.model.setParent(self)
        self.service = service
        service.changed.connect(self.reload)
        self.initial_sort()
        if self.records():
            self.reload()

    def make_model(self) -> DocumentsModel:
        """The model of this page."""
        return DocumentsModel()

    def initial_sort(self) -> None:
        """Newest first."""
        self.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)

    def records(self) -> list[DocumentSummary]:
        """The service's list this page shows."""
        return list(self.service.documents)

    def stretch_column(self) -> int:
        return self.model.COLUMNS.index("summary")

    def heading_text(self) -> str:
        return self.tr("Documents")

    def empty_text(self) -> str:
        return self.tr("No documents.")

    def reload(self) -> None:
        """Show the service's current list."""
        self.show_rows(self.records())
