"""Attendance (điểm danh) of a meeting: invitation answers, deputies, check-in, the call, absence.

What is recorded per person is what the minutes need: did they answer (accepted, declined with a
reason, or delegated to a deputy who then represents them), did they come (checked in at the door
of the hall, or present in the call, as their client reports it), or were they absent and why
(the secretary says). Each change goes to the meeting's audience as `attendance.updated` with the
entries that changed — not the whole list, which for a 200-person meeting would be 200 × 200
entries as people join — and a client that missed one reloads the list on resync.

Who may do what, by meeting role (server/meeting_roles.py): every invitee answers for themself;
only a delegate hands the seat to a deputy (a guest or a bridge-point site was invited as what
they are); everyone checks in and reports the call for themself; the chair, the secretary and a
site (the room PC at a bridge point, which joins for the people in its hall) check others in; the
chair and the secretary mark absences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Request
from pydantic import Field
from sqlalchemy.orm import Session

from server import audit
from server.access import signed_in
from server.events import emit
from server.inputs import Id, Input
from server.meeting_roles import (
    meeting_audience,
    meeting_role,
    meeting_status,
    require_meeting_role,
)
from server.meetings import AttendanceEntry, attendance_entry, load_meeting
from server.models import Attendance, Meeting, User, utcnow
from server.problems import Problem, problem_responses
from server.unit_of_work import client_address, commit, get_session

router = APIRouter(tags=["attendance"])

# While a meeting is still to come or running, people answer, come and go; after it ends only the
# secretary's record of absences may still change (for the minutes).
OPEN = frozenset({"draft", "scheduled", "in_progress"})
PRESENT = frozenset({"scheduled", "in_progress"})
RECORDABLE = frozenset({"scheduled", "in_progress", "ended"})
RouteFn = TypeVar("RouteFn", bound=Callable[..., Any])


def entries(meeting: Meeting) -> list[AttendanceEntry]:
    """Everyone of the meeting: the chair and secretary first (answered by running it), then the
    invitees in invitation order."""
    listed = {a.user_id for a in meeting.attendances}
    runners = {u.id: u for u in (meeting.chair, meeting.secretary) if u is not None}
    synthetic = [
        Attendance(user_id=u.id, user=u, status="accepted")  # not added to the session
        for u in runners.values()
        if u.id not in listed
    ]
    return [attendance_entry(meeting, row) for row in (*synthetic, *meeting.attendances)]


def _row(session: Session, meeting: Meeting, user: User) -> Attendance:
    """The user's attendance row; the chair and secretary get one when they first come."""
    row = next((a for a in meeting.attendances if a.user_id == user.id), None)
    if row is not None:
        return row
    if meeting_role(meeting, user) is None:
        raise Problem(422, "not-in-meeting", detail="That person is not in this meeting.")
    row = Attendance(user_id=user.id, user=user, status="accepted")
    meeting.attendances.append(row)
    session.flush()
    return row


def _require_status(meeting: Meeting, allowed: frozenset[str]) -> None:
    status = meeting_status(meeting)
    if status not in allowed:
        raise Problem(
            409,
            "meeting-closed",
            detail=f"Attendance cannot change while the meeting is {status}.",
            meeting_status=status,
        )


def _person(session: Session, meeting: Meeting, user_id: int) -> User:
    person = session.get(User, user_id)
    if person is None or meeting_role(meeting, person) is None:
        raise Problem(422, "not-in-meeting", detail="That person is not in this meeting.")
    return person


@dataclass(frozen=True, slots=True)
class Call:
    """One attendance request: the meeting (visible to the caller, else 404), who asks, and
    the transaction and request it runs in."""

    meeting: Meeting
    user: User
    session: Session
    request: Request

    def announce(self, action: str, rows: list[Attendance]) -> list[AttendanceEntry]:
        """Emit `attendance.updated` with the changed entries, audit `action` (unless empty),
        commit; returns the entries."""
        session, meeting = self.session, self.meeting
        session.flush()
        changed = [attendance_entry(meeting, row) for row in rows]
        data = {"meeting_id": meeting.id, "entries": [e.model_dump(mode="json") for e in changed]}
        emit(session, "attendance.updated", data, meeting_audience(meeting))
        if action:
            audit.record(
                session,
                f"attendance.{action}",
                user_id=self.user.id,
                address=client_address(self.request),
                target=f"meeting:{meeting.id}",
                users=[row.user_id for row in rows],
            )
        commit(session)
        return changed


def attendance_call(
    meeting_id: Id,
    request: Request,
    user: Annotated[User, Depends(signed_in)],
    session: Annotated[Session, Depends(get_session)],
) -> Call:
    """Dependency: the `Call` of a `/meetings/{meeting_id}/attendance…` route."""
    return Call(load_meeting(session, meeting_id, user), user, session, request)


CallDep = Annotated[Call, Depends(attendance_call)]


def _post(action: str) -> Callable[[RouteFn], RouteFn]:
    """`POST /meetings/{meeting_id}/attendance/{action}`, answering the changed entries."""
    return router.post(
        f"/meetings/{{meeting_id}}/attendance/{action}",
        response_model=list[AttendanceEntry],
        responses=problem_responses(403, 404, 409, 422),
    )


