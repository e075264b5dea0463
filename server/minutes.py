"""Conclusions per agenda item and the minutes (biên bản) of a meeting, signed through the inbox.

The secretary (or the chair) writes each item's conclusion (kết luận) during or after the
meeting; everyone in the meeting hears `minutes.updated`. Once the meeting has ended the
secretary generates the minutes PDF from the meeting's state (server/minutes_pdf.py) and it
becomes a Document of type "Biên bản" in the approval workflow, waiting for the secretary's
signature (a pending `sign` assignment: it shows in their inbox), then the chair's. The
signatures come back like the leader's signed version (`require_extension`: made from the
version asked for, an incremental update of it); the chair's moves the meeting to
`minutes_approved`. Minutes are not issued by the clerk: they are an internal record, read by
the meeting's people only (named readers; confidential when any paper of the meeting is).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server import audit
from server import workflow as wf
from server.access import signed_in
from server.events import emit
from server.files import FileStore, add_file
from server.inputs import Id, Input
from server.meeting_roles import meeting_audience, meeting_status, require_meeting_role
from server.meetings import load_meeting
from server.models import (
    AgendaConclusion,
    Document,
    DocumentReader,
    Meeting,
    MeetingMinutes,
    Poll,
    PollVote,
    SpeakRequest,
    User,
    utcnow,
)
from server.polls import public
from server.problems import Problem, not_found, problem_responses
from server.registry import SignIn, attach_file, require_extension
from server.unit_of_work import client_address, commit, get_session
from server.workflow_api import Step, ask, finish

if TYPE_CHECKING:  # imported where minutes are made (see minutes_spec)
    from server.minutes_pdf import MinutesSpec

router = APIRouter(tags=["minutes"])
UserDep = Annotated[User, Depends(signed_in)]
SessionDep = Annotated[Session, Depends(get_session)]
ERRORS = problem_responses(403, 404, 409, 422)
WRITABLE = frozenset({"in_progress", "ended"})  # conclusions: during or after the meeting
MINUTES_TYPE = "Biên bản"


class ConclusionIn(Input):
    """Body of `PUT /meetings/{id}/agenda/{item_id}/conclusion`."""

    text: str = Field(max_length=20_000)


class ConclusionOut(BaseModel):
    """`Conclusion` of the contract (also the data of `minutes.updated`)."""

    meeting_id: int
    agenda_item_id: int
    text: str
    updated_by: int
    updated_at: dt.datetime


class BoxOut(BaseModel):
    """A signature's place: 0-based page, [x0, y0, x1, y1] in PDF points from the bottom left."""

    page: int
    box: list[float]


class MinutesOut(BaseModel):
    """`Minutes` of the contract: the minutes' document and whose signature it waits for."""

    meeting_id: int
    document_id: int
    status: str
    file_sha256: str
    signing_sha256: str | None
    next_signer: str | None  # "secretary", "chair", or None once both signed
    secretary: BoxOut
    chair: BoxOut


def _conclusion_out(row: AgendaConclusion) -> ConclusionOut:
    return ConclusionOut(
        meeting_id=row.meeting_id,
        agenda_item_id=row.agenda_item_id,
        text=row.text,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
    )


def _conclusions(session: Session, meeting_id: int) -> dict[int, AgendaConclusion]:
    rows = session.scalars(
        select(AgendaConclusion).where(AgendaConclusion.meeting_id == meeting_id)
    )
    return {row.agenda_item_id: row for row in rows}


@router.get(
    "/meetings/{meeting_id}/conclusions",
    response_model=list[ConclusionOut],
    responses=problem_responses(403, 404),
)
def list_conclusions(meeting_id: Id, user: UserDep, session: SessionDep) -> list[ConclusionOut]:
    """Every item's conclusion, in agenda order (items without one are left out)."""
    meeting = load_meeting(session, meeting_id, user)
    require_meeting_role(meeting, user, "chair", "secretary", "delegate", "guest", "site")
    rows = _conclusions(session, meeting.id)
    return [_conclusion_out(rows[i.id]) for i in meeting.agenda if i.id in rows]


