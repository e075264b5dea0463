"""The register (sổ văn bản): creating documents with their Decree 30/2020 metadata, signing and
issuing them with the next number of the year, and the numbers paper documents take.

Registering an incoming document gives it the next số đến of the agency's incoming register;
issuing an outgoing one gives it the next số of the agency's register, shared with the paper
documents numbered through `POST /document-numbers` (server/numbering.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from server import audit
from server import workflow as wf
from server.access import require
from server.documents import DocumentOut, interested_users, load_document, named_person
from server.events import emit
from server.files import FileStore
from server.inputs import Id, Input, Timestamp
from server.models import (
    CONFIDENTIALITIES,
    URGENCIES,
    Document,
    DocumentReader,
    DocumentVersion,
    FileBlob,
    Meeting,
    User,
    UserRole,
    utcnow,
)
from server.numbering import INCOMING, formatted, next_number, today_vn
from server.problems import Problem, problem_responses
from server.unit_of_work import client_address, commit
from server.visibility import document_audience
from server.workflow_api import (
    Actor,
    Db,
    Line,
    Sha256,
    Step,
    ask,
    detail_of,
    finish,
    must_hold,
    step_for,
)

router = APIRouter(tags=["workflow"])
_RESPONSES = problem_responses(403, 404, 409, 422)
Urgency = Literal["normal", "urgent", "very_urgent", "flash"]
Confidentiality = Literal["normal", "confidential", "secret"]
assert set(Urgency.__args__) == set(URGENCIES)  # type: ignore[attr-defined]
assert set(Confidentiality.__args__) == set(CONFIDENTIALITIES)  # type: ignore[attr-defined]


class DocumentIn(Input):
    """Body of `POST /documents`: the metadata of Decree 30/2020, Phụ lục VI. `direction` "in"
    registers an incoming document (clerk; `leader_id` decides who processes it), "out" starts
    a draft (its creator drafts it). `file_sha256`/`attachment_sha256s`: uploaded files."""

    direction: Literal["in", "out"]
    number: str = Field("", max_length=50)
    symbol: str = Field("", max_length=100)
    issuing_agency: str = Field(min_length=1, max_length=300)
    place: str = Field("", max_length=200)
    issued_on: dt.date | None = None
    doc_type: str = Field(min_length=1, max_length=50)
    summary: str = Field(min_length=1, max_length=20_000)
    urgency: Urgency = "normal"
    confidentiality: Confidentiality = "normal"
    signer_name: str = Field("", max_length=200)
    signer_position: str = Field("", max_length=300)
    recipients: list[Line] = Field(default_factory=list, max_length=100)
    deadline: Timestamp | None = None
    leader_id: Id | None = None
    file_sha256: Sha256 | None = None
    attachment_sha256s: list[Sha256] = Field(default_factory=list, max_length=50)


def attach_file(session: Session, document: Document, sha256: str, kind: str, user: User) -> int:
    """Add an uploaded file as the next version or an attachment (422 `unknown-file`)."""
    if session.get(FileBlob, sha256) is None:
        raise Problem(422, "unknown-file", detail="Upload the file first.", sha256=sha256)
    no = max((v.no for v in document.versions), default=0) + 1
    document.versions.append(
        DocumentVersion(
            document_id=document.id, no=no, file_sha256=sha256, kind=kind, created_by=user.id
        )
    )
    return no


@router.post("/documents", status_code=201, responses=_RESPONSES)
def create_document(body: DocumentIn, request: Request, user: Actor, session: Db) -> DocumentOut:
    """Register an incoming document (số đến and ngày đến given here) or start a draft."""
    transition = "register" if body.direction == "in" else "create"
    try:
        permit = wf.authorise(transition, wf.NEW, wf.Holder(user.id, frozenset(user.roles)))
    except wf.WorkflowError as error:
        raise Problem(error.status, error.slug, detail=error.detail) from None
    if body.direction == "in" and body.leader_id is None:
        raise Problem(422, "leader-required", detail="Say which leader routes the document.")
    fields = body.model_dump(exclude={"leader_id", "file_sha256", "attachment_sha256s"})
    document = Document(
        **fields, status=permit.target, created_by=user.id, org_unit_id=user.org_unit_id
    )
    session.add(document)
    if body.direction == "in":
        today = today_vn(utcnow())
        taken = next_number(session, INCOMING, today.year)
        document.received_number = formatted(taken)
        document.received_on = today
    session.flush()
    step = Step(session, request, user, document, transition, permit, None, None)
    for sha256, kind in [(body.file_sha256, "version")] + [
        (a, "attachment") for a in body.attachment_sha256s
    ]:
        if sha256 is not None:
            attach_file(session, document, sha256, kind, user)
    if body.leader_id is not None and body.direction == "in":
        must_hold(session, body.leader_id, "leader")
        asked = [ask(step, body.leader_id, wf.ROUTE).id]
    else:
        asked = [ask(step, user.id, wf.PROCESS).id]
    return finish(step, asked)


class SignIn(Input):
    """Body of `POST /documents/{id}/sign`: the uploaded signed PDF and the sha256 of the
    version it was made from."""

    file_sha256: Sha256
    base_sha256: Sha256


def _signed_from(store: FileStore, signed: str, base: str) -> bool:
    """True when the signed file is the base file with an incremental update appended (what a
    PDF signature is): its first bytes are exactly the base's."""
    base_path = store.path(base)
    size = base_path.stat().st_size
    with store.path(signed).open("rb") as handle:
        head = handle.read(size)
    return len(head) == size and hashlib.sha256(head).hexdigest() == base


