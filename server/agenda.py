"""A meeting's agenda (chương trình họp): the chair and the secretary add, edit, reorder and
delete its items, and make a meeting confidential (họp có nội dung mật).

Papers (tài liệu họp) of the items live in `server/agenda_papers.py`. Every change emits
`agenda.updated` `{"meeting_id"}` to the meeting's audience, so clients reload the agenda (the
event says nothing of the papers: who may read which is decided when they load it).

The rules of a confidential meeting are in `server/confidential_meetings.py`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import Field
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload

from server import audit
from server.confidential_meetings import refuse_guests
from server.events import emit
from server.inputs import Id, Input
from server.meeting_roles import (
    MeetingRole,
    meeting_audience,
    meeting_role,
    meeting_status,
    require_meeting_role,
)
from server.meetings import AgendaItemOut, agenda_item_out
from server.models import (
    NORMAL,
    AgendaConclusion,
    AgendaItem,
    Meeting,
    Paper,
    PresenterPage,
    SpeakRequest,
    User,
)
from server.problems import Problem, not_found, problem_responses
from server.unit_of_work import client_address, commit
from server.visibility import visible_meetings, visible_papers
from server.workflow_api import Actor, Db

router = APIRouter(tags=["agenda"])

EDITORS: tuple[MeetingRole, ...] = ("chair", "secretary")
CLOSED = ("ended", "minutes_approved")  # the agenda of a finished meeting is the record's
Minutes = Annotated[int, Field(ge=0, le=24 * 60)]
Title = Annotated[str, Field(min_length=1, max_length=500)]


# --- shared by the agenda and its papers ----------------------------------------------------


def load_meeting(session: Session, meeting_id: int, user: User) -> Meeting:
    """The meeting with its agenda and papers, or 404 when the user may not see it."""
    meeting = session.scalar(
        select(Meeting)
        .where(Meeting.id == meeting_id, Meeting.id.in_(visible_meetings(user)))
        .options(selectinload(Meeting.attendances), selectinload(Meeting.agenda))
    )
    if meeting is None:
        raise not_found("Meeting")
    return meeting


def editable_meeting(session: Session, meeting_id: int, user: User) -> Meeting:
    """The meeting whose agenda `user` may change: 404 unseen, 403 not its chair or secretary,
    409 `wrong-state` once it has ended."""
    meeting = load_meeting(session, meeting_id, user)
    require_meeting_role(meeting, user, *EDITORS)
    refuse_closed(meeting)
    return meeting


def refuse_closed(meeting: Meeting) -> None:
    """409 `wrong-state`: an ended meeting's agenda and papers are part of its record."""
    status = meeting_status(meeting)
    if status in CLOSED:
        raise Problem(409, "wrong-state", detail="The meeting has ended.", meeting_status=status)


def readable_papers(session: Session, meeting: Meeting, user: User) -> set[int]:
    """Ids of the meeting's papers `user` may read."""
    return set(session.scalars(visible_papers(user).where(AgendaItem.meeting_id == meeting.id)))


def agenda_out(session: Session, meeting: Meeting, user: User) -> list[AgendaItemOut]:
    """The agenda as `user` sees it (papers they may not read left out)."""
    readable = readable_papers(session, meeting, user)
    return [agenda_item_out(item, readable) for item in meeting.agenda]


def release(session: Session, item_ids: list[int], paper_ids: list[int]) -> None:
    """Before items or papers are deleted, what the rest of the room points at them lets go: a
    request to speak keeps its place without the item, the item's conclusion goes with it, and
    a presenter showing a deleted paper shows none."""
    if item_ids:
        session.execute(
            update(SpeakRequest)
            .where(SpeakRequest.agenda_item_id.in_(item_ids))
            .values(agenda_item_id=None)
        )
        session.execute(
            delete(AgendaConclusion).where(AgendaConclusion.agenda_item_id.in_(item_ids))
        )
    if paper_ids:
        session.execute(
            update(PresenterPage).where(PresenterPage.paper_id.in_(paper_ids)).values(paper_id=None)
        )


