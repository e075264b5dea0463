"""The document workflow over HTTP: one endpoint per transition of server/workflow.py.

Every endpoint loads the document as the user may see it (404 otherwise), asks the state machine
whether this user may take the transition now (409 wrong state, 403 not assigned or role), then
changes the assignments and the state, writes the audit row (both names when acting by
delegation) and pushes `document.changed` to the people concerned (`document.assigned` to whoever
is newly asked to act); the audience goes through `document_audience`, so a confidential document
is only ever heard of by the people named on it. Idempotency-Key works as everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import Field
from sqlalchemy.orm import Session

from server import audit
from server import workflow as wf
from server.access import signed_in
from server.documents import (
    DocumentOut,
    delegations_to,
    detail,
    holders,
    interested_users,
    load_document,
    named_person,
)
from server.events import emit
from server.inputs import Id, Input, Timestamp
from server.models import (
    Assignment,
    Comment,
    Delegation,
    Document,
    DocumentReader,
    DocumentVersion,
    User,
    UserRole,
)
from server.problems import Problem, problem_responses
from server.unit_of_work import client_address, commit, get_session
from server.visibility import document_audience

router = APIRouter(tags=["workflow"])
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Note = Annotated[str, Field(max_length=20_000)]
Reason = Annotated[str, Field(min_length=1, max_length=20_000)]
Line = Annotated[str, Field(max_length=300)]
_RESPONSES = problem_responses(403, 404, 409, 422)


@dataclass
class Step:
    """One transition being applied: who, on what, and what the state machine allowed."""

    session: Session
    request: Request
    user: User
    document: Document
    transition: str
    permit: wf.Permit
    principal: User | None
    delegation: Delegation | None


def _as_problem(error: wf.WorkflowError) -> Problem:
    titles = {403: "Not allowed", 409: "Wrong workflow state"}
    return Problem(error.status, error.slug, titles.get(error.status), error.detail)


def begin(
    session: Session, request: Request, user: User, document: Document, transition: str
) -> Step:
    """Authorise the transition and close the assignment it acts on; the caller adds the rest."""
    delegations = delegations_to(session, user)
    actor, principals = holders(document, user, delegations)
    try:
        permit = wf.authorise(transition, document.status, actor, principals)
    except wf.WorkflowError as error:
        raise _as_problem(error) from None
    delegation = next((d for d in delegations if d.principal_id == permit.acting_for), None)
    if delegation is not None and session.get(DocumentReader, (document.id, user.id)) is None:
        # a deputy who acted keeps seeing what they decided on after the delegation ends
        document.readers.append(DocumentReader(document_id=document.id, user_id=user.id))
    if permit.closes is not None and permit.action is not None:
        for assignment in document.assignments:
            if (
                assignment.assignee_id == permit.holder_id
                and assignment.action == permit.action
                and assignment.state == "pending"
            ):
                assignment.state = permit.closes
    document.status = permit.target
    principal = delegation.principal if delegation else None
    return Step(session, request, user, document, transition, permit, principal, delegation)


def ask(step: Step, user_id: int, action: str, deadline: dt.datetime | None = None) -> User:
    """Give someone a pending assignment on the document (a guest never gets a confidential one:
    422 `confidential-to-guest`)."""
    person = named_person(step.session, step.document, user_id)
    step.document.assignments.append(
        Assignment(
            document_id=step.document.id,
            assignee_id=person.id,
            assigned_by=step.user.id,
            action=action,
            deadline=deadline or step.document.deadline,
        )
    )
    return person


def remark(step: Step, kind: str, text: str) -> None:
    """Keep a comment, instruction, opinion or reason on the document."""
    if text:
        step.document.comments.append(
            Comment(
                document_id=step.document.id,
                author_id=step.user.id,
                kind=kind,
                on_behalf_of=step.permit.acting_for,
                text=text,
            )
        )


def finish(step: Step, new: Iterable[int] = (), **detail: object) -> DocumentOut:
    """Audit, tell the people concerned, commit; the document as the actor now sees it."""
    session, document, user = step.session, step.document, step.user
    session.flush()
    newly = set(new)
    concerned = interested_users(document) | {user.id} | newly
    if step.permit.acting_for is not None:
        concerned.add(step.permit.acting_for)
    data = {"document_id": document.id, "transition": step.transition, "status": document.status}
    emit(session, "document.changed", data, document_audience(session, document, concerned))
    if newly:
        emit(
            session,
            "document.assigned",
            {"document_id": document.id},
            document_audience(session, document, newly),
        )
    acting = {}
    if step.principal is not None:
        acting = {
            "actor_name": user.full_name,
            "on_behalf_of": step.principal.id,
            "on_behalf_of_name": step.principal.full_name,
        }
    audit.record(
        session,
        f"document.{step.transition}",
        user_id=user.id,
        address=client_address(step.request),
        target=f"document:{document.id}",
        status=document.status,
        **acting,
        **detail,
    )
    commit(session)
    return detail_of(session, document.id, user)


def detail_of(session: Session, document_id: int, user: User) -> DocumentOut:
    """The document's detail, reloaded (new rows included)."""
    session.expire_all()
    return detail(session, load_document(session, document_id, user), user)


