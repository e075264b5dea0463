"""Conclusions per agenda item and the meeting's minutes (biên bản), from the client's side.

Loaded from `GET /meetings/{id}/conclusions` and `…/minutes` on start and after a resync;
`minutes.updated` events carry a conclusion (replacing ours) or say the minutes were generated
(then both are reloaded). The secretary's and the chair's writing is sent at once rather than
through the outbox: a conclusion is typed while watching the room, and an edit that waited for
the network could silently overwrite a colleague's newer text when replayed later.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from desktop.domain import FileRef, JsonObject, Model, SignaturePlace, parse_list
from desktop.errors import ApiError, MalformedResponse
from desktop.meeting_room.live import LiveService

if TYPE_CHECKING:
    from pathlib import Path

    from desktop.events import EventStream
    from desktop.files import FileCache
    from desktop.outbox import Outbox
    from desktop.session import Session


class Conclusion(Model, frozen=True):
    """`Conclusion` of the contract: one agenda item's conclusion (kết luận)."""

    meeting_id: int
    agenda_item_id: int
    text: str
    updated_by: int
    updated_at: dt.datetime


class Minutes(Model, frozen=True):
    """`Minutes` of the contract: the minutes' document and whose signature it waits for."""

    meeting_id: int
    document_id: int
    status: str
    file_sha256: str
    signing_sha256: str | None
    next_signer: str | None
    secretary: SignaturePlace
    chair: SignaturePlace


class MinutesService(LiveService):
    """The conclusions and minutes of one meeting; `changed` after every update."""

    EVENT = "minutes.updated"

    def __init__(
        self,
        session: Session,
        events: EventStream | None,
        outbox: Outbox,
        meeting_id: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(session, events, outbox, meeting_id, parent)
        self.path = f"/meetings/{meeting_id}"
        self.conclusions: dict[int, Conclusion] = {}  # by agenda item id
        self.minutes: Minutes | None = None

    async def refresh(self) -> None:
        """Load the conclusions and, once generated, the minutes."""
        listed = await self.session.api.get_json(f"{self.path}/conclusions")
        self.conclusions = {
            c.agenda_item_id: c for c in parse_list(Conclusion, listed, "conclusions")
        }
        try:
            self.minutes = Minutes.from_json(
                await self.session.api.get_json(f"{self.path}/minutes")
            )
        except ApiError as exc:
            if exc.status != 404:
                raise
            self.minutes = None
        self.changed.emit()

    def take(self, data: JsonObject) -> None:
        """A `minutes.updated` event: a conclusion replaces ours; anything else reloads."""
        if "agenda_item_id" in data:
            conclusion = Conclusion.from_json(data)
            self.conclusions[conclusion.agenda_item_id] = conclusion
            self.changed.emit()
        else:
            self.refresher.schedule()

    async def write(self, agenda_item_id: int, text: str) -> Conclusion:
        """Write an item's conclusion (chair, secretary)."""
        reply = await self.session.api.request(
            "PUT", f"{self.path}/agenda/{agenda_item_id}/conclusion", json_body={"text": text}
        )
        conclusion = Conclusion.from_json(reply.body)
        self.conclusions[agenda_item_id] = conclusion
        self.changed.emit()
        return conclusion

    async def generate(self) -> Minutes:
        """Make the minutes PDF from the meeting (the secretary, once the meeting ended); it
        then waits in the secretary's inbox for signature, then the chair's."""
        self.minutes = Minutes.from_json(await self.session.api.post_json(f"{self.path}/minutes"))
        self.changed.emit()
        return self.minutes

    async def minutes_file(self, files: FileCache) -> Path:
        """The current version of the minutes, verified in the local file cache."""
        if self.minutes is None:
            raise MalformedResponse("minutes", "not generated yet")
        document = await self.session.api.get_json(f"/documents/{self.minutes.document_id}")
        if not isinstance(document, dict) or not document.get("versions"):
            raise MalformedResponse("minutes", "the document has no version")
        ref = FileRef.from_json(document["versions"][-1]["file"])
        return await files.fetch(ref)
