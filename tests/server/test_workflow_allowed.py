"""`allowed_actions` in the document detail: the server tells each user what they may do on a
document now (role, pending assignments, delegations), so the app's buttons are the server's
own decision; every action it lists is accepted, and actions it leaves out are refused."""

from __future__ import annotations

import datetime as dt

from tests.fixtures.server import ServerProcess
from tests.server.conftest import api_for
from tests.server.wf_helpers import Office, pdf, sign_in_all, uploaded


def _allowed(office: Office, username: str, doc_id: int) -> list[str]:
    reply = office.as_user[username].get(f"/documents/{doc_id}")
    assert reply.status == 200, reply.body
    return list(reply.json()["allowed_actions"])


def test_each_user_is_told_what_they_may_do_now(server: ServerProcess) -> None:
    office = sign_in_all(api_for(server))
    scan = uploaded(office.as_user["vanthu"], pdf("Công văn đến về chuyển đổi số"), "den.pdf")
    reply = office.as_user["vanthu"].post(
        "/documents",
        {
            "direction": "in",
            "number": "77",
            "symbol": "UBND-VX",
            "issuing_agency": "UBND tỉnh",
            "doc_type": "Công văn",
            "summary": "V/v chuyển đổi số",
            "leader_id": office.id("giamdoc"),
            "file_sha256": scan,
        },
    )
    assert reply.status == 201, reply.body
    doc_id = reply.json()["id"]
    assert reply.json()["allowed_actions"] == ["comment"]  # the clerk registered it: done
    assert _allowed(office, "giamdoc", doc_id) == [
        "assign",
        "forward",
        "attach",
        "comment",
        "instruct",
    ]

    # a deputy sees the director's actions while the delegation holds
    now = dt.datetime.now(dt.UTC)
    delegated = office.as_user["giamdoc"].post(
        "/delegations",
        {
            "deputy_id": office.id("phogiamdoc"),
            "kind": "deputy",
            "starts_at": (now - dt.timedelta(minutes=1)).isoformat(),
            "ends_at": (now + dt.timedelta(hours=1)).isoformat(),
        },
    )
    assert delegated.status == 201, delegated.body
    assert "assign" in _allowed(office, "phogiamdoc", doc_id)

    routed = office.ok(
        "giamdoc", doc_id, "assign", {"processor_id": office.id("chuyenvien1"), "instruction": ""}
    )
    assert routed["allowed_actions"] == ["comment", "instruct"]  # routed: the route is done
    assert _allowed(office, "chuyenvien1", doc_id) == [
        "forward",
        "attach",
        "coordinate",
        "complete",
        "comment",
    ]
    # what is listed is accepted; what is left out is refused
    assert "approve" not in _allowed(office, "chuyenvien1", doc_id)
    assert office.act("chuyenvien1", doc_id, "approve", {}).status in (403, 409)
    done = office.ok("chuyenvien1", doc_id, "complete", {"note": "Đã xong."})
    assert done["status"] == "done"
    assert done["allowed_actions"] == ["comment"]