@router.put(
    "/meetings/{meeting_id}/agenda/{item_id}/conclusion",
    response_model=ConclusionOut,
    responses=ERRORS,
)
def put_conclusion(
    meeting_id: Id,
    item_id: Id,
    body: ConclusionIn,
    request: Request,
    user: UserDep,
    session: SessionDep,
) -> ConclusionOut:
    """Write an item's conclusion (the secretary or the chair; while the meeting runs or after
    it ended, not once the minutes are approved: 409)."""
    meeting = load_meeting(session, meeting_id, user)
    require_meeting_role(meeting, user, "chair", "secretary")
    status = meeting_status(meeting)
    if status not in WRITABLE:
        raise Problem(
            409,
            "conclusions-closed",
            detail="Conclusions are written while the meeting runs or after it ended.",
            meeting_status=status,
        )
    if item_id not in {i.id for i in meeting.agenda}:
        raise not_found("Agenda item")
    row = session.get(AgendaConclusion, item_id)
    if row is None:
        row = AgendaConclusion(agenda_item_id=item_id, meeting_id=meeting.id, updated_by=user.id)
        session.add(row)
    row.text, row.updated_by, row.updated_at = body.text, user.id, utcnow()
    session.flush()
    out = _conclusion_out(row)
    emit(session, "minutes.updated", out.model_dump(mode="json"), meeting_audience(meeting))
    audit.record(
        session,
        "meeting.conclusion",
        user_id=user.id,
        address=client_address(request),
        target=f"meeting:{meeting.id}",
        agenda_item_id=item_id,
    )
    commit(session)
    return out


# --- the minutes ------------------------------------------------------------------------------


def _attendance_lines(meeting: Meeting) -> tuple[list[str], list[str], list[str]]:
    """(present, absent with reasons, represented): present means checked in or in the call."""
    present, absent, represented = [], [], []
    runners = {meeting.chair_id, meeting.secretary_id}
    for row in meeting.attendances:
        if row.user_id in runners:
            continue
        name = row.user.full_name
        if row.checked_in_at is not None or row.joined_call_at is not None:
            present.append(name)
            if row.represents is not None:
                represented.append(f"{name} dự thay {row.represents.full_name}")
        elif row.status != "delegated":
            reason = row.absent_reason or row.reason or "không rõ lý do"
            absent.append(f"{name} (lý do: {reason})")
    return present, absent, represented


def _speaker_lines(session: Session, meeting: Meeting) -> list[str]:
    """Who had the floor, in the order it was given."""
    from server.minutes_pdf import vn_time  # PyMuPDF: see minutes_spec

    titles = {i.id: i.title for i in meeting.agenda}
    turns = session.scalars(
        select(SpeakRequest)
        .where(SpeakRequest.meeting_id == meeting.id, SpeakRequest.granted_at.is_not(None))
        .order_by(SpeakRequest.granted_at, SpeakRequest.id)
    )
    lines = []
    for n, turn in enumerate(turns, 1):
        item = titles.get(turn.agenda_item_id or 0)
        about = f" ({item})" if item else ""
        assert turn.granted_at is not None
        lines.append(f"{n}. {turn.user.full_name}{about}, lúc {vn_time(turn.granted_at)}")
    return lines


def _vote_lines(session: Session, meeting: Meeting) -> list[str]:
    """Each closed poll's counts, and for an open one how many ballots were signed with the
    voter's certificate (server/ballot_signatures.py); never who voted what (a secret ballot
    has only counts)."""
    polls = session.scalars(
        select(Poll).where(Poll.meeting_id == meeting.id, Poll.status == "closed").order_by(Poll.id)
    )
    lines = []
    for poll in polls:
        shown = public(session, poll)
        counts = shown.counts or [0] * len(poll.options)
        kind = "bỏ phiếu kín" if poll.secret else "biểu quyết công khai"
        if poll.kind == "opinion":
            kind = "phiếu lấy ý kiến, bỏ phiếu kín" if poll.secret else "phiếu lấy ý kiến"
        result = ", ".join(f"{o} {c}" for o, c in zip(poll.options, counts, strict=True))
        line = (
            f"{poll.title} ({kind}): {result}; {shown.voted}/{shown.eligible} người đã biểu quyết."
        )
        signed = 0 if poll.secret else _signed_ballots(session, poll)
        lines.append(f"{line} {signed} phiếu có ký số." if signed else line)
    return lines


def _signed_ballots(session: Session, poll: Poll) -> int:
    query = select(func.count()).where(PollVote.poll_id == poll.id, PollVote.signature.is_not(None))
    return session.scalar(query) or 0


