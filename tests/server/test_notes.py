"""Personal notes: owner-only, client ids, last writer wins by `updated_at`."""

from __future__ import annotations

import uuid

from tests.server.conftest import Api

TARGET = "ab" * 32


def _note(**changes: object) -> dict[str, object]:
    note: dict[str, object] = {
        "target": TARGET,
        "page": 2,
        "kind": "highlight",
        "rect": [72.0, 100.5, 300.0, 115.0],
        "color": "#ffeb3b",
        "text": "Cần làm rõ kinh phí",
        "updated_at": "2026-11-22T08:00:00+07:00",
    }
    note.update(changes)
    return note


def test_put_get_list_delete(shared: Api) -> None:
    me = shared.login("giamdoc")
    note_id = str(uuid.uuid4())
    created = me.call("PUT", f"/notes/{note_id}", _note())
    assert created.status == 201
    assert created.json()["id"] == note_id
    assert created.json()["text"] == "Cần làm rõ kinh phí"
    updated = me.call(
        "PUT", f"/notes/{note_id}", _note(text="Đã rõ", updated_at="2026-11-22T09:00:00+07:00")
    )
    assert updated.status == 200
    ink = me.call(
        "PUT", f"/notes/{uuid.uuid4()}", _note(kind="ink", rect=None, points=[[1, 2], [3, 4]])
    )
    assert ink.status == 201
    listed = me.get(f"/notes?target={TARGET}").json()
    assert {n["id"] for n in listed} == {note_id, ink.json()["id"]}
    assert me.get(f"/notes/{note_id}").json()["text"] == "Đã rõ"
    assert me.call("DELETE", f"/notes/{note_id}").status == 204
    assert me.get(f"/notes/{note_id}").status == 404
    assert me.call("DELETE", f"/notes/{note_id}").status == 204  # retries are harmless
    events = me.get("/events").json()["events"]
    assert [e["type"] for e in events if e["type"].startswith("note.")][-1] == "note.deleted"


def test_only_the_owner_sees_or_changes_a_note(shared: Api) -> None:
    owner, other = shared.login("giamdoc"), shared.login("phogiamdoc")
    note_id = str(uuid.uuid4())
    assert owner.call("PUT", f"/notes/{note_id}", _note()).status == 201
    assert other.get(f"/notes/{note_id}").status == 404
    assert other.get(f"/notes?target={TARGET}").json() == []
    assert other.call("PUT", f"/notes/{note_id}", _note(text="hijack")).status == 404
    assert other.call("DELETE", f"/notes/{note_id}").status == 404
    assert owner.get(f"/notes/{note_id}").json()["text"] == "Cần làm rõ kinh phí"


def test_older_write_is_a_conflict(shared: Api) -> None:
    me = shared.login("giamdoc")
    note_id = str(uuid.uuid4())
    me.call("PUT", f"/notes/{note_id}", _note(updated_at="2026-11-22T10:00:00+07:00"))
    stale = me.call("PUT", f"/notes/{note_id}", _note(updated_at="2026-11-22T09:00:00+07:00"))
    assert stale.status == 409
    assert stale.json()["type"].endswith("/stale-note")
    assert stale.json()["current"]["id"] == note_id


def test_invalid_notes_are_422(shared: Api) -> None:
    me = shared.login("giamdoc")
    assert me.call("PUT", "/notes/not-a-uuid", _note()).status == 422
    assert me.call("PUT", f"/notes/{uuid.uuid4()}", _note(rect=None)).status == 422
    assert me.call("PUT", f"/notes/{uuid.uuid4()}", _note(target="xyz")).status == 422
