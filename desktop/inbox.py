"""The approval inbox (issue 12): the six lists of the document workflow with badge counts, kept
in the local store, searched there, and the workflow actions sent through the outbox.

The lists come from the server (`?box=inbox`, `?box=incoming`, `?box=all`), are stored in the
`InboxIndex` (so the inbox opens, filters and searches offline and within a frame) and are
refreshed when a workflow event arrives. Every action is an outbox entry with its own
idempotency key: it survives a restart and is sent once the server is back.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal

from desktop.domain import (
    Document,
    DocumentSummary,
    Event,
    JsonObject,
    User,
    json_objects,
    parse_list,
)
from desktop.errors import MalformedResponse, ServerUnreachable
from desktop.inbox_index import LISTS, WAITING, InboxFilter, InboxIndex
from desktop.refresher import Refresher

if TYPE_CHECKING:
    from desktop.events import EventStream
    from desktop.outbox import Outbox
    from desktop.session import Session

log = logging.getLogger(__name__)

EVENT_TYPES = frozenset(
    {
        "document.assigned",
        "document.changed",
        "document.commented",
        "document.received",
        "document.shared",
    }
)
SERVER_BOXES = ("inbox", "incoming", "all")
# Workflow action (as in `Document.allowed_actions`) → its operation, POST /documents/{id}/<path>.
# Which of them a user may take is the server's answer, never decided here.
ACTION_PATHS: dict[str, str] = {
    "assign": "assign",
    "forward": "forward",
    "attach": "files",
    "coordinate": "coordinate",
    "answer": "answer",
    "complete": "complete",
    "submit": "submit",
    "approve": "approve",
    "return": "return",
    "sign": "sign",
    "issue": "issue",
    "comment": "comments",
    "instruct": "instructions",
}


def endpoint(document_id: int, action: str) -> str:
    """The path a workflow action is posted to (ValueError for an unknown action)."""
    try:
        return f"/documents/{document_id}/{ACTION_PATHS[action]}"
    except KeyError:
        raise ValueError(f"unknown workflow action {action!r}") from None


def pdf_text(path: Path) -> str:
    """The text of every page of a PDF (blocking: run it in a thread). Unreadable pages give
    no text rather than an error: search is a convenience, never a reason to fail."""
    from viewer import Document as PdfDocument  # PyMuPDF, loaded only when text is indexed
    from viewer import DocumentError

    try:
        pdf = PdfDocument.open_path(str(path))
    except DocumentError as exc:
        log.info("no text for the search index from %s: %r", path, exc)
        return ""
    try:
        return "\n".join(
            " ".join(word[4] for word in pdf.words(page)) for page in range(pdf.page_count)
        )
    finally:
        pdf.close()


@dataclass(frozen=True, slots=True)
class InboxPage:
    """One screen of the approval inbox: the chosen list's rows, and (None when only the list
    was asked again) the six badge counts and the filter bar's menus."""

    rows: list[DocumentSummary]
    counts: dict[str, int] | None = None
    choices: dict[str, list[str]] | None = None


class PageSource(Protocol):
    """The reading side of `ApprovalInbox` that `read_page` uses."""

    def counts(self) -> dict[str, int]: ...
    def documents(
        self, list_name: str, wanted: InboxFilter | None = None
    ) -> list[DocumentSummary]: ...
    def choices(self) -> dict[str, list[str]]: ...


def read_page(source: PageSource, list_name: str, wanted: InboxFilter, whole: bool) -> InboxPage:
    """`InboxPage` from the local store (blocking: run it in a thread)."""
    rows = source.documents(list_name, wanted)
    if not whole:
        return InboxPage(rows)
    return InboxPage(rows, source.counts(), source.choices())


