"""Meetings: list by range, detail, create, and the chair's steps through the meeting's life
(DESIGN §6; roles and the lifecycle rules in server/meeting_roles.py). Visible to chair,
secretary, invitees and the creator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from server import audit
from server.access import require, signed_in
from server.confidential_meetings import refuse_guests
from server.events import emit
from server.files import FileRef, file_ref
from server.inputs import Id, Input, Timestamp
from server.meeting_roles import (
    MeetingRole,
    MeetingStatus,
    meeting_audience,
    meeting_role,
    meeting_status,
    require_transition,
)
from server.models import AgendaItem, Attendance, Meeting, Paper, User, utcnow
from server.problems import Problem, not_found, problem_responses
from server.unit_of_work import client_address, commit, get_session
from server.users import UserRef, user_ref
from server.visibility import visible_meetings, visible_papers

router = APIRouter(tags=["meetings"])


class PaperOut(BaseModel):
    """`Paper` of the contract."""

    id: int
    title: str
    kind: str
    file: FileRef | None
    url: str | None
    confidentiality: str
    version: int = Field(1, description="1 for the first file; +1 at each replacement")
    shared_with_guests: bool = False
    owner_id: int | None = Field(None, description="the only reader of a personal paper")


def paper_out(paper: Paper) -> PaperOut:
    """The contract's `Paper` of a row."""
    return PaperOut(
        id=paper.id,
        title=paper.title,
        kind=paper.kind,
        file=file_ref(paper.file),
        url=paper.url,
        confidentiality=paper.confidentiality,
        version=paper.version or 1,  # unset on a row not flushed yet
        shared_with_guests=bool(paper.shared_with_guests),
        owner_id=paper.owner_id,
    )


class AgendaItemOut(BaseModel):
    """`AgendaItem` of the contract."""

    id: int
    order: int
    title: str
    presenter: UserRef | None
    duration_minutes: int
    papers: list[PaperOut]


class AttendanceEntry(BaseModel):
    """`AttendanceEntry` of the contract: one person of the meeting as the minutes see them."""

    user: UserRef
    role: MeetingRole
    status: str
    reason: str
    represents: UserRef | None
    represented_by: UserRef | None
    checked_in_at: dt.datetime | None
    in_call: bool
    joined_call_at: dt.datetime | None
    absent_reason: str | None


class MeetingSummary(BaseModel):
    """`MeetingSummary` of the contract."""

    id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str
    online: bool
    status: str
    chair: UserRef
    my_attendance: str | None
    my_role: MeetingRole | None


class MeetingOut(MeetingSummary):
    """`Meeting` of the contract."""

    secretary: UserRef | None
    media: dict[str, Any] | None
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    confidential: bool = Field(False, description="họp có nội dung mật")
    agenda: list[AgendaItemOut]
    attendees: list[AttendanceEntry]


def _my_attendance(meeting: Meeting, user: User) -> str | None:
    return next((a.status for a in meeting.attendances if a.user_id == user.id), None)


def attendance_entry(meeting: Meeting, row: Attendance) -> AttendanceEntry:
    """One attendance row as the contract shows it (who represents whom looked up here)."""
    deputy = next((a.user for a in meeting.attendances if a.represents_id == row.user_id), None)
    return AttendanceEntry(
        user=user_ref(row.user),  # type: ignore[arg-type]
        role=meeting_role(meeting, row.user) or "delegate",
        status=row.status,
        reason=row.reason or "",
        represents=user_ref(row.represents),
        represented_by=user_ref(deputy),
        checked_in_at=row.checked_in_at,
        in_call=bool(row.in_call),
        joined_call_at=row.joined_call_at,
        absent_reason=row.absent_reason,
    )


