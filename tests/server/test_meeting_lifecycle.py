"""The meeting's life through the real server (SQLite and PostgreSQL): the chair or secretary
opens and ends it, the clock opens a scheduled one, illegal steps are 409, others 403, and every
step reaches the meeting's audience as `meeting.updated`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api, api_for


def _create(
    secretary: Api, chair: Api, invitees: list[Api], start: dt.datetime, **extra: Any
) -> int:
    body = {
        "title": "Họp giao ban",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        "chair_id": chair.user["id"],
        "secretary_id": secretary.user["id"],
        "invitee_ids": [i.user["id"] for i in invitees],
        **extra,
    }
    reply = secretary.post("/meetings", body)
    assert reply.status == 201, reply.body
    return int(reply.json()["id"])


def _step(api: Api, meeting_id: int, status: str) -> Any:
    return api.post(f"/meetings/{meeting_id}/status", {"status": status})


def _later() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=1)


def test_chair_opens_secretary_ends_chair_approves(engine_server: ServerProcess) -> None:
    api = api_for(engine_server)
    chair, secretary = api.login("giamdoc"), api.login("chanhvp")
    delegate, guest = api.login("chuyenvien1"), api.login("khach")
    meeting_id = _create(secretary, chair, [delegate, guest], _later(), status="draft")
    since = delegate.get("/events").json()["last_seq"]

    steps = [(secretary, "scheduled"), (chair, "in_progress"), (secretary, "ended")]
    steps.append((chair, "minutes_approved"))
    for who, status in steps:
        reply = _step(who, meeting_id, status)
        assert reply.status == 200, reply.body
        assert reply.json()["status"] == status
    seen = delegate.get(f"/meetings/{meeting_id}").json()
    assert seen["status"] == "minutes_approved"
    assert seen["opened_at"] is not None
    assert seen["closed_at"] >= seen["opened_at"]
    assert seen["my_role"] == "delegate"
    roles = {a["user"]["id"]: a["role"] for a in seen["attendees"]}
    assert roles == {delegate.user["id"]: "delegate", guest.user["id"]: "guest"}

    events = delegate.get(f"/events?since={since}").json()["events"]
    updates = [e["data"] for e in events if e["type"] == "meeting.updated"]
    assert updates == [{"meeting_id": meeting_id, "status": s} for _, s in steps]


def test_illegal_steps_are_409_and_other_roles_403(engine_server: ServerProcess) -> None:
    api = api_for(engine_server)
    chair, secretary = api.login("giamdoc"), api.login("chanhvp")
    delegate, outsider = api.login("chuyenvien1"), api.login("vanthu")
    meeting_id = _create(secretary, chair, [delegate], _later())

    denied = _step(delegate, meeting_id, "in_progress")
    assert denied.status == 403, denied.body
    assert denied.json()["type"].endswith("/meeting-role")
    assert _step(outsider, meeting_id, "in_progress").status == 404  # not even visible

    skipped = _step(chair, meeting_id, "ended")
    assert skipped.status == 409, skipped.body
    assert skipped.json()["meeting_status"] == "scheduled"
    assert _step(chair, meeting_id, "in_progress").status == 200
    again = _step(chair, meeting_id, "in_progress")
    assert again.status == 409
    assert _step(secretary, meeting_id, "scheduled").status == 409
    assert _step(chair, meeting_id, "closed").status == 422
    assert delegate.get(f"/meetings/{meeting_id}").json()["status"] == "in_progress"


def test_the_start_time_opens_a_scheduled_meeting(engine_server: ServerProcess) -> None:
    api = api_for(engine_server)
    chair, secretary = api.login("giamdoc"), api.login("chanhvp")
    now = dt.datetime.now(dt.UTC)
    started = _create(secretary, chair, [], now - dt.timedelta(minutes=1))
    over = _create(secretary, chair, [], now - dt.timedelta(hours=3))
    assert chair.get(f"/meetings/{started}").json()["status"] == "in_progress"
    assert chair.get(f"/meetings/{over}").json()["status"] == "ended"
    listed = {m["id"]: m["status"] for m in chair.get("/meetings").json()}
    assert (listed[started], listed[over]) == ("in_progress", "ended")
    # Already in progress by the clock: opening again is illegal, ending is the next step.
    assert _step(chair, started, "in_progress").status == 409
    ended = _step(chair, started, "ended")
    assert ended.status == 200, ended.body
    assert ended.json()["status"] == "ended"