def step_for(
    session: Session, request: Request, user: User, document_id: int, transition: str
) -> Step:
    """Load the document as the user sees it and begin the transition on it."""
    return begin(session, request, user, load_document(session, document_id, user), transition)


def must_hold(session: Session, user_id: int, role: str) -> None:
    """422 `not-a-<role>` unless the user holds the role (an approver must be a leader…)."""
    if session.get(UserRole, (user_id, role)) is None:
        raise Problem(
            422, f"not-a-{role}", detail=f"User {user_id} is not a {role}.", ids=[user_id]
        )


Actor = Annotated[User, Depends(signed_in)]
Db = Annotated[Session, Depends(get_session)]


# --- routing an incoming document ------------------------------------------------------------


class AssignIn(Input):
    """Body of `POST /documents/{id}/assign`: the main processor, people to coordinate, the
    deadline and the leader's instruction (ý kiến chỉ đạo)."""

    processor_id: Id
    coordinator_ids: list[Id] = Field(default_factory=list, max_length=50)
    deadline: Timestamp | None = None
    instruction: Note = ""


@router.post("/documents/{document_id}/assign", responses=_RESPONSES)
def assign(
    document_id: Id, body: AssignIn, request: Request, user: Actor, session: Db
) -> DocumentOut:
    """The leader hands the document to a processor, with coordinators (phân công xử lý)."""
    step = step_for(session, request, user, document_id, "assign")
    if body.deadline is not None:
        step.document.deadline = body.deadline
    asked = [ask(step, body.processor_id, wf.PROCESS, body.deadline).id]
    asked += [ask(step, c, wf.COORDINATE, body.deadline).id for c in body.coordinator_ids]
    remark(step, "instruction", body.instruction)
    return finish(step, asked, processor_id=body.processor_id)


class ForwardIn(Input):
    """Body of `POST /documents/{id}/forward`."""

    to_id: Id
    note: Note = ""


@router.post("/documents/{document_id}/forward", responses=_RESPONSES)
def forward(
    document_id: Id, body: ForwardIn, request: Request, user: Actor, session: Db
) -> DocumentOut:
    """Hand my part to someone else (chuyển xử lý): mine becomes `forwarded`, theirs pending."""
    step = step_for(session, request, user, document_id, "forward")
    assert step.permit.action is not None  # forwarding always acts on an assignment
    if body.to_id == step.permit.holder_id:
        raise Problem(422, "forward-to-self", detail="Forward to someone else.")
    to = ask(step, body.to_id, step.permit.action)
    remark(step, "comment", body.note)
    return finish(step, [to.id], to_id=to.id)


class CoordinateIn(Input):
    """Body of `POST /documents/{id}/coordinate`."""

    user_ids: list[Id] = Field(min_length=1, max_length=50)
    deadline: Timestamp | None = None


@router.post("/documents/{document_id}/coordinate", responses=_RESPONSES)
def coordinate(
    document_id: Id, body: CoordinateIn, request: Request, user: Actor, session: Db
) -> DocumentOut:
    """Ask several people at once for their opinion (phối hợp)."""
    step = step_for(session, request, user, document_id, "coordinate")
    asked = [ask(step, u, wf.COORDINATE, body.deadline).id for u in body.user_ids]
    return finish(step, asked, coordinator_ids=asked)


