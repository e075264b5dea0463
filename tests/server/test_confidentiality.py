"""Confidential documents and papers, enforced by the server (issue 10, finding 12).

A matrix of the demo roles × confidentiality levels × endpoints (list, detail, file, events),
on a real server seeded with the demo office. Confidential items (MẬT, TỐI MẬT) are seen only by
the people named on them: never the whole unit, never the IT admin by role alone, never a guest;
their files are served `no-store` and every download is audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api, api_for

# giamdoc, phogiamdoc: leader; chanhvp: secretary; chuyenvien1/2: specialist; vanthu: clerk;
# quantri: IT admin; khach: guest. chanhvp, vanthu are in the Văn phòng unit.
USERS = ("giamdoc", "phogiamdoc", "chanhvp", "chuyenvien1", "vanthu", "quantri", "khach")
LEVELS = ("normal", "confidential", "secret")

# Demo documents of the Văn phòng unit, created by chanhvp and assigned to giamdoc, one per level
# (by number); the test names phogiamdoc a reader of each and assigns the guest where allowed.
DOCUMENTS = {"normal": "312", "confidential": "12", "secret": "09"}
NAMED_ON_DOCUMENT = {"giamdoc", "phogiamdoc", "chanhvp"}
DOCUMENT_SEEN = {
    "normal": NAMED_ON_DOCUMENT | {"vanthu", "quantri", "khach"},  # + unit, IT admin, assigned
    "confidential": NAMED_ON_DOCUMENT,
    "secret": NAMED_ON_DOCUMENT,
}

# Papers of the weekly briefing (chair giamdoc, secretary chanhvp, invitees phogiamdoc,
# chuyenvien1, chuyenvien2, vanthu); the IT admin sees every meeting, the guest is not invited.
MEETING = "Họp giao ban lãnh đạo Sở tuần này"
PAPERS = {
    "normal": "Báo cáo kết quả công tác tuần",
    "confidential": "Kế hoạch đảm bảo an toàn thông tin",  # readers: phogiamdoc, chuyenvien1
    "secret": "Phương án ứng cứu sự cố an toàn thông tin mạng",  # presenter chuyenvien2 only
}
PAPER_SEEN = {
    "normal": {"giamdoc", "phogiamdoc", "chanhvp", "chuyenvien1", "vanthu", "quantri"},
    "confidential": {"giamdoc", "phogiamdoc", "chanhvp", "chuyenvien1"},
    "secret": {"giamdoc", "chanhvp"},
}
CACHEABLE = "private, max-age=31536000, immutable"


@dataclass
class Office:
    """The server after the test's set-up: a signed-in client per user and the items' ids."""

    as_user: dict[str, Api]
    document_ids: dict[str, int]
    document_files: dict[str, str]
    meeting_id: int
    paper_files: dict[str, str]
    refusals: dict[str, tuple[int, str]]


def _problem(reply_status: int, body: dict[str, object]) -> tuple[int, str]:
    return reply_status, str(body.get("type", "")).rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    proc = ServerProcess(Path(tmp_path_factory.mktemp("confidential"))).start()
    try:
        anon = api_for(proc)
        users = {name: anon.login(name) for name in USERS}
        secretary, director = users["chanhvp"], users["giamdoc"]
        listed = director.get("/documents?box=all").json()
        by_number = {d["number"]: d["id"] for d in listed}
        ids = {level: by_number[number] for level, number in DOCUMENTS.items()}
        files, refusals = {}, {}
        guest_id, deputy_id = users["khach"].user["id"], users["phogiamdoc"].user["id"]
        for level, doc_id in ids.items():
            detail = secretary.get(f"/documents/{doc_id}").json()
            assert detail["confidentiality"] == level
            files[level] = detail["versions"][0]["file"]["sha256"]
            shared = secretary.post(f"/documents/{doc_id}/readers", {"user_id": deputy_id})
            assert shared.status == 201, shared.body
            assigned = secretary.post(
                f"/documents/{doc_id}/assignments", {"assignee_id": guest_id, "action": "review"}
            )
            refusals[level] = _problem(assigned.status, assigned.json())
            reply = director.post(f"/documents/{doc_id}/comments", {"text": f"Ý kiến ({level})"})
            assert reply.status == 201, reply.body
        meeting = next(m for m in director.get("/meetings").json() if m["title"] == MEETING)
        papers = {
            p["title"]: p["file"]["sha256"]
            for item in director.get(f"/meetings/{meeting['id']}").json()["agenda"]
            for p in item["papers"]
            if p["file"]
        }
        paper_files = {level: papers[title] for level, title in PAPERS.items()}
        yield Office(users, ids, files, meeting["id"], paper_files, refusals)
    finally:
        proc.stop()


def test_a_guest_is_never_given_a_confidential_document(office: Office) -> None:
    assert office.refusals["normal"] == (201, "")
    for level in ("confidential", "secret"):
        assert office.refusals[level] == (422, "confidential-to-guest")
        shared = office.as_user["chanhvp"].post(
            f"/documents/{office.document_ids[level]}/readers",
            {"user_id": office.as_user["khach"].user["id"]},
        )
        assert _problem(shared.status, shared.json()) == (422, "confidential-to-guest")


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("username", USERS)
def test_documents_by_role_and_level(office: Office, username: str, level: str) -> None:
    api, doc_id = office.as_user[username], office.document_ids[level]
    sees = username in DOCUMENT_SEEN[level]
    listed = {d["id"] for d in api.get("/documents?box=all").json()}
    inbox = {d["id"] for d in api.get("/documents?box=inbox").json()}
    assert (doc_id in listed) is sees
    assert sees or doc_id not in inbox
    assert api.get(f"/documents/{doc_id}").status == (200 if sees else 404)
    _check_file(api, office.document_files[level], sees, level)
    events = api.get("/events?since=0&limit=1000").json()["events"]
    heard = {e["type"] for e in events if e["data"].get("document_id") == doc_id}
    assert sees or not heard, heard  # no news of a document one may not see
    if username in {"giamdoc", "chanhvp"}:  # commenter, creator
        assert "document.commented" in heard
    if username == "phogiamdoc":
        assert "document.shared" in heard
    if username == "khach" and level == "normal":
        assert "document.assigned" in heard


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("username", USERS)
def test_meeting_papers_by_role_and_level(office: Office, username: str, level: str) -> None:
    api = office.as_user[username]
    sees_meeting = username in PAPER_SEEN["normal"]
    sees = username in PAPER_SEEN[level]
    listed = {m["id"] for m in api.get("/meetings").json()}
    assert (office.meeting_id in listed) is sees_meeting
    reply = api.get(f"/meetings/{office.meeting_id}")
    assert reply.status == (200 if sees_meeting else 404)
    if sees_meeting:
        titles = {p["title"] for item in reply.json()["agenda"] for p in item["papers"]}
        assert (PAPERS[level] in titles) is sees
    _check_file(api, office.paper_files[level], sees, level)


def _check_file(api: Api, sha: str, sees: bool, level: str) -> None:
    reply = api.get(f"/files/{sha}")
    assert reply.status == (200 if sees else 404)
    if sees:
        assert reply.body.startswith(b"%PDF")
        expected = CACHEABLE if level == "normal" else "no-store"
        assert reply.headers["cache-control"] == expected


def test_every_download_is_audited_with_its_peer(office: Office) -> None:
    deputy = office.as_user["phogiamdoc"]
    for sha in (office.document_files["secret"], office.paper_files["normal"]):
        assert deputy.get(f"/files/{sha}").status == 200
    rows = office.as_user["quantri"].get("/audit?limit=1000").json()
    downloads = [
        r for r in rows if r["action"] == "file.download" and r["user_id"] == deputy.user["id"]
    ]
    newest = {r["target"]: r for r in reversed(downloads)}
    secret = newest[f"file:{office.document_files['secret']}"]
    assert secret["address"] == "127.0.0.1"
    assert secret["detail"]["confidential"] is True
    assert newest[f"file:{office.paper_files['normal']}"]["detail"]["confidential"] is False


def test_a_guest_named_before_this_rule_neither_sees_nor_hears(
    any_db_server: ServerProcess,
) -> None:
    """A database from before the rule may hold a guest's assignment on a confidential
    document: the guest still gets neither the document, its file nor news of it."""
    anon = api_for(any_db_server)
    director, guest = anon.login("giamdoc"), anon.login("khach")
    listed = director.get("/documents?box=all").json()
    doc_id = next(d["id"] for d in listed if d["number"] == DOCUMENTS["confidential"])
    sha = director.get(f"/documents/{doc_id}").json()["versions"][0]["file"]["sha256"]
    engine = create_engine(any_db_server.db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO assignments (document_id, assignee_id, action, state, created_at)"
                    " VALUES (:d, :u, 'process', 'pending', CURRENT_TIMESTAMP)"
                ),
                {"d": doc_id, "u": guest.user["id"]},
            )
    finally:
        engine.dispose()
    assert director.post(f"/documents/{doc_id}/comments", {"text": "Ý kiến"}).status == 201
    assert doc_id not in {d["id"] for d in guest.get("/documents?box=inbox").json()}
    assert guest.get(f"/documents/{doc_id}").status == 404
    assert guest.get(f"/files/{sha}").status == 404
    events = guest.get("/events?since=0").json()["events"]
    assert all(e["data"].get("document_id") != doc_id for e in events)
    heard = director.get("/events?since=0").json()["events"]
    assert any(e["data"].get("document_id") == doc_id for e in heard)  # the rest still hear
