"""The document workflow through the real server (SQLite and PostgreSQL): draft → coordinate →
submit → return → resubmit → approve → sign (hash checked) → issue (numbered) → the recipients'
incoming lists; an incoming document registered, routed by a deputy acting for the director,
forwarded and completed; every refusal as the contract's problem."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api, api_for
from tests.server.wf_helpers import (
    Office,
    pdf,
    sign_in_all,
    signed_draft,
    signed_from,
    slug,
    uploaded,
)


def _draft(office: Office, agency: str, sha: str, **extra: object) -> dict[str, object]:
    reply = office.as_user["chuyenvien1"].post(
        "/documents",
        {
            "direction": "out",
            "symbol": "QĐ-STTTT",
            "issuing_agency": agency,
            "place": "Hòa Bình",
            "doc_type": "Quyết định",
            "summary": "Quyết định thành lập Tổ công tác chuyển đổi số",
            "urgency": "urgent",
            "recipients": ["Như Điều 3;", "Lưu: VT, CNTT."],
            "file_sha256": sha,
            **extra,
        },
    )
    assert reply.status == 201, reply.body
    return reply.json()  # type: ignore[no-any-return]


def test_outgoing_document_from_draft_to_the_recipients(
    any_db_server: ServerProcess, tmp_path: Path
) -> None:
    office = sign_in_all(api_for(any_db_server))
    agency = f"Sở thử nghiệm {uuid.uuid4().hex[:8]}"
    draft1 = pdf("Dự thảo lần 1")
    sha1 = uploaded(office.as_user["chuyenvien1"], draft1)
    doc = _draft(office, agency, sha1)
    doc_id = doc["id"]
    assert (doc["status"], doc["my_action"], doc["place"]) == ("drafting", "process", "Hòa Bình")
    assert doc["recipients"] == ["Như Điều 3;", "Lưu: VT, CNTT."]

    # coordination in parallel; submitting waits for it
    office.ok("chuyenvien1", doc_id, "coordinate", {"user_ids": [office.id("chuyenvien2")]})
    giamdoc = office.id("giamdoc")
    waiting = office.act("chuyenvien1", doc_id, "submit", {"approver_id": giamdoc})
    assert (waiting.status, slug(waiting)) == (409, "coordination-pending")
    office.ok("chuyenvien2", doc_id, "answer", {"text": "Thống nhất với dự thảo."})

    # submit; a second submission is a conflict; the approver must be a leader
    bad = office.act("chuyenvien1", doc_id, "submit", {"approver_id": office.id("chanhvp")})
    assert (bad.status, slug(bad)) == (422, "not-a-leader")
    submitted = office.ok("chuyenvien1", doc_id, "submit", {"approver_id": giamdoc})
    assert (submitted["status"], submitted["signing_sha256"]) == ("awaiting_approval", sha1)
    again = office.act("chuyenvien1", doc_id, "submit", {"approver_id": giamdoc})
    assert (again.status, slug(again)) == (409, "wrong-state")

    # only the assigned leader approves (the other leader does not even see the draft)
    assert slug(office.act("chuyenvien2", doc_id, "approve", {})) == "forbidden"
    assert office.act("phogiamdoc", doc_id, "approve", {}).status == 404

    # returned with a reason, revised, submitted again
    assert office.act("giamdoc", doc_id, "return", {"reason": ""}).status == 422
    returned = office.ok("giamdoc", doc_id, "return", {"reason": "Bổ sung Điều 2."})
    assert returned["status"] == "returned"
    assert returned["comments"][-1]["kind"] == "return"
    draft2 = pdf("Dự thảo lần 2")
    sha2 = uploaded(office.as_user["chuyenvien1"], draft2)
    office.ok("chuyenvien1", doc_id, "files", {"file_sha256": sha2})
    attachment = uploaded(office.as_user["chuyenvien1"], pdf("Phụ lục"), "phu-luc.pdf")
    with_files = office.ok(
        "chuyenvien1", doc_id, "files", {"file_sha256": attachment, "kind": "attachment"}
    )
    assert [a["file"]["sha256"] for a in with_files["attachments"]] == [attachment]
    resubmitted = office.ok("chuyenvien1", doc_id, "submit", {"approver_id": giamdoc})
    assert resubmitted["signing_sha256"] == sha2
    approved = office.ok("giamdoc", doc_id, "approve", {})
    assert (approved["status"], approved["my_action"]) == ("awaiting_signature", "sign")

    # signing: from the submitted version only
    leader = office.as_user["giamdoc"]
    stale = signed_from(draft1, tmp_path)
    mismatch = office.act(
        "giamdoc",
        doc_id,
        "sign",
        {"file_sha256": uploaded(leader, stale, "ky.pdf"), "base_sha256": sha1},
    )
    assert (mismatch.status, slug(mismatch)) == (409, "hash-mismatch")
    assert mismatch.json()["expected_sha256"] == sha2
    forged = office.act(
        "giamdoc",
        doc_id,
        "sign",
        {"file_sha256": uploaded(leader, stale, "ky.pdf"), "base_sha256": sha2},
    )
    assert (forged.status, slug(forged)) == (422, "not-signed-from-base")
    signed = uploaded(leader, signed_from(draft2, tmp_path), "ky.pdf")
    after = office.ok("giamdoc", doc_id, "sign", {"file_sha256": signed, "base_sha256": sha2})
    assert (after["status"], after["signer_position"]) == ("signed", "GIÁM ĐỐC")
    assert after["versions"][-1]["file"]["sha256"] == signed
    assert after["signer_name"] == office.as_user["giamdoc"].user["full_name"]

    # issued by the clerk with the first number of the year; a replay repeats the answer
    clerk = office.as_user["vanthu"]
    inbox = [d["id"] for d in clerk.get("/documents?box=inbox").json()]
    assert doc_id in inbox
    body = {"symbol": "QĐ-STTTT", "recipient_ids": [office.id("chanhvp")]}
    key = {"Idempotency-Key": uuid.uuid4().hex}
    before = _hanoi_today()  # the day may turn during the request: either side is right
    issued = clerk.post(f"/documents/{doc_id}/issue", body, headers=key)
    assert issued.status == 200, issued.body
    replay = clerk.post(f"/documents/{doc_id}/issue", body, headers=key)
    assert replay.headers.get("idempotent-replayed") == "true"
    assert replay.json()["number"] == issued.json()["number"] == "01"
    assert issued.json()["status"] == "issued"
    assert issued.json()["issued_on"] in {before.isoformat(), _hanoi_today().isoformat()}
    twice = clerk.post(f"/documents/{doc_id}/issue", body)
    assert (twice.status, slug(twice)) == (409, "wrong-state")
    paper = clerk.post("/document-numbers", {"issuing_agency": agency})
    # the next of the year, or the first of a year that began since the issue (31/12 24:00)
    next_number = "02" if _hanoi_today().year == before.year else "01"
    assert (paper.status, paper.json()["number"]) == (201, next_number)

    # the recipient finds it in their incoming list and heard of it
    recipient = office.as_user["chanhvp"]
    assert doc_id in [d["id"] for d in recipient.get("/documents?box=incoming").json()]
    heard = recipient.get("/events").json()["events"]
    assert {"type": "document.received", "document_id": doc_id} in [
        {"type": e["type"], "document_id": e["data"].get("document_id")} for e in heard
    ]
    audit = office.as_user["quantri"].get("/audit?limit=200").json()
    mine = [a["action"] for a in audit if a["target"] == f"document:{doc_id}"]
    for action in ("create", "coordinate", "answer", "submit", "return", "approve", "sign"):
        assert f"document.{action}" in mine
    assert mine.count("document.issue") == 1


def test_incoming_document_routed_by_a_deputy(server: ServerProcess) -> None:
    office = sign_in_all(api_for(server))
    scan = uploaded(office.as_user["vanthu"], pdf("Công văn đến"), "cv-den.pdf")
    reply = office.as_user["vanthu"].post(
        "/documents",
        {
            "direction": "in",
            "number": "4821",
            "symbol": "BTTTT-CĐSQG",
            "issuing_agency": "Bộ Thông tin và Truyền thông",
            "doc_type": "Công văn",
            "summary": "V/v triển khai nền tảng số",
            "urgency": "flash",
            "leader_id": office.id("giamdoc"),
            "file_sha256": scan,
        },
    )
    assert reply.status == 201, reply.body
    doc = reply.json()
    doc_id = doc["id"]
    assert doc["status"] == "registered"
    assert doc["received_number"] == "05"  # after the 4 incoming documents of the demo
    assert doc["received_on"] is not None

    # the deputy cannot route it until the director delegates
    assign = {
        "processor_id": office.id("chuyenvien1"),
        "coordinator_ids": [office.id("chuyenvien2")],
        "instruction": "Giao Phòng CNTT chủ trì.",
    }
    assert office.act("phogiamdoc", doc_id, "assign", assign).status == 404
    now = dt.datetime.now(dt.UTC)
    delegation = office.as_user["giamdoc"].post(
        "/delegations",
        {
            "deputy_id": office.id("phogiamdoc"),
            "kind": "deputy",
            "starts_at": (now - dt.timedelta(minutes=1)).isoformat(),
            "ends_at": (now + dt.timedelta(hours=1)).isoformat(),
        },
    )
    assert (delegation.status, delegation.json()["prefix"]) == (201, "KT.")
    routed = office.ok("phogiamdoc", doc_id, "assign", assign)
    assert routed["status"] == "processing"
    assert routed["comments"][-1]["on_behalf_of"] == office.id("giamdoc")
    audit = office.as_user["quantri"].get("/audit?limit=50").json()
    row = next(a for a in audit if a["action"] == "document.assign")
    assert row["user_id"] == office.id("phogiamdoc")
    assert row["detail"]["on_behalf_of_name"] == office.as_user["giamdoc"].user["full_name"]

    # the coordinator cannot complete it; the processor forwards it, the new one completes it
    mine = office.act("chuyenvien2", doc_id, "complete", {})
    assert (mine.status, slug(mine)) == (403, "not-assigned")
    forwarded = office.ok("chuyenvien1", doc_id, "forward", {"to_id": office.id("chanhvp")})
    states = {(a["assignee"]["id"], a["action"]): a["state"] for a in forwarded["assignments"]}
    assert states[(office.id("chuyenvien1"), "process")] == "forwarded"
    assert states[(office.id("chanhvp"), "process")] == "pending"
    done = office.ok("chanhvp", doc_id, "complete", {"note": "Đã triển khai."})
    assert done["status"] == "done"
    assert office.act("chanhvp", doc_id, "complete", {}).status == 409


def _hanoi_today() -> dt.date:
    """The date in Hanoi, the one the server dates and numbers documents by."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()


