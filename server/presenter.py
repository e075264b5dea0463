"""Presenter page sync ("follow me"): the presenter's paper, page and zoom, for followers.

The presenter publishes the whole view state each time ({paper_id, page, zoom}), so the latest
state replaces any earlier one: a client may coalesce quick page turns into one request (the
desktop sends only the newest while one is in flight), and a follower that missed an event is
put right by the next one or by `GET` (a late joiner). A state equal to the stored one emits
nothing. Who presents: the chair, the secretary, or the presenter of the paper's agenda item.
A confidential paper's page goes only to the people who may read that paper.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.access import signed_in
from server.events import emit
from server.floor import lock_meeting_row, participant, room_meeting
from server.inputs import Id, Input
from server.meeting_roles import meeting_audience, meeting_role, require_in_progress
from server.models import (
    NORMAL,
    AgendaItem,
    Meeting,
    Paper,
    PaperReader,
    PresenterPage,
    User,
    UserRole,
    utcnow,
)
from server.problems import Problem, not_found, problem_responses
from server.unit_of_work import commit, get_session
from server.users import UserRef, user_ref
from server.visibility import visible_papers

router = APIRouter(tags=["meeting room"])

EVENT = "page.follow"
MAX_PAGE = 100_000
_ERRORS = problem_responses(403, 404, 409, 422)


class PresenterIn(Input):
    """Body of `PUT …/presenter`: a page is 0-based, zoom 1.0 = 100 %."""

    paper_id: Id
    page: int = Field(ge=0, le=MAX_PAGE)
    zoom: float = Field(ge=0.25, le=4.0)


class PresenterState(BaseModel):
    """What the presenter shows (`paper_id` null: nothing presented yet)."""

    meeting_id: int
    revision: int
    presenter: UserRef | None
    paper_id: int | None
    page: int
    zoom: float
    updated_at: dt.datetime | None


def state_out(meeting_id: int, row: PresenterPage | None) -> PresenterState:
    """The API shape of the stored state (or the empty one)."""
    if row is None:
        return PresenterState(
            meeting_id=meeting_id,
            revision=0,
            presenter=None,
            paper_id=None,
            page=0,
            zoom=1.0,
            updated_at=None,
        )
    return PresenterState(
        meeting_id=meeting_id,
        revision=row.revision,
        presenter=user_ref(row.presenter),
        paper_id=row.paper_id,
        page=row.page,
        zoom=row.zoom,
        updated_at=row.updated_at,
    )


def paper_audience(session: Session, meeting: Meeting, paper: Paper, item: AgendaItem) -> set[int]:
    """Who hears about pages of this paper: the meeting's audience; for a confidential paper only
    those named on it, never a guest (server/visibility.py's rule; a test keeps them in step)."""
    audience = meeting_audience(meeting)
    if paper.confidentiality == NORMAL:
        return audience
    readers = session.scalars(select(PaperReader.user_id).where(PaperReader.paper_id == paper.id))
    runs = {meeting.chair_id, meeting.secretary_id, meeting.created_by, item.presenter_id}
    named = ({i for i in runs if i is not None} | set(readers)) & audience
    guests = session.scalars(
        select(UserRole.user_id).where(UserRole.role == "guest", UserRole.user_id.in_(named))
    )
    return named - set(guests)


Me = Annotated[User, Depends(signed_in)]
Db = Annotated[Session, Depends(get_session)]
PATH = "/meetings/{meeting_id}/presenter"


@router.get(PATH, response_model=PresenterState, responses=_ERRORS)
def current(meeting_id: Id, user: Me, session: Db) -> PresenterState:
    """The page shown now (a late joiner starts following here)."""
    meeting = room_meeting(session, meeting_id, user)
    participant(meeting, user)
    row = session.get(PresenterPage, meeting.id)
    if row is not None and row.paper_id is not None:
        readable = session.scalar(visible_papers(user).where(Paper.id == row.paper_id))
        if readable is None:  # a confidential paper this user may not read
            return state_out(meeting.id, None)
    return state_out(meeting.id, row)


@router.put(PATH, response_model=PresenterState, responses=_ERRORS)
def publish(meeting_id: Id, body: PresenterIn, user: Me, session: Db) -> PresenterState:
    """Show a page to the followers (`page.follow`)."""
    meeting = room_meeting(session, meeting_id, user)
    paper = session.get(Paper, body.paper_id)
    item = session.get(AgendaItem, paper.agenda_item_id) if paper else None
    if paper is None or item is None or item.meeting_id != meeting.id:
        raise not_found("Paper")
    role = meeting_role(meeting, user)
    if role not in ("chair", "secretary") and item.presenter_id != user.id:
        raise Problem(403, "meeting-role", detail="Only the presenter may lead the pages.")
    require_in_progress(meeting)
    row = lock_meeting_row(
        session, PresenterPage, meeting.id, page=0, zoom=1.0, updated_at=utcnow()
    )
    wanted = (user.id, paper.id, body.page, body.zoom)
    if (row.presenter_id, row.paper_id, row.page, row.zoom) == wanted:
        commit(session)
        return state_out(meeting.id, row)
    row.presenter_id, row.paper_id, row.page, row.zoom = wanted
    row.updated_at = utcnow()
    row.revision += 1
    session.flush()
    session.refresh(row)
    out = state_out(meeting.id, row)
    emit(session, EVENT, out.model_dump(mode="json"), paper_audience(session, meeting, paper, item))
    commit(session)
    return out
