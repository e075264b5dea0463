"""Documents (văn bản): what waits for me (the Văn bản page), and every document I may see (the
Tài liệu page); comments go through the outbox so they survive a lost network or a restart.

Named for what it serves: "inbox" is kept for the approval inbox to come."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop.domain import Document, DocumentSummary, Event, json_objects, parse_list
from desktop.errors import MalformedResponse, ServerUnreachable
from desktop.refresher import Refresher

if TYPE_CHECKING:
    from desktop.events import EventStream
    from desktop.outbox import Outbox
    from desktop.session import Session

log = logging.getLogger(__name__)

EVENT_TYPES = frozenset({"document.assigned", "document.commented"})
BOXES = ("inbox", "all")


class DocumentsService(QObject):
    """`waiting` (my pending assignments) and `documents` (all I may see); `changed`."""

    changed = Signal()

    def __init__(
        self,
        session: Session,
        events: EventStream | None = None,
        outbox: Outbox | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.store = session.store
        self.scope: str = session.scope
        self.outbox = outbox
        self.waiting: list[DocumentSummary] = self._cached("inbox")
        self.documents: list[DocumentSummary] = self._cached("all")
        self.refresher = Refresher(self.refresh, "documents")
        if events is not None:
            events.event_received.connect(self._on_event)
            events.resync_needed.connect(self.refresher.schedule)  # missed events: reload all
            if outbox is not None:
                outbox.follow(events)  # queued comments go out when the server is back

    def _cached(self, box: str) -> list[DocumentSummary]:
        if self.store is None:
            return []
        try:
            payload = self.store.load_documents(self.scope, box)
            return parse_list(DocumentSummary, payload, "document list")
        except MalformedResponse as exc:
            log.warning("ignoring cached %s documents: %r", box, exc)
            return []

    async def refresh(self) -> None:
        """Load both lists from the server (in parallel), cache them, announce them."""
        api = self.session.api
        answers = await asyncio.gather(*(api.get_json("/documents", {"box": box}) for box in BOXES))
        waiting, everything = (json_objects(a, "document list") for a in answers)
        parsed = [parse_list(DocumentSummary, p, "document list") for p in (waiting, everything)]
        if self.store is not None:  # by the store's thread: a lock never holds the window
            store, scope = self.store, self.scope

            def save() -> None:
                store.save_documents(scope, "inbox", waiting)
                store.save_documents(scope, "all", everything)

            store.write_later(save, "document lists")
        self.waiting, self.documents = parsed
        self.changed.emit()

    async def document(self, document_id: int) -> Document:
        """One document with versions, assignments and comments (cached copy when offline)."""
        key = f"document:{self.scope}:{document_id}"
        try:
            payload = await self.session.api.get_json(f"/documents/{document_id}")
        except ServerUnreachable:
            cached = self.store.get(key) if self.store is not None else None
            if cached is None:
                raise
            return Document.from_json(cached)
        document = Document.from_json(payload)
        if self.store is not None:
            self.store.set_later(key, payload)
        return document

    async def comment(self, document_id: int, text: str) -> str:
        """Add a comment through the outbox; returns its key. Offline it stays queued."""
        if self.outbox is None:
            raise RuntimeError("DocumentsService.comment needs an outbox")
        key = await self.outbox.add("POST", f"/documents/{document_id}/comments", {"text": text})
        await self.outbox.flush()
        return key

    def _on_event(self, event: Event) -> None:
        if event.type in EVENT_TYPES:
            self.refresher.schedule()

    async def close(self) -> None:
        """Cancel a running refresh."""
        await self.refresher.close()
