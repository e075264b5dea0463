"""The speak queue as a delegate and as the chair see it (đăng ký phát biểu).

The server owns the order; this service keeps its latest snapshot (`speak.queue` carries the
whole queue, so one event repairs any missed one; an older snapshot than the one held is
dropped by its `revision`). Asking and withdrawing go through the outbox: pressing "Xin phát
biểu" offline still reaches the server once when it is back. The chair's controls (give the
floor, next, end the turn, lower) are sent at once and not queued: a floor given minutes later,
after a reconnect, would be wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from desktop.domain import AwareDateTime, JsonObject, Model, UserRef
from desktop.meeting_room.live import LiveService

if TYPE_CHECKING:
    from desktop.events import EventStream
    from desktop.outbox import Outbox
    from desktop.session import Session


class SpeakRequest(Model, frozen=True):
    """One request; `place` is 1 for the next to speak (None for the speaker)."""

    id: int
    position: int
    user: UserRef
    state: str  # queued | granted | done | withdrawn (a newer server may add states)
    requested_at: AwareDateTime
    place: int | None = None
    agenda_item_id: int | None = None
    granted_at: AwareDateTime | None = None


class SpeakQueue(Model, frozen=True):
    """The floor of a meeting: who speaks, who waits in which order, the mute option."""

    meeting_id: int
    revision: int
    queue: list[SpeakRequest]
    speaker: SpeakRequest | None = None
    muted_until_floor: bool = False

    def request_of(self, user_id: int) -> SpeakRequest | None:
        """The user's active request (waiting or speaking), if any."""
        if self.speaker is not None and self.speaker.user.id == user_id:
            return self.speaker
        return next((r for r in self.queue if r.user.id == user_id), None)

    def may_speak(self, user_id: int, chair_ids: frozenset[int] = frozenset()) -> bool:
        """Whether the user's microphone may be open: always unless the chair keeps delegates
        muted until given the floor (the chair and secretary are never held)."""
        if not self.muted_until_floor or user_id in chair_ids:
            return True
        return self.speaker is not None and self.speaker.user.id == user_id


class SpeakService(LiveService):
    """The live speak queue of one meeting; `changed` after every new snapshot."""

    EVENT = "speak.queue"

    def _path(self, tail: str = "") -> str:
        return f"/meetings/{self.meeting_id}/speak-requests{tail}"

    def __init__(
        self,
        session: Session,
        events: EventStream | None,
        outbox: Outbox,
        meeting_id: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(session, events, outbox, meeting_id, parent)
        self.queue: SpeakQueue | None = None
        self._mine: set[str] = set()  # outbox keys of my ask/withdraw actions
        outbox.sent.connect(self._on_sent)

    # --- state ---------------------------------------------------------------------------
    def my_request(self) -> SpeakRequest | None:
        """My active request."""
        return self.queue.request_of(self.my_id) if self.queue else None

    def my_place(self) -> int | None:
        """My place in the queue (1 = next), None when not waiting."""
        mine = self.my_request()
        return mine.place if mine is not None else None

    def sending(self) -> bool:
        """An ask or withdraw of mine waits in the outbox (offline, or on its way)."""
        paths = self.outbox.pending_paths()
        return self._path() in paths or self._path("/mine") in paths

    def apply(self, queue: SpeakQueue, force: bool = False) -> bool:
        """Take a snapshot unless an equal or newer one is held (`force`: after a resync, when
        the server's revisions may have started again)."""
        if not force and self.queue is not None and queue.revision <= self.queue.revision:
            return False
        self.queue = queue
        self.changed.emit()
        return True

    def take(self, data: JsonObject) -> None:
        """A `speak.queue` event."""
        self.apply(SpeakQueue.from_json(data))

    async def refresh(self) -> None:
        """The queue now (on start, and after a resync)."""
        self.apply(SpeakQueue.from_json(await self.session.api.get_json(self._path())), True)

    # --- a delegate ----------------------------------------------------------------------
    def ask(self, agenda_item_id: int | None = None) -> None:
        """Ask to speak (through the outbox); asking again keeps my place."""
        self._queue_action("POST", self._path(), {"agenda_item_id": agenda_item_id})

    def withdraw(self) -> None:
        """Withdraw my request, or end my turn (through the outbox)."""
        self._queue_action("DELETE", self._path("/mine"), None)

    def _queue_action(self, method: str, path: str, body: object) -> None:
        self._mine.add(self.outbox.enqueue(method, path, body))
        self.outbox.flush_soon()
        self.changed.emit()  # `sending()` changed

    def _on_sent(self, key: str, body: object) -> None:
        if key in self._mine:
            self._mine.discard(key)
            if isinstance(body, dict):
                self.apply(SpeakQueue.from_json(body))
            self.changed.emit()

    # --- the chair -------------------------------------------------------------------------
    async def _control(self, method: str, path: str, body: object = None) -> SpeakQueue:
        answer = await self.session.api.request(method, path, json_body=body)
        queue = SpeakQueue.from_json(answer.body)
        self.apply(queue)
        return queue

    async def grant(self, request_id: int) -> SpeakQueue:
        """Give the floor to this request (the current turn ends)."""
        return await self._control("POST", self._path(f"/{request_id}/grant"))

    async def next(self) -> SpeakQueue:
        """End the current turn and give the floor to the first in the queue."""
        return await self._control("POST", self._path("/next"))

    async def end_turn(self) -> SpeakQueue:
        """End the current speaker's turn."""
        return await self._control("POST", self._path("/end-turn"))

    async def lower(self, request_id: int) -> SpeakQueue:
        """Lower one waiting request."""
        return await self._control("POST", self._path(f"/{request_id}/lower"))

    async def lower_all(self) -> SpeakQueue:
        """Lower every waiting request."""
        return await self._control("POST", self._path("/lower-all"))

    async def set_muted_until_floor(self, muted: bool) -> SpeakQueue:
        """Whether delegates stay muted until given the floor."""
        path = f"/meetings/{self.meeting_id}/speak-options"
        return await self._control("PUT", path, {"muted_until_floor": muted})