def minutes_spec(session: Session, meeting: Meeting) -> MinutesSpec:
    """The minutes' content from the meeting's state as it stands.

    The PDF layout (server/minutes_pdf.py, PyMuPDF) is imported when minutes are made, not at
    every server start: PyMuPDF was ~0.3 s of each start, the demo's included."""
    from server.minutes_pdf import ItemMinutes, MinutesSpec

    conclusions = _conclusions(session, meeting.id)
    present, absent, represented = _attendance_lines(meeting)
    agenda = tuple(
        ItemMinutes(
            item.title,
            item.presenter.full_name if item.presenter else "",
            conclusions[item.id].text if item.id in conclusions else "",
        )
        for item in meeting.agenda
    )
    return MinutesSpec(
        title=meeting.title,
        starts_at=meeting.opened_at or meeting.starts_at,
        ends_at=meeting.closed_at or meeting.ends_at,
        place=meeting.location,
        chair=meeting.chair.full_name,
        secretary=meeting.secretary.full_name if meeting.secretary else "",
        present=tuple(present),
        absent=tuple(absent),
        represented=tuple(represented),
        agenda=agenda,
        speakers=tuple(_speaker_lines(session, meeting)),
        votes=tuple(_vote_lines(session, meeting)),
    )


def _confidential(meeting: Meeting) -> bool:
    return any(p.confidentiality != "normal" for i in meeting.agenda for p in i.papers)


def _pending_signer(document: Document) -> int | None:
    return next(
        (
            a.assignee_id
            for a in document.assignments
            if a.action == wf.SIGN and a.state == "pending"
        ),
        None,
    )


def _out(session: Session, meeting: Meeting, minutes: MeetingMinutes) -> MinutesOut:
    document = session.get_one(Document, minutes.document_id)
    current = max((v for v in document.versions if v.kind == "version"), key=lambda v: v.no)
    signer = _pending_signer(document)
    roles = {meeting.secretary_id: "secretary", meeting.chair_id: "chair"}
    return MinutesOut(
        meeting_id=meeting.id,
        document_id=document.id,
        status=document.status,
        file_sha256=current.file_sha256,
        signing_sha256=document.signing_sha256,
        next_signer=roles.get(signer) if signer is not None else None,
        secretary=BoxOut(**minutes.boxes["secretary"]),
        chair=BoxOut(**minutes.boxes["chair"]),
    )


def _minutes_of(session: Session, meeting: Meeting) -> MeetingMinutes:
    minutes = session.get(MeetingMinutes, meeting.id)
    if minutes is None:
        raise not_found("Minutes")
    return minutes


@router.get("/meetings/{meeting_id}/minutes", response_model=MinutesOut, responses=ERRORS)
def get_minutes(meeting_id: Id, user: UserDep, session: SessionDep) -> MinutesOut:
    """The minutes of the meeting (404 until the secretary generated them)."""
    meeting = load_meeting(session, meeting_id, user)
    require_meeting_role(meeting, user, "chair", "secretary", "delegate", "guest", "site")
    return _out(session, meeting, _minutes_of(session, meeting))


@router.post(
    "/meetings/{meeting_id}/minutes", response_model=MinutesOut, status_code=201, responses=ERRORS
)
def generate_minutes(
    meeting_id: Id, request: Request, user: UserDep, session: SessionDep
) -> MinutesOut:
    """The secretary generates the minutes once the meeting ended; generating again before
    anyone signed replaces the version to sign (conclusions corrected), after that 409."""
    meeting = load_meeting(session, meeting_id, user)
    require_meeting_role(meeting, user, "secretary")
    status = meeting_status(meeting)
    if status != "ended":
        raise Problem(
            409,
            "meeting-not-ended",
            detail="The minutes are made once the meeting has ended.",
            meeting_status=status,
        )
    from server.minutes_pdf import AGENCY, make_minutes

    pdf = make_minutes(minutes_spec(session, meeting))
    store: FileStore = request.app.state.files
    blob = add_file(session, store, pdf.data, f"Biên bản - {meeting.title}.pdf")
    boxes = {
        "secretary": {"page": pdf.secretary.page, "box": list(pdf.secretary.box)},
        "chair": {"page": pdf.chair.page, "box": list(pdf.chair.box)},
    }
    minutes = session.get(MeetingMinutes, meeting.id)
    if minutes is None:
        document = Document(
            direction="out",
            doc_type=MINUTES_TYPE,
            summary=f"Biên bản {meeting.title}",
            issuing_agency=AGENCY,
            place=meeting.location,
            confidentiality="confidential" if _confidential(meeting) else "normal",
            status=wf.AWAITING_SIGNATURE,
            created_by=user.id,
        )
        session.add(document)
        session.flush()
        for reader in sorted(meeting_audience(meeting) - {user.id}):
            document.readers.append(DocumentReader(document_id=document.id, user_id=reader))
        minutes = MeetingMinutes(meeting_id=meeting.id, document_id=document.id, boxes=boxes)
        session.add(minutes)
        asked = [user.id]
    else:
        document = session.get_one(Document, minutes.document_id)
        signed = any(a.action == wf.SIGN and a.state == "done" for a in document.assignments)
        if signed:
            raise Problem(409, "minutes-signed", detail="The minutes are already being signed.")
        minutes.boxes = boxes
        asked = []
    session.flush()
    attach_file(session, document, blob.sha256, "version", user)
    document.signing_sha256 = blob.sha256
    permit = wf.Permit(wf.AWAITING_SIGNATURE, user.id, None, None, None)
    step = Step(session, request, user, document, "minutes", permit, None, None)
    if asked:
        ask(step, user.id, wf.SIGN)
    emit(
        session,
        "minutes.updated",
        {"meeting_id": meeting.id, "document_id": document.id},
        meeting_audience(meeting),
    )
    finish(step, asked, meeting_id=meeting.id, sha256=blob.sha256)
    return _out(session, load_meeting(session, meeting.id, user), minutes)


