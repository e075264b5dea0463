"""The speak queue (đăng ký phát biểu): delegates ask, the server orders, the chair gives the floor.

Why the server assigns the positions: clients that ordered raised hands themselves showed
different orders to different people (jitsi-meet #10609). Here a request gets the meeting's next
position inside a transaction that first locks the meeting's floor row (`server/floor.py`), so
two requests at the same instant get distinct positions on SQLite and PostgreSQL alike, and a
person asking again while queued or speaking finds their first request (a partial unique index
backs that up). Every change sends `speak.queue` with the whole queue to the meeting's
audience, so a client that missed an event is put right by the next one; `revision` lets a
client drop a snapshot older than the one it holds.

States: queued → granted → done, or queued/granted → withdrawn (the delegate withdrew, or the
chair lowered the request). The chair and the secretary (who runs the console for the chair)
control the floor; any other participant may ask.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from server import audit
from server.access import signed_in
from server.events import emit
from server.floor import lock_floor, participant, room_meeting
from server.inputs import Id, Input
from server.meeting_roles import (
    MeetingRole,
    meeting_audience,
    require_in_progress,
    require_meeting_role,
)
from server.models import (
    SPEAK_ACTIVE,
    AgendaItem,
    Meeting,
    MeetingFloor,
    SpeakRequest,
    User,
    utcnow,
)
from server.problems import Problem, not_found, problem_responses
from server.unit_of_work import client_address, commit, get_session
from server.users import UserRef, user_ref

router = APIRouter(tags=["meeting room"])

SpeakState = Literal["queued", "granted", "done", "withdrawn"]
Action = Literal["grant", "end", "withdraw", "lower"]
CONTROL: tuple[MeetingRole, ...] = ("chair", "secretary")
ASKERS: tuple[MeetingRole, ...] = ("secretary", "delegate", "guest", "site")
EVENT = "speak.queue"
_ERRORS = problem_responses(403, 404, 409, 422)

# (action, from) → to; anything else is a 409 (the request moved on meanwhile).
TRANSITIONS: dict[tuple[Action, SpeakState], SpeakState] = {
    ("grant", "queued"): "granted",
    ("end", "granted"): "done",
    ("withdraw", "queued"): "withdrawn",
    ("withdraw", "granted"): "done",  # a speaker who withdraws has finished speaking
    ("lower", "queued"): "withdrawn",
}


def transition(action: Action, state: SpeakState) -> SpeakState:
    """The state after `action`, or a 409 problem when the request is not in a state for it."""
    after = TRANSITIONS.get((action, state))
    if after is None:
        raise Problem(409, "wrong-state", detail=f"A {state} request cannot {action}.", state=state)
    return after


class SpeakRequestOut(BaseModel):
    """One request in the queue; `place` is 1 for the next to speak (None for the speaker)."""

    id: int
    position: int
    place: int | None
    user: UserRef
    agenda_item_id: int | None
    state: SpeakState
    requested_at: dt.datetime
    granted_at: dt.datetime | None


class SpeakQueue(BaseModel):
    """The whole floor of a meeting: body of every answer and of the `speak.queue` event."""

    meeting_id: int
    revision: int
    muted_until_floor: bool
    speaker: SpeakRequestOut | None
    queue: list[SpeakRequestOut]


class SpeakAsk(Input):
    """Body of `POST …/speak-requests`: optionally on an agenda item of the meeting."""

    agenda_item_id: Id | None = None


class SpeakOptions(Input):
    """Body of `PUT …/speak-options`."""

    muted_until_floor: bool


def _out(request: SpeakRequest, place: int | None) -> SpeakRequestOut:
    return SpeakRequestOut(
        id=request.id,
        position=request.position,
        place=place,
        user=user_ref(request.user),  # type: ignore[arg-type]
        agenda_item_id=request.agenda_item_id,
        state=request.state,  # type: ignore[arg-type]
        requested_at=request.requested_at,
        granted_at=request.granted_at,
    )


def _active(session: Session, meeting_id: int) -> list[SpeakRequest]:
    return list(
        session.scalars(
            select(SpeakRequest)
            .where(SpeakRequest.meeting_id == meeting_id, SpeakRequest.state.in_(SPEAK_ACTIVE))
            .order_by(SpeakRequest.position)
        )
    )


def snapshot(session: Session, meeting_id: int) -> SpeakQueue:
    """The queue as it stands in this transaction."""
    floor = session.get(MeetingFloor, meeting_id)
    active = _active(session, meeting_id)
    speaker = next((r for r in active if r.state == "granted"), None)
    waiting = [r for r in active if r.state == "queued"]
    return SpeakQueue(
        meeting_id=meeting_id,
        revision=floor.revision if floor else 0,
        muted_until_floor=floor.muted_until_floor if floor else False,
        speaker=_out(speaker, None) if speaker else None,
        queue=[_out(r, place) for place, r in enumerate(waiting, start=1)],
    )


def _publish(session: Session, meeting: Meeting) -> SpeakQueue:
    """Count a change, send the whole queue to the meeting's audience and commit; returns it."""
    floor = session.get(MeetingFloor, meeting.id)
    assert floor is not None  # locked by the caller
    floor.revision += 1
    session.flush()
    queue = snapshot(session, meeting.id)
    emit(session, EVENT, queue.model_dump(mode="json"), meeting_audience(meeting))
    commit(session)
    return queue


