"""server/meeting_roles.py without HTTP: roles in a meeting, its audience, its status by clock."""

from __future__ import annotations

import datetime as dt

import pytest

from server.meeting_roles import (
    meeting_audience,
    meeting_role,
    meeting_status,
    require_in_progress,
    require_meeting_role,
    require_transition,
)
from server.models import Attendance, Meeting, User
from server.problems import Problem

START = dt.datetime(2026, 12, 8, 8, tzinfo=dt.UTC)


def person(user_id: int) -> User:
    return User(id=user_id, username=f"u{user_id}", full_name=f"Người {user_id}", title="")


CHAIR, SECRETARY, DELEGATE, GUEST, SITE, CREATOR, OUTSIDER = (person(i) for i in range(1, 8))


def meeting(status: str = "scheduled") -> Meeting:
    return Meeting(
        id=1,
        title="Họp",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=2),
        status=status,
        chair_id=CHAIR.id,
        secretary_id=SECRETARY.id,
        created_by=CREATOR.id,
        attendances=[
            Attendance(user_id=DELEGATE.id, role="delegate"),
            Attendance(user_id=GUEST.id, role="guest"),
            Attendance(user_id=SITE.id, role="site"),
            # The chair invited as well keeps the chair's role.
            Attendance(user_id=CHAIR.id, role="delegate"),
        ],
    )


def test_roles_come_from_the_meeting_then_the_invitation() -> None:
    m = meeting()
    assert [meeting_role(m, u) for u in (CHAIR, SECRETARY, DELEGATE, GUEST, SITE)] == [
        "chair",
        "secretary",
        "delegate",
        "guest",
        "site",
    ]
    assert meeting_role(m, CREATOR) is None
    assert meeting_role(m, OUTSIDER) is None


def test_the_audience_is_chair_secretary_creator_and_attendees() -> None:
    assert meeting_audience(meeting()) == {1, 2, 3, 4, 5, 6}


def test_a_role_outside_the_allowed_ones_is_403() -> None:
    m = meeting()
    assert require_meeting_role(m, SECRETARY, "chair", "secretary") == "secretary"
    for user in (DELEGATE, OUTSIDER):
        with pytest.raises(Problem) as caught:
            require_meeting_role(m, user, "chair", "secretary")
        assert (caught.value.status, caught.value.slug) == (403, "meeting-role")


def test_a_scheduled_meeting_follows_the_clock() -> None:
    m = meeting()
    assert meeting_status(m, START - dt.timedelta(seconds=1)) == "scheduled"
    assert meeting_status(m, START) == "in_progress"
    assert meeting_status(m, m.ends_at) == "ended"
    # Opened early or still running after its planned end: the stored status wins.
    opened = meeting("in_progress")
    assert meeting_status(opened, START - dt.timedelta(hours=1)) == "in_progress"
    assert meeting_status(opened, opened.ends_at + dt.timedelta(hours=1)) == "in_progress"
    assert meeting_status(meeting("draft"), m.ends_at) == "draft"


def test_only_an_in_progress_meeting_passes_require_in_progress() -> None:
    require_in_progress(meeting("in_progress"))
    with pytest.raises(Problem) as caught:
        require_in_progress(meeting("ended"))
    assert (caught.value.status, caught.value.slug) == (409, "meeting-not-in-progress")


@pytest.mark.parametrize(
    ("status", "to"),
    [
        ("draft", "in_progress"),
        ("in_progress", "in_progress"),
        ("ended", "in_progress"),
        ("minutes_approved", "ended"),
        ("in_progress", "scheduled"),
    ],
)
def test_illegal_steps_are_409_even_for_the_chair(status: str, to: str) -> None:
    with pytest.raises(Problem) as caught:
        require_transition(meeting(status), CHAIR, to)  # type: ignore[arg-type]
    assert (caught.value.status, caught.value.slug) == (409, "illegal-transition")


def test_only_the_chair_approves_the_minutes() -> None:
    assert require_transition(meeting("ended"), CHAIR, "minutes_approved") == "ended"
    with pytest.raises(Problem) as caught:
        require_transition(meeting("ended"), SECRETARY, "minutes_approved")
    assert caught.value.status == 403