@router.get(
    "/meetings/{meeting_id}/attendance",
    response_model=list[AttendanceEntry],
    responses=problem_responses(404, 422),  # 422: the meeting id, checked in `attendance_call`
)
def list_attendance(call: CallDep) -> list[AttendanceEntry]:
    """Everyone of the meeting with their answer and presence (404 when not visible)."""
    return entries(call.meeting)


class AnswerIn(Input):
    """Body of `POST /meetings/{id}/attendance/answer`."""

    answer: Literal["accepted", "declined"]
    reason: str = Field(default="", max_length=500)


@_post("answer")
def answer(body: AnswerIn, call: CallDep) -> list[AttendanceEntry]:
    """Accept or decline the invitation (a decline says why); changing one's mind is allowed
    until the meeting ends, but a seat handed to a deputy stays theirs."""
    meeting, user = call.meeting, call.user
    _require_status(meeting, OPEN)
    row = next((a for a in meeting.attendances if a.user_id == user.id), None)
    if row is None:
        raise Problem(403, "meeting-role", detail="Only an invitee answers an invitation.")
    if row.status == "delegated":
        raise Problem(409, "delegated", detail="You handed your seat to a deputy.")
    if body.answer == "declined" and not body.reason.strip():
        raise Problem(422, "reason-required", detail="Say why you decline.")
    row.status = body.answer
    row.reason = body.reason.strip() if body.answer == "declined" else ""
    emit(call.session, "meeting.updated", {"meeting_id": meeting.id}, {user.id})
    return call.announce("answer", [row])


class DelegateIn(Input):
    """Body of `POST /meetings/{id}/attendance/delegate`."""

    deputy_id: Id


@_post("delegate")
def delegate(body: DelegateIn, call: CallDep) -> list[AttendanceEntry]:
    """Send a deputy in one's place: the deputy becomes a delegate who represents the user."""
    meeting, user, session = call.meeting, call.user, call.session
    _require_status(meeting, OPEN)
    require_meeting_role(meeting, user, "delegate")
    row = _row(session, meeting, user)
    if row.represents_id is not None:
        raise Problem(409, "is-deputy", detail="A deputy cannot hand the seat on again.")
    deputy = session.get(User, body.deputy_id)
    if deputy is None or not deputy.active or "guest" in deputy.roles:
        raise Problem(422, "deputy-not-staff", detail="The deputy must be an active staff account.")
    if meeting_role(meeting, deputy) is not None:
        raise Problem(409, "already-in-meeting", detail="The deputy is already in the meeting.")
    row.status = "delegated"
    row.reason = ""
    seat = Attendance(user_id=deputy.id, user=deputy, role="delegate", represents_id=user.id)
    meeting.attendances.append(seat)
    emit(session, "meeting.updated", {"meeting_id": meeting.id}, {user.id, deputy.id})
    return call.announce("delegate", [row, seat])


class CheckInIn(Input):
    """Body of `POST /meetings/{id}/attendance/check-in`: whom (default: oneself)."""

    user_id: Id | None = None


@_post("check-in")
def check_in(body: CheckInIn, call: CallDep) -> list[AttendanceEntry]:
    """Present in the hall. Oneself, or others by the chair, the secretary or a site's PC."""
    meeting, user = call.meeting, call.user
    _require_status(meeting, PRESENT)
    who = user
    if body.user_id is not None and body.user_id != user.id:
        require_meeting_role(meeting, user, "chair", "secretary", "site")
        who = _person(call.session, meeting, body.user_id)
    row = _row(call.session, meeting, who)
    if row.checked_in_at is None:
        row.checked_in_at = utcnow()
    row.absent_reason = None
    return call.announce("check_in", [row])


class CallIn(Input):
    """Body of `POST /meetings/{id}/attendance/call`: the client joined or left the call."""

    present: bool


@_post("call")
def call_presence(body: CallIn, call: CallDep) -> list[AttendanceEntry]:
    """Present in the call or not, as the user's own client reports it (not audited: a flaky
    network may report this every minute; the first join time is kept for the minutes)."""
    _require_status(call.meeting, PRESENT)
    row = _row(call.session, call.meeting, call.user)
    row.in_call = body.present
    if body.present:
        row.joined_call_at = row.joined_call_at or utcnow()
        row.absent_reason = None
    return call.announce("", [row])


class AbsentIn(Input):
    """Body of `POST /meetings/{id}/attendance/absent`; `reason` null clears the absence."""

    user_id: Id
    reason: str | None = Field(min_length=1, max_length=500)


@_post("absent")
def mark_absent(body: AbsentIn, call: CallDep) -> list[AttendanceEntry]:
    """The chair or secretary records someone as absent, with the reason (vắng mặt có lý do)."""
    meeting = call.meeting
    _require_status(meeting, RECORDABLE)
    require_meeting_role(meeting, call.user, "chair", "secretary")
    row = _row(call.session, meeting, _person(call.session, meeting, body.user_id))
    row.absent_reason = body.reason.strip() if body.reason else None
    return call.announce("absent", [row])
