"""The papers of an agenda item (tài liệu họp): main, reference, personal documents and links
(tài liệu chính / tham khảo / cá nhân / liên kết).

The chair and the secretary add, edit, delete and replace papers; anyone in the meeting adds
and keeps personal papers of their own, which only their owner ever sees. The file is uploaded
first through `POST /files` (the content-addressed store, its upload limits and PDF checks),
then named here by its sha256. Replacing a paper's file keeps every earlier file as a version
(readable by the paper's readers) and tells everyone who may read the paper
(`paper.replaced`), so a client with the old file open can offer the new one.

A paper the user may not read does not exist for them (404); a paper they read but may not
change is a 403. Who reads which paper is `server/visibility.py`'s rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from server import audit
from server.agenda import (
    EDITORS,
    announce,
    editable_meeting,
    load_meeting,
    refuse_closed,
    release,
)
from server.confidential_meetings import paper_level, refuse_guests
from server.events import emit
from server.files import FileRef, file_ref
from server.inputs import Id, Input
from server.meeting_roles import meeting_audience, meeting_role, require_meeting_role
from server.meetings import PaperOut, paper_out
from server.models import NORMAL, FileBlob, Meeting, Paper, PaperReader, PaperVersion, User
from server.problems import Problem, not_found, problem_responses
from server.unit_of_work import client_address, commit
from server.users import UserRef, user_ref
from server.visibility import paper_audience, visible_papers
from server.workflow_api import Actor, Db, Sha256

router = APIRouter(tags=["agenda"])

Kind = Literal["main", "reference", "personal", "external"]
Level = Literal["normal", "confidential", "secret"]
Url = Annotated[str, Field(max_length=2000, pattern=r"^https?://[^\s]+$")]


class PaperIn(Input):
    """Body of `POST /meetings/{id}/agenda/{item_id}/papers`: a file uploaded before
    (`file_sha256`) or, for an `external` paper, a `url`."""

    title: Annotated[str, Field(min_length=1, max_length=500)]
    kind: Kind = "main"
    file_sha256: Sha256 | None = None
    url: Url | None = None
    confidentiality: Level = "normal"
    shared_with_guests: bool = False
    reader_ids: list[Id] = Field(default_factory=list, max_length=2000)
    owner_id: Id | None = Field(None, description="personal papers: whose (default: mine)")

    @model_validator(mode="after")
    def _file_or_link(self) -> PaperIn:
        if self.kind == "external" and (self.url is None or self.file_sha256 is not None):
            raise ValueError("an external paper has a url and no file")
        if self.kind != "external" and (self.file_sha256 is None or self.url is not None):
            raise ValueError("a paper of this kind has a file and no url")
        return self


class PaperPatch(Input):
    """Body of `PATCH /meetings/{id}/papers/{paper_id}`: the fields given change."""

    title: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    kind: Literal["main", "reference"] | None = None
    agenda_item_id: Id | None = Field(None, description="move it to another item")
    confidentiality: Level | None = None
    shared_with_guests: bool | None = None


class VersionIn(Input):
    """Body of `POST /meetings/{id}/papers/{paper_id}/versions`: the new file, uploaded."""

    file_sha256: Sha256


class ReaderIn(Input):
    """Body of `POST /meetings/{id}/papers/{paper_id}/readers`."""

    user_id: Id


class PaperVersionOut(BaseModel):
    """One file a paper had (`no` 1 is the first)."""

    no: int
    file: FileRef
    created_at: dt.datetime
    created_by: UserRef | None


def _uploaded(session: Session, sha256: str) -> None:
    if session.get(FileBlob, sha256) is None:
        raise Problem(422, "unknown-file", detail="Upload the file first.", sha256=sha256)


def _member(session: Session, meeting: Meeting, user_id: int) -> User:
    """A person taking part in the meeting (422 `unknown-user` otherwise)."""
    person = session.get(User, user_id)
    if person is None or not person.active or meeting_role(meeting, person) is None:
        raise Problem(422, "unknown-user", detail="Not in the meeting.", ids=[user_id])
    return person


def _name_readers(session: Session, meeting: Meeting, paper: Paper, ids: list[int]) -> None:
    """Name readers of a paper: people of the meeting; never a guest on a confidential one."""
    for user_id in dict.fromkeys(ids):
        _member(session, meeting, user_id)
    refuse_guests(session, meeting, ids, level=paper.confidentiality)
    known = {r.user_id for r in paper.readers}
    paper.readers.extend(PaperReader(user_id=i) for i in dict.fromkeys(ids) if i not in known)


def _paper(session: Session, meeting: Meeting, user: User, paper_id: int) -> Paper:
    """A paper of this meeting the user may read, else 404."""
    readable = visible_papers(user).where(Paper.id == paper_id)
    paper = session.get(Paper, paper_id)
    if (
        paper is None
        or paper.agenda_item_id not in {item.id for item in meeting.agenda}
        or not session.scalar(select(exists(readable)))
    ):
        raise not_found("Paper")
    return paper


def _changeable(
    session: Session, meeting_id: int, user: User, paper_id: int
) -> tuple[Meeting, Paper]:
    """The meeting and a paper the user may change: their own personal paper, or any paper
    for the chair and the secretary (403 otherwise); 409 once the meeting has ended."""
    meeting = load_meeting(session, meeting_id, user)
    paper = _paper(session, meeting, user, paper_id)
    if paper.kind != "personal":  # a personal paper is visible to its owner only
        require_meeting_role(meeting, user, *EDITORS)
    refuse_closed(meeting)
    return meeting, paper


def _audit(
    session: Session, request: Request, user: User, action: str, paper: Paper, **detail: object
) -> None:
    audit.record(
        session,
        action,
        user_id=user.id,
        address=client_address(request),
        target=f"paper:{paper.id}",
        **detail,
    )


@router.post(
    "/meetings/{meeting_id}/agenda/{item_id}/papers",
    status_code=201,
    response_model=PaperOut,
    responses=problem_responses(403, 404, 409, 422),
)
def add_paper(
    meeting_id: Id, item_id: Id, body: PaperIn, request: Request, user: Actor, session: Db
) -> PaperOut:
    """Add a paper to an item. The chair and the secretary add any kind; anyone in the
    meeting adds a personal paper of their own. In a confidential meeting the paper is at
    least MẬT and never shared with guests."""
    meeting = load_meeting(session, meeting_id, user)
    own_personal = body.kind == "personal" and body.owner_id in (None, user.id)
    if not own_personal:
        require_meeting_role(meeting, user, *EDITORS)
    refuse_closed(meeting)
    item = next((i for i in meeting.agenda if i.id == item_id), None)
    if item is None:
        raise not_found("Agenda item")
    if body.file_sha256 is not None:
        _uploaded(session, body.file_sha256)
    owner = None
    if body.kind == "personal":
        owner = _member(session, meeting, body.owner_id or user.id).id
    level = paper_level(meeting, body.confidentiality)
    paper = Paper(
        title=body.title,
        kind=body.kind,
        file_sha256=body.file_sha256,
        url=body.url,
        confidentiality=level,
        shared_with_guests=body.shared_with_guests and level == NORMAL,
        owner_id=owner,
        version=1,
    )
    if body.file_sha256 is not None:
        paper.versions.append(PaperVersion(no=1, file_sha256=body.file_sha256, created_by=user.id))
    item.papers.append(paper)
    _name_readers(session, meeting, paper, body.reader_ids)
    session.flush()
    _audit(session, request, user, "paper.add", paper, meeting_id=meeting.id, kind=paper.kind)
    if paper.kind == "personal":  # nobody else hears of it
        emit(session, "agenda.updated", {"meeting_id": meeting.id}, {owner or user.id})
    else:
        announce(session, meeting)
    commit(session)
    session.refresh(paper)
    return paper_out(paper)


@router.patch(
    "/meetings/{meeting_id}/papers/{paper_id}",
    response_model=PaperOut,
    responses=problem_responses(403, 404, 409, 422),
)
def edit_paper(
    meeting_id: Id, paper_id: Id, body: PaperPatch, request: Request, user: Actor, session: Db
) -> PaperOut:
    """Rename a paper, change its kind (main ↔ reference), move it to another item, change its
    confidentiality (never below MẬT in a confidential meeting) or its sharing with guests."""
    meeting, paper = _changeable(session, meeting_id, user, paper_id)
    if body.title is not None:
        paper.title = body.title
    if body.kind is not None and paper.kind in ("main", "reference"):
        paper.kind = body.kind
    if body.agenda_item_id is not None:
        if body.agenda_item_id not in {item.id for item in meeting.agenda}:
            raise not_found("Agenda item")
        paper.agenda_item_id = body.agenda_item_id
    if body.confidentiality is not None:
        paper.confidentiality = paper_level(meeting, body.confidentiality)
        readers = [r.user_id for r in paper.readers]
        refuse_guests(session, meeting, readers, level=paper.confidentiality)
    if body.shared_with_guests is not None:
        paper.shared_with_guests = body.shared_with_guests
    if paper.confidentiality != NORMAL:
        paper.shared_with_guests = False  # a guest never reads a confidential paper
    _audit(session, request, user, "paper.edit", paper, meeting_id=meeting.id)
    announce(session, meeting)
    commit(session)
    session.refresh(paper)
    return paper_out(paper)


@router.delete(
    "/meetings/{meeting_id}/papers/{paper_id}",
    status_code=204,
    response_class=Response,
    responses=problem_responses(403, 404, 409),
)
def delete_paper(
    meeting_id: Id, paper_id: Id, request: Request, user: Actor, session: Db
) -> Response:
    """Remove a paper and its versions (the files stay in the store)."""
    meeting, paper = _changeable(session, meeting_id, user, paper_id)
    _audit(session, request, user, "paper.delete", paper, meeting_id=meeting.id, title=paper.title)
    release(session, [], [paper.id])
    session.delete(paper)
    if paper.kind == "personal":
        emit(session, "agenda.updated", {"meeting_id": meeting.id}, {user.id})
    else:
        announce(session, meeting)
    commit(session)
    return Response(status_code=204)


@router.post(
    "/meetings/{meeting_id}/papers/{paper_id}/versions",
    status_code=201,
    response_model=PaperOut,
    responses=problem_responses(403, 404, 409, 422),
)
def replace_paper(
    meeting_id: Id, paper_id: Id, body: VersionIn, request: Request, user: Actor, session: Db
) -> PaperOut:
    """Replace the paper's file with a new version; the earlier ones are kept. Tells every
    reader (`paper.replaced`) and the meeting (`agenda.updated`). The current file again:
    nothing changes. A link paper has no file (409 `link-paper`)."""
    meeting, paper = _changeable(session, meeting_id, user, paper_id)
    if paper.file_sha256 is None:
        raise Problem(409, "link-paper", detail="A link has no file to replace.")
    _uploaded(session, body.file_sha256)
    if body.file_sha256 == paper.file_sha256:
        return paper_out(paper)
    if not paper.versions:  # a paper made before versions were kept: its file is version 1
        paper.versions.append(PaperVersion(no=paper.version, file_sha256=paper.file_sha256))
    previous = paper.file_sha256
    paper.version += 1
    paper.file_sha256 = body.file_sha256
    paper.versions.append(
        PaperVersion(no=paper.version, file_sha256=body.file_sha256, created_by=user.id)
    )
    session.flush()
    session.refresh(paper, ["file"])
    new_file = file_ref(paper.file)
    assert new_file is not None
    data = {
        "meeting_id": meeting.id,
        "paper_id": paper.id,
        "agenda_item_id": paper.agenda_item_id,
        "title": paper.title,
        "version": paper.version,
        "file": new_file.model_dump(),
        "previous_sha256": previous,
    }
    emit(
        session,
        "paper.replaced",
        data,
        paper_audience(session, paper.id, meeting_audience(meeting)),
    )
    if paper.kind != "personal":
        announce(session, meeting)
    _audit(
        session,
        request,
        user,
        "paper.replace",
        paper,
        version=paper.version,
        sha256=body.file_sha256,
    )
    commit(session)
    session.refresh(paper)
    return paper_out(paper)


@router.get(
    "/meetings/{meeting_id}/papers/{paper_id}/versions",
    response_model=list[PaperVersionOut],
    responses=problem_responses(404),
)
def paper_versions(meeting_id: Id, paper_id: Id, user: Actor, session: Db) -> list[PaperVersionOut]:
    """Every file the paper had, oldest first."""
    paper = _paper(session, load_meeting(session, meeting_id, user), user, paper_id)
    return [
        PaperVersionOut(
            no=v.no,
            file=file_ref(v.file),  # type: ignore[arg-type]
            created_at=v.created_at,
            created_by=user_ref(session.get(User, v.created_by)) if v.created_by else None,
        )
        for v in paper.versions
    ]


@router.post(
    "/meetings/{meeting_id}/papers/{paper_id}/readers",
    status_code=201,
    response_model=UserRef,
    responses=problem_responses(403, 404, 409, 422),
)
def add_reader(
    meeting_id: Id, paper_id: Id, body: ReaderIn, request: Request, user: Actor, session: Db
) -> UserRef:
    """Name someone of the meeting to read a paper (how a confidential paper, or a normal one
    for a guest, is shared); never a guest on a confidential paper (422
    `confidential-to-guest`)."""
    meeting = editable_meeting(session, meeting_id, user)
    paper = _paper(session, meeting, user, paper_id)
    if paper.kind == "personal":
        raise Problem(409, "personal-paper", detail="A personal paper has one reader.")
    _name_readers(session, meeting, paper, [body.user_id])
    _audit(session, request, user, "paper.share", paper, reader_id=body.user_id)
    announce(session, meeting)
    commit(session)
    ref = user_ref(session.get(User, body.user_id))
    assert ref is not None
    return ref
