"""Meetings and inbox services: cached first, then the server; refresh on events."""

from __future__ import annotations

from desktop.events import EventStream
from desktop.inbox import InboxService
from desktop.meetings import MeetingsService
from desktop.outbox import Outbox
from desktop.store import LocalStore
from tests.fixtures.server import ServerProcess
from tests.integration.conftest import (
    PASSWORD,
    Recorder,
    SessionFactory,
    leader_and_secretary,
    wait_until,
)


async def test_meetings_cached_then_refreshed(
    server: ServerProcess, store: LocalStore, make_session: SessionFactory
) -> None:
    session = make_session()
    await session.sign_in(server.url, "giamdoc", PASSWORD, False)
    service = MeetingsService(session)
    assert service.meetings == []
    changed = Recorder()
    service.changed.connect(changed)
    await service.refresh()
    assert changed.calls
    assert service.meetings
    meeting = await service.meeting(service.meetings[0].id)
    assert meeting.id == service.meetings[0].id

    # The next start shows the cached list before any network call.
    again = MeetingsService(session)
    assert again.meetings == service.meetings
    # Offline: the cached meeting detail is used.
    server.stop()
    assert (await again.meeting(meeting.id)) == meeting


async def test_inbox_refreshes_on_events(
    server: ServerProcess, store: LocalStore, make_session: SessionFactory
) -> None:
    reader, writer, document_id = await leader_and_secretary(make_session, server.url)
    stream = EventStream(reader, store, backoff=(0.05, 0.3))
    outbox = Outbox(store, reader.api)
    inbox = InboxService(reader, stream, outbox)
    await inbox.refresh()
    assert any(d.id == document_id for d in inbox.inbox)
    assert len(inbox.documents) >= len(inbox.inbox)
    stream.start()
    try:
        await wait_until(lambda: stream.state == "connected", 10, "connected")
        await inbox.refresher.wait()
        changed = Recorder()
        inbox.changed.connect(changed)
        await writer.api.post_json(f"/documents/{document_id}/comments", {"text": "Kính gửi"})
        await wait_until(lambda: bool(changed.calls), 10, "a refresh after document.commented")
        document = await inbox.document(document_id)
        assert "Kính gửi" in [c.text for c in document.comments]
        assert InboxService(reader).inbox == inbox.inbox  # cached for the next start
    finally:
        await inbox.close()
        await stream.close()
