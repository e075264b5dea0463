"""A MẬT document walked through the whole workflow on the real server (SQLite and PostgreSQL):
at each step exactly the people named on it see it (detail, the `all` list, its file, its
events), a guest can never be given it, and every download of its file is audited `no-store`.

Demo office: giamdoc, phogiamdoc (leaders, Ban Giám đốc); chanhvp (secretary) and vanthu
(clerk) of Văn phòng; chuyenvien1 (CNTT), chuyenvien2 (BCVT) specialists; quantri IT admin;
khach guest. Nobody sees a confidential document by unit or by role.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.fixtures.server import ServerProcess
from tests.server.conftest import api_for
from tests.server.wf_helpers import Office, pdf, sign_in_all, signed_from, slug, uploaded

EVERYONE = ("giamdoc", "phogiamdoc", "chanhvp", "chuyenvien1", "chuyenvien2", "vanthu")
EVERYONE_AND_OUTSIDERS = (*EVERYONE, "quantri", "khach")


def _seen_by(office: Office, doc_id: int) -> set[str]:
    """Who gets the document's detail; the `all` list, the file and the events must agree."""
    seen = set()
    for name, api in office.as_user.items():
        detail = api.get(f"/documents/{doc_id}")
        listed = doc_id in [d["id"] for d in api.get("/documents?box=all").json()]
        heard = any(
            e["data"].get("document_id") == doc_id for e in api.get("/events").json()["events"]
        )
        if detail.status == 200:
            seen.add(name)
            assert listed, name
            sha = detail.json()["versions"][-1]["file"]["sha256"]
            got = api.get(f"/files/{sha}")
            assert (got.status, got.headers["cache-control"]) == (200, "no-store"), name
        else:
            assert detail.status == 404, name
            assert not listed, name
            assert not heard, f"{name} heard of a document they may not see"
    return seen


def _refused_to_guest(office: Office, username: str, doc_id: int, verb: str, body: Any) -> None:
    reply = office.act(username, doc_id, verb, body)
    assert (reply.status, slug(reply)) == (422, "confidential-to-guest"), reply.body


def test_confidential_incoming_document_seen_only_by_the_people_on_it(
    any_db_server: ServerProcess,
) -> None:
    office = sign_in_all(api_for(any_db_server), EVERYONE_AND_OUTSIDERS)
    guest = office.id("khach")
    scan = uploaded(office.as_user["vanthu"], pdf("Công văn MẬT"), "mat.pdf")
    registered = office.as_user["vanthu"].post(
        "/documents",
        {
            "direction": "in",
            "issuing_agency": "Bộ Công an",
            "doc_type": "Công văn",
            "summary": "V/v bảo vệ bí mật nhà nước (MẬT)",
            "confidentiality": "confidential",
            "leader_id": office.id("giamdoc"),
            "file_sha256": scan,
        },
    )
    assert registered.status == 201, registered.body
    doc_id = registered.json()["id"]
    assert _seen_by(office, doc_id) == {"vanthu", "giamdoc"}  # not chanhvp of vanthu's unit

    assign = {"processor_id": office.id("chuyenvien1"), "coordinator_ids": [guest]}
    _refused_to_guest(office, "giamdoc", doc_id, "assign", assign)
    _refused_to_guest(office, "giamdoc", doc_id, "assign", {"processor_id": guest})
    assign["coordinator_ids"] = [office.id("chuyenvien2")]
    office.ok("giamdoc", doc_id, "assign", assign)
    assert _seen_by(office, doc_id) == {"vanthu", "giamdoc", "chuyenvien1", "chuyenvien2"}

    _refused_to_guest(office, "chuyenvien1", doc_id, "forward", {"to_id": guest})
    office.ok("chuyenvien1", doc_id, "forward", {"to_id": office.id("chanhvp")})
    assert _seen_by(office, doc_id) == {
        "vanthu",
        "giamdoc",
        "chuyenvien1",
        "chuyenvien2",
        "chanhvp",
    }
    office.ok("chanhvp", doc_id, "complete", {})
    assert "phogiamdoc" not in _seen_by(office, doc_id)


def test_confidential_outgoing_document_from_draft_to_issue(
    any_db_server: ServerProcess, tmp_path: Path
) -> None:
    office = sign_in_all(api_for(any_db_server), EVERYONE_AND_OUTSIDERS)
    guest = office.id("khach")
    writer = office.as_user["chuyenvien1"]
    draft = pdf("Kế hoạch MẬT")
    created = writer.post(
        "/documents",
        {
            "direction": "out",
            "issuing_agency": "Sở Thông tin và Truyền thông tỉnh Hòa Bình",
            "doc_type": "Kế hoạch",
            "summary": "Kế hoạch kiểm tra an toàn thông tin (MẬT)",
            "confidentiality": "confidential",
            "file_sha256": uploaded(writer, draft, "ke-hoach.pdf"),
        },
    )
    assert created.status == 201, created.body
    doc_id = created.json()["id"]
    assert _seen_by(office, doc_id) == {"chuyenvien1"}

    _refused_to_guest(office, "chuyenvien1", doc_id, "coordinate", {"user_ids": [guest]})
    office.ok("chuyenvien1", doc_id, "coordinate", {"user_ids": [office.id("chuyenvien2")]})
    office.ok("chuyenvien2", doc_id, "answer", {"text": "Nhất trí."})
    assert _seen_by(office, doc_id) == {"chuyenvien1", "chuyenvien2"}

    submitted = office.ok("chuyenvien1", doc_id, "submit", {"approver_id": office.id("giamdoc")})
    office.ok("giamdoc", doc_id, "approve", {})
    assert _seen_by(office, doc_id) == {"chuyenvien1", "chuyenvien2", "giamdoc"}

    signed = uploaded(office.as_user["giamdoc"], signed_from(draft, tmp_path), "ky.pdf")
    office.ok(
        "giamdoc",
        doc_id,
        "sign",
        {"file_sha256": signed, "base_sha256": submitted["signing_sha256"]},
    )
    signers = {"chuyenvien1", "chuyenvien2", "giamdoc", "vanthu"}  # the clerk issues it
    assert _seen_by(office, doc_id) == signers

    issue = {"symbol": "KH-STTTT", "recipient_ids": [office.id("phogiamdoc"), guest]}
    _refused_to_guest(office, "vanthu", doc_id, "issue", issue)
    issue["recipient_ids"] = [office.id("phogiamdoc")]
    office.ok("vanthu", doc_id, "issue", issue)
    assert _seen_by(office, doc_id) == signers | {"phogiamdoc"}
    incoming = office.as_user["phogiamdoc"].get("/documents?box=incoming").json()
    assert doc_id in [d["id"] for d in incoming]

    # every download of its files was audited, as confidential
    audit = office.as_user["quantri"].get("/audit?limit=1000").json()
    downloads = [
        a for a in audit if a["action"] == "file.download" and a["target"] == f"file:{signed}"
    ]
    who = {a["user_id"] for a in downloads}
    assert who == {office.id(name) for name in signers | {"phogiamdoc"}}
    assert all(a["detail"]["confidential"] is True for a in downloads)