def announce(session: Session, meeting: Meeting) -> None:
    """`agenda.updated` to everyone in the meeting."""
    emit(session, "agenda.updated", {"meeting_id": meeting.id}, meeting_audience(meeting))


# --- agenda items -----------------------------------------------------------------------------


class AgendaItemIn(Input):
    """Body of `POST /meetings/{id}/agenda`: a new item, last unless `order` says where."""

    title: Title
    presenter_id: Id | None = None
    duration_minutes: Minutes = 15
    order: Annotated[int, Field(ge=1, le=1000)] | None = None


class AgendaItemPatch(Input):
    """Body of `PATCH /meetings/{id}/agenda/{item_id}`: the fields given change (a null
    `presenter_id` removes the presenter)."""

    title: Title | None = None
    presenter_id: Id | None = None
    duration_minutes: Minutes | None = None


class AgendaOrderIn(Input):
    """Body of `PUT /meetings/{id}/agenda/order`: every item id, in the new order."""

    item_ids: list[Id] = Field(max_length=1000)


class ConfidentialIn(Input):
    """Body of `PUT /meetings/{id}/confidential`."""

    confidential: bool


def _presenter(session: Session, meeting: Meeting, presenter_id: int | None) -> int | None:
    """The presenter must take part in the meeting (422 `unknown-user` otherwise)."""
    if presenter_id is None:
        return None
    person = session.get(User, presenter_id)
    if person is None or not person.active or meeting_role(meeting, person) is None:
        raise Problem(
            422, "unknown-user", detail="The presenter is not in the meeting.", ids=[presenter_id]
        )
    return presenter_id


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = next((i for i in meeting.agenda if i.id == item_id), None)
    if item is None:
        raise not_found("Agenda item")
    return item


def _renumber(items: list[AgendaItem]) -> None:
    """Orders 1…n in list order (no gaps, no ties: every client shows the same agenda)."""
    for number, item in enumerate(items, 1):
        item.order = number


def _audit(
    session: Session, request: Request, user: User, action: str, target: str, **detail: object
) -> None:
    audit.record(
        session, action, user_id=user.id, address=client_address(request), target=target, **detail
    )


def _answer(session: Session, meeting: Meeting, user: User) -> list[AgendaItemOut]:
    """Commit, then the agenda as the editor now sees it."""
    commit(session)
    session.expire(meeting)
    return agenda_out(session, load_meeting(session, meeting.id, user), user)


@router.get(
    "/meetings/{meeting_id}/agenda",
    response_model=list[AgendaItemOut],
    responses=problem_responses(404),
)
def get_agenda(meeting_id: Id, user: Actor, session: Db) -> list[AgendaItemOut]:
    """The agenda in order, with the papers the user may read."""
    return agenda_out(session, load_meeting(session, meeting_id, user), user)


@router.post(
    "/meetings/{meeting_id}/agenda",
    status_code=201,
    response_model=list[AgendaItemOut],
    responses=problem_responses(403, 404, 409, 422),
)
def add_item(
    meeting_id: Id, body: AgendaItemIn, request: Request, user: Actor, session: Db
) -> list[AgendaItemOut]:
    """Add an item (chair, secretary); answers the whole agenda."""
    meeting = editable_meeting(session, meeting_id, user)
    item = AgendaItem(
        title=body.title,
        presenter_id=_presenter(session, meeting, body.presenter_id),
        duration_minutes=body.duration_minutes,
        order=0,
    )
    items = list(meeting.agenda)
    position = len(items) if body.order is None else min(body.order - 1, len(items))
    items.insert(position, item)
    meeting.agenda.append(item)
    _renumber(items)
    session.flush()
    _audit(session, request, user, "agenda.add", f"meeting:{meeting.id}", item_id=item.id)
    announce(session, meeting)
    return _answer(session, meeting, user)


