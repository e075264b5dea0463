"""Meeting chat: the messages I may read, live, with history for a late joiner.

A message is sent through the outbox (it reaches the server once, also after going offline)
and shows as "sending" until the server's answer or its `chat.message` event brings the real
one. History is loaded newest first (`load_older` scrolls back by id); after a resync the
service catches up with what came after the last message it holds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop.domain import AwareDateTime, JsonObject, Model, UserRef
from desktop.errors import Problem
from desktop.meeting_room.live import LiveService

if TYPE_CHECKING:
    from desktop.events import EventStream
    from desktop.outbox import Outbox
    from desktop.session import Session

log = logging.getLogger(__name__)

MAX_TEXT = 2000  # the server's limit (docs/contract.md Meeting room)
PAGE = 50


class ChatMessage(Model, frozen=True):
    """One message (`to` None: to everyone)."""

    id: int
    meeting_id: int
    sender: UserRef
    text: str
    created_at: AwareDateTime
    to: UserRef | None = None


class ChatPage(Model, frozen=True):
    """A page of history, oldest first."""

    messages: list[ChatMessage]
    more: bool = False


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message of mine not yet accepted by the server."""

    key: str
    text: str
    to: int | None


class ChatService(LiveService):
    """The chat of one meeting; `changed` after every change, `refused` when the server will
    never take a message of mine (too long, recipient left the meeting)."""

    EVENT = "chat.message"
    refused = Signal(str)  # the text of the refused message

    def __init__(
        self,
        session: Session,
        events: EventStream | None,
        outbox: Outbox,
        meeting_id: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(session, events, outbox, meeting_id, parent)
        self.messages: list[ChatMessage] = []  # by id
        self.outgoing: list[Outgoing] = []
        self.more_before = False  # older history exists on the server
        outbox.sent.connect(self._on_sent)
        outbox.refused.connect(self._on_refused)

    @property
    def path(self) -> str:
        """The chat's route."""
        return f"/meetings/{self.meeting_id}/chat"

    def _merge(self, messages: list[ChatMessage]) -> bool:
        known = {m.id for m in self.messages}
        new = [m for m in messages if m.id not in known]
        if new:
            self.messages = sorted([*self.messages, *new], key=lambda m: m.id)
        return bool(new)

    async def _page(self, **params: int) -> ChatPage:
        return ChatPage.from_json(await self.session.api.get_json(self.path, params))

    async def refresh(self) -> None:
        """The newest page on start; after a resync, everything after the last one held."""
        if not self.messages:
            page = await self._page(limit=PAGE)
            self.more_before = page.more
            self._merge(page.messages)
        else:
            while True:
                page = await self._page(after=self.messages[-1].id, limit=PAGE)
                self._merge(page.messages)
                if not page.more:
                    break
        self.changed.emit()

    async def load_older(self) -> int:
        """One page before the oldest message held; returns how many came."""
        if not self.messages:
            await self.refresh()
            return len(self.messages)
        page = await self._page(before=self.messages[0].id, limit=PAGE)
        self.more_before = page.more
        self._merge(page.messages)
        self.changed.emit()
        return len(page.messages)

    def take(self, data: JsonObject) -> None:
        """A `chat.message` event."""
        if self._merge([ChatMessage.from_json(data)]):
            self.changed.emit()

    def send(self, text: str, to: int | None = None) -> None:
        """Send to everyone (`to` None) or to one participant, through the outbox."""
        text = text.strip()
        if not text:
            return
        key = self.outbox.enqueue("POST", self.path, {"text": text[:MAX_TEXT], "to": to})
        self.outgoing.append(Outgoing(key, text, to))
        self.outbox.flush_soon()
        self.changed.emit()

    def _on_sent(self, key: str, body: object) -> None:
        if any(o.key == key for o in self.outgoing):
            self.outgoing = [o for o in self.outgoing if o.key != key]
            if isinstance(body, dict):
                self._merge([ChatMessage.from_json(body)])
            self.changed.emit()

    def _on_refused(self, key: str, path: str, problem: Problem) -> None:
        mine = next((o for o in self.outgoing if o.key == key), None)
        if mine is None:
            return
        log.info("chat message refused: %s", problem.slug)
        self.outgoing.remove(mine)
        self.outbox.discard(key)  # told to the user now; nothing to retry
        self.refused.emit(mine.text)
        self.changed.emit()
