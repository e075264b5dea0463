"""Who sees which meetings, documents and files (docs/contract.md)."""

from __future__ import annotations

from urllib.parse import quote

from tests.server.conftest import Api


def _ids(reply_json: list[dict[str, int]]) -> set[int]:
    return {item["id"] for item in reply_json}


def test_meetings_only_where_chair_secretary_or_invited(demo: Api) -> None:
    admin = demo.login("quantri")
    everything = admin.get("/meetings").json()
    guest = demo.login("khach")
    guest_meetings = guest.get("/meetings").json()
    assert 0 < len(guest_meetings) < len(everything)
    for summary in guest_meetings:
        assert summary["my_attendance"] in {"invited", "accepted"}
        detail = guest.get(f"/meetings/{summary['id']}").json()
        assert any(a["user"]["id"] == guest.user["id"] for a in detail["attendees"])
    hidden = _ids(everything) - _ids(guest_meetings)
    for meeting_id in hidden:
        reply = guest.get(f"/meetings/{meeting_id}")
        assert reply.status == 404
        assert reply.json()["type"].endswith("/not-found")


def test_meetings_by_range_are_ordered(demo: Api) -> None:
    leader = demo.login("giamdoc")
    everything = leader.get("/meetings").json()
    starts = [m["starts_at"] for m in everything]
    assert starts == sorted(starts)
    first = everything[0]
    narrowed = leader.get(
        f"/meetings?start={first['starts_at'].replace('+', '%2B')}&end={first['ends_at']}"
    ).json()
    assert first["id"] in _ids(narrowed)
    assert len(narrowed) < len(everything)


def test_inbox_is_mine_and_ordered_by_urgency_then_deadline(demo: Api) -> None:
    leader = demo.login("giamdoc")
    inbox = leader.get("/documents?box=inbox").json()
    assert len(inbox) >= 4
    assert all(d["my_action"] for d in inbox)
    rank = {"flash": 0, "very_urgent": 1, "urgent": 2, "normal": 3}
    keys = [(rank[d["urgency"]], d["deadline"] or "9999") for d in inbox]
    assert keys == sorted(keys)


def test_documents_hidden_from_outsiders(demo: Api) -> None:
    admin_all = _ids(demo.login("quantri").get("/documents?box=all").json())
    guest = demo.login("khach")
    assert guest.get("/documents?box=all").json() == []
    specialist = demo.login("chuyenvien2")
    mine = _ids(specialist.get("/documents?box=all").json())
    assert mine
    assert mine < admin_all
    for document_id in sorted(admin_all - mine)[:3]:
        assert specialist.get(f"/documents/{document_id}").status == 404


def test_files_only_for_those_who_may_see_them(demo: Api) -> None:
    leader = demo.login("giamdoc")
    document = leader.get(f"/documents/{leader.get('/documents').json()[0]['id']}").json()
    sha = document["versions"][0]["file"]["sha256"]
    reply = leader.get(f"/files/{sha}")
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/pdf"
    assert reply.headers["etag"].strip('"') == sha
    assert reply.body.startswith(b"%PDF")
    assert leader.get(f"/files/{sha}", headers={"If-None-Match": f'"{sha}"'}).status == 304
    assert demo.login("khach").get(f"/files/{sha}").status == 404
    assert leader.get(f"/files/{'a' * 64}").status == 404
    assert leader.get("/files/not-a-hash").status == 422


def test_user_directory_for_staff_not_guests(demo: Api) -> None:
    clerk = demo.login("vanthu")
    everyone = clerk.get("/users").json()
    assert {u["username"] for u in everyone} >= {"giamdoc", "khach", "quantri"}
    names = [u["full_name"] for u in everyone]
    assert names == sorted(names)
    found = clerk.get("/users?q=" + quote("Hùng")).json()
    assert [u["username"] for u in found] == ["giamdoc"]
    assert demo.login("khach").get("/users").status == 403