class TextIn(Input):
    """A body with one text: an opinion, an instruction, a closing note."""

    text: Reason


@router.post("/documents/{document_id}/answer", responses=_RESPONSES)
def answer(
    document_id: Id, body: TextIn, request: Request, user: Actor, session: Db
) -> DocumentOut:
    """A coordinator gives their opinion; their coordination is done."""
    step = step_for(session, request, user, document_id, "answer")
    remark(step, "opinion", body.text)
    return finish(step)


@router.post("/documents/{document_id}/instructions", responses=_RESPONSES)
def instruct(
    document_id: Id, body: TextIn, request: Request, user: Actor, session: Db
) -> DocumentOut:
    """A leader's instruction (ý kiến chỉ đạo) on the document; the state does not change."""
    step = step_for(session, request, user, document_id, "instruct")
    remark(step, "instruction", body.text)
    return finish(step)


class CompleteIn(Input):
    """Body of `POST /documents/{id}/complete`."""

    note: Note = ""


@router.post("/documents/{document_id}/complete", responses=_RESPONSES)
def complete(
    document_id: Id, body: CompleteIn, request: Request, user: Actor, session: Db
) -> DocumentOut:
    """The processor closes an incoming document (done)."""
    step = step_for(session, request, user, document_id, "complete")
    remark(step, "comment", body.note)
    return finish(step)


# --- drafting, approving, signing, issuing ----------------------------------------------------


class SubmitIn(Input):
    """Body of `POST /documents/{id}/submit`."""

    approver_id: Id
    note: Note = ""


def _current_version(document: Document) -> DocumentVersion | None:
    versions = [v for v in document.versions if v.kind == "version"]
    return versions[-1] if versions else None


@router.post("/documents/{document_id}/submit", responses=_RESPONSES)
def submit(
    document_id: Id, body: SubmitIn, request: Request, user: Actor, session: Db
) -> DocumentOut:
    """Submit the draft for approval and signature (trình ký); the current version's sha256 is
    what the leader will be asked to sign."""
    step = step_for(session, request, user, document_id, "submit")
    version = _current_version(step.document)
    if version is None:
        raise Problem(422, "no-version", detail="Add the draft's PDF before submitting it.")
    waiting = [
        a.assignee_id
        for a in step.document.assignments
        if a.action == wf.COORDINATE and a.state == "pending"
    ]
    if waiting:
        raise Problem(
            409, "coordination-pending", detail="Coordinators have not answered.", ids=waiting
        )
    must_hold(session, body.approver_id, "leader")
    step.document.signing_sha256 = version.file_sha256
    approver = ask(step, body.approver_id, wf.APPROVE)
    remark(step, "comment", body.note)
    return finish(step, [approver.id], version=version.no, sha256=version.file_sha256)


class ApproveIn(Input):
    """Body of `POST /documents/{id}/approve`; the signer defaults to the approving leader (or
    the leader they act for)."""

    signer_id: Id | None = None


@router.post("/documents/{document_id}/approve", responses=_RESPONSES)
def approve(
    document_id: Id, body: ApproveIn, request: Request, user: Actor, session: Db
) -> DocumentOut:
    """Approve the submitted draft; the signer is asked to sign it."""
    step = step_for(session, request, user, document_id, "approve")
    signer_id = body.signer_id or step.permit.holder_id
    must_hold(session, signer_id, "leader")
    signer = ask(step, signer_id, wf.SIGN)
    return finish(step, [signer.id], signer_id=signer.id)


class ReturnIn(Input):
    """Body of `POST /documents/{id}/return`."""

    reason: Reason


@router.post("/documents/{document_id}/return", responses=_RESPONSES)
def return_(
    document_id: Id, body: ReturnIn, request: Request, user: Actor, session: Db
) -> DocumentOut:
    """Send the draft back to its drafter with the reason; they revise and submit again."""
    step = step_for(session, request, user, document_id, "return")
    drafters = [
        a.assignee_id
        for a in step.document.assignments
        if a.action == wf.PROCESS and a.state == "done"
    ]
    drafter = drafters[-1] if drafters else step.document.created_by
    assert drafter is not None  # a draft always has its drafter's done assignment
    ask(step, drafter, wf.PROCESS)
    remark(step, "return", body.reason)
    return finish(step, [drafter], reason=body.reason)
