"""The agenda and its papers (issue 14) against the real server, on SQLite and PostgreSQL.

Each test makes its own meeting on the module's seeded server (chair giamdoc, secretary
chanhvp; delegates chuyenvien1 and chuyenvien2; the guest khach where said; vanthu is never
invited), so the tests share one server without counting each other's rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

import pymupdf
import pytest

from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api, api_for

NEXT_WEEK = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3)


def pdf(text: str) -> bytes:
    """A one-page PDF saying `text` (distinct text, distinct sha256)."""
    with pymupdf.open() as doc:
        doc.new_page().insert_text((72, 72), text)
        return doc.tobytes()


class Office:
    """Signed-in clients of the module's server, by user name."""

    def __init__(self, server: ServerProcess) -> None:
        anon = api_for(server)
        self.users = {
            name: anon.login(name)
            for name in ("giamdoc", "chanhvp", "chuyenvien1", "chuyenvien2", "khach", "vanthu")
        }

    def __getitem__(self, name: str) -> Api:
        return self.users[name]

    def id(self, name: str) -> int:
        return int(self.users[name].user["id"])

    def meeting(self, *invitees: str, confidential: bool = False) -> int:
        """A meeting next week run by chanhvp; returns its id."""
        body = {
            "title": f"Họp thử {uuid.uuid4().hex[:6]}",
            "starts_at": NEXT_WEEK.isoformat(),
            "ends_at": (NEXT_WEEK + dt.timedelta(hours=2)).isoformat(),
            "chair_id": self.id("giamdoc"),
            "secretary_id": self.id("chanhvp"),
            "invitee_ids": [self.id(n) for n in invitees],
            "confidential": confidential,
        }
        reply = self["chanhvp"].post("/meetings", body)
        assert reply.status == 201, reply.body
        return int(reply.json()["id"])

    def upload(self, who: str, data: bytes, name: str = "giay-to.pdf") -> str:
        reply = self[who].post(
            f"/files?name={name}", raw=data, headers={"Content-Type": "application/pdf"}
        )
        assert reply.status == 201, reply.body
        return str(reply.json()["sha256"])


@pytest.fixture(scope="module")
def office(engine_server: ServerProcess) -> Office:
    return Office(engine_server)