def _set(request: SpeakRequest, action: Action) -> None:
    request.state = transition(action, request.state)  # type: ignore[arg-type]
    now = utcnow()
    if request.state == "granted":
        request.granted_at = now
    else:
        request.ended_at = now


def _end_current(session: Session, meeting_id: int) -> SpeakRequest | None:
    speaker = session.scalar(
        select(SpeakRequest).where(
            SpeakRequest.meeting_id == meeting_id, SpeakRequest.state == "granted"
        )
    )
    if speaker is not None:
        _set(speaker, "end")
    return speaker


def _request_of(session: Session, meeting_id: int, request_id: int) -> SpeakRequest:
    request = session.get(SpeakRequest, request_id, populate_existing=True)
    if request is None or request.meeting_id != meeting_id:
        raise not_found("Speak request")
    return request


def _controlled(session: Session, meeting_id: int, user: User) -> Meeting:
    """The meeting, when the user controls its floor and it is in progress; floor locked."""
    meeting = room_meeting(session, meeting_id, user)
    require_meeting_role(meeting, user, *CONTROL)
    require_in_progress(meeting)
    lock_floor(session, meeting.id)
    return meeting


def _audit(session: Session, request: Request, user: User, action: str, **detail: object) -> None:
    meeting_id = request.path_params["meeting_id"]
    audit.record(
        session,
        f"speak.{action}",
        user_id=user.id,
        address=client_address(request),
        target=f"meeting:{meeting_id}",
        **detail,
    )


Me = Annotated[User, Depends(signed_in)]
Db = Annotated[Session, Depends(get_session)]
BASE = "/meetings/{meeting_id}/speak-requests"


@router.get(BASE, response_model=SpeakQueue, responses=_ERRORS)
def get_queue(meeting_id: Id, user: Me, session: Db) -> SpeakQueue:
    """The queue now (a late joiner's starting point; events follow)."""
    participant(room_meeting(session, meeting_id, user), user)
    return snapshot(session, meeting_id)


@router.post(BASE, response_model=SpeakQueue, responses=_ERRORS)
def ask(meeting_id: Id, body: SpeakAsk, user: Me, session: Db) -> SpeakQueue:
    """Ask to speak; asking again while queued or speaking keeps the first request (its item
    is updated when another is named)."""
    meeting = room_meeting(session, meeting_id, user)
    require_meeting_role(meeting, user, *ASKERS)
    require_in_progress(meeting)
    item = body.agenda_item_id
    if item is not None and session.get(AgendaItem, item) not in meeting.agenda:
        raise Problem(422, "unknown-agenda-item", detail="No such item on this meeting's agenda.")
    floor = lock_floor(session, meeting.id)
    mine = session.scalar(
        select(SpeakRequest).where(
            SpeakRequest.meeting_id == meeting.id,
            SpeakRequest.user_id == user.id,
            SpeakRequest.state.in_(SPEAK_ACTIVE),
        )
    )
    if mine is None:
        floor.last_position += 1
        session.add(
            SpeakRequest(
                meeting_id=meeting.id,
                user_id=user.id,
                agenda_item_id=item,
                position=floor.last_position,
                state="queued",
                requested_at=utcnow(),
            )
        )
    elif item is not None and mine.agenda_item_id != item:
        mine.agenda_item_id = item
    else:
        commit(session)  # nothing changed: no event
        return snapshot(session, meeting.id)
    return _publish(session, meeting)


