"""Meetings and documents services: cached first, then the server; refresh on events. The Core
wiring of a session's services (files, view states, notes) and its orderly stop."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from desktop.app import Core, files_dir
from desktop.config import Config
from desktop.documents import DocumentsService
from desktop.domain import Document
from desktop.errors import NotSignedIn
from desktop.events import EventStream
from desktop.meetings import MeetingsService
from desktop.notify import Notifier
from desktop.outbox import Outbox
from desktop.paths import AppPaths
from desktop.secrets import SecretStore
from desktop.session import Session
from desktop.store import LocalStore
from tests.fixtures.server import ServerProcess
from tests.integration.conftest import (
    PASSWORD,
    Recorder,
    SessionFactory,
    leader_and_secretary,
    wait_until,
)
from viewer.annotations.model import Annotation
from viewer.view.state import ViewState


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


async def test_documents_refresh_on_events(
    server: ServerProcess, store: LocalStore, make_session: SessionFactory
) -> None:
    reader, writer, document_id = await leader_and_secretary(make_session, server.url)
    stream = EventStream(reader, store, backoff=(0.05, 0.3))
    outbox = Outbox(store, reader.api)
    documents = DocumentsService(reader, stream, outbox)
    await documents.refresh()
    assert any(d.id == document_id for d in documents.waiting)
    assert len(documents.documents) >= len(documents.waiting)
    stream.start()
    try:
        await wait_until(lambda: stream.state == "connected", 10, "connected")
        await documents.refresher.wait()
        changed = Recorder()
        documents.changed.connect(changed)
        await writer.api.post_json(f"/documents/{document_id}/comments", {"text": "Kính gửi"})
        await wait_until(lambda: bool(changed.calls), 10, "a refresh after document.commented")
        document = await documents.document(document_id)
        assert "Kính gửi" in [c.text for c in document.comments]
        assert DocumentsService(reader).waiting == documents.waiting  # cached for the next start
    finally:
        await documents.close()
        await stream.close()


async def test_core_session_wires_files_view_states_and_notes(
    server: ServerProcess, tmp_path: Path
) -> None:
    paths = AppPaths.under(tmp_path / "profile")
    store = LocalStore(paths.data_dir / "cache.db")
    store.open()
    config = Config({"file_cache_bytes": 50_000_000})
    session = Session(config, SecretStore(), store)
    core = Core(paths, config, SecretStore(), store, session, Notifier(), tmp_path / "log")
    await session.sign_in(server.url, "giamdoc", PASSWORD, False)
    await core.start_session()
    assert session.user is not None
    username = session.user.username
    files, notes = core.files, core.notes
    await wait_until(lambda: core.events.state == "connected", 10, "the event stream")

    listed = await session.api.get_json("/documents", {"box": "inbox"})
    document = Document.from_json(await session.api.get_json(f"/documents/{listed[0]['id']}"))
    ref = document.versions[0].file
    path = await files.fetch(ref)
    assert path.parent == files_dir(paths.cache_dir, session.scope)
    assert files.limit_bytes == 50_000_000
    core.view_states.save("doc", ViewState(page=4))
    assert core.view_states.load("doc") == ViewState(page=4)
    note = Annotation.sticky(ref.sha256, 0, (10.0, 10.0), text="ghi chú")
    notes.save(username, note)
    await wait_until(lambda: core.outbox.pending == 0, 10, "the note to be sent")

    await core.stop_session()
    assert core.services is None
    with pytest.raises(NotSignedIn):  # no view can bind to a service of the ended session
        _ = core.notes
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert others == []  # every task of the session was owned and awaited
    assert [n.id for n in notes.load(ref.sha256, username)] == [note.id]
    await session.close()
    store.close()