def summary(meeting: Meeting, user: User) -> MeetingSummary:
    """The list shape of a meeting, seen by `user`."""
    return MeetingSummary(
        id=meeting.id,
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location=meeting.location,
        online=meeting.online,
        status=meeting_status(meeting),
        chair=user_ref(meeting.chair),  # type: ignore[arg-type]
        my_attendance=_my_attendance(meeting, user),
        my_role=meeting_role(meeting, user),
    )


def agenda_item_out(item: AgendaItem, readable: Container[int]) -> AgendaItemOut:
    """The contract's `AgendaItem`, listing only the papers in `readable`."""
    return AgendaItemOut(
        id=item.id,
        order=item.order,
        title=item.title,
        presenter=user_ref(item.presenter),
        duration_minutes=item.duration_minutes,
        papers=[paper_out(p) for p in item.papers if p.id in readable],
    )


def media_for(meeting: Meeting, user: User) -> dict[str, Any] | None:
    """The meeting's media record as `user` sees it: never a Janus room's `secret` (room
    administration stays with whoever provisions the media server), and the room's `pin` only
    for someone who joins the call (chair, secretary, creator, attendees)."""
    if meeting.media is None:
        return None
    media = {k: v for k, v in meeting.media.items() if k != "secret"}
    if "pin" in media and user.id not in meeting_audience(meeting):
        del media["pin"]
    return media


def detail(meeting: Meeting, user: User, readable: Container[int]) -> MeetingOut:
    """The full shape of a meeting, seen by `user`: only the papers in `readable` are listed
    (a confidential paper is left out for everyone not named on it)."""
    return MeetingOut(
        **summary(meeting, user).model_dump(),
        secretary=user_ref(meeting.secretary),
        media=media_for(meeting, user),
        opened_at=meeting.opened_at,
        closed_at=meeting.closed_at,
        confidential=bool(meeting.confidential),
        agenda=[agenda_item_out(item, readable) for item in meeting.agenda],
        attendees=[attendance_entry(meeting, a) for a in meeting.attendances],
    )