@router.delete(f"{BASE}/mine", response_model=SpeakQueue, responses=_ERRORS)
def withdraw(meeting_id: Id, user: Me, session: Db) -> SpeakQueue:
    """Withdraw my request (a speaker ends their own turn); nothing to withdraw is fine."""
    meeting = room_meeting(session, meeting_id, user)
    participant(meeting, user)
    lock_floor(session, meeting.id)
    mine = session.scalar(
        select(SpeakRequest).where(
            SpeakRequest.meeting_id == meeting.id,
            SpeakRequest.user_id == user.id,
            SpeakRequest.state.in_(SPEAK_ACTIVE),
        )
    )
    if mine is None:
        commit(session)
        return snapshot(session, meeting.id)
    _set(mine, "withdraw")
    return _publish(session, meeting)


@router.post(f"{BASE}/{{request_id}}/grant", response_model=SpeakQueue, responses=_ERRORS)
def grant(meeting_id: Id, request_id: Id, request: Request, user: Me, session: Db) -> SpeakQueue:
    """Give the floor to one request (the current speaker's turn ends)."""
    meeting = _controlled(session, meeting_id, user)
    chosen = _request_of(session, meeting.id, request_id)
    if chosen.state != "granted":
        transition("grant", chosen.state)  # type: ignore[arg-type]  # 409 before ending anyone
        _end_current(session, meeting.id)
        _set(chosen, "grant")
    _audit(session, request, user, "grant", request_id=chosen.id, speaker_id=chosen.user_id)
    return _publish(session, meeting)


@router.post(f"{BASE}/next", response_model=SpeakQueue, responses=_ERRORS)
def next_speaker(meeting_id: Id, request: Request, user: Me, session: Db) -> SpeakQueue:
    """End the current turn and give the floor to the first in the queue (if anyone waits)."""
    meeting = _controlled(session, meeting_id, user)
    _end_current(session, meeting.id)
    first = next((r for r in _active(session, meeting.id) if r.state == "queued"), None)
    if first is not None:
        _set(first, "grant")
    _audit(session, request, user, "next", request_id=first.id if first else None)
    return _publish(session, meeting)


@router.post(f"{BASE}/end-turn", response_model=SpeakQueue, responses=_ERRORS)
def end_turn(meeting_id: Id, request: Request, user: Me, session: Db) -> SpeakQueue:
    """End the current speaker's turn (nobody speaking is fine)."""
    meeting = _controlled(session, meeting_id, user)
    ended = _end_current(session, meeting.id)
    _audit(session, request, user, "end", request_id=ended.id if ended else None)
    return _publish(session, meeting)


@router.post(f"{BASE}/{{request_id}}/lower", response_model=SpeakQueue, responses=_ERRORS)
def lower(meeting_id: Id, request_id: Id, request: Request, user: Me, session: Db) -> SpeakQueue:
    """Lower one waiting request (a speaker's turn is ended with end-turn instead)."""
    meeting = _controlled(session, meeting_id, user)
    chosen = _request_of(session, meeting.id, request_id)
    _set(chosen, "lower")
    _audit(session, request, user, "lower", request_id=chosen.id)
    return _publish(session, meeting)


@router.post(f"{BASE}/lower-all", response_model=SpeakQueue, responses=_ERRORS)
def lower_all(meeting_id: Id, request: Request, user: Me, session: Db) -> SpeakQueue:
    """Lower every waiting request; the current speaker keeps the floor."""
    meeting = _controlled(session, meeting_id, user)
    waiting = [r for r in _active(session, meeting.id) if r.state == "queued"]
    for r in waiting:
        _set(r, "lower")
    _audit(session, request, user, "lower_all", count=len(waiting))
    return _publish(session, meeting)


@router.put("/meetings/{meeting_id}/speak-options", response_model=SpeakQueue, responses=_ERRORS)
def set_options(
    meeting_id: Id, body: SpeakOptions, request: Request, user: Me, session: Db
) -> SpeakQueue:
    """Whether delegates stay muted until given the floor (the call obeys it)."""
    meeting = room_meeting(session, meeting_id, user)
    require_meeting_role(meeting, user, *CONTROL)
    floor = lock_floor(session, meeting.id)
    floor.muted_until_floor = body.muted_until_floor
    _audit(session, request, user, "options", muted_until_floor=body.muted_until_floor)
    return _publish(session, meeting)
