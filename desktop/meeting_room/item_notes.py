"""My own notes on the agenda items of a meeting (ghi chú cá nhân theo nội dung họp).

A note on an item is a personal note of the contract with the target `agenda:<item id>` (plain
text): only its author reads it and it stays on the agency's server. Like the reader's notes
(desktop/notes.py), it is kept on this computer — in the same local table, under its target —
and saved with its outbox action in one transaction of the store's writer thread (a superseding
PUT with a client-made id and the local time): a note typed while the hall's network is down
reads back offline, survives a restart, and reaches the server when it is back, only its last
version sent. Loading merges the server's copy with the local one by the same rule (`decide`):
a change not sent yet is never replaced by an older copy.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import TYPE_CHECKING

from desktop.domain import AwareDateTime, Model, parse_list
from desktop.errors import MalformedResponse, ServerUnreachable
from desktop.notes import AGENDA, NOTES_PATH, decide

if TYPE_CHECKING:
    from desktop.outbox import Outbox
    from desktop.session import Session
    from desktop.store import LocalStore

log = logging.getLogger(__name__)


class ItemNote(Model, frozen=True):
    """The parts of a `Note` an agenda item's note uses."""

    id: str
    target: str
    text: str
    updated_at: AwareDateTime

    def body(self) -> dict[str, object]:
        """The body of its `PUT /notes/{id}` (a text note on no page)."""
        return {
            "target": self.target,
            "page": 0,
            "kind": "text",
            "text": self.text,
            "updated_at": self.updated_at.isoformat(),
        }


def target_of(item_id: int) -> str:
    """The note target of an agenda item."""
    return f"{AGENDA}{item_id}"


class ItemNotes:
    """Load and save the signed-in user's note on each agenda item, kept on this computer."""

    def __init__(self, session: Session, outbox: Outbox, store: LocalStore) -> None:
        self.session = session
        self.outbox = outbox
        self.store = store
        self.scope = session.scope
        self._unwritten: dict[int, ItemNote] = {}  # saved, its transaction not committed yet

    def local(self, item_id: int) -> ItemNote | None:
        """My note on the item as kept here (the newest, should two devices have made one)."""
        waiting = self._unwritten.get(item_id)
        if waiting is not None:
            return waiting
        notes = []
        for row in self.store.notes_of(self.scope, target_of(item_id)):
            try:
                notes.append(ItemNote.from_json(row))
            except MalformedResponse:  # a row of a future version: left alone
                continue
        return max(notes, key=lambda n: n.updated_at, default=None)

    async def load(self, item_id: int) -> ItemNote | None:
        """My note on the item: the server's merged with the one kept here; offline, the one
        kept here."""
        try:
            listed = await self.session.api.get_json("/notes", {"target": target_of(item_id)})
        except ServerUnreachable:
            return self.local(item_id)
        remote = max(
            parse_list(ItemNote, listed, "notes"), key=lambda n: n.updated_at, default=None
        )
        kept = self.local(item_id)  # read after the await: a save may have come meanwhile
        pending = kept is not None and (
            item_id in self._unwritten or NOTES_PATH + kept.id in self.outbox.pending_paths()
        )
        local = kept
        if remote is not None and local is not None and remote.id != local.id and not pending:
            local = None  # a note another device made is the item's note now
        keep = decide(local, remote, pending)
        if keep != kept:

            def work() -> None:
                if kept is not None:
                    self.store.delete_note(self.scope, kept.id)
                if keep is not None:
                    self.store.put_note(self.scope, {"id": keep.id, **keep.body()})

            self.store.write_later(work, f"note on agenda item {item_id}")
        return keep

    def save(self, item_id: int, text: str) -> ItemNote:
        """Keep my note on the item here and queue it, in one transaction on the store's writer
        thread (shown by `local` meanwhile; sent when the server is reachable)."""
        known = self.local(item_id)
        note = ItemNote(
            id=known.id if known is not None else str(uuid.uuid4()),
            target=target_of(item_id),
            text=text,
            updated_at=dt.datetime.now(dt.UTC),
        )

        def work() -> None:
            self.store.put_note(self.scope, {"id": note.id, **note.body()})
            self.outbox.enqueue("PUT", NOTES_PATH + note.id, note.body(), supersede=True)

        self._unwritten[item_id] = note
        done = self.store.submit(work)

        def landed(_: object) -> None:
            if self._unwritten.get(item_id) is note:
                del self._unwritten[item_id]
            if done.exception() is not None:
                log.error("note on agenda item %s not kept: %r", item_id, done.exception())

        self.store.when_done(done, landed)
        self.outbox.flush_soon()
        return note