@router.post("/meetings/{meeting_id}/minutes/sign", response_model=MinutesOut, responses=ERRORS)
def sign_minutes(
    meeting_id: Id, body: SignIn, request: Request, user: UserDep, session: SessionDep
) -> MinutesOut:
    """The secretary's, then the chair's signed minutes (see `sign_minutes_document`)."""
    meeting = load_meeting(session, meeting_id, user)
    minutes = _minutes_of(session, meeting)
    sign_minutes_document(session, request, user, meeting, minutes, body)
    return _out(session, load_meeting(session, meeting.id, user), minutes)


def minutes_of_document(session: Session, document_id: int) -> MeetingMinutes | None:
    """The minutes row when the document is a meeting's minutes."""
    return session.scalar(select(MeetingMinutes).where(MeetingMinutes.document_id == document_id))


def sign_minutes_document(
    session: Session,
    request: Request,
    user: User,
    meeting: Meeting,
    minutes: MeetingMinutes,
    body: SignIn,
) -> None:
    """Take the secretary's, then the chair's signed version and commit (403 `not-assigned`
    out of turn; the same 409/422 checks as a leader's signature). The chair's approves the
    minutes: the meeting becomes `minutes_approved` and everyone hears `meeting.updated`; no
    clerk is asked to issue them (an internal record keeps no số of the register)."""
    document = session.get_one(Document, minutes.document_id)
    if document.status != wf.AWAITING_SIGNATURE:
        raise Problem(409, "wrong-state", detail="The minutes are already signed.")
    if _pending_signer(document) != user.id:
        raise Problem(403, "not-assigned", detail="The minutes do not wait for your signature.")
    require_extension(
        session,
        request,
        body.file_sha256,
        body.base_sha256,
        document.signing_sha256,
        "The minutes changed since; sign the current version.",
        "The signed file does not extend the minutes' version to sign.",
    )
    for assignment in document.assignments:
        if assignment.action == wf.SIGN and assignment.assignee_id == user.id:
            assignment.state = "done"
    attach_file(session, document, body.file_sha256, "version", user)
    document.signing_sha256 = body.file_sha256
    chair_signs = user.id == meeting.chair_id
    target = wf.SIGNED if chair_signs else wf.AWAITING_SIGNATURE
    document.status = target
    permit = wf.Permit(target, user.id, None, wf.SIGN, "done")
    step = Step(session, request, user, document, "sign_minutes", permit, None, None)
    asked = []
    if chair_signs:
        document.signer_name, document.signer_position = meeting.chair.full_name, "CHỦ TRÌ"
        meeting.status = "minutes_approved"
        emit(
            session,
            "meeting.updated",
            {"meeting_id": meeting.id, "status": meeting.status},
            meeting_audience(meeting),
        )
    else:
        asked = [ask(step, meeting.chair_id, wf.SIGN).id]
    # the room's minutes tab moves on too (whose turn it is: the chair's "Ký biên bản")
    emit(
        session,
        "minutes.updated",
        {"meeting_id": meeting.id, "document_id": document.id},
        meeting_audience(meeting),
    )
    finish(step, asked, meeting_id=meeting.id, sha256=body.file_sha256)
