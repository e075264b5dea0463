"""Hostile input is a 4xx problem naming the field, never a 500, on SQLite and on PostgreSQL
(issue 10, findings 1-3): ids out of range, text the database refuses, impossible dates."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api, api_for

PROBLEM = "application/problem+json"
HUGE = 99999999999999999999  # above 2^63: SQLite's limit
BIG = 3_000_000_000  # above 2^31: PostgreSQL INTEGER's limit
SHA = "a" * 64


@pytest.fixture(scope="module")
def leader(engine_server: ServerProcess) -> Api:
    """The chairman (leader), allowed to create meetings and assign documents."""
    return api_for(engine_server).login("giamdoc")


def _errors_at(reply: Any, status: int = 422) -> list[list[str]]:
    """Assert a problem of `status`; the `loc` of each validation error."""
    assert reply.status == status, reply.body
    assert reply.headers["content-type"] == PROBLEM
    return [e["loc"] for e in reply.json().get("errors", [])]


def _meeting(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "title": "Giao ban",
        "starts_at": "2026-12-01T08:00:00+07:00",
        "ends_at": "2026-12-01T09:00:00+07:00",
        "chair_id": 1,
    }
    return body | changes


def _note(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {"target": SHA, "page": 0, "kind": "rect", "rect": [0, 0, 1, 1]}
    return body | changes


# --- finding 1: ids ------------------------------------------------------------------------


@pytest.mark.parametrize("value", [HUGE, BIG, 0, -1])
@pytest.mark.parametrize("kind", ["meeting", "document"])
def test_path_ids_out_of_range(leader: Api, kind: str, value: int) -> None:
    assert _errors_at(leader.get(f"/{kind}s/{value}")) == [["path", f"{kind}_id"]]


@pytest.mark.parametrize("value", [HUGE, BIG])
def test_body_and_query_ids_out_of_range(leader: Api, value: int) -> None:
    assert ["body", "chair_id"] in _errors_at(leader.post("/meetings", _meeting(chair_id=value)))
    invited = leader.post("/meetings", _meeting(invitee_ids=[2, value]))
    assert ["body", "invitee_ids", "1"] in _errors_at(invited)
    assert ["body", "secretary_id"] in _errors_at(
        leader.post("/meetings", _meeting(secretary_id=value))
    )
    assigned = leader.post("/documents/1/assignments", {"assignee_id": value, "action": "review"})
    assert ["body", "assignee_id"] in _errors_at(assigned)
    comment = leader.post(f"/documents/{value}/comments", {"text": "x"})
    assert ["path", "document_id"] in _errors_at(comment)
    assert ["query", "since"] in _errors_at(leader.get(f"/events?since={value}"))


# --- finding 2: text and numbers the database refuses ------------------------------------


def test_nul_in_body_text_names_the_field(leader: Api) -> None:
    reply = leader.post("/documents/1/comments", {"text": "a\x00b"})
    assert _errors_at(reply) == [["body", "text"]]
    assert ["body", "title"] in _errors_at(leader.post("/meetings", _meeting(title="x\x00")))
    note = leader.call("PUT", f"/notes/{uuid.uuid4()}", _note(color="\x00"))
    assert ["body", "color"] in _errors_at(note)


def test_nul_at_sign_in_and_in_search(engine_server: ServerProcess, leader: Api) -> None:
    anon = api_for(engine_server)
    login = anon.post("/auth/login", {"username": "giam\x00doc", "password": "x"})
    assert ["body", "username"] in _errors_at(login)
    assert ["query", "q"] in _errors_at(leader.get("/users?q=%00"))


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "true"])
def test_non_finite_or_boolean_numbers_in_a_note_are_refused(leader: Api, number: str) -> None:
    note_id = uuid.uuid4()
    raw = json.dumps(_note(rect=[0, 0, 1, 1])).replace("[0, 0, 1, 1]", f"[0, {number}, 1, 1]")
    assert ["body", "rect", "1"] in _errors_at(
        leader.call("PUT", f"/notes/{note_id}", raw=raw.encode())
    )
    points = json.dumps(_note(rect=None, points=[[1, 2]])).replace("[1, 2]", f"[1, {number}]")
    assert _errors_at(leader.call("PUT", f"/notes/{note_id}", raw=points.encode()))
    assert leader.get(f"/notes/{note_id}").status == 404  # nothing stored, not even as null


def test_idempotency_key_and_path_longer_than_stored(leader: Api) -> None:
    body = {"text": "Ý kiến"}
    long_key = leader.post("/documents/1/comments", body, headers={"Idempotency-Key": "k" * 201})
    assert _errors_at(long_key) == [["header", "idempotency-key"]]
    long_path = "/documents/1/comments" + "/x" * 300
    reply = leader.post(long_path, body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert reply.status in (404, 422), reply.body
    nul_path = leader.post("/documents/%00/comments", body, headers={"Idempotency-Key": "n1"})
    assert nul_path.status in (404, 422), nul_path.body


# --- finding 3: dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00+14:00", "9999-12-31T23:59:59-14:00", "1700000000", "2026-12-01"]
)
def test_impossible_or_bare_times_in_a_query(leader: Api, value: str) -> None:
    from urllib.parse import quote

    assert _errors_at(leader.get(f"/meetings?start={quote(value)}")) == [["query", "start"]]
    assert _errors_at(leader.get(f"/notes?since={quote(value)}")) == [["query", "since"]]


@pytest.mark.parametrize("value", ["0001-01-01T00:00+14:00", 1_700_000_000, 1.5e9, True])
def test_impossible_or_bare_times_in_a_body(leader: Api, value: object) -> None:
    assert ["body", "starts_at"] in _errors_at(leader.post("/meetings", _meeting(starts_at=value)))
    note = leader.call("PUT", f"/notes/{uuid.uuid4()}", _note(updated_at=value))
    assert _errors_at(note) == [["body", "updated_at"]]
    assigned = leader.post("/documents/1/assignments", {"assignee_id": 2, "deadline": value})
    assert ["body", "deadline"] in _errors_at(assigned)


def test_valid_input_still_works(leader: Api) -> None:
    """The limits are at the edges: an ordinary meeting and note in other offsets still pass."""
    created = leader.post("/meetings", _meeting(starts_at="2026-12-01T01:00:00Z"))
    assert created.status == 201, created.body
    assert created.json()["starts_at"].startswith("2026-12-01T01:00:00")
    note = leader.call("PUT", f"/notes/{uuid.uuid4()}", _note(updated_at="2026-01-01T00:00-05:00"))
    assert note.status == 201, note.body
    assert leader.get(f"/meetings/{2**31 - 1}").status == 404
