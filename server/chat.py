"""Meeting chat: to everyone or to one participant, with history for late joiners.

A private message exists only for its sender and its recipient: its `chat.message` event goes
to those two, and the history leaves it out for everyone else. History is paged by id (ids only
grow), so a client asks for what came `after` the last one it holds, or scrolls back `before`
the first. Chat stays on the agency's server (confidential meetings included).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.access import signed_in
from server.events import emit
from server.floor import participant, room_meeting
from server.inputs import Id, Input, Seq
from server.meeting_roles import meeting_audience, require_in_progress
from server.models import ChatMessage, User, utcnow
from server.problems import Problem, problem_responses
from server.unit_of_work import commit, get_session
from server.users import UserRef, user_ref

router = APIRouter(tags=["meeting room"])

EVENT = "chat.message"
MAX_TEXT = 2000  # characters: a chat line, not a paper
PAGE = 50
_ERRORS = problem_responses(403, 404, 409, 422)


class ChatIn(Input):
    """Body of `POST …/chat`: `to` a participant's user id, or null for everyone."""

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    to: Id | None = None

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the message is empty")
        return value


class ChatMessageOut(BaseModel):
    """One chat message (`to` null: to everyone)."""

    id: int
    meeting_id: int
    sender: UserRef
    to: UserRef | None
    text: str
    created_at: dt.datetime


class ChatPage(BaseModel):
    """A page of history, oldest first; `more` when older (or newer, with `after`) ones remain."""

    messages: list[ChatMessageOut]
    more: bool


def message_out(message: ChatMessage) -> ChatMessageOut:
    """The API shape of a stored message."""
    return ChatMessageOut(
        id=message.id,
        meeting_id=message.meeting_id,
        sender=user_ref(message.sender),  # type: ignore[arg-type]
        to=user_ref(message.recipient),
        text=message.text,
        created_at=message.created_at,
    )


Me = Annotated[User, Depends(signed_in)]
Db = Annotated[Session, Depends(get_session)]
PATH = "/meetings/{meeting_id}/chat"


@router.post(PATH, response_model=ChatMessageOut, status_code=201, responses=_ERRORS)
def send(meeting_id: Id, body: ChatIn, user: Me, session: Db) -> ChatMessageOut:
    """Send a message; `chat.message` to the meeting (or to sender and recipient only)."""
    meeting = room_meeting(session, meeting_id, user)
    participant(meeting, user)
    require_in_progress(meeting)
    audience = meeting_audience(meeting)
    if body.to is not None:
        if body.to not in audience or body.to == user.id:
            raise Problem(422, "not-in-meeting", detail="The recipient is not in this meeting.")
        audience = {user.id, body.to}
    message = ChatMessage(
        meeting_id=meeting.id,
        sender_id=user.id,
        recipient_id=body.to,
        text=body.text,
        created_at=utcnow(),
    )
    session.add(message)
    session.flush()
    session.refresh(message)  # sender and recipient for the answer and the event
    out = message_out(message)
    emit(session, EVENT, out.model_dump(mode="json"), audience)
    commit(session)
    return out


@router.get(PATH, response_model=ChatPage, responses=_ERRORS)
def history(
    meeting_id: Id,
    user: Me,
    session: Db,
    before: Annotated[Id | None, Query()] = None,
    after: Annotated[Seq | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = PAGE,
) -> ChatPage:
    """The messages I may read: the newest `limit` (before `before`), or the oldest `limit`
    after `after`; oldest first either way."""
    meeting = room_meeting(session, meeting_id, user)
    participant(meeting, user)
    mine = or_(
        ChatMessage.recipient_id.is_(None),
        ChatMessage.sender_id == user.id,
        ChatMessage.recipient_id == user.id,
    )
    query = select(ChatMessage).where(ChatMessage.meeting_id == meeting.id, mine)
    if after is not None:
        query = query.where(ChatMessage.id > after).order_by(ChatMessage.id)
    else:
        if before is not None:
            query = query.where(ChatMessage.id < before)
        query = query.order_by(ChatMessage.id.desc())
    rows = list(session.scalars(query.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    if after is None:
        rows.reverse()
    return ChatPage(messages=[message_out(m) for m in rows], more=more)