def send(api: Api, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    reply = api.call(method, path, body, headers={"Idempotency-Key": str(uuid.uuid4())})
    return reply.status, (reply.json() if reply.body else None)


def slug(body: Any) -> str:
    return str(body["type"]).rsplit("/", 1)[-1]


def papers(api: Api, meeting_id: int) -> dict[str, dict[str, Any]]:
    """The papers `api`'s user sees in the agenda, by title."""
    reply = api.get(f"/meetings/{meeting_id}/agenda")
    assert reply.status == 200, reply.body
    return {p["title"]: p for item in reply.json() for p in item["papers"]}


def events(api: Api, type_: str, meeting_id: int) -> list[dict[str, Any]]:
    """The events of a type about a meeting that reached `api`'s user."""
    reply = api.get("/events?since=0&limit=1000")
    assert reply.status == 200, reply.body
    found = [e for e in reply.json()["events"] if e["type"] == type_]
    return [e for e in found if e["data"].get("meeting_id") == meeting_id]


def add_item(office: Office, meeting_id: int, title: str, **extra: Any) -> list[dict[str, Any]]:
    status, agenda = send(
        office["chanhvp"], "POST", f"/meetings/{meeting_id}/agenda", {"title": title, **extra}
    )
    assert status == 201, agenda
    return list(agenda)


def add_paper(api: Api, meeting_id: int, item_id: int, **body: Any) -> tuple[int, Any]:
    return send(api, "POST", f"/meetings/{meeting_id}/agenda/{item_id}/papers", body)


def test_the_secretary_builds_the_agenda_and_delegates_only_read_it(office: Office) -> None:
    meeting = office.meeting("chuyenvien1", "chuyenvien2")
    add_item(office, meeting, "Khai mạc", duration_minutes=5)
    add_item(office, meeting, "Báo cáo tình hình", presenter_id=office.id("chuyenvien1"))
    agenda = add_item(office, meeting, "Chào cờ", order=1)
    assert [(i["order"], i["title"]) for i in agenda] == [
        (1, "Chào cờ"),
        (2, "Khai mạc"),
        (3, "Báo cáo tình hình"),
    ]
    assert agenda[2]["presenter"]["id"] == office.id("chuyenvien1")
    first, second, third = (i["id"] for i in agenda)

    secretary = office["chanhvp"]
    status, agenda = send(
        secretary, "PATCH", f"/meetings/{meeting}/agenda/{third}", {"duration_minutes": 40}
    )
    assert status == 200
    assert agenda[2]["duration_minutes"] == 40
    status, agenda = send(
        secretary, "PUT", f"/meetings/{meeting}/agenda/order", {"item_ids": [second, third, first]}
    )
    assert status == 200
    assert [i["title"] for i in agenda] == ["Khai mạc", "Báo cáo tình hình", "Chào cờ"]
    status, body = send(
        secretary, "PUT", f"/meetings/{meeting}/agenda/order", {"item_ids": [second, third]}
    )
    assert (status, slug(body)) == (422, "order-mismatch")
    status, agenda = send(secretary, "DELETE", f"/meetings/{meeting}/agenda/{first}")
    assert status == 200
    assert [(i["order"], i["title"]) for i in agenda] == [
        (1, "Khai mạc"),
        (2, "Báo cáo tình hình"),
    ]

    # The chair edits too; a delegate reads but changes nothing; an outsider sees nothing.
    status, _ = send(office["giamdoc"], "PATCH", f"/meetings/{meeting}/agenda/{second}", {})
    assert status == 200
    delegate = office["chuyenvien1"]
    assert [i["title"] for i in delegate.get(f"/meetings/{meeting}/agenda").json()] == [
        "Khai mạc",
        "Báo cáo tình hình",
    ]
    for method, path, body in (
        ("POST", f"/meetings/{meeting}/agenda", {"title": "Chen ngang"}),
        ("PATCH", f"/meetings/{meeting}/agenda/{second}", {"title": "Đổi tên"}),
        ("PUT", f"/meetings/{meeting}/agenda/order", {"item_ids": [third, second]}),
        ("DELETE", f"/meetings/{meeting}/agenda/{second}", None),
    ):
        status, problem = send(delegate, method, path, body)
        assert status == 403, (method, path, problem)
        status, problem = send(office["vanthu"], method, path, body)
        assert status == 404, (method, path, problem)
    assert office["vanthu"].get(f"/meetings/{meeting}/agenda").status == 404

    # Every change reached the delegates as `agenda.updated`.
    assert len(events(office["chuyenvien2"], "agenda.updated", meeting)) == 7  # 3 added, 4 changes
    assert events(office["vanthu"], "agenda.updated", meeting) == []


def test_papers_by_kind_personal_papers_and_uploads(office: Office) -> None:
    meeting = office.meeting("chuyenvien1", "chuyenvien2")
    item = add_item(office, meeting, "Dự thảo kế hoạch")[0]["id"]
    secretary, delegate = office["chanhvp"], office["chuyenvien1"]
    main = office.upload("chanhvp", pdf("Dự thảo kế hoạch"))
    reference = office.upload("chanhvp", pdf("Số liệu tham khảo"))
    for title, body in (
        ("Dự thảo", {"kind": "main", "file_sha256": main}),
        ("Số liệu", {"kind": "reference", "file_sha256": reference}),
        ("Cổng DVC", {"kind": "external", "url": "https://dichvucong.gov.vn"}),
    ):
        status, paper = add_paper(secretary, meeting, item, title=title, **body)
        assert status == 201
        assert paper["kind"] == body["kind"]
        assert paper["version"] == 1
    status, problem = add_paper(
        secretary, meeting, item, title="Hỏng", kind="external", file_sha256=main
    )
    assert status == 422
    status, problem = add_paper(secretary, meeting, item, title="Chưa tải", file_sha256="ab" * 32)
    assert (status, slug(problem)) == (422, "unknown-file")

    # A delegate adds a personal paper of their own, which nobody else ever sees.
    own = office.upload("chuyenvien1", pdf("Ghi chép riêng"))
    status, personal = add_paper(
        delegate, meeting, item, title="Của tôi", kind="personal", file_sha256=own
    )
    assert status == 201
    assert personal["owner_id"] == office.id("chuyenvien1")
    assert set(papers(delegate, meeting)) == {"Dự thảo", "Số liệu", "Cổng DVC", "Của tôi"}
    for other in ("chanhvp", "giamdoc", "chuyenvien2"):
        assert set(papers(office[other], meeting)) == {"Dự thảo", "Số liệu", "Cổng DVC"}
        assert office[other].get(f"/files/{own}").status == 404
    assert hashlib.sha256(delegate.get(f"/files/{own}").body).hexdigest() == own
    status, _ = send(secretary, "DELETE", f"/meetings/{meeting}/papers/{personal['id']}")
    assert status == 404  # the secretary cannot even see it
    # ...but a delegate may not add the meeting's papers, nor personal papers for others.
    status, _ = add_paper(delegate, meeting, item, title="Chính", kind="main", file_sha256=own)
    assert status == 403
    status, _ = add_paper(
        delegate,
        meeting,
        item,
        title="Cho người khác",
        kind="personal",
        file_sha256=own,
        owner_id=office.id("chuyenvien2"),
    )
    assert status == 403
    status, _ = send(delegate, "DELETE", f"/meetings/{meeting}/papers/{personal['id']}")
    assert status == 204
    assert "Của tôi" not in papers(delegate, meeting)

    # Delegates read the main paper's file; the outsider gets 404.
    assert delegate.get(f"/files/{main}").status == 200
    assert office["vanthu"].get(f"/files/{main}").status == 404


def test_replacing_a_paper_keeps_its_history_and_tells_its_readers(office: Office) -> None:
    meeting = office.meeting("chuyenvien1", "chuyenvien2")
    item = add_item(office, meeting, "Tờ trình")[0]["id"]
    secretary = office["chanhvp"]
    first = office.upload("chanhvp", pdf("Tờ trình bản 1"))
    status, paper = add_paper(
        secretary,
        meeting,
        item,
        title="Tờ trình mật",
        file_sha256=first,
        confidentiality="confidential",
        reader_ids=[office.id("chuyenvien1")],
    )
    assert status == 201
    second = office.upload("chanhvp", pdf("Tờ trình bản 2"))
    path = f"/meetings/{meeting}/papers/{paper['id']}/versions"
    status, _ = send(office["chuyenvien1"], "POST", path, {"file_sha256": second})
    assert status == 403  # a reader, not an editor
    status, replaced = send(secretary, "POST", path, {"file_sha256": second})
    assert status == 201
    assert replaced["version"] == 2
    assert replaced["file"]["sha256"] == second

    history = office["chuyenvien1"].get(path).json()
    assert [(v["no"], v["file"]["sha256"]) for v in history] == [(1, first), (2, second)]
    assert office["chuyenvien1"].get(f"/files/{first}").status == 200  # the old one stays
    assert office["chuyenvien2"].get(path).status == 404  # not named on it

    # `paper.replaced` reached everyone who may read the paper, and nobody else.
    for reader in ("chuyenvien1", "chanhvp", "giamdoc"):
        (event,) = events(office[reader], "paper.replaced", meeting)
        assert event["data"]["paper_id"] == paper["id"]
        assert event["data"]["version"] == 2
        assert event["data"]["file"]["sha256"] == second
        assert event["data"]["previous_sha256"] == first
    assert events(office["chuyenvien2"], "paper.replaced", meeting) == []
    # The same file again changes nothing.
    status, again = send(secretary, "POST", path, {"file_sha256": second})
    assert status == 201
    assert again["version"] == 2
    assert len(events(office["chuyenvien1"], "paper.replaced", meeting)) == 1


def test_a_guest_reads_only_the_papers_shared_with_guests(office: Office) -> None:
    meeting = office.meeting("chuyenvien1", "khach")
    item = add_item(office, meeting, "Giới thiệu dự án")[0]["id"]
    secretary, guest = office["chanhvp"], office["khach"]
    shared = office.upload("chanhvp", pdf("Giới thiệu cho khách"))
    internal = office.upload("chanhvp", pdf("Nội bộ"))
    add_paper(
        secretary, meeting, item, title="Giới thiệu", file_sha256=shared, shared_with_guests=True
    )
    status, paper = add_paper(secretary, meeting, item, title="Nội bộ", file_sha256=internal)
    assert status == 201
    assert paper["shared_with_guests"] is False
    assert set(papers(guest, meeting)) == {"Giới thiệu"}
    assert set(papers(office["chuyenvien1"], meeting)) == {"Giới thiệu", "Nội bộ"}
    assert guest.get(f"/files/{shared}").status == 200
    assert guest.get(f"/files/{internal}").status == 404
    path = f"/meetings/{meeting}/papers/{paper['id']}/versions"
    assert guest.get(path).status == 404
    # Named on the paper, the guest reads it.
    status, _ = send(
        secretary,
        "POST",
        f"/meetings/{meeting}/papers/{paper['id']}/readers",
        {"user_id": office.id("khach")},
    )
    assert status == 201
    assert guest.get(f"/files/{internal}").status == 200


def test_a_confidential_meeting_takes_no_guest_and_names_its_readers(office: Office) -> None:
    secretary = office["chanhvp"]
    with pytest.raises(AssertionError, match="confidential-to-guest"):
        office.meeting("chuyenvien1", "khach", confidential=True)
    open_meeting = office.meeting("chuyenvien1", "khach")
    status, problem = send(
        secretary, "PUT", f"/meetings/{open_meeting}/confidential", {"confidential": True}
    )
    assert (status, slug(problem)) == (422, "confidential-to-guest")
    assert problem["ids"] == [office.id("khach")]

    meeting = office.meeting("chuyenvien1", "chuyenvien2")
    item = add_item(office, meeting, "Phương án bảo vệ")[0]["id"]
    before = office.upload("chanhvp", pdf("Trước khi mật"))
    add_paper(secretary, meeting, item, title="Trước", file_sha256=before, shared_with_guests=True)
    assert office["chuyenvien2"].get(f"/files/{before}").status == 200
    status, _ = send(secretary, "PUT", f"/meetings/{meeting}/confidential", {"confidential": True})
    assert status == 200
    assert office["chuyenvien1"].get(f"/meetings/{meeting}").json()["confidential"] is True
    status, problem = send(
        secretary, "POST", f"/meetings/{meeting}/guest-invites", {"display": "Khách"}
    )
    assert (status, slug(problem)) == (409, "confidential-meeting")  # no browser guest link

    # Papers become MẬT: only the people named read them, served no-store.
    after = office.upload("chanhvp", pdf("Sau khi mật"))
    status, paper = add_paper(
        secretary,
        meeting,
        item,
        title="Sau",
        file_sha256=after,
        reader_ids=[office.id("chuyenvien1")],
    )
    assert status == 201
    assert paper["confidentiality"] == "confidential"
    assert paper["shared_with_guests"] is False
    named, unnamed = office["chuyenvien1"], office["chuyenvien2"]
    assert set(papers(named, meeting)) == {"Sau"}
    assert papers(unnamed, meeting) == {}
    assert unnamed.get(f"/files/{before}").status == 404
    reply = named.get(f"/files/{after}")
    assert reply.status == 200
    assert reply.headers["cache-control"] == "no-store"
    assert set(papers(secretary, meeting)) == {"Trước", "Sau"}
    status, paper = add_paper(
        secretary, meeting, item, title="Thường?", file_sha256=after, confidentiality="normal"
    )
    assert status == 201
    assert paper["confidentiality"] == "confidential"


def test_deleting_what_the_room_points_at(office: Office) -> None:
    """A paper being presented, an item with a conclusion and a request to speak on it: they
    are deleted all the same, and what pointed at them lets go (no foreign key refuses it)."""
    meeting = office.meeting("chuyenvien1")
    secretary = office["chanhvp"]
    first = add_item(office, meeting, "Một")[0]["id"]
    second = add_item(office, meeting, "Hai")[1]["id"]
    sha = office.upload("chanhvp", pdf("Đang trình chiếu"))
    status, paper = add_paper(secretary, meeting, first, title="Trình chiếu", file_sha256=sha)
    assert status == 201
    status, _ = send(secretary, "POST", f"/meetings/{meeting}/status", {"status": "in_progress"})
    assert status == 200
    presented = {"paper_id": paper["id"], "page": 0, "zoom": 1.0}
    status, _ = send(secretary, "PUT", f"/meetings/{meeting}/presenter", presented)
    assert status == 200
    status, _ = send(
        secretary, "PUT", f"/meetings/{meeting}/agenda/{second}/conclusion", {"text": "Thống nhất"}
    )
    assert status == 200
    status, _ = send(
        office["chuyenvien1"],
        "POST",
        f"/meetings/{meeting}/speak-requests",
        {"agenda_item_id": second},
    )
    assert status == 200

    status, _ = send(secretary, "DELETE", f"/meetings/{meeting}/papers/{paper['id']}")
    assert status == 204
    assert secretary.get(f"/meetings/{meeting}/presenter").json()["paper_id"] is None
    status, agenda = send(secretary, "DELETE", f"/meetings/{meeting}/agenda/{second}")
    assert status == 200
    assert [i["title"] for i in agenda] == ["Một"]
    queue = secretary.get(f"/meetings/{meeting}/speak-requests").json()["queue"]
    assert [r["agenda_item_id"] for r in queue] == [None]


def test_the_secretary_renames_moves_and_reclassifies_a_paper(office: Office) -> None:
    meeting = office.meeting("chuyenvien1")
    secretary = office["chanhvp"]
    first = add_item(office, meeting, "Một")[0]["id"]
    second = add_item(office, meeting, "Hai")[1]["id"]
    sha = office.upload("chanhvp", pdf("Phụ lục"))
    status, paper = add_paper(secretary, meeting, first, title="Phụ lục", file_sha256=sha)
    assert status == 201
    path = f"/meetings/{meeting}/papers/{paper['id']}"
    change = {"title": "Phụ lục số liệu", "kind": "reference", "agenda_item_id": second}
    status, edited = send(secretary, "PATCH", path, change)
    assert status == 200
    assert (edited["title"], edited["kind"]) == ("Phụ lục số liệu", "reference")
    agenda = office["chuyenvien1"].get(f"/meetings/{meeting}/agenda").json()
    assert [[p["title"] for p in item["papers"]] for item in agenda] == [[], ["Phụ lục số liệu"]]
    status, _ = send(office["chuyenvien1"], "PATCH", path, {"title": "Không được"})
    assert status == 403
    status, _ = send(secretary, "PATCH", path, {"agenda_item_id": 2_000_000})
    assert status == 404
