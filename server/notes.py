"""Personal notes: annotations a user keeps on a page of a file, synced across devices, and a
meeting participant's own notes on an agenda item (target `agenda:<item id>`, plain text).

Only the owner ever reads or changes a note; to anyone else it does not exist (404). The client
makes the id (a UUID), so an offline-created note keeps its identity through the outbox. Notes
live on this (the agency's) server only: nothing sends them anywhere else, which is what a
confidential meeting asks of them.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import AwareDatetime, Field, StrictFloat, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.access import signed_in
from server.events import emit
from server.inputs import MAX_INT, Input, Timestamp
from server.meeting_roles import require_meeting_role
from server.meetings import load_meeting
from server.models import AgendaItem, Note, User, utcnow
from server.problems import Problem, not_found, problem_responses
from server.unit_of_work import commit, get_session

router = APIRouter(tags=["notes"])
NoteKind = Literal["highlight", "underline", "strike", "ink", "text", "rect"]
# Lists of fixed length rather than tuples: the same JSON, and an OpenAPI schema (`items` with
# `minItems`/`maxItems`) that schemathesis could validate responses against; with tuples'
# `prefixItems` it reported the document invalid.
Point = Annotated[list[StrictFloat], Field(min_length=2, max_length=2)]
Rect = Annotated[list[StrictFloat], Field(min_length=4, max_length=4)]
AGENDA = "agenda:"  # the target prefix of a note on an agenda item
TARGET = r"^([0-9a-f]{64}|agenda:[0-9]{1,12})$"


class NoteIn(Input):
    """Body of `PUT /notes/{id}`: the whole note (last writer wins, by `updated_at`)."""

    target: str = Field(
        pattern=TARGET,
        description="SHA-256 of the annotated file, or agenda:<id> for an agenda item's note",
    )
    page: int = Field(ge=0, le=100_000)
    kind: NoteKind
    rect: Rect | None = None
    points: list[Point] | None = Field(default=None, max_length=10_000)
    color: str = Field(default="", max_length=20)
    text: str = Field(default="", max_length=20_000)
    updated_at: Timestamp | None = None

    @field_validator("target")
    @classmethod
    def _item_id_in_range(cls, target: str) -> str:
        """An agenda item id beyond an INTEGER column cannot exist (PostgreSQL answered 500)."""
        if target.startswith(AGENDA) and not 1 <= int(target.removeprefix(AGENDA)) <= MAX_INT:
            raise ValueError("no agenda item has this id")
        return target

    @model_validator(mode="after")
    def _has_geometry(self) -> NoteIn:
        on_item = self.target.startswith(AGENDA) and self.kind == "text"
        if self.rect is None and not self.points and not on_item:
            raise ValueError("a note needs a rect or points (a text note on an agenda item not)")
        return self


class NoteOut(NoteIn):
    """A stored note."""

    id: str
    updated_at: AwareDatetime | None


def _out(note: Note) -> NoteOut:
    geometry: dict[str, Any] = note.geometry
    return NoteOut(
        id=note.id,
        target=note.target_sha256,
        page=note.page,
        kind=note.kind,  # type: ignore[arg-type]
        rect=geometry.get("rect"),
        points=geometry.get("points"),
        color=note.color,
        text=note.text,
        updated_at=note.updated_at,
    )


def _own(session: Session, note_id: str, user: User) -> Note | None:
    note = session.get(Note, note_id)
    if note is not None and note.owner_id != user.id:
        raise not_found("Note")
    return note


def _require_participant(session: Session, item_id: int, user: User) -> None:
    """Notes on an agenda item are for the people in its meeting (404/403 otherwise)."""
    item = session.get(AgendaItem, item_id)
    if item is None:
        raise not_found("Agenda item")
    meeting = load_meeting(session, item.meeting_id, user)
    require_meeting_role(meeting, user, "chair", "secretary", "delegate", "guest", "site")


NoteId = Annotated[uuid.UUID, Path(description="client-made UUID")]


@router.get("/notes", response_model=list[NoteOut])
def list_notes(
    user: Annotated[User, Depends(signed_in)],
    session: Annotated[Session, Depends(get_session)],
    target: Annotated[str | None, Query(pattern=TARGET)] = None,
    since: Annotated[Timestamp | None, Query()] = None,
) -> list[NoteOut]:
    """My notes, on one file (`target`) or all, optionally only those changed after `since`."""
    query = select(Note).where(Note.owner_id == user.id).order_by(Note.updated_at, Note.id)
    if target is not None:
        query = query.where(Note.target_sha256 == target)
    if since is not None:
        query = query.where(Note.updated_at > since)
    return [_out(n) for n in session.scalars(query)]


@router.get("/notes/{note_id}", response_model=NoteOut, responses=problem_responses(404))
def get_note(
    note_id: NoteId,
    user: Annotated[User, Depends(signed_in)],
    session: Annotated[Session, Depends(get_session)],
) -> NoteOut:
    """One of my notes."""
    note = _own(session, str(note_id), user)
    if note is None:
        raise not_found("Note")
    return _out(note)


@router.put(
    "/notes/{note_id}",
    response_model=NoteOut,
    responses={201: {"model": NoteOut, "description": "Created"}, **problem_responses(404, 409)},
)
def put_note(
    note_id: NoteId,
    body: NoteIn,
    request: Request,
    response: Response,
    user: Annotated[User, Depends(signed_in)],
    session: Annotated[Session, Depends(get_session)],
) -> NoteOut:
    """Create or replace a note; an older `updated_at` than the stored one is a 409."""
    key = str(note_id)
    note = _own(session, key, user)
    if body.target.startswith(AGENDA):
        _require_participant(session, int(body.target.removeprefix(AGENDA)), user)
    stamp = body.updated_at or utcnow()
    if note is not None and note.updated_at > stamp:
        raise Problem(
            409,
            "stale-note",
            detail="A newer version is stored.",
            current=_out(note).model_dump(mode="json"),
        )
    geometry = {"rect": body.rect, "points": body.points}
    if note is None:
        note = Note(id=key, owner_id=user.id)
        session.add(note)
        response.status_code = 201
    note.target_sha256, note.page, note.kind = body.target, body.page, body.kind
    note.geometry, note.color, note.text, note.updated_at = geometry, body.color, body.text, stamp
    emit(session, "note.updated", {"note_id": key, "target": body.target}, [user.id])
    commit(session)
    return _out(note)


@router.delete("/notes/{note_id}", status_code=204, responses=problem_responses(404))
def delete_note(
    note_id: NoteId,
    user: Annotated[User, Depends(signed_in)],
    session: Annotated[Session, Depends(get_session)],
) -> Response:
    """Delete one of my notes (deleting a missing note is fine: the outbox may retry)."""
    note = _own(session, str(note_id), user)
    if note is not None:
        emit(
            session,
            "note.deleted",
            {"note_id": note.id, "target": note.target_sha256},
            [user.id],
        )
        session.delete(note)
        commit(session)
    return Response(status_code=204)
