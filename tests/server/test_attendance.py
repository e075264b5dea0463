"""Attendance through the real server (SQLite and PostgreSQL): answers, deputies, check-in, the
call, absences, the role rules, and `attendance.updated` reaching the meeting's audience."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api, api_for


class People:
    """The demo accounts a test needs, signed in once."""

    def __init__(self, server: ServerProcess) -> None:
        api = api_for(server)
        self.chair, self.secretary = api.login("giamdoc"), api.login("chanhvp")
        self.delegate, self.other = api.login("chuyenvien1"), api.login("chuyenvien2")
        self.guest, self.outsider = api.login("khach"), api.login("vanthu")
        self.site = api.login("phogiamdoc")  # stands in for a bridge point's room PC


def meeting(people: People, starts_in: dt.timedelta, *, sites: bool = False) -> int:
    start = dt.datetime.now(dt.UTC) + starts_in
    reply = people.secretary.post(
        "/meetings",
        {
            "title": "Họp điểm danh",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "chair_id": people.chair.user["id"],
            "secretary_id": people.secretary.user["id"],
            "invitee_ids": [people.delegate.user["id"], people.guest.user["id"]],
            "site_ids": [people.site.user["id"]] if sites else [],
        },
    )
    assert reply.status == 201, reply.body
    return int(reply.json()["id"])


def by_user(reply: Any) -> dict[int, dict[str, Any]]:
    assert reply.status == 200, reply.body
    return {e["user"]["id"]: e for e in reply.json()}


def uid(api: Api) -> int:
    return int(api.user["id"])


def test_answers_with_a_reason_for_a_decline(engine_server: ServerProcess) -> None:
    p = People(engine_server)
    mid = meeting(p, dt.timedelta(days=2))
    path = f"/meetings/{mid}/attendance"
    listed = by_user(p.delegate.get(path))
    assert listed[uid(p.chair)]["role"] == "chair"
    assert listed[uid(p.guest)]["role"] == "guest"
    assert listed[uid(p.delegate)]["status"] == "invited"

    assert p.delegate.post(f"{path}/answer", {"answer": "declined"}).status == 422
    declined = p.delegate.post(f"{path}/answer", {"answer": "declined", "reason": "Đi công tác"})
    assert by_user(declined)[uid(p.delegate)]["reason"] == "Đi công tác"
    accepted = by_user(p.guest.post(f"{path}/answer", {"answer": "accepted"}))
    assert accepted[uid(p.guest)]["status"] == "accepted"
    summary = p.delegate.get(f"/meetings/{mid}").json()
    assert summary["my_attendance"] == "declined"

    assert p.chair.post(f"{path}/answer", {"answer": "accepted"}).status == 403  # not invited
    assert p.outsider.post(f"{path}/answer", {"answer": "accepted"}).status == 404
    assert p.outsider.get(path).status == 404


def test_a_delegate_sends_a_deputy_who_represents_them(engine_server: ServerProcess) -> None:
    p = People(engine_server)
    mid = meeting(p, dt.timedelta(days=2))
    path = f"/meetings/{mid}/attendance"
    since = p.other.get("/events").json()["last_seq"]
    assert p.other.get(f"/meetings/{mid}").status == 404

    sent = by_user(p.delegate.post(f"{path}/delegate", {"deputy_id": uid(p.other)}))
    assert sent[uid(p.delegate)]["status"] == "delegated"
    assert sent[uid(p.delegate)]["represented_by"]["id"] == uid(p.other)
    assert sent[uid(p.other)]["represents"]["id"] == uid(p.delegate)
    assert sent[uid(p.other)]["role"] == "delegate"
    seen = p.other.get(f"/meetings/{mid}").json()
    assert (seen["my_role"], seen["my_attendance"]) == ("delegate", "invited")
    types = [e["type"] for e in p.other.get(f"/events?since={since}").json()["events"]]
    assert types == ["meeting.updated", "attendance.updated"]

    # The seat is handed on once; the deputy answers for themself.
    assert p.other.post(f"{path}/delegate", {"deputy_id": uid(p.outsider)}).status == 409
    assert p.delegate.post(f"{path}/answer", {"answer": "accepted"}).status == 409
    assert p.other.post(f"{path}/answer", {"answer": "accepted"}).status == 200
    # A guest cannot delegate; nobody delegates to a guest or to someone already in.
    assert p.guest.post(f"{path}/delegate", {"deputy_id": uid(p.outsider)}).status == 403
    mid2 = meeting(p, dt.timedelta(days=2))
    path2 = f"/meetings/{mid2}/attendance"
    to_guest = p.delegate.post(f"{path2}/delegate", {"deputy_id": uid(p.guest)})
    assert to_guest.status == 422
    assert to_guest.json()["type"].endswith("/deputy-not-staff")
    refused = p.delegate.post(f"{path2}/delegate", {"deputy_id": uid(p.chair)})
    assert refused.status == 409
    assert refused.json()["type"].endswith("/already-in-meeting")


def test_check_in_call_and_absence_in_a_running_meeting(engine_server: ServerProcess) -> None:
    p = People(engine_server)
    mid = meeting(p, -dt.timedelta(minutes=5), sites=True)
    path = f"/meetings/{mid}/attendance"
    since = p.chair.get("/events").json()["last_seq"]

    absent = p.secretary.post(f"{path}/absent", {"user_id": uid(p.guest), "reason": "Ốm"})
    assert by_user(absent)[uid(p.guest)]["absent_reason"] == "Ốm"
    assert p.delegate.post(f"{path}/absent", {"user_id": uid(p.guest), "reason": "x"}).status == 403
    # Only the chair, secretary or a site checks someone else in.
    assert p.delegate.post(f"{path}/check-in", {"user_id": uid(p.guest)}).status == 403
    by_site = by_user(p.site.post(f"{path}/check-in", {"user_id": uid(p.guest)}))
    assert by_site[uid(p.guest)]["checked_in_at"] is not None
    assert by_site[uid(p.guest)]["absent_reason"] is None  # came after all
    outsider = p.secretary.post(f"{path}/check-in", {"user_id": uid(p.outsider)})
    assert outsider.status == 422

    joined = by_user(p.chair.post(f"{path}/call", {"present": True}))
    assert joined[uid(p.chair)]["in_call"] is True
    first = joined[uid(p.chair)]["joined_call_at"]
    left = by_user(p.chair.post(f"{path}/call", {"present": False}))
    assert left[uid(p.chair)]["in_call"] is False
    assert left[uid(p.chair)]["joined_call_at"] == first
    listed = p.secretary.get(path).json()
    assert [e["user"]["id"] for e in listed].count(uid(p.chair)) == 1
    roles = {e["user"]["id"]: e["role"] for e in listed}
    assert roles[uid(p.chair)] == "chair"
    assert roles[uid(p.site)] == "site"

    events = p.chair.get(f"/events?since={since}").json()["events"]
    updates = [e["data"] for e in events if e["type"] == "attendance.updated"]
    assert [u["meeting_id"] for u in updates] == [mid] * 4
    changed = [[entry["user"]["id"] for entry in u["entries"]] for u in updates]
    assert changed == [[uid(p.guest)], [uid(p.guest)], [uid(p.chair)], [uid(p.chair)]]
    assert updates[2]["entries"][0]["in_call"] is True

    assert p.chair.post(f"/meetings/{mid}/status", {"status": "ended"}).status == 200
    late = p.delegate.post(f"{path}/check-in", {})
    assert late.status == 409
    assert late.json()["type"].endswith("/meeting-closed")
    # The secretary may still complete the record for the minutes.
    after = p.secretary.post(f"{path}/absent", {"user_id": uid(p.delegate), "reason": "Bận"})
    assert after.status == 200