def require_extension(
    session: Session,
    request: Request,
    uploaded: str,
    base: str,
    expected_base: str | None,
    changed: str,
    not_extending: str,
) -> None:
    """The checks every signed upload passes (the leader's and the clerk's): made from the
    version expected (409 `hash-mismatch`, `changed` says which), uploaded (422 `unknown-file`),
    and that version with an incremental update appended (422 `not-signed-from-base`)."""
    if expected_base is None or base != expected_base:
        raise Problem(
            409, "hash-mismatch", "Document changed", changed, expected_sha256=expected_base
        )
    if session.get(FileBlob, uploaded) is None:
        raise Problem(422, "unknown-file", detail="Upload the file first.", sha256=uploaded)
    store: FileStore = request.app.state.files
    if not _signed_from(store, uploaded, base):
        raise Problem(422, "not-signed-from-base", detail=not_extending)


@router.post("/documents/{document_id}/sign", responses=_RESPONSES)
def sign(document_id: Id, body: SignIn, request: Request, user: Actor, session: Db) -> DocumentOut:
    """The leader's signed version, refused with 409 `hash-mismatch` when it was not made from
    the version submitted for signature (the document changed since) and 422 `not-signed-from-
    base` when the file is not that version with a signature appended. The clerks are asked to
    issue it; the signer's position line says KT./TL./TUQ./Q. when acting for someone."""
    # A meeting's minutes are signed by its secretary, then its chair (server/minutes.py); the
    # inbox signs every document here, so they are passed on. Imported here: server.minutes
    # builds on this module.
    from server.minutes import minutes_of_document, sign_minutes_document

    minutes = minutes_of_document(session, document_id)
    if minutes is not None:
        load_document(session, document_id, user)  # 404 unless the user may see it
        meeting = session.get_one(Meeting, minutes.meeting_id)
        sign_minutes_document(session, request, user, meeting, minutes, body)
        return detail_of(session, document_id, user)
    step = step_for(session, request, user, document_id, "sign")
    document = step.document
    require_extension(
        session,
        request,
        body.file_sha256,
        body.base_sha256,
        document.signing_sha256,
        "The document changed after it was submitted for signature; sign the current version.",
        "The signed file does not extend the version submitted for signature.",
    )
    no = attach_file(session, document, body.file_sha256, "version", user)
    principal = step.principal
    kind = step.delegation.kind if step.delegation else None
    document.signer_name = user.full_name
    document.signer_position = "\n".join(
        wf.position_lines(user.title, principal.title if principal else None, kind)
    )
    clerks = [c.id for c in session.scalars(_active_clerks())]
    asked = [ask(step, c, wf.ISSUE).id for c in clerks]
    return finish(step, asked, version=no, sha256=body.file_sha256)


def _active_clerks() -> Select[User]:
    clerks = select(UserRole.user_id).where(UserRole.role == "clerk")
    return select(User).where(User.id.in_(clerks), User.active.is_(True)).order_by(User.id)


class IssueIn(Input):
    """Body of `POST /documents/{id}/issue`: the ký hiệu (e.g. "QĐ-STTTT"; the document's own
    when empty) and the people inside the agency it reaches."""

    symbol: str = Field("", max_length=100)
    recipient_ids: list[Id] = Field(default_factory=list, max_length=500)


