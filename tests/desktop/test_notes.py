"""NotesService without a server: Note JSON conversion, the merge rule, local writes + outbox,
sync, events and stale answers (the API is scripted; tests/integration runs the real server)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal

from desktop.domain import Event
from desktop.errors import ApiError, MalformedResponse, Problem, ServerUnreachable
from desktop.notes import CONTRACT_KIND, NotesService, decide, note_body, note_json, parse_note
from desktop.outbox import Outbox
from desktop.store import LocalStore
from viewer.annotations.model import Annotation, AnnotationKind
from viewer.annotations.store import AnnotationStore, AnnotationStoreError

SHA = "ab" * 32
SCOPE = "giamdoc@https://office"
CONTRACT_KINDS = {"highlight", "underline", "strike", "ink", "text", "rect"}  # contract.md
T0 = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def stamped(a: Annotation, minutes: int, **changes: Any) -> Annotation:
    """`a` changed at T0 + minutes."""
    return dataclasses.replace(a, updated_at=at(minutes), **changes)


def examples() -> list[Annotation]:
    """One annotation of every kind."""
    lines = [(10.0, 20.0, 200.0, 32.0), (10.0, 34.0, 150.0, 46.0)]
    return [
        Annotation.markup(SHA, 0, AnnotationKind.HIGHLIGHT, lines, text="quan trọng"),
        Annotation.markup(SHA, 1, AnnotationKind.UNDERLINE, lines[:1]),
        Annotation.markup(SHA, 2, AnnotationKind.STRIKEOUT, lines, color="#ff0000"),
        Annotation.sticky(SHA, 3, (50.0, 60.0), text="Hỏi lại Sở Tài chính"),
        Annotation.ink(SHA, 4, [(1.0, 2.0), (3.5, 4.5), (8.0, 1.0)]),
        Annotation.box(SHA, 5, (300.0, 400.0, 100.0, 200.0)),
    ]


# --- conversion ---------------------------------------------------------------------------------
def test_every_kind_maps_to_a_contract_kind() -> None:
    assert set(CONTRACT_KIND) == set(AnnotationKind)
    assert set(CONTRACT_KIND.values()) == CONTRACT_KINDS


@pytest.mark.parametrize("annotation", examples(), ids=lambda a: a.kind.name)
def test_note_json_round_trips(annotation: Annotation) -> None:
    data = note_json(annotation)
    assert data["kind"] in CONTRACT_KINDS
    assert data["target"] == SHA
    assert parse_note(data) == annotation
    body = note_body(annotation)
    assert "id" not in body
    assert dt.datetime.fromisoformat(body["updated_at"]) == annotation.updated_at
    assert body["rect"] is not None or body["points"]


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"id": "not-a-uuid", "target": SHA, "page": 0, "kind": "text", "rect": [0, 0, 1, 1]},
        {"id": "6f0c1e8e-2b8e-4c9a-9d5e-0a6f4f1d2c3b", "target": SHA, "page": 0, "kind": "?"},
        {"id": "6f0c1e8e-2b8e-4c9a-9d5e-0a6f4f1d2c3b", "target": SHA, "page": 0, "kind": "ink"},
        {"id": "6f0c1e8e-2b8e-4c9a-9d5e-0a6f4f1d2c3b", "page": 0, "kind": "rect", "rect": [1]},
    ],
)
def test_a_malformed_note_is_a_malformed_response(data: object) -> None:
    with pytest.raises(MalformedResponse):
        parse_note(data)


# --- the merge rule -----------------------------------------------------------------------------
OLD = Annotation.box(SHA, 0, (0, 0, 10, 10), updated_at=T0)
NEW = OLD.edited(text="mới")


@pytest.mark.parametrize(
    ("local", "remote", "pending", "kept"),
    [
        (None, NEW, False, NEW),  # new from the server
        (OLD, NEW, False, NEW),  # the newer server copy wins
        (NEW, OLD, False, NEW),  # the newer local copy wins
        (OLD, None, False, None),  # deleted on the server
        (NEW, OLD, True, NEW),  # an unsent local change beats an older server copy
        (OLD, NEW, True, NEW),  # ... but not a newer one (the PUT will be refused as stale)
        (OLD, None, True, OLD),  # not sent yet: the server never had it
        (None, NEW, True, None),  # a local delete waiting to go out
    ],
)
def test_decide(
    local: Annotation | None, remote: Annotation | None, pending: bool, kept: Annotation | None
) -> None:
    assert decide(local, remote, pending) == kept


# --- the service --------------------------------------------------------------------------------
class ScriptedApi:
    """Remote notes in a dict; PUT/DELETE answers can be scripted per path."""

    def __init__(self) -> None:
        self.notes: dict[str, dict[str, Any]] = {}
        self.sent: list[tuple[str, str, Any]] = []
        self.read: list[str] = []
        self.answers: dict[str, Exception] = {}
        self.offline = False

    async def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        self.read.append(path)
        if self.offline:
            raise ServerUnreachable("https://office", "refused")
        if path == "/notes":
            return [n for n in self.notes.values() if n["target"] == (params or {})["target"]]
        note = self.notes.get(path.rsplit("/", 1)[-1])
        if note is None:
            raise ApiError(Problem(404))
        return note

    async def request(
        self, method: str, path: str, *, json_body: Any = None, idempotency_key: str | None = None
    ) -> Any:
        self.sent.append((method, path, json_body))
        if self.offline:
            raise ServerUnreachable("https://office", "refused")
        if path in self.answers:
            raise self.answers.pop(path)
        note_id = path.rsplit("/", 1)[-1]
        if method == "DELETE":
            self.notes.pop(note_id, None)
            return None
        self.notes[note_id] = {**json_body, "id": note_id}
        return self.notes[note_id]


class FakeSession:
    def __init__(self, api: ScriptedApi) -> None:
        self.api = api
        self.scope = SCOPE


class FakeEvents(QObject):
    event_received = Signal(object)
    state_changed = Signal(str)


@pytest.fixture
def api() -> ScriptedApi:
    return ScriptedApi()


@pytest.fixture
async def parts(store: LocalStore, api: ScriptedApi) -> Any:
    outbox = Outbox(store, api, scope=SCOPE)
    events = FakeEvents()
    notes = NotesService(store, FakeSession(api), outbox, events, "giamdoc")
    changed: list[str] = []
    notes.changed.connect(changed.append)
    yield notes, outbox, events, changed
    await notes.close()
    await outbox.close()


def test_it_is_an_annotation_store(parts: Any) -> None:
    assert isinstance(parts[0], AnnotationStore)


async def test_save_is_local_at_once_and_goes_out_through_the_outbox(
    parts: Any, api: ScriptedApi, store: LocalStore
) -> None:
    notes, outbox, _events, changed = parts
    api.offline = True
    note = examples()[0]
    notes.save("giamdoc", note)
    for i in range(3):  # offline edits: one PUT is left to send
        note = note.edited(text=f"sửa {i}")
        notes.save("giamdoc", note)
    assert notes.load(SHA, "giamdoc") == [note]
    assert notes.load(SHA, SCOPE) == [note]  # the scope names the same user
    await store.settled()  # the store's thread wrote them (`load` answered before it did)
    assert notes.load(SHA, "giamdoc") == [note]
    assert [(r.method, r.path) for r in outbox.rows()] == [("PUT", f"/notes/{note.id}")]
    assert outbox.rows()[0].body == note_body(note)
    await outbox.wait()  # save asked for a flush: it ran, and the server was down
    assert api.sent
    assert outbox.pending == 1
    api.offline = False
    outbox.flush_soon()
    await outbox.wait()
    assert outbox.pending == 0
    assert parse_note(api.notes[note.id]) == note
    assert changed == []  # our own change is not news to the reader


async def test_delete_goes_out_and_unknown_ids_are_ignored(parts: Any, api: ScriptedApi) -> None:
    notes, outbox, _events, _changed = parts
    note = examples()[1]
    notes.save("giamdoc", note)
    await outbox.wait()
    assert note.id in api.notes
    notes.delete(SHA, "giamdoc", note.id)
    notes.delete(SHA, "giamdoc", "00000000-0000-0000-0000-000000000000")
    assert notes.load(SHA, "giamdoc") == []
    await outbox.wait()
    assert note.id not in api.notes
    assert [m for m, _p, _b in api.sent] == ["PUT", "DELETE"]


async def test_other_users_and_a_closed_store_are_refused(parts: Any, store: LocalStore) -> None:
    notes = parts[0]
    assert notes.load(SHA, "chanhvp") == []
    with pytest.raises(AnnotationStoreError):
        notes.save("chanhvp", examples()[0])
    store.close()
    with pytest.raises(AnnotationStoreError):
        notes.save("giamdoc", examples()[0])
    with pytest.raises(AnnotationStoreError):
        notes.load(SHA, "giamdoc")


async def test_sync_merges_by_updated_at_and_keeps_unsent_changes(
    parts: Any, api: ScriptedApi, store: LocalStore
) -> None:
    notes, outbox, _events, changed = parts
    same, newer, gone, unsent = (stamped(a, 0) for a in examples()[:4])
    for a in (same, newer, gone, unsent):  # what both sides agreed on at the last sync
        store.put_note(SCOPE, note_json(a))
    fresh = stamped(examples()[4], 1)  # made on another device
    theirs = stamped(newer, 5, text="từ máy khác")  # changed on another device
    api.notes = {a.id: note_json(a) for a in (same, theirs, fresh)}  # `gone` deleted there
    api.notes[unsent.id] = note_json(stamped(unsent, 2, text="cũ hơn"))
    api.offline = True
    mine = stamped(unsent, 3, text="chưa gửi")
    notes.save("giamdoc", mine)  # changed here, not sent yet
    await outbox.wait()
    api.offline = False

    assert await notes.sync(SHA) is True
    local = {a.id: a for a in notes.load(SHA, "giamdoc")}
    assert set(local) == {same.id, newer.id, unsent.id, fresh.id}
    assert local[newer.id] == theirs
    assert local[same.id] == same
    assert local[unsent.id] == mine
    assert local[fresh.id] == fresh
    assert changed == [SHA]
    assert await notes.sync(SHA) is False  # nothing new: no reload
    assert changed == [SHA]


async def test_events_fetch_or_drop_the_note(
    parts: Any, api: ScriptedApi, store: LocalStore
) -> None:
    notes, _outbox, events, changed = parts
    remote = examples()[3]
    api.notes[remote.id] = note_json(remote)
    data = {"note_id": remote.id, "target": SHA}
    events.event_received.emit(Event(1, "note.updated", T0, data))
    events.event_received.emit(Event(2, "meeting.updated", T0, {"meeting_id": 1}))
    await notes.wait()
    assert notes.load(SHA, "giamdoc") == [remote]
    assert changed == [SHA]
    del api.notes[remote.id]
    events.event_received.emit(Event(3, "note.deleted", T0, data))
    await notes.wait()
    assert notes.load(SHA, "giamdoc") == []
    assert changed == [SHA, SHA]


async def test_a_note_on_an_agenda_item_is_not_the_readers(parts: Any, api: ScriptedApi) -> None:
    """The meeting room's notes (target agenda:<id>) are no annotation: their events are not
    fetched for the reader."""
    notes, _outbox, events, changed = parts
    data = {"note_id": examples()[0].id, "target": "agenda:7"}
    events.event_received.emit(Event(1, "note.updated", T0, data))
    await notes.wait()
    assert api.read == []
    assert changed == []


async def test_a_deleted_event_keeps_a_note_changed_here_since(
    parts: Any, api: ScriptedApi
) -> None:
    notes, outbox, events, changed = parts
    api.offline = True
    mine = examples()[2]
    notes.save("giamdoc", mine)
    await outbox.wait()
    events.event_received.emit(Event(1, "note.deleted", T0, {"note_id": mine.id, "target": SHA}))
    await notes.wait()
    assert notes.load(SHA, "giamdoc") == [mine]
    assert changed == []


async def test_a_stale_put_takes_the_server_copy_and_drops_the_action(
    parts: Any, api: ScriptedApi
) -> None:
    notes, outbox, _events, changed = parts
    failed: list[Any] = []
    outbox.failed.connect(failed.append)
    mine = stamped(examples()[5], 0)
    theirs = stamped(mine, 9, text="bản mới hơn")
    problem = Problem(
        409,
        type="https://hopdesk.example/problems/stale-note",
        extensions={"current": note_json(theirs)},
    )
    api.answers[f"/notes/{mine.id}"] = ApiError(problem)
    notes.save("giamdoc", mine)
    await outbox.wait()
    assert notes.load(SHA, "giamdoc") == [theirs]
    assert outbox.rows(None) == []
    assert failed == []
    assert changed == [SHA]


async def test_other_refusals_stay_failed_for_the_ui(parts: Any, api: ScriptedApi) -> None:
    notes, outbox, _events, changed = parts
    failed: list[Any] = []
    outbox.failed.connect(failed.append)
    mine = examples()[0]
    api.answers[f"/notes/{mine.id}"] = ApiError(Problem(422, detail="too many points"))
    notes.save("giamdoc", mine)
    await outbox.wait()
    assert [r.path for r in outbox.rows("failed")] == [f"/notes/{mine.id}"]
    assert len(failed) == 1
    assert notes.load(SHA, "giamdoc") == [mine]
    assert changed == []
