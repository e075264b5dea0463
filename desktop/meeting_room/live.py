"""What every live meeting-room service of the floor does: load the state from the server on
start and after a resync, take the events of its type for its meeting, and own its tasks.

Why a base: the speak queue, the chat and the presenter page each need the same wiring to the
event stream and the same shutdown, and a copy in each would drift.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop.domain import Event, JsonObject
from desktop.errors import MalformedResponse
from desktop.refresher import Refresher

if TYPE_CHECKING:
    from desktop.events import EventStream
    from desktop.outbox import Outbox
    from desktop.session import Session

log = logging.getLogger(__name__)


class LiveService(QObject):
    """A meeting's live state of one kind; subclasses set `EVENT` and implement the hooks."""

    changed = Signal()
    EVENT = ""

    def __init__(
        self,
        session: Session,
        events: EventStream | None,
        outbox: Outbox,
        meeting_id: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.outbox = outbox
        self.meeting_id = meeting_id
        self.refresher = Refresher(self.refresh, f"{self.EVENT} of meeting {meeting_id}")
        if events is not None:
            events.event_received.connect(self._on_event)
            events.resync_needed.connect(self.refresher.schedule)  # missed events: reload
            outbox.follow(events)  # queued actions go out when the server is back

    @property
    def my_id(self) -> int:
        """The signed-in user's id (0 when signed out)."""
        return self.session.user.id if self.session.user is not None else 0

    def start(self) -> None:
        """Load the current state in the background (needs the running loop)."""
        self.refresher.schedule()

    async def refresh(self) -> None:
        """Load the current state from the server."""
        raise NotImplementedError

    def take(self, data: JsonObject) -> None:
        """Apply one event's data (already known to be this meeting's)."""
        raise NotImplementedError

    def _on_event(self, event: Event) -> None:
        if event.type != self.EVENT or event.data.get("meeting_id") != self.meeting_id:
            return
        try:
            self.take(event.data)
        except MalformedResponse as exc:  # a newer server's shape: reload instead
            log.warning("ignoring a malformed %s event: %r", self.EVENT, exc)
            self.refresher.schedule()

    async def close(self) -> None:
        """Cancel a running refresh."""
        await self.refresher.close()