@router.get("/meetings", response_model=list[MeetingSummary])
def list_meetings(
    user: Annotated[User, Depends(signed_in)],
    session: Annotated[Session, Depends(get_session)],
    start: Annotated[Timestamp | None, Query()] = None,
    end: Annotated[Timestamp | None, Query()] = None,
) -> list[MeetingSummary]:
    """Meetings overlapping [start, end) that the user may see, by start time."""
    query = (
        select(Meeting)
        .where(Meeting.id.in_(visible_meetings(user)))
        .options(selectinload(Meeting.attendances))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if start is not None:
        query = query.where(Meeting.ends_at > start)
    if end is not None:
        query = query.where(Meeting.starts_at < end)
    return [summary(m, user) for m in session.scalars(query)]


def load_meeting(session: Session, meeting_id: int, user: User) -> Meeting:
    """The meeting with its attendances and agenda, when `user` may see it; else 404."""
    meeting = session.scalar(
        select(Meeting)
        .where(Meeting.id == meeting_id, Meeting.id.in_(visible_meetings(user)))
        .options(
            selectinload(Meeting.attendances),
            selectinload(Meeting.agenda).selectinload(AgendaItem.papers),
        )
    )
    if meeting is None:
        raise not_found("Meeting")
    return meeting


def _detail(session: Session, meeting: Meeting, user: User) -> MeetingOut:
    readable = set(session.scalars(visible_papers(user).where(AgendaItem.meeting_id == meeting.id)))
    return detail(meeting, user, readable)


@router.get("/meetings/{meeting_id}", response_model=MeetingOut, responses=problem_responses(404))
def get_meeting(
    meeting_id: Id,
    user: Annotated[User, Depends(signed_in)],
    session: Annotated[Session, Depends(get_session)],
) -> MeetingOut:
    """One meeting with agenda, papers and attendees (404 when not visible)."""
    return _detail(session, load_meeting(session, meeting_id, user), user)


class MeetingIn(Input):
    """Body of `POST /meetings`."""

    title: str = Field(min_length=1, max_length=500)
    starts_at: Timestamp
    ends_at: Timestamp
    location: str = Field(default="", max_length=300)
    online: bool = False
    chair_id: Id
    secretary_id: Id | None = None
    invitee_ids: list[Id] = Field(default_factory=list, max_length=2000)
    # Room PCs of bridge points (điểm cầu) invited as sites, besides the people.
    site_ids: list[Id] = Field(default_factory=list, max_length=500)
    status: Literal["draft", "scheduled"] = "scheduled"
    confidential: bool = False

    @model_validator(mode="after")
    def _ends_after_start(self) -> MeetingIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


def _invited_as(user: User, site: bool) -> MeetingRole:
    """A guest account is a guest whatever the invitation says; a site PC joins as a site."""
    if "guest" in user.roles:
        return "guest"
    return "site" if site else "delegate"


@router.post("/meetings", response_model=MeetingOut, status_code=201)
def create_meeting(
    body: MeetingIn,
    request: Request,
    user: Annotated[User, Depends(require("leader", "secretary"))],
    session: Annotated[Session, Depends(get_session)],
) -> MeetingOut:
    """Schedule a meeting and tell every attendee (`meeting.updated`)."""
    wanted = {body.chair_id, *body.invitee_ids, *body.site_ids}
    if body.secretary_id is not None:
        wanted.add(body.secretary_id)
    found = {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted), User.active))}
    if set(found) != wanted:
        raise Problem(
            422, "unknown-user", detail="Some users do not exist.", ids=sorted(wanted - set(found))
        )
    meeting = Meeting(
        title=body.title,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        location=body.location,
        online=body.online,
        status=body.status,
        chair_id=body.chair_id,
        secretary_id=body.secretary_id,
        created_by=user.id,
        attendances=[
            Attendance(user_id=i, role=_invited_as(found[i], i in body.site_ids))
            for i in dict.fromkeys([*body.invitee_ids, *body.site_ids])
        ],
        confidential=body.confidential,
    )
    refuse_guests(session, meeting, wanted)
    session.add(meeting)
    session.flush()
    emit(session, "meeting.updated", {"meeting_id": meeting.id}, meeting_audience(meeting))
    audit.record(
        session,
        "meeting.create",
        user_id=user.id,
        address=client_address(request),
        target=f"meeting:{meeting.id}",
    )
    commit(session)
    return _detail(session, load_meeting(session, meeting.id, user), user)


class StatusIn(Input):
    """Body of `POST /meetings/{id}/status`: the status to move to."""

    status: Literal["scheduled", "in_progress", "ended", "minutes_approved"]


@router.post(
    "/meetings/{meeting_id}/status",
    response_model=MeetingOut,
    responses=problem_responses(403, 404, 409),
)
def change_status(
    meeting_id: Id,
    body: StatusIn,
    request: Request,
    user: Annotated[User, Depends(signed_in)],
    session: Annotated[Session, Depends(get_session)],
) -> MeetingOut:
    """One step of the meeting's life: schedule a draft, open, end, approve the minutes.

    One route for every step, so a client has one call and the legal steps are one table
    (server/meeting_roles.TRANSITIONS); 409 for a step that does not follow from the status as it
    stands now, 403 for someone whose meeting role may not take it."""
    meeting = load_meeting(session, meeting_id, user)
    to: MeetingStatus = body.status
    left = require_transition(meeting, user, to)
    meeting.status = to
    if to == "in_progress":
        meeting.opened_at = utcnow()
    elif to == "ended":
        meeting.closed_at = utcnow()
    emit(
        session,
        "meeting.updated",
        {"meeting_id": meeting.id, "status": to},
        meeting_audience(meeting),
    )
    audit.record(
        session,
        "meeting.status",
        user_id=user.id,
        address=client_address(request),
        target=f"meeting:{meeting.id}",
        previous=left,
        status=to,
    )
    commit(session)
    return _detail(session, load_meeting(session, meeting.id, user), user)
