"""My own notes on the agenda items of a meeting (ghi chú cá nhân theo nội dung họp).

A note on an item is a personal note of the contract with the target `agenda:<item id>` (plain
text): only its author reads it and it stays on the agency's server. Saving goes through the
outbox (a superseding PUT with a client-made id and the local time), so a note typed while the
hall's network is down reaches the server when it is back, and only its last version is sent.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from desktop.domain import Model, parse_list
from desktop.errors import ServerUnreachable
from desktop.notes import AGENDA

if TYPE_CHECKING:
    from desktop.outbox import Outbox
    from desktop.session import Session


class ItemNote(Model, frozen=True):
    """The parts of a `Note` an agenda item's note uses."""

    id: str
    target: str
    text: str
    updated_at: dt.datetime | None = None


def target_of(item_id: int) -> str:
    """The note target of an agenda item."""
    return f"{AGENDA}{item_id}"


class ItemNotes:
    """Load and save the signed-in user's note on each agenda item."""

    def __init__(self, session: Session, outbox: Outbox) -> None:
        self.session = session
        self.outbox = outbox
        self.notes: dict[int, ItemNote] = {}  # by agenda item id, as last loaded or saved

    async def load(self, item_id: int) -> ItemNote | None:
        """My note on the item from the server (the newest, should two devices have made one);
        offline, the one last seen here."""
        try:
            listed = await self.session.api.get_json("/notes", {"target": target_of(item_id)})
        except ServerUnreachable:
            return self.notes.get(item_id)
        notes = parse_list(ItemNote, listed, "notes")
        if notes:
            self.notes[item_id] = notes[-1]  # oldest change first
        return self.notes.get(item_id)

    def save(self, item_id: int, text: str) -> ItemNote:
        """Queue my note on the item (durable at once; sent when the server is reachable)."""
        known = self.notes.get(item_id)
        note = ItemNote(
            id=known.id if known is not None else str(uuid.uuid4()),
            target=target_of(item_id),
            text=text,
            updated_at=dt.datetime.now(dt.UTC),
        )
        body = {
            "target": note.target,
            "page": 0,
            "kind": "text",
            "text": text,
            "updated_at": note.updated_at.isoformat() if note.updated_at else None,
        }
        self.outbox.enqueue("PUT", f"/notes/{note.id}", body, supersede=True)
        self.outbox.flush_soon()
        self.notes[item_id] = note
        return note
