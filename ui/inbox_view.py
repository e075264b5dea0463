"""Văn bản: documents waiting for me (pending assignments), most urgent first."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Qt

from desktop.domain import DocumentSummary
from ui.documents_view import DocumentsModel, DocumentsView


class InboxModel(DocumentsModel):
    """Urgency, number/symbol, summary (trích yếu), issuing agency, deadline, action wanted."""

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "urgency",
        "number",
        "summary",
        "agency",
        "deadline",
        "action",
    )


class InboxView(DocumentsView):
    """The Văn bản page, bound to `DocumentsService.changed` (its `waiting` list)."""

    def make_model(self) -> DocumentsModel:
        return InboxModel()

    def initial_sort(self) -> None:
        """Most urgent first (the server's order breaks ties by deadline)."""
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)

    def records(self) -> list[DocumentSummary]:
        return list(self.service.waiting)

    def heading_text(self) -> str:
        return self.tr("Waiting for me")

    def empty_text(self) -> str:
        return self.tr("Nothing is waiting for you.")
