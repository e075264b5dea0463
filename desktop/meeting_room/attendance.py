"""Attendance of one meeting, live: who answered, who came, who is in the call, who is absent.

Loaded from `GET /meetings/{id}/attendance` on start and after a resync; `attendance.updated`
events (and the server's answer to our own actions) replace the entries they carry, so the
chair's list follows the hall without reloading 200 rows on each arrival. Every action goes
through the outbox: an answer given on a train, or a check-in on a hall's flaky Wi-Fi, is sent
when the server is back, once (its Idempotency-Key is kept). The one exception is the call
presence report: a join or a leave is only true now, so a report that cannot be sent is dropped
by the next one (`supersede`) rather than replayed in order.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from desktop.domain import Attendee, JsonObject, parse_list
from desktop.errors import MalformedResponse
from desktop.meeting_room.live import LiveService

if TYPE_CHECKING:
    from desktop.events import EventStream
    from desktop.outbox import Outbox
    from desktop.session import Session

log = logging.getLogger(__name__)


class AttendanceService(LiveService):
    """The attendance list of one meeting; `changed` after every update."""

    EVENT = "attendance.updated"

    def __init__(
        self,
        session: Session,
        events: EventStream | None,
        outbox: Outbox,
        meeting_id: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(session, events, outbox, meeting_id, parent)
        self.events = events
        self.path = f"/meetings/{meeting_id}/attendance"
        self._entries: dict[int, Attendee] = {}  # by user id, in the server's order
        self._mine: set[str] = set()  # idempotency keys of our queued actions
        self._closed = False
        outbox.sent.connect(self._on_sent)

    # --- state ---------------------------------------------------------------------------------
    @property
    def entries(self) -> list[Attendee]:
        """Everyone of the meeting, chair and secretary first, as the server lists them."""
        return list(self._entries.values())

    def entry(self, user_id: int) -> Attendee | None:
        """One person's entry."""
        return self._entries.get(user_id)

    async def refresh(self) -> None:
        """Load the whole list from the server."""
        listed = parse_list(Attendee, await self.session.api.get_json(self.path), "attendance")
        self._entries = {a.user.id: a for a in listed}
        self.changed.emit()

    def _merge(self, data: object) -> None:
        changed = parse_list(Attendee, data, "attendance entries")
        for attendee in changed:
            self._entries[attendee.user.id] = attendee
        if changed:
            self.changed.emit()

    def take(self, data: JsonObject) -> None:
        """An `attendance.updated` event: the entries it carries replace ours."""
        self._merge(data.get("entries"))

    def _on_sent(self, key: str, body: object) -> None:
        if key in self._mine:
            self._mine.discard(key)
            try:
                self._merge(body)
            except MalformedResponse as exc:
                log.warning("reloading attendance after a malformed answer: %r", exc)
                self.refresher.schedule()

    # --- actions -------------------------------------------------------------------------------
    async def _send(self, action: str, body: object, *, supersede: bool = False) -> None:
        key = self.outbox.enqueue("POST", f"{self.path}/{action}", body, supersede=supersede)
        self._mine.add(key)
        await self.outbox.written(key)  # kept before anything is sent
        await self.outbox.flush()

    async def accept(self) -> None:
        """Accept the invitation."""
        await self._send("answer", {"answer": "accepted"})

    async def decline(self, reason: str) -> None:
        """Decline the invitation, saying why."""
        await self._send("answer", {"answer": "declined", "reason": reason})

    async def delegate(self, deputy_id: int) -> None:
        """Send a deputy in my place."""
        await self._send("delegate", {"deputy_id": deputy_id})

    async def check_in(self, user_id: int | None = None) -> None:
        """Checked in at the hall: myself, or someone else (chair, secretary, site)."""
        await self._send("check-in", {} if user_id is None else {"user_id": user_id})

    async def report_call(self, present: bool) -> None:
        """My client joined (or left) the meeting's call."""
        await self._send("call", {"present": present}, supersede=True)

    async def mark_absent(self, user_id: int, reason: str | None) -> None:
        """Absent with a reason (chair, secretary); None clears the absence."""
        await self._send("absent", {"user_id": user_id, "reason": reason})

    async def close(self) -> None:
        """Stop listening and cancel a running refresh (the outbox and stream live on)."""
        if self._closed:
            return
        self._closed = True
        self.outbox.sent.disconnect(self._on_sent)
        if self.events is not None:  # a closed list hears nothing more
            self.events.event_received.disconnect(self._on_event)
            self.events.resync_needed.disconnect(self.refresher.schedule)
            self.events = None
        await super().close()
