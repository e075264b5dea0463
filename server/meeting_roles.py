"""Who someone is in a meeting, who hears of it, and where the meeting is in its life.

Every meeting-room route (attendance, agenda, speak queue, polls, chat, presenter) asks these
questions, so the answers live here once. A person's role in one meeting (chủ trì, thư ký, đại
biểu, khách mời, điểm cầu) is not their role in the office: the chair and secretary come from the
meeting, everyone else from their Attendance row.

The life of a meeting is draft → scheduled → in_progress → ended → minutes_approved. The chair
or secretary opens and ends it; besides, a scheduled meeting counts as in progress once its start
time has passed (and as ended once its end time has passed without anyone opening it). That time
rule is applied lazily on every read (`meeting_status`) rather than by the housekeeper: a timer
would leave the meeting "scheduled" for up to one housekeeping interval after its start, every
server process would have to agree on who flips it, and a read-only replica or a restored backup
would show a stale status; computing it from the row and the clock is exact, costs nothing and
needs no write. The stored status changes only on an explicit transition.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

from server.models import Meeting, User, utcnow
from server.problems import Problem

MeetingRole = Literal["chair", "secretary", "delegate", "guest", "site"]
MEETING_ROLES: tuple[MeetingRole, ...] = get_args(MeetingRole)
MeetingStatus = Literal["draft", "scheduled", "in_progress", "ended", "minutes_approved"]

# The roles an invitation may carry (chair and secretary come from the meeting itself).
ATTENDEE_ROLES: tuple[MeetingRole, ...] = ("delegate", "guest", "site")

# (from, to) → who may make that step. Anything else is an illegal transition (409).
TRANSITIONS: dict[tuple[MeetingStatus, MeetingStatus], tuple[MeetingRole, ...]] = {
    ("draft", "scheduled"): ("chair", "secretary"),
    ("scheduled", "in_progress"): ("chair", "secretary"),
    ("in_progress", "ended"): ("chair", "secretary"),
    ("ended", "minutes_approved"): ("chair",),
}


def meeting_role(meeting: Meeting, user: User) -> MeetingRole | None:
    """The user's role in this meeting, or None when they are not in it."""
    if user.id == meeting.chair_id:
        return "chair"
    if user.id == meeting.secretary_id:
        return "secretary"
    for attendance in meeting.attendances:
        if attendance.user_id == user.id:
            role = attendance.role or "delegate"
            return role if role in ATTENDEE_ROLES else "delegate"
    return None


def meeting_audience(meeting: Meeting) -> set[int]:
    """User ids who get the meeting's live events: chair, secretary, creator, every attendee."""
    ids = {a.user_id for a in meeting.attendances} | {meeting.chair_id}
    for extra in (meeting.secretary_id, meeting.created_by):
        if extra is not None:
            ids.add(extra)
    return ids


def require_meeting_role(meeting: Meeting, user: User, *roles: MeetingRole) -> MeetingRole:
    """The user's role when it is one of `roles`; otherwise the project's 403 problem."""
    role = meeting_role(meeting, user)
    if role is None or role not in roles:
        raise Problem(
            403,
            "meeting-role",
            detail="Your role in this meeting does not allow this.",
            allowed=list(roles),
        )
    return role


def meeting_status(meeting: Meeting, now: dt.datetime | None = None) -> MeetingStatus:
    """The status as it stands now: the stored one, with the time rule for scheduled meetings."""
    stored: MeetingStatus = meeting.status  # type: ignore[assignment]
    if stored != "scheduled":
        return stored
    now = now or utcnow()
    if now >= meeting.ends_at:
        return "ended"
    if now >= meeting.starts_at:
        return "in_progress"
    return "scheduled"


def require_in_progress(meeting: Meeting) -> None:
    """409 problem unless the meeting is in progress now (opened, or its start time passed)."""
    status = meeting_status(meeting)
    if status != "in_progress":
        raise Problem(
            409,
            "meeting-not-in-progress",
            detail="The meeting is not in progress.",
            meeting_status=status,
        )


def require_transition(meeting: Meeting, user: User, to: MeetingStatus) -> MeetingStatus:
    """Check that `user` may move the meeting to `to` now; returns the status it leaves.

    An illegal step (from the status as it stands now) is a 409 before any role check, so a
    client that raced another chair learns the meeting moved on rather than a misleading 403."""
    current = meeting_status(meeting)
    allowed = TRANSITIONS.get((current, to))
    if allowed is None:
        raise Problem(
            409,
            "illegal-transition",
            detail=f"A {current} meeting cannot become {to}.",
            meeting_status=current,
            to=to,
        )
    require_meeting_role(meeting, user, *allowed)
    return current
