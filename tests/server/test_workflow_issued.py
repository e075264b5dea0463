"""After issuing, the clerk's agency-signed file (số and date filled, the agency's signature)
becomes the document's last version on the real server (SQLite and PostgreSQL): the recipients
download that file; only the clerk asked to issue may add it, only on top of the leader-signed
version and only as an incremental update of it; a repeated upload changes nothing."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from tests.fixtures.server import ServerProcess
from tests.server.conftest import api_for
from tests.server.wf_helpers import pdf, sign_in_all, signed_draft, signed_from, slug, uploaded


def test_the_recipients_get_the_agency_signed_version(
    any_db_server: ServerProcess, tmp_path: Path
) -> None:
    office = sign_in_all(api_for(any_db_server))
    doc_id = signed_draft(office, f"Sở phát hành {uuid.uuid4().hex[:8]}", tmp_path)
    clerk = office.as_user["vanthu"]
    leader_signed = clerk.get(f"/documents/{doc_id}").json()["versions"][-1]["file"]["sha256"]
    base = clerk.get(f"/files/{leader_signed}").body
    assert hashlib.sha256(base).hexdigest() == leader_signed
    issued_file = signed_from(base, tmp_path)
    body = {"file_sha256": uploaded(clerk, issued_file, "phat-hanh.pdf")}
    body["base_sha256"] = leader_signed

    early = office.act("vanthu", doc_id, "issued-version", body)
    assert (early.status, slug(early)) == (409, "wrong-state")  # not issued yet
    recipient_id = office.id("chanhvp")
    office.ok("vanthu", doc_id, "issue", {"symbol": "CV-STTTT", "recipient_ids": [recipient_id]})

    leader = office.act("giamdoc", doc_id, "issued-version", body)
    assert (leader.status, slug(leader)) == (403, "not-assigned")
    stale = dict(body, base_sha256=hashlib.sha256(b"other").hexdigest())
    mismatch = office.act("vanthu", doc_id, "issued-version", stale)
    assert (mismatch.status, slug(mismatch)) == (409, "hash-mismatch")
    assert mismatch.json()["expected_sha256"] == leader_signed
    forged = dict(body, file_sha256=uploaded(clerk, pdf("Bản khác"), "khac.pdf"))
    refused = office.act("vanthu", doc_id, "issued-version", forged)
    assert (refused.status, slug(refused)) == (422, "not-signed-from-base")

    done = office.ok("vanthu", doc_id, "issued-version", body)
    assert [v["file"]["sha256"] for v in done["versions"]][-2:] == [
        leader_signed,
        body["file_sha256"],
    ]
    again = office.ok("vanthu", doc_id, "issued-version", body)
    assert len(again["versions"]) == len(done["versions"])

    recipient = office.as_user["chanhvp"]
    seen = recipient.get(f"/documents/{doc_id}").json()
    assert seen["versions"][-1]["file"]["sha256"] == body["file_sha256"]
    assert recipient.get(f"/files/{body['file_sha256']}").body == issued_file
    heard = recipient.get("/events").json()["events"]
    assert {"document_id": doc_id, "transition": "issued_version", "status": "issued"} in [
        e["data"] for e in heard if e["type"] == "document.changed"
    ]
    audit = office.as_user["quantri"].get("/audit?limit=50").json()
    mine = [a["action"] for a in audit if a["target"] == f"document:{doc_id}"]
    assert mine.count("document.issued_version") == 1
