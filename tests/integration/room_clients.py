"""A meeting participant's app for the meeting-room tests: its own cache, session, outbox, event
stream and the floor's services (speak queue, chat, presenter page), against the real server."""

from __future__ import annotations

from pathlib import Path

from desktop.events import EventStream
from desktop.meeting_room.chat import ChatService
from desktop.meeting_room.presenter import PresenterService
from desktop.meeting_room.speak import SpeakService
from desktop.outbox import Outbox
from desktop.store import LocalStore
from tests.integration.conftest import SessionFactory, wait_until


class Participant:
    """One person's HopDesk in the meeting room."""

    def __init__(self, make_session: SessionFactory, directory: Path, username: str) -> None:
        self.username = username
        self.store = LocalStore(directory / username / "cache.db")
        self.store.open()
        self.session = make_session(on=self.store)
        self.events: EventStream | None = None
        self.outbox: Outbox | None = None
        self.speak: SpeakService | None = None
        self.chat: ChatService | None = None
        self.presenter: PresenterService | None = None

    async def join(self, url: str, meeting_id: int, password: str) -> Participant:
        """Sign in, connect the event stream, start the services and load their state."""
        await self.session.sign_in(url, self.username, password, False)
        self.outbox = Outbox(self.store, self.session.api)
        self.events = events = EventStream(self.session, self.store, backoff=(0.05, 0.3))
        args = (self.session, events, self.outbox, meeting_id)
        self.speak, self.chat, self.presenter = (
            SpeakService(*args),
            ChatService(*args),
            PresenterService(*args),
        )
        events.start()
        await wait_until(lambda: events.state == "connected", 10, "the event stream")
        for service in (self.speak, self.chat, self.presenter):
            await service.refresh()
        return self

    @property
    def id(self) -> int:
        assert self.session.user is not None
        return self.session.user.id

    async def close(self) -> None:
        if self.events is not None:
            await self.events.close()
        for service in (self.speak, self.chat, self.presenter):
            if service is not None:
                await service.close()
        if self.outbox is not None:
            await self.outbox.close()
        self.store.close()
