"""Personal notes: owner-only, client ids, last writer wins by `updated_at`; a participant's own
notes on a meeting's agenda item."""

from __future__ import annotations

import uuid

from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api
from tests.server.room_helpers import CHAIR, OUTSIDER, open_room
from tests.server.test_minutes import add_item

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


def test_each_participant_keeps_their_own_note_on_an_agenda_item(
    engine_server: ServerProcess,
) -> None:
    """A text note on `agenda:<item id>` needs no place on a page; only its author reads it,
    only people in the item's meeting may write one, and a file note still needs a place."""
    room = open_room(engine_server)
    item = add_item(room, 1, "Dự toán ngân sách", "phogiamdoc")
    target = f"agenda:{item}"
    mine, theirs = str(uuid.uuid4()), str(uuid.uuid4())
    body = _note(target=target, kind="text", rect=None, page=0, text="Hỏi lại kinh phí mục 3")
    delegate, chair = room.as_user["chuyenvien1"], room.as_user[CHAIR]
    assert delegate.call("PUT", f"/notes/{mine}", body).status == 201
    assert chair.call("PUT", f"/notes/{theirs}", {**body, "text": "Kết luận nhanh"}).status == 201
    listed = delegate.get(f"/notes?target={target}").json()
    assert [(n["id"], n["text"]) for n in listed] == [(mine, "Hỏi lại kinh phí mục 3")]
    assert chair.call("GET", f"/notes/{mine}", None).status == 404  # another's: not there
    outsider = room.as_user[OUTSIDER].call("PUT", f"/notes/{uuid.uuid4()}", body)
    assert outsider.status in (403, 404)
    missing = delegate.call("PUT", f"/notes/{uuid.uuid4()}", {**body, "target": "agenda:999999"})
    assert missing.status == 404
    beyond = {**body, "target": f"agenda:{2**31}"}  # no INTEGER holds it: PostgreSQL gave 500
    assert delegate.call("PUT", f"/notes/{uuid.uuid4()}", beyond).status == 422
    on_file = delegate.call("PUT", f"/notes/{uuid.uuid4()}", {**body, "target": TARGET})
    assert on_file.status == 422  # a file note still needs a rect or points