@router.post("/documents/{document_id}/issue", responses=_RESPONSES)
def issue(
    document_id: Id, body: IssueIn, request: Request, user: Actor, session: Db
) -> DocumentOut:
    """Issue (phát hành): the next số of the year in the agency's register, the date, and the
    document in its internal recipients' incoming lists (`document.received`)."""
    step = step_for(session, request, user, document_id, "issue")
    document = step.document
    recipients = [named_person(session, document, r) for r in dict.fromkeys(body.recipient_ids)]
    today = today_vn(utcnow())
    document.number = formatted(next_number(session, document.issuing_agency, today.year))
    document.symbol = body.symbol or document.symbol
    document.issued_on = today
    for assignment in document.assignments:
        if assignment.action == wf.ISSUE and assignment.state == "pending":
            assignment.state = "done"
    now = utcnow()
    for person in recipients:
        row = session.get(DocumentReader, (document.id, person.id))
        if row is None:
            document.readers.append(
                DocumentReader(document_id=document.id, user_id=person.id, received_at=now)
            )
        else:
            row.received_at = now
    session.flush()
    reached = [p.id for p in recipients]
    emit(
        session,
        "document.received",
        {"document_id": document.id},
        document_audience(session, document, reached),
    )
    return finish(step, number=document.number, symbol=document.symbol, recipients=reached)


class IssuedVersionIn(Input):
    """Body of `POST /documents/{id}/issued-version`: the uploaded agency-signed PDF (số and
    date filled, the agency's signature) and the sha256 of the leader-signed version it extends."""

    file_sha256: Sha256
    base_sha256: Sha256


@router.post("/documents/{document_id}/issued-version", responses=_RESPONSES)
def issued_version(
    document_id: Id, body: IssuedVersionIn, request: Request, user: Actor, session: Db
) -> DocumentOut:
    """The clerk's agency-signed file after issuing becomes the document's last version, so the
    recipients get the issued file and not the leader's unnumbered one. Only a clerk who was
    asked to issue it (403 `not-assigned`), only once issued (409 `wrong-state`), only on top of
    the current (leader-signed) version (409 `hash-mismatch`) and only as an incremental update
    of it (422 `not-signed-from-base`); sending the same file again changes nothing."""
    document = load_document(session, document_id, user)
    if document.status != wf.ISSUED:
        raise Problem(
            409, "wrong-state", detail="Issue the document before adding its issued version."
        )
    asked = any(
        a.action == wf.ISSUE and a.assignee_id == user.id and a.state == "done"
        for a in document.assignments
    )
    if "clerk" not in user.roles or not asked:
        raise Problem(403, "not-assigned", detail="This document is not assigned to you for that.")
    current = max((v for v in document.versions if v.kind == "version"), key=lambda v: v.no)
    if current.file_sha256 == body.file_sha256:
        return detail_of(session, document.id, user)  # already there: a repeated upload
    require_extension(
        session,
        request,
        body.file_sha256,
        body.base_sha256,
        current.file_sha256,
        "The issued version must extend the current (signed) version.",
        "The issued file does not extend the signed version.",
    )
    no = attach_file(session, document, body.file_sha256, "version", user)
    session.flush()
    told = interested_users(document) | {user.id}
    recipients = {r.user_id for r in document.readers if r.received_at is not None} - told
    data = {"document_id": document.id, "transition": "issued_version", "status": wf.ISSUED}
    emit(session, "document.changed", data, document_audience(session, document, recipients))
    permit = wf.Permit(wf.ISSUED, user.id, None, None, None)
    step = Step(session, request, user, document, "issued_version", permit, None, None)
    return finish(step, version=no, sha256=body.file_sha256)


class NumberIn(Input):
    """Body of `POST /document-numbers`."""

    issuing_agency: str = Field(min_length=1, max_length=300)


class NumberOut(BaseModel):
    """A number taken from the agency's register for a paper document."""

    number: str
    year: int
    issuing_agency: str


@router.post(
    "/document-numbers",
    status_code=201,
    response_model=NumberOut,
    responses=problem_responses(403, 422),
)
def take_number(
    body: NumberIn,
    request: Request,
    user: Annotated[User, Depends(require("clerk"))],
    session: Db,
) -> NumberOut:
    """The next số of the year for a document issued on paper: the same register electronic
    documents take theirs from, so the two never share a number."""
    year = today_vn(utcnow()).year
    number = formatted(next_number(session, body.issuing_agency, year))
    audit.record(
        session,
        "document.number",
        user_id=user.id,
        address=client_address(request),
        target=f"register:{body.issuing_agency}",
        number=number,
        year=year,
    )
    commit(session)
    return NumberOut(number=number, year=year, issuing_agency=body.issuing_agency)
