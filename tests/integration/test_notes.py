"""Personal notes against the real server: offline and restarts, two computers of one user,
privacy, stale writes, deletes and sync."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from desktop.domain import Document
from desktop.errors import ApiError
from desktop.events import EventStream
from desktop.notes import NotesService, note_body, parse_note
from desktop.outbox import Outbox
from desktop.session import Session
from desktop.store import LocalStore
from tests.fixtures.server import ServerProcess
from tests.integration.conftest import PASSWORD, Recorder, SessionFactory, start_app, wait_until
from viewer.annotations.model import Annotation, AnnotationKind


class Computer:
    """One HopDesk install of a user: its own cache file, session, outbox, stream and notes."""

    def __init__(self, make_session: SessionFactory, directory: Path, with_events: bool) -> None:
        self.store = LocalStore(directory / "cache.db")
        self.store.open()
        self.session = make_session(on=self.store)
        self.with_events = with_events
        self.events: EventStream | None = None
        self.outbox: Outbox | None = None
        self.notes: NotesService | None = None

    async def start(self, url: str, username: str = "giamdoc") -> Computer:
        await self.session.sign_in(url, username, PASSWORD, False)
        self.outbox = Outbox(self.store, self.session.api)
        if self.with_events:
            self.events = EventStream(self.session, self.store, backoff=(0.05, 0.3))
        self.notes = NotesService(self.store, self.session, self.outbox, self.events, username)
        if self.events is not None:
            self.events.start()
            await wait_until(lambda: self.state() == "connected", 10, "the event stream")
        return self

    def state(self) -> str:
        return self.events.state if self.events is not None else ""

    async def close(self) -> None:
        if self.events is not None:
            await self.events.close()
        if self.notes is not None:
            await self.notes.close()
        if self.outbox is not None:
            await self.outbox.close()
        self.store.close()


@pytest.fixture
async def computers(make_session: SessionFactory, tmp_path: Path) -> Any:
    made: list[Computer] = []

    def make(name: str, with_events: bool = False) -> Computer:
        made.append(Computer(make_session, tmp_path / name, with_events))
        return made[-1]

    yield make
    for computer in made:
        await computer.close()


async def a_paper(session: Session) -> str:
    """The sha256 of a file the user may read (notes are kept on it)."""
    listed = await session.api.get_json("/documents", {"box": "inbox"})
    document = Document.from_json(await session.api.get_json(f"/documents/{listed[0]['id']}"))
    return document.versions[0].file.sha256


def notes_of(computer: Computer, target: str) -> list[Annotation]:
    assert computer.notes is not None
    return computer.notes.load(target, "giamdoc")


async def server_notes(session: Session, target: str) -> list[Annotation]:
    return [parse_note(n) for n in await session.api.get_json("/notes", {"target": target})]


async def test_an_offline_note_survives_a_restart_and_reaches_the_server_once(
    server: ServerProcess, tmp_path: Path
) -> None:
    path = tmp_path / "app" / "cache.db"
    store, session = await start_app(path, server.url)
    target = await a_paper(session)
    outbox = Outbox(store, session.api)
    notes = NotesService(store, session, outbox, None, "giamdoc")
    server.stop()
    note = Annotation.sticky(target, 0, (40.0, 50.0), text="Đề nghị bổ sung số liệu quý III")
    notes.save("giamdoc", note)
    await outbox.wait()  # the flush it asked for found the server down
    assert outbox.pending == 1
    # The app is closed (or killed) while offline.
    await notes.close()
    await outbox.close()
    await session.close()
    store.close()

    server.restart()
    store, session = await start_app(path, server.url)
    outbox = Outbox(store, session.api)
    notes = NotesService(store, session, outbox, None, "giamdoc")
    try:
        assert notes.load(target, "giamdoc") == [note]
        assert await outbox.flush() == 1
        assert await outbox.flush() == 0
        assert await server_notes(session, target) == [note]
        feed = await session.api.get_json("/events", {"since": 0, "limit": 1000})
        updates = [
            e
            for e in feed["events"]
            if e["type"] == "note.updated" and e["data"]["note_id"] == note.id
        ]
        assert len(updates) == 1  # applied exactly once
    finally:
        await notes.close()
        await outbox.close()
        await session.close()
        store.close()


async def test_a_note_made_on_one_computer_shows_up_on_the_other_and_nowhere_else(
    server: ServerProcess, computers: Any, make_session: SessionFactory
) -> None:
    office = await computers("office").start(server.url)
    laptop = await computers("laptop", with_events=True).start(server.url)
    assert office.notes is not None
    assert laptop.notes is not None
    target = await a_paper(office.session)
    changed = Recorder()
    laptop.notes.changed.connect(changed)

    lines = [(72.0, 100.0, 400.0, 114.0), (72.0, 116.0, 300.0, 130.0)]
    note = Annotation.markup(target, 1, AnnotationKind.HIGHLIGHT, lines, text="Lưu ý")
    office.notes.save("giamdoc", note)
    await wait_until(lambda: notes_of(laptop, target) == [note], 15, "the note on the laptop")
    assert changed.calls == [target]

    secretary = make_session()
    await secretary.sign_in(server.url, "chanhvp", PASSWORD, False)
    with pytest.raises(ApiError) as caught:
        await secretary.api.get_json(f"/notes/{note.id}")
    assert caught.value.status == 404
    assert await secretary.api.get_json("/notes", {"target": target}) == []
    with pytest.raises(ApiError) as caught:  # nor can they overwrite it
        await secretary.api.request("PUT", f"/notes/{note.id}", json_body=note_body(note))
    assert caught.value.status == 404

    office.notes.delete(target, "giamdoc", note.id)
    await wait_until(lambda: notes_of(laptop, target) == [], 15, "the delete on the laptop")
    assert changed.calls == [target, target]
    assert await server_notes(office.session, target) == []


async def test_a_stale_write_gives_way_to_the_newer_server_copy(
    server: ServerProcess, computers: Any
) -> None:
    office = await computers("office").start(server.url)
    phone = await computers("phone").start(server.url)  # another device of the same user
    assert office.notes is not None
    assert office.outbox is not None
    target = await a_paper(office.session)
    note = Annotation.box(target, 2, (100.0, 100.0, 300.0, 200.0), text="Bảng 2")
    office.notes.save("giamdoc", note)
    await office.outbox.wait()
    newer = dataclasses.replace(
        note, text="Bảng 2 — đã sửa", updated_at=note.updated_at + dt.timedelta(hours=1)
    )
    await phone.session.api.request("PUT", f"/notes/{note.id}", json_body=note_body(newer))
    changed = Recorder()
    office.notes.changed.connect(changed)
    failed = Recorder()
    office.outbox.failed.connect(failed)

    # An edit made here before the phone's arrived (an older clock reading).
    mine = dataclasses.replace(
        note, text="Bảng 2 (máy văn phòng)", updated_at=note.updated_at + dt.timedelta(minutes=1)
    )
    office.notes.save("giamdoc", mine)
    await office.outbox.wait()
    assert notes_of(office, target) == [newer]
    assert office.outbox.rows(None) == []
    assert failed.calls == []
    assert changed.calls == [target]
    assert await server_notes(office.session, target) == [newer]


async def test_sync_pulls_changes_and_deletes_but_keeps_an_unsent_newer_note(
    server: ServerProcess, computers: Any
) -> None:
    office = await computers("office").start(server.url)
    phone = await computers("phone").start(server.url)
    assert office.notes is not None
    assert office.outbox is not None
    assert phone.notes is not None
    assert phone.outbox is not None
    target = await a_paper(office.session)
    kept = Annotation.ink(target, 0, [(10.0, 10.0), (20.0, 25.0), (30.0, 12.0)])
    dropped = Annotation.sticky(target, 3, (200.0, 300.0), text="Xoá sau")
    for note in (kept, dropped):
        phone.notes.save("giamdoc", note)
    await phone.outbox.wait()

    assert await office.notes.sync(target) is True
    assert sorted(a.id for a in notes_of(office, target)) == sorted([kept.id, dropped.id])
    assert await office.notes.sync(target) is False

    phone.notes.delete(target, "giamdoc", dropped.id)
    await phone.outbox.wait()
    server.stop()
    mine = kept.edited(text="sửa khi mất mạng")  # queued here, not sent
    office.notes.save("giamdoc", mine)
    await office.outbox.wait()
    server.restart()
    # Meanwhile the phone changed it too, but before the edit made here.
    between = kept.updated_at + (mine.updated_at - kept.updated_at) / 2
    older = dataclasses.replace(kept, text="cũ hơn", updated_at=between)
    await phone.session.api.request("PUT", f"/notes/{kept.id}", json_body=note_body(older))

    assert await office.notes.sync(target) is True
    assert notes_of(office, target) == [mine]  # dropped is gone; the unsent edit stays
    assert await office.outbox.flush() == 1
    assert await server_notes(office.session, target) == [mine]
