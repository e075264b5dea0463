"""server/meetings.py without HTTP: the shapes a user sees, who hears of a change, input."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from server.meeting_roles import meeting_audience
from server.meetings import MeetingIn, detail, summary
from server.models import AgendaItem, Attendance, FileBlob, Meeting, Paper, User

UTC = dt.UTC
START = dt.datetime(2026, 12, 8, 8, tzinfo=UTC)


def person(user_id: int, name: str) -> User:
    return User(id=user_id, username=f"u{user_id}", full_name=name, title="")


CHAIR, SECRETARY, GUEST, OUTSIDER = (
    person(1, "Nguyễn Văn Hùng"),
    person(2, "Lê Văn Nam"),
    person(3, "Bùi Thanh Tùng"),
    person(4, "Vũ Quang Huy"),
)


def meeting(secretary: User | None = SECRETARY) -> Meeting:
    paper = Paper(
        id=9,
        title="Tờ trình",
        kind="main",
        file=FileBlob(sha256="cd" * 32, size=10, name="totrinh.pdf", media_type="application/pdf"),
        confidentiality="confidential",
    )
    return Meeting(
        id=7,
        title="Giao ban tuần",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=2),
        location="Phòng họp 1",
        online=False,
        status="scheduled",
        chair_id=CHAIR.id,
        chair=CHAIR,
        secretary_id=secretary.id if secretary else None,
        secretary=secretary,
        media=None,
        attendances=[
            Attendance(user_id=GUEST.id, user=GUEST, status="accepted"),
            Attendance(user_id=CHAIR.id, user=CHAIR, status="invited"),
        ],
        agenda=[
            AgendaItem(
                id=3,
                order=1,
                title="Khai mạc",
                presenter=CHAIR,
                duration_minutes=10,
                papers=[paper],
            )
        ],
    )


def test_my_attendance_is_my_own_answer() -> None:
    m = meeting()
    assert summary(m, GUEST).my_attendance == "accepted"
    assert summary(m, CHAIR).my_attendance == "invited"
    assert summary(m, OUTSIDER).my_attendance is None


def test_detail_has_the_agenda_with_its_papers_and_the_attendees() -> None:
    out = detail(meeting(), CHAIR, readable={9})
    assert out.chair.full_name == "Nguyễn Văn Hùng"
    assert out.secretary is not None
    assert out.secretary.full_name == "Lê Văn Nam"
    [item] = out.agenda
    assert (item.order, item.title, item.duration_minutes) == (1, "Khai mạc", 10)
    [paper] = item.papers
    assert paper.file is not None
    assert paper.file.name == "totrinh.pdf"
    assert paper.confidentiality == "confidential"
    assert [(a.user.full_name, a.status) for a in out.attendees] == [
        ("Bùi Thanh Tùng", "accepted"),
        ("Nguyễn Văn Hùng", "invited"),
    ]


def test_detail_leaves_out_the_papers_the_user_may_not_read() -> None:
    [item] = detail(meeting(), GUEST, readable=set()).agenda
    assert item.papers == []


def test_attendees_chair_and_secretary_hear_of_a_change() -> None:
    assert meeting_audience(meeting()) == {CHAIR.id, SECRETARY.id, GUEST.id}
    assert meeting_audience(meeting(secretary=None)) == {CHAIR.id, GUEST.id}


def test_a_new_meeting_ends_after_it_starts() -> None:
    body = {"title": "Họp", "starts_at": START.isoformat(), "chair_id": 1}
    ok = MeetingIn.model_validate({**body, "ends_at": (START + dt.timedelta(hours=1)).isoformat()})
    assert ok.status == "scheduled"
    for end in (START, START - dt.timedelta(minutes=1)):
        with pytest.raises(ValidationError, match="ends_at must be after starts_at"):
            MeetingIn.model_validate({**body, "ends_at": end.isoformat()})
    with pytest.raises(ValidationError):
        MeetingIn.model_validate(
            {**body, "ends_at": (START + dt.timedelta(hours=1)).isoformat(), "status": "ended"}
        )


def test_a_janus_rooms_pin_goes_to_who_joins_the_call_and_its_secret_to_nobody() -> None:
    m = meeting()
    m.media = {"kind": "janus", "url": "wss://sfu/", "room": 5, "pin": "7319", "secret": "s"}
    assert detail(m, GUEST, readable=set()).media == {
        "kind": "janus",
        "url": "wss://sfu/",
        "room": 5,
        "pin": "7319",
    }
    # someone who may see the meeting without being in it (an IT admin sees them all)
    assert detail(m, OUTSIDER, readable=set()).media == {
        "kind": "janus",
        "url": "wss://sfu/",
        "room": 5,
    }
    assert m.media["secret"] == "s"  # the record itself is kept whole
