"""Meetings (lịch họp): today's and upcoming meetings, cached first, then from the server."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop.domain import Event, Meeting, MeetingSummary, json_objects, parse_list
from desktop.errors import MalformedResponse, ServerUnreachable
from desktop.refresher import Refresher

if TYPE_CHECKING:
    from desktop.events import EventStream
    from desktop.session import Session

log = logging.getLogger(__name__)

EVENT_TYPES = frozenset({"meeting.updated"})


def start_of_today() -> dt.datetime:
    """Local midnight (the list starts with today's meetings, even finished ones)."""
    now = dt.datetime.now().astimezone()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


class MeetingsService(QObject):
    """The meeting list the UI shows; `changed` after every update."""

    changed = Signal()

    def __init__(
        self, session: Session, events: EventStream | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.store = session.store
        self.scope: str = session.scope
        self.meetings: list[MeetingSummary] = self._cached()
        self.refresher = Refresher(self.refresh, "meetings")
        if events is not None:
            events.event_received.connect(self._on_event)
            events.resync_needed.connect(self.refresher.schedule)  # missed events: reload all

    def _cached(self) -> list[MeetingSummary]:
        if self.store is None:
            return []
        try:
            return parse_list(MeetingSummary, self.store.load_meetings(self.scope), "m")
        except MalformedResponse as exc:  # a cache from an older version: the server refills it
            log.warning("ignoring cached meetings: %r", exc)
            return []

    async def refresh(self) -> None:
        """Load the list from the server, cache it, announce it."""
        answer = await self.session.api.get_json(
            "/meetings", {"start": start_of_today().isoformat()}
        )
        payload = json_objects(answer, "meeting list")
        meetings = parse_list(MeetingSummary, payload, "meeting list")
        if self.store is not None:
            self.store.save_meetings(self.scope, payload)
        self.meetings = meetings
        self.changed.emit()

    async def meeting(self, meeting_id: int) -> Meeting:
        """One meeting with its agenda; the cached copy when the server cannot be reached."""
        key = f"meeting:{self.scope}:{meeting_id}"
        try:
            payload = await self.session.api.get_json(f"/meetings/{meeting_id}")
        except ServerUnreachable:
            cached = self.store.get(key) if self.store is not None else None
            if cached is None:
                raise
            return Meeting.from_json(cached)
        meeting = Meeting.from_json(payload)
        if self.store is not None:
            self.store.set(key, payload)
        return meeting

    def _on_event(self, event: Event) -> None:
        if event.type in EVENT_TYPES:
            self.refresher.schedule()

    async def close(self) -> None:
        """Cancel a running refresh."""
        await self.refresher.close()
