"""Documents (văn bản): inbox and list, detail, comments; the workflow actions are in
server/workflow_api.py."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import case, select
from sqlalchemy.orm import Session, selectinload

from server import audit
from server import workflow as wf
from server.access import require, signed_in
from server.events import emit
from server.files import FileRef, file_ref
from server.inputs import Id, Input, Timestamp
from server.models import (
    NORMAL,
    Assignment,
    Comment,
    Delegation,
    Document,
    DocumentReader,
    Meeting,
    MeetingMinutes,
    User,
    utcnow,
)
from server.problems import Problem, not_found, problem_responses
from server.unit_of_work import client_address, commit, get_session
from server.users import STAFF_ROLES, UserRef, user_ref
from server.visibility import document_audience, may_see_confidential, visible_documents

router = APIRouter(tags=["documents"])
ASSIGNERS = ("leader", "secretary", "clerk")  # who routes documents (phân công, chuyển xử lý)

# Inbox order: most urgent first (flash > very urgent > urgent > normal), then nearest deadline.
_URGENCY_RANK = {"flash": 0, "very_urgent": 1, "urgent": 2, "normal": 3}


class DocumentSummary(BaseModel):
    """`DocumentSummary` of the contract."""

    id: int
    number: str
    symbol: str
    issuing_agency: str
    issued_on: dt.date | None
    summary: str
    doc_type: str
    urgency: str
    confidentiality: str
    direction: str
    status: str
    deadline: dt.datetime | None
    my_action: str | None
    overdue: bool


class VersionOut(BaseModel):
    """One entry of `Document.versions` (and of `Document.attachments`)."""

    no: int
    file: FileRef
    created_at: dt.datetime


class AssignmentOut(BaseModel):
    """One entry of `Document.assignments`."""

    id: int
    assignee: UserRef
    action: str
    deadline: dt.datetime | None
    state: str


class CommentOut(BaseModel):
    """`Comment` of the contract."""

    id: int
    author: UserRef
    kind: str
    on_behalf_of: int | None
    text: str
    created_at: dt.datetime


class SignaturePlaceOut(BaseModel):
    """Where the server laid out the requesting user's signature: 0-based page and
    [x0, y0, x1, y1] in PDF points from the bottom left."""

    page: int
    box: list[float]


class DocumentOut(DocumentSummary):
    """`Document` of the contract."""

    place: str
    signer_name: str
    signer_position: str
    recipients: list[str]
    received_number: str
    received_on: dt.date | None
    signing_sha256: str | None
    versions: list[VersionOut]
    attachments: list[VersionOut]
    assignments: list[AssignmentOut]
    comments: list[CommentOut]
    readers: list[UserRef]
    allowed_actions: list[str] = Field(
        default_factory=list,
        description="The workflow actions the requesting user may take on the document now, "
        "by their role, their pending assignments and the delegations they hold "
        "(the names of the POST /documents/{id}/<action> operations; the buttons to show).",
    )
    signature_place: SignaturePlaceOut | None = Field(
        default=None,
        description="Where the requesting user's signature goes when the server laid the "
        "document out (a meeting's minutes, for its secretary then its chair, while it waits "
        "for them); null: the field prepared with the draft.",
    )


def pending_of(document: Document, user_id: int) -> frozenset[str]:
    """What the pending assignments of `user_id` on the document ask of them."""
    return frozenset(
        a.action for a in document.assignments if a.assignee_id == user_id and a.state == "pending"
    )


def delegations_to(session: Session, user: User) -> list[Delegation]:
    """The delegations (ủy quyền) that let `user` act for someone now."""
    now = utcnow()
    return list(
        session.scalars(
            select(Delegation)
            .where(
                Delegation.deputy_id == user.id,
                Delegation.starts_at <= now,
                Delegation.ends_at > now,
            )
            .order_by(Delegation.id)
        )
    )


def holders(
    document: Document, user: User, delegations: list[Delegation]
) -> tuple[wf.Holder, list[wf.Holder]]:
    """The user and the principals they act for, as the workflow sees them on `document`."""
    principals = [
        wf.Holder(
            d.principal.id, frozenset(d.principal.roles), pending_of(document, d.principal.id)
        )
        for d in delegations
    ]
    return wf.Holder(user.id, frozenset(user.roles), pending_of(document, user.id)), principals


def _my_action(document: Document, user: User) -> str | None:
    """The action of my pending assignment, if I have one."""
    return next(
        (
            a.action
            for a in document.assignments
            if a.assignee_id == user.id and a.state == "pending"
        ),
        None,
    )


def summary(document: Document, user: User) -> DocumentSummary:
    """The list shape of a document, seen by `user`."""
    return DocumentSummary(
        id=document.id,
        number=document.number,
        symbol=document.symbol,
        issuing_agency=document.issuing_agency,
        issued_on=document.issued_on,
        summary=document.summary,
        doc_type=document.doc_type,
        urgency=document.urgency,
        confidentiality=document.confidentiality,
        direction=document.direction,
        status=document.status,
        deadline=document.deadline,
        my_action=_my_action(document, user),
        overdue=wf.overdue(document.deadline, document.status, utcnow()),
    )


def _comment_out(comment: Comment) -> CommentOut:
    return CommentOut(
        id=comment.id,
        author=user_ref(comment.author),  # type: ignore[arg-type]
        kind=comment.kind or "comment",
        on_behalf_of=comment.on_behalf_of,
        text=comment.text,
        created_at=comment.created_at,
    )


def _minutes_place(session: Session, document: Document, user: User) -> SignaturePlaceOut | None:
    """The box of a meeting's minutes that waits for `user`'s signature (the secretary's, then
    the chair's): they sign it whatever their staff role, so the inbox offers "sign"."""
    if wf.SIGN not in pending_of(document, user.id):
        return None
    minutes = session.scalar(
        select(MeetingMinutes).where(MeetingMinutes.document_id == document.id)
    )
    if minutes is None:
        return None
    meeting = session.get_one(Meeting, minutes.meeting_id)
    role = "chair" if user.id == meeting.chair_id else "secretary"
    return SignaturePlaceOut(**minutes.boxes[role])


def detail(session: Session, document: Document, user: User) -> DocumentOut:
    """The full shape of a document, seen by `user`, with what they may do on it now."""
    actor, principals = holders(document, user, delegations_to(session, user))
    place = _minutes_place(session, document, user)
    allowed = wf.allowed(document.status, actor, principals)
    if place is not None and wf.SIGN not in allowed:
        allowed.append(wf.SIGN)
    files = {
        kind: [
            VersionOut(no=v.no, file=file_ref(v.file), created_at=v.created_at)  # type: ignore[arg-type]
            for v in document.versions
            if (v.kind or "version") == kind
        ]
        for kind in ("version", "attachment")
    }
    return DocumentOut(
        **summary(document, user).model_dump(),
        place=document.place or "",
        signer_name=document.signer_name or "",
        signer_position=document.signer_position or "",
        recipients=list(document.recipients or []),
        received_number=document.received_number or "",
        received_on=document.received_on,
        signing_sha256=document.signing_sha256,
        versions=files["version"],
        attachments=files["attachment"],
        assignments=[
            AssignmentOut(
                id=a.id,
                assignee=user_ref(a.assignee),  # type: ignore[arg-type]
                action=a.action,
                deadline=a.deadline,
                state=a.state,
            )
            for a in document.assignments
        ],
        comments=[_comment_out(c) for c in document.comments],
        readers=[user_ref(r.user) for r in document.readers],  # type: ignore[misc]
        allowed_actions=allowed,
        signature_place=place,
    )


@router.get("/documents", response_model=list[DocumentSummary])
def list_documents(
    user: Annotated[User, Depends(signed_in)],
    session: Annotated[Session, Depends(get_session)],
    box: Annotated[Literal["inbox", "incoming", "all"], Query()] = "inbox",
) -> list[DocumentSummary]:
    """`inbox`: my pending assignments, most urgent and nearest deadline first; `incoming`:
    issued documents that reached me as an internal recipient, newest first; `all`: visible."""
    query = select(Document).options(selectinload(Document.assignments))
    if box == "inbox":
        pending = select(Assignment.document_id).where(
            Assignment.assignee_id == user.id, Assignment.state == "pending"
        )
        rank = case(_URGENCY_RANK, value=Document.urgency, else_=9)
        query = query.where(
            Document.id.in_(pending), Document.id.in_(visible_documents(user))
        ).order_by(rank, Document.deadline.is_(None), Document.deadline, Document.id)
    elif box == "incoming":
        received = select(DocumentReader.document_id).where(
            DocumentReader.user_id == user.id, DocumentReader.received_at.is_not(None)
        )
        query = query.where(
            Document.id.in_(received), Document.id.in_(visible_documents(user))
        ).order_by(Document.issued_on.desc(), Document.id.desc())
    else:
        query = query.where(Document.id.in_(visible_documents(user))).order_by(
            Document.created_at.desc(), Document.id.desc()
        )
    return [summary(d, user) for d in session.scalars(query)]


def load_document(session: Session, document_id: int, user: User) -> Document:
    """The document if `user` may see it, with its versions, assignments, comments and
    readers loaded; else a 404 problem (the same as for a document that does not exist)."""
    document = session.scalar(
        select(Document)
        .where(Document.id == document_id, Document.id.in_(visible_documents(user)))
        .options(
            selectinload(Document.versions),
            selectinload(Document.assignments),
            selectinload(Document.comments),
            selectinload(Document.readers),
        )
    )
    if document is None:
        raise not_found("Document")
    return document


@router.get(
    "/documents/{document_id}", response_model=DocumentOut, responses=problem_responses(404)
)
def get_document(
    document_id: Id,
    user: Annotated[User, Depends(signed_in)],
    session: Annotated[Session, Depends(get_session)],
) -> DocumentOut:
    """One document with versions, assignments and comments (404 when not visible)."""
    return detail(session, load_document(session, document_id, user), user)


class AssignmentIn(Input):
    """Body of `POST /documents/{id}/assignments`."""

    assignee_id: Id
    action: Literal["process", "coordinate", "review", "approve", "sign"]
    deadline: Timestamp | None = None


@router.post(
    "/documents/{document_id}/assignments",
    response_model=AssignmentOut,
    status_code=201,
    responses=problem_responses(404),
)
def add_assignment(
    document_id: Id,
    body: AssignmentIn,
    request: Request,
    user: Annotated[User, Depends(require(*ASSIGNERS))],
    session: Annotated[Session, Depends(get_session)],
) -> AssignmentOut:
    """Ask someone to act on a document; they hear of it at once (`document.assigned`)."""
    document = load_document(session, document_id, user)
    assignee = named_person(session, document, body.assignee_id)
    assignment = Assignment(
        document_id=document.id,
        assignee_id=assignee.id,
        assigned_by=user.id,
        action=body.action,
        deadline=body.deadline or document.deadline,
    )
    session.add(assignment)
    session.flush()
    audience = document_audience(session, document, {assignee.id})
    emit(session, "document.assigned", {"document_id": document.id}, audience)
    audit.record(
        session,
        "document.assign",
        user_id=user.id,
        address=client_address(request),
        target=f"document:{document.id}",
        assignee_id=assignee.id,
        wanted=body.action,
    )
    commit(session)
    return AssignmentOut(
        id=assignment.id,
        assignee=user_ref(assignee),  # type: ignore[arg-type]
        action=assignment.action,
        deadline=assignment.deadline,
        state=assignment.state,
    )


def named_person(session: Session, document: Document, user_id: int) -> User:
    """The active user about to be named on `document` (422 `unknown-user`); a confidential
    document is never handed to a guest (422 `confidential-to-guest`)."""
    person = session.get(User, user_id)
    if person is None or not person.active:
        raise Problem(422, "unknown-user", detail="No such user.", ids=[user_id])
    if document.confidentiality != NORMAL and not may_see_confidential(person):
        raise Problem(
            422,
            "confidential-to-guest",
            title="Confidential document",
            detail="A confidential document cannot be given to a guest.",
            ids=[user_id],
        )
    return person


class ReaderIn(Input):
    """Body of `POST /documents/{id}/readers`."""

    user_id: Id


@router.post(
    "/documents/{document_id}/readers",
    response_model=UserRef,
    status_code=201,
    responses=problem_responses(404),
)
def add_reader(
    document_id: Id,
    body: ReaderIn,
    request: Request,
    user: Annotated[User, Depends(require(*ASSIGNERS))],
    session: Annotated[Session, Depends(get_session)],
) -> UserRef:
    """Name someone who may read the document (the way to share a confidential one); they
    hear of it at once (`document.shared`). Naming someone twice changes nothing."""
    document = load_document(session, document_id, user)
    reader = named_person(session, document, body.user_id)
    if session.get(DocumentReader, (document.id, reader.id)) is None:
        session.add(DocumentReader(document_id=document.id, user_id=reader.id))
        session.flush()
        emit(session, "document.shared", {"document_id": document.id}, {reader.id})
        audit.record(
            session,
            "document.share",
            user_id=user.id,
            address=client_address(request),
            target=f"document:{document.id}",
            reader_id=reader.id,
        )
        commit(session)
    return user_ref(reader)  # type: ignore[return-value]


class CommentIn(Input):
    """Body of `POST /documents/{id}/comments`."""

    text: str = Field(min_length=1, max_length=20_000)


def interested_users(document: Document) -> set[int]:
    """Everyone assigned on the document, and its creator."""
    ids = {a.assignee_id for a in document.assignments}
    if document.created_by is not None:
        ids.add(document.created_by)
    return ids


@router.post(
    "/documents/{document_id}/comments",
    response_model=CommentOut,
    status_code=201,
    responses=problem_responses(404),
)
def add_comment(
    document_id: Id,
    body: CommentIn,
    request: Request,
    user: Annotated[User, Depends(require(*STAFF_ROLES))],
    session: Annotated[Session, Depends(get_session)],
) -> CommentOut:
    """Add a remark and tell the people working on the document (`document.commented`)."""
    document = load_document(session, document_id, user)
    comment = Comment(document_id=document.id, author_id=user.id, text=body.text)
    session.add(comment)
    session.flush()
    emit(
        session,
        "document.commented",
        {"document_id": document.id, "comment_id": comment.id},
        document_audience(session, document, interested_users(document) | {user.id}),
    )
    audit.record(
        session,
        "document.comment",
        user_id=user.id,
        address=client_address(request),
        target=f"document:{document.id}",
        comment_id=comment.id,
    )
    commit(session)
    session.refresh(comment)
    return _comment_out(comment)