class ApprovalInbox(QObject):
    """Lists, counts and actions of one signed-in user.

    Signals: `changed()` after the lists were reloaded; `newly_assigned(int document_id, int
    waiting)` when a `document.assigned` event brought a document into my waiting list (the tray
    notification)."""

    changed = Signal()
    newly_assigned = Signal(int, int)

    def __init__(
        self,
        session: Session,
        events: EventStream | None = None,
        outbox: Outbox | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.scope: str = session.scope
        if session.store is None:
            raise ValueError("ApprovalInbox needs the local store")
        self.store = session.store
        self.index = InboxIndex(self.store, self.scope)
        self.outbox = outbox
        self.refresher = Refresher(self.refresh, "approval inbox")
        self._assigned: set[int] = set()  # ids announced by document.assigned, not yet seen
        self._loaded = False  # a refresh has run in this session
        self._text_tasks: set[asyncio.Task[None]] = set()
        if events is not None:
            events.event_received.connect(self._on_event)
            events.resync_needed.connect(self.refresher.schedule)
            if outbox is not None:
                outbox.follow(events)

    # --- lists ---------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Badge counts of the six lists (from the local store: instant, offline too)."""
        return self.index.counts()

    def documents(self, list_name: str, wanted: InboxFilter | None = None) -> list[DocumentSummary]:
        """One list, filtered, searched and sorted, from the local store."""
        payloads = self.index.query(list_name, wanted or InboxFilter())
        try:
            return parse_list(DocumentSummary, payloads, "approval inbox")
        except MalformedResponse as exc:
            log.warning("ignoring the cached %s list: %r", list_name, exc)
            return []

    def choices(self) -> dict[str, list[str]]:
        """Document types and agencies present (the filter bar's menus)."""
        return self.index.choices()

    async def load_page(self, list_name: str, wanted: InboxFilter, whole: bool = True) -> InboxPage:
        """What the inbox page shows, read in a worker thread: with 10,000 documents the
        queries and the parsing take tens of milliseconds, which on the GUI thread would be a
        stall of the whole app. `whole`: the counts and menus too, not only the list."""
        return await asyncio.to_thread(read_page, self, list_name, wanted, whole)

    async def refresh(self) -> None:
        """Load the server's three lists (in parallel), store them, announce them."""
        api = self.session.api
        answers = await asyncio.gather(
            *(api.get_json("/documents", {"box": box}) for box in SERVER_BOXES)
        )
        waiting, incoming, everything = (json_objects(a, "document list") for a in answers)
        for payloads in (waiting, incoming, everything):
            parse_list(DocumentSummary, payloads, "document list")  # refuse a malformed answer
        before = {d.id for d in self.documents(WAITING)}
        # By the store's thread (a lock held elsewhere is waited for there); read after it.
        await self.store.run(lambda: self.index.replace(waiting, incoming, everything))
        self.changed.emit()
        waiting_ids = {int(str(p["id"])) for p in waiting}
        # New to me: announced by an event and not waiting before. A first load into an empty
        # cache announces nothing (the event backlog replayed at a first start is not news).
        if before or self._loaded:
            for document_id in sorted((self._assigned & waiting_ids) - before):
                self.newly_assigned.emit(document_id, len(waiting_ids))
        self._assigned.clear()
        self._loaded = True

    # --- one document --------------------------------------------------------------------------
    async def document(self, document_id: int) -> Document:
        """The whole document (metadata, versions, attachments, assignments, comments); the
        cached copy when the server is out of reach."""
        key = f"document:{self.scope}:{document_id}"
        try:
            payload = await self.session.api.get_json(f"/documents/{document_id}")
        except ServerUnreachable:
            cached = self.store.get(key)
            if cached is None:
                raise
            return Document.from_json(cached)
        document = Document.from_json(payload)
        self.store.set_later(key, payload)
        return document

    async def people(self) -> list[User]:
        """The active users (to name a processor, approver, signer or coordinator)."""
        return parse_list(User, await self.session.api.get_json("/users"), "user list")

    def allowed(self, document: Document) -> list[str]:
        """The actions the signed-in user may take on `document` now (the buttons to show), as
        the server computed them for this user (role, pending assignments, delegations)."""
        return [a for a in document.allowed_actions if a in ACTION_PATHS]

    def index_text(self, document_id: int, path: Path) -> asyncio.Task[None]:
        """Extract a cached PDF's text in a thread and add it to the search index."""

        async def run() -> None:
            text = await asyncio.to_thread(pdf_text, path)
            if text and await self.store.run(lambda: self.index.set_text(document_id, text)):
                self.changed.emit()

        task = asyncio.get_running_loop().create_task(run())
        self._text_tasks.add(task)
        task.add_done_callback(self._text_tasks.discard)
        return task

    # --- actions -------------------------------------------------------------------------------
    def queue(self, document_id: int, action: str, body: JsonObject) -> str:
        """Write a workflow action to the outbox (not yet sent); returns its idempotency key."""
        if self.outbox is None:
            raise RuntimeError("ApprovalInbox actions need an outbox")
        key: str = self.outbox.enqueue("POST", endpoint(document_id, action), body)
        return key

    async def act(self, document_id: int, action: str, body: JsonObject) -> str:
        """Queue an action and try to send it now (offline it stays queued); returns its key."""
        key = self.queue(document_id, action, body)
        assert self.outbox is not None
        await self.outbox.flush()
        return key

    def _on_event(self, event: Event) -> None:
        if event.type not in EVENT_TYPES:
            return
        if event.type == "document.assigned":
            document_id = event.data.get("document_id")
            if isinstance(document_id, int):
                self._assigned.add(document_id)
        self.refresher.schedule()

    async def close(self) -> None:
        """Cancel a running refresh and text extraction."""
        await self.refresher.close()
        for task in list(self._text_tasks):
            task.cancel()
        await asyncio.gather(*self._text_tasks, return_exceptions=True)


__all__ = [
    "ACTION_PATHS",
    "LISTS",
    "WAITING",
    "ApprovalInbox",
    "InboxFilter",
    "endpoint",
    "pdf_text",
]