@router.patch(
    "/meetings/{meeting_id}/agenda/{item_id}",
    response_model=list[AgendaItemOut],
    responses=problem_responses(403, 404, 409, 422),
)
def edit_item(
    meeting_id: Id,
    item_id: Id,
    body: AgendaItemPatch,
    request: Request,
    user: Actor,
    session: Db,
) -> list[AgendaItemOut]:
    """Change an item's title, presenter or time box (chair, secretary)."""
    meeting = editable_meeting(session, meeting_id, user)
    item = _item(meeting, item_id)
    given = body.model_fields_set
    if body.title is not None:
        item.title = body.title
    if "presenter_id" in given:
        item.presenter_id = _presenter(session, meeting, body.presenter_id)
    if body.duration_minutes is not None:
        item.duration_minutes = body.duration_minutes
    _audit(session, request, user, "agenda.edit", f"meeting:{meeting.id}", item_id=item.id)
    announce(session, meeting)
    return _answer(session, meeting, user)


@router.put(
    "/meetings/{meeting_id}/agenda/order",
    response_model=list[AgendaItemOut],
    responses=problem_responses(403, 404, 409, 422),
)
def reorder(
    meeting_id: Id, body: AgendaOrderIn, request: Request, user: Actor, session: Db
) -> list[AgendaItemOut]:
    """Put the items in the given order (chair, secretary). The list must name every item
    once (422 `order-mismatch`), so two editors moving items at once never lose one."""
    meeting = editable_meeting(session, meeting_id, user)
    by_id = {item.id: item for item in meeting.agenda}
    if sorted(body.item_ids) != sorted(by_id):
        raise Problem(
            422,
            "order-mismatch",
            detail="Name every item of the agenda once.",
            item_ids=sorted(by_id),
        )
    _renumber([by_id[i] for i in body.item_ids])
    _audit(
        session, request, user, "agenda.reorder", f"meeting:{meeting.id}", item_ids=body.item_ids
    )
    announce(session, meeting)
    return _answer(session, meeting, user)


@router.delete(
    "/meetings/{meeting_id}/agenda/{item_id}",
    response_model=list[AgendaItemOut],
    responses=problem_responses(403, 404, 409),
)
def delete_item(
    meeting_id: Id, item_id: Id, request: Request, user: Actor, session: Db
) -> list[AgendaItemOut]:
    """Delete an item with its papers (chair, secretary); the rest are renumbered."""
    meeting = editable_meeting(session, meeting_id, user)
    item = _item(meeting, item_id)
    release(session, [item.id], [p.id for p in item.papers])
    meeting.agenda.remove(item)
    _renumber(list(meeting.agenda))
    _audit(
        session,
        request,
        user,
        "agenda.delete",
        f"meeting:{meeting.id}",
        item_id=item_id,
        title=item.title,
    )
    announce(session, meeting)
    return _answer(session, meeting, user)


@router.put(
    "/meetings/{meeting_id}/confidential",
    response_model=list[AgendaItemOut],
    responses=problem_responses(403, 404, 409, 422),
)
def set_confidential(
    meeting_id: Id, body: ConfidentialIn, request: Request, user: Actor, session: Db
) -> list[AgendaItemOut]:
    """Make the meeting confidential or not (chair, secretary). Made confidential: refused
    while a guest takes part (422 `confidential-to-guest`); every normal paper becomes MẬT and
    is no longer shared with guests. Made open again: papers keep their level."""
    meeting = editable_meeting(session, meeting_id, user)
    if body.confidential and not meeting.confidential:
        meeting.confidential = True
        refuse_guests(session, meeting, meeting_audience(meeting))
        items = select(AgendaItem.id).where(AgendaItem.meeting_id == meeting.id)
        session.execute(
            update(Paper)
            .where(Paper.agenda_item_id.in_(items), Paper.confidentiality == NORMAL)
            .values(confidentiality="confidential")
        )
        session.execute(
            update(Paper).where(Paper.agenda_item_id.in_(items)).values(shared_with_guests=False)
        )
    meeting.confidential = body.confidential
    _audit(
        session,
        request,
        user,
        "meeting.confidential",
        f"meeting:{meeting.id}",
        confidential=body.confidential,
    )
    emit(session, "meeting.updated", {"meeting_id": meeting.id}, meeting_audience(meeting))
    announce(session, meeting)
    return _answer(session, meeting, user)
