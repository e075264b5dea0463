"""The demo office's documents sit at real workflow stages: every pending assignment is one the
state machine lets its holder act on, and the demo can be carried on through the API (sign the
decision waiting for the director, issue the signed notice with the next number)."""

from __future__ import annotations

from pathlib import Path

from server import workflow as wf
from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api, api_for
from tests.server.wf_helpers import sign_in_all, signed_from, uploaded

DEMO = ("giamdoc", "phogiamdoc", "chanhvp", "chuyenvien1", "chuyenvien2", "vanthu")


def test_every_waiting_document_can_be_acted_on(demo: Api) -> None:
    stages: set[str] = set()
    for name in DEMO:
        api = demo.login(name)
        roles = frozenset(api.user["roles"])
        for summary in api.get("/documents?box=inbox").json():
            assert summary["status"] in wf.STATES, summary
            me = wf.Holder(api.user["id"], roles, frozenset({summary["my_action"]}))
            acts = [
                t
                for t in wf.allowed(summary["status"], me)
                if wf.RULES[t].needs and summary["my_action"] in wf.RULES[t].needs
            ]
            assert acts, (name, summary["summary"], summary["status"], summary["my_action"])
            stages.add(summary["status"])
    assert {"registered", "processing", "drafting", "returned"} <= stages
    assert {"awaiting_approval", "awaiting_signature", "signed"} <= stages


def test_seeded_metadata(demo: Api) -> None:
    specialist = demo.login("chuyenvien1")
    incoming = specialist.get("/documents?box=incoming").json()
    assert [d["status"] for d in incoming] == ["issued"]
    notice = specialist.get(f"/documents/{incoming[0]['id']}").json()
    assert notice["signer_position"] == "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
    assert notice["place"] == "Hòa Bình"
    assert notice["recipients"]
    director = demo.login("giamdoc")
    for summary in director.get("/documents?box=inbox").json():
        document = director.get(f"/documents/{summary['id']}").json()
        if document["direction"] == "in":
            assert document["received_number"]
            assert document["received_on"]
        if document["status"] == "awaiting_signature":
            assert document["signing_sha256"] == document["versions"][-1]["file"]["sha256"]


def test_the_demo_goes_on_through_the_api(server: ServerProcess, tmp_path: Path) -> None:
    office = sign_in_all(api_for(server), ("giamdoc", "vanthu", "chuyenvien1"))
    director = office.as_user["giamdoc"]
    to_sign = next(
        d
        for d in director.get("/documents?box=inbox").json()
        if d["my_action"] == "sign" and d["confidentiality"] == "normal"
    )
    document = director.get(f"/documents/{to_sign['id']}").json()
    base = director.get(f"/files/{document['signing_sha256']}").body
    signed = uploaded(director, signed_from(base, tmp_path), "ky.pdf")
    office.ok(
        "giamdoc",
        to_sign["id"],
        "sign",
        {"file_sha256": signed, "base_sha256": document["signing_sha256"]},
    )
    clerk = office.as_user["vanthu"]
    waiting = [
        d["id"] for d in clerk.get("/documents?box=inbox").json() if d["my_action"] == "issue"
    ]
    assert to_sign["id"] in waiting
    numbers = [office.ok("vanthu", doc_id, "issue", {})["number"] for doc_id in sorted(waiting)]
    assert numbers == ["15", "16"]  # after the seeded notice 14 of the year

    registered = clerk.post(
        "/documents",
        {
            "direction": "in",
            "issuing_agency": "Văn phòng UBND tỉnh",
            "doc_type": "Giấy mời",
            "summary": "Giấy mời họp",
            "leader_id": office.id("giamdoc"),
        },
    )
    seeded_incoming = 4
    assert registered.json()["received_number"] == f"{seeded_incoming + 1:02d}"