def test_numbers_under_concurrency(any_db_server: ServerProcess) -> None:
    """Many clerks' requests at once: each number of the year once, none skipped."""
    from concurrent.futures import ThreadPoolExecutor

    clerk: Api = api_for(any_db_server).login("vanthu")
    agency = f"Cơ quan {uuid.uuid4().hex[:8]}"

    def take(_: int) -> str:
        reply = clerk.post("/document-numbers", {"issuing_agency": agency})
        assert reply.status == 201, reply.body
        return str(reply.json()["number"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(take, range(24)))
    assert sorted(numbers) == [f"{n:02d}" for n in range(1, 25)]


def test_two_concurrent_issues_take_consecutive_numbers(
    any_db_server: ServerProcess, tmp_path: Path
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    office = sign_in_all(api_for(any_db_server))
    agency = f"Sở song song {uuid.uuid4().hex[:8]}"
    documents = [signed_draft(office, agency, tmp_path) for _ in range(2)]
    clerk = office.as_user["vanthu"]

    def issue(doc_id: int) -> str:
        reply = clerk.post(f"/documents/{doc_id}/issue", {"symbol": "CV-STTTT"})
        assert reply.status == 200, reply.body
        return str(reply.json()["number"])

    with ThreadPoolExecutor(max_workers=2) as pool:
        numbers = list(pool.map(issue, documents))
    assert sorted(numbers) == ["01", "02"]


def test_a_deputy_signs_for_the_director(server: ServerProcess, tmp_path: Path) -> None:
    """KT. GIÁM ĐỐC over PHÓ GIÁM ĐỐC on the position line; the audit names both."""
    office = sign_in_all(api_for(server))
    writer = office.as_user["chuyenvien1"]
    draft = pdf("Quyết định ký thay")
    doc_id = _draft(office, "Sở ký thay", uploaded(writer, draft))["id"]
    submitted = office.ok("chuyenvien1", doc_id, "submit", {"approver_id": office.id("giamdoc")})
    office.ok("giamdoc", doc_id, "approve", {})
    deputy = office.as_user["phogiamdoc"]
    sha = submitted["signing_sha256"]
    body = {"file_sha256": uploaded(deputy, signed_from(draft, tmp_path), "ky.pdf")}
    body["base_sha256"] = sha
    assert office.act("phogiamdoc", doc_id, "sign", body).status == 404  # not theirs yet
    now = dt.datetime.now(dt.UTC)
    office.as_user["giamdoc"].post(
        "/delegations",
        {
            "deputy_id": office.id("phogiamdoc"),
            "kind": "deputy",
            "starts_at": now.isoformat(),
            "ends_at": (now + dt.timedelta(days=3)).isoformat(),
        },
    )
    signed = office.ok("phogiamdoc", doc_id, "sign", body)
    assert signed["signer_position"] == "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
    assert signed["signer_name"] == deputy.user["full_name"]
    audit = office.as_user["quantri"].get("/audit?limit=20").json()
    row = next(a for a in audit if a["action"] == "document.sign")
    assert (row["user_id"], row["detail"]["on_behalf_of"]) == (
        office.id("phogiamdoc"),
        office.id("giamdoc"),
    )
    assert row["detail"]["actor_name"] == deputy.user["full_name"]
