"""Conclusions and minutes through the real server (SQLite and PostgreSQL): the secretary and the
chair write conclusions that everyone in the meeting hears of; after the meeting the secretary
generates the minutes from the meeting's state (attendance, agenda, speakers, votes,
conclusions), a "Biên bản" document that waits for the secretary's signature, then the chair's,
and the chair's moves the meeting to `minutes_approved`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pymupdf
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from server.models import AgendaItem
from tests.fixtures.server import ServerProcess
from tests.server.room_helpers import CHAIR, OUTSIDER, SECRETARY, Room, open_room
from tests.server.wf_helpers import signed_from, uploaded


def add_item(room: Room, order: int, title: str, presenter: str) -> int:
    """An agenda item written straight into the database (the agenda API is another slice's)."""
    engine = create_engine(room.server.db_url)
    try:
        with Session(engine) as session, session.begin():
            item = AgendaItem(
                meeting_id=room.meeting_id,
                order=order,
                title=title,
                presenter_id=room.id(presenter),
                duration_minutes=15,
            )
            session.add(item)
            session.flush()
            return int(item.id)
    finally:
        engine.dispose()


def name(room: Room, username: str) -> str:
    return str(room.as_user[username].user["full_name"])


def test_the_secretary_and_the_chair_write_conclusions_everyone_hears(
    engine_server: ServerProcess,
) -> None:
    room = open_room(engine_server)
    item = add_item(room, 1, "Dự thảo kế hoạch", "phogiamdoc")
    since = room.last_seq("chuyenvien1")
    tail = f"agenda/{item}/conclusion"
    denied = room.call("chuyenvien1", "PUT", tail, {"text": "Tôi kết luận"})
    assert denied.status == 403
    wrote = room.ok(SECRETARY, "PUT", tail, {"text": "Thống nhất thông qua."})
    assert (wrote["agenda_item_id"], wrote["text"]) == (item, "Thống nhất thông qua.")
    assert wrote["updated_by"] == room.id(SECRETARY)
    room.ok(CHAIR, "PUT", tail, {"text": "Thông qua, giao Văn phòng hoàn thiện."})
    listed = room.ok("chuyenvien1", "GET", "conclusions")
    assert [(c["agenda_item_id"], c["text"]) for c in listed] == [
        (item, "Thông qua, giao Văn phòng hoàn thiện.")
    ]
    assert listed[0]["updated_by"] == room.id(CHAIR)
    heard = room.events("chuyenvien1", "minutes.updated", since)
    assert [e["data"]["text"] for e in heard] == [
        "Thống nhất thông qua.",
        "Thông qua, giao Văn phòng hoàn thiện.",
    ]
    assert room.events(OUTSIDER, "minutes.updated", since) == []
    assert room.call(SECRETARY, "PUT", "agenda/999999/conclusion", {"text": "x"}).status == 404

    later = open_room(engine_server, starts_in=dt.timedelta(hours=1))
    early = add_item(later, 1, "Chưa họp", "phogiamdoc")
    reply = later.call(SECRETARY, "PUT", f"agenda/{early}/conclusion", {"text": "Sớm"})
    assert reply.status == 409
    assert reply.json()["meeting_status"] == "scheduled"


def run_meeting(room: Room) -> tuple[int, int]:
    """Two items, a check-in, an absence, two speakers, a secret vote (2 agree, 1 disagree),
    a conclusion; then the chair ends the meeting. Returns the item ids."""
    plan = add_item(room, 1, "Dự thảo kế hoạch năm 2027", "phogiamdoc")
    budget = add_item(room, 2, "Dự toán ngân sách", "chuyenvien1")
    for who in ("phogiamdoc", "chuyenvien1", "chuyenvien2"):
        room.ok(who, "POST", "attendance/check-in", {})
    room.ok(
        SECRETARY,
        "POST",
        "attendance/absent",
        {"user_id": room.id("vanthu"), "reason": "Đi công tác"},
    )
    for who, item in (("chuyenvien2", budget), ("phogiamdoc", plan)):
        asked = room.ok(who, "POST", "speak-requests", {"agenda_item_id": item})
        mine = next(r for r in asked["queue"] if r["user"]["id"] == room.id(who))
        room.ok(CHAIR, "POST", f"speak-requests/{mine['id']}/grant")
        room.ok(CHAIR, "POST", "speak-requests/end-turn")
    poll = room.ok(SECRETARY, "POST", "polls", {"title": "Thông qua kế hoạch", "secret": True})
    room.ok(CHAIR, "POST", f"polls/{poll['id']}/open")
    for who, option in (("phogiamdoc", 0), ("chuyenvien1", 0), ("chuyenvien2", 1)):
        room.ok(who, "POST", f"polls/{poll['id']}/vote", {"option": option})
    room.ok(CHAIR, "POST", f"polls/{poll['id']}/close")
    room.ok(SECRETARY, "PUT", f"agenda/{plan}/conclusion", {"text": "Thông qua dự thảo kế hoạch."})
    room.ok(CHAIR, "POST", "status", {"status": "ended"})
    return plan, budget


def test_minutes_are_generated_from_the_meeting_and_signed_by_secretary_then_chair(
    engine_server: ServerProcess, tmp_path: Path
) -> None:
    room = open_room(engine_server)
    assert room.call(SECRETARY, "POST", "minutes").status == 409  # still in progress
    plan, _ = run_meeting(room)
    since = room.last_seq("chuyenvien1")
    assert room.call("chuyenvien1", "POST", "minutes").status == 403
    assert room.call(CHAIR, "POST", "minutes").status == 403  # the secretary makes them
    minutes = room.ok(SECRETARY, "POST", "minutes")
    assert minutes["next_signer"] == "secretary"
    assert minutes["status"] == "awaiting_signature"
    assert minutes["signing_sha256"] == minutes["file_sha256"]
    secretary = room.as_user[SECRETARY]
    pdf = secretary.get(f"/files/{minutes['file_sha256']}").body
    with pymupdf.open(stream=pdf) as doc:
        text = "\n".join(page.get_text() for page in doc)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BIÊN BẢN",
        f"Chủ trì: {name(room, CHAIR)}",
        f"Thư ký: {name(room, SECRETARY)}",
        f"{name(room, 'vanthu')} (lý do: Đi công tác)",
        "1. Dự thảo kế hoạch năm 2027",
        "2. Dự toán ngân sách",
        f"1. {name(room, 'chuyenvien2')} (Dự toán ngân sách)",
        f"2. {name(room, 'phogiamdoc')} (Dự thảo kế hoạch năm 2027)",
        "Thông qua kế hoạch (bỏ phiếu kín): Tán thành 2, Không tán thành 1, Không biểu quyết 0; 3/",
        "Dự thảo kế hoạch năm 2027: Thông qua dự thảo kế hoạch.",
        "Dự toán ngân sách: chưa có kết luận.",
        "THƯ KÝ",
        "CHỦ TRÌ",
    ):
        assert expected in text.replace("\n", " ") or expected in text, expected
    present = next(line for line in text.splitlines() if line.startswith("Có mặt"))
    assert name(room, "chuyenvien1") in present

    # the document is in the secretary's inbox, readable by the meeting's people only
    document = secretary.get(f"/documents/{minutes['document_id']}").json()
    assert document["doc_type"] == "Biên bản"
    assert room.as_user["chuyenvien1"].get(f"/documents/{minutes['document_id']}").status == 200
    # the inbox offers "sign" to whoever the minutes wait for, with their block's place
    assert "sign" in document["allowed_actions"]
    assert document["signature_place"] == minutes["secretary"]
    for other in (CHAIR, "chuyenvien1"):
        seen = room.as_user[other].get(f"/documents/{minutes['document_id']}").json()
        assert seen["signature_place"] is None
        assert "sign" not in seen["allowed_actions"]

    base = pdf
    first = signed_from(base, tmp_path)
    body = {
        "file_sha256": uploaded(room.as_user[CHAIR], first),
        "base_sha256": minutes["file_sha256"],
    }
    assert room.call(CHAIR, "POST", "minutes/sign", body).status == 403  # not the chair's turn
    body["file_sha256"] = uploaded(secretary, first)
    after_secretary = room.ok(SECRETARY, "POST", "minutes/sign", body)
    assert after_secretary["next_signer"] == "chair"
    assert after_secretary["signing_sha256"] == body["file_sha256"]
    seen = room.as_user[CHAIR].get(f"/documents/{minutes['document_id']}").json()
    assert (seen["signature_place"], "sign" in seen["allowed_actions"]) == (minutes["chair"], True)
    assert secretary.get(f"/documents/{minutes['document_id']}").json()["signature_place"] is None
    assert room.call(SECRETARY, "POST", "minutes").status == 409  # signed: no regenerating
    stale = {"file_sha256": body["file_sha256"], "base_sha256": minutes["file_sha256"]}
    assert room.call(CHAIR, "POST", "minutes/sign", stale).status == 409  # hash mismatch
    second = signed_from(first, tmp_path)
    body = {
        "file_sha256": uploaded(room.as_user[CHAIR], second),
        "base_sha256": body["file_sha256"],
    }
    # the chair signs from the inbox: the documents' sign route passes minutes on
    signed = room.as_user[CHAIR].post(f"/documents/{minutes['document_id']}/sign", body)
    assert signed.status == 200, signed.body
    assert signed.json()["status"] == "signed"
    assert {(a["action"], a["state"]) for a in signed.json()["assignments"]} == {("sign", "done")}
    done = room.ok("chuyenvien1", "GET", "minutes")
    assert (done["status"], done["next_signer"]) == ("signed", None)
    meeting = room.as_user["chuyenvien1"].get(f"/meetings/{room.meeting_id}").json()
    assert meeting["status"] == "minutes_approved"
    updates = room.events("chuyenvien1", "meeting.updated", since)
    assert updates[-1]["data"] == {"meeting_id": room.meeting_id, "status": "minutes_approved"}
    assert room.events("chuyenvien1", "minutes.updated", since)
    reply = room.call(SECRETARY, "PUT", f"agenda/{plan}/conclusion", {"text": "muộn"})
    assert (reply.status, reply.json()["meeting_status"]) == (409, "minutes_approved")


def test_regenerating_before_anyone_signed_replaces_the_version_to_sign(
    engine_server: ServerProcess,
) -> None:
    room = open_room(engine_server)
    plan, _ = run_meeting(room)
    first = room.ok(SECRETARY, "POST", "minutes")
    room.ok(SECRETARY, "PUT", f"agenda/{plan}/conclusion", {"text": "Sửa lại kết luận."})
    again = room.ok(SECRETARY, "POST", "minutes")
    assert again["document_id"] == first["document_id"]
    assert again["signing_sha256"] == again["file_sha256"] != first["file_sha256"]
    assert again["next_signer"] == "secretary"
    pdf = room.as_user[SECRETARY].get(f"/files/{again['file_sha256']}").body
    with pymupdf.open(stream=pdf) as doc:
        assert "Sửa lại kết luận." in doc[0].get_text()
    assert room.ok("chuyenvien2", "GET", "minutes") == again
