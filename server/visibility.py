"""Who may see what: meetings, their papers, documents and the files behind them.

Normal items follow the office's everyday rules (a document's unit, a meeting's invitees, the
IT admin for support). A confidential item (any level but `normal`: MẬT, TỐI MẬT) is seen only
by the people named on it: never a whole unit, never the IT admin by role alone, never a guest.
Every list, detail, file download and event audience goes through these queries, so the rule
lives in one place.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session

from server.models import (
    NORMAL,
    AgendaItem,
    Assignment,
    Attendance,
    Delegation,
    Document,
    DocumentReader,
    DocumentVersion,
    Meeting,
    Paper,
    PaperReader,
    PaperVersion,
    User,
    UserRole,
    utcnow,
)


def may_see_confidential(user: User) -> bool:
    """A guest never sees a confidential item, even when named on one by mistake."""
    return "guest" not in user.roles


def visible_meetings(user: User) -> Select[int]:
    """Ids of the meetings a user may see (chair, secretary, invitee, creator; IT admin: all)."""
    if "it_admin" in user.roles:
        return select(Meeting.id)
    invited = select(Attendance.meeting_id).where(Attendance.user_id == user.id)
    return select(Meeting.id).where(
        or_(
            Meeting.chair_id == user.id,
            Meeting.secretary_id == user.id,
            Meeting.created_by == user.id,
            Meeting.id.in_(invited),
        )
    )


def _named_on_paper(user: User) -> ColumnElement[bool]:
    """The paper's meeting is chaired, run or made by the user, the user presents its item, or
    the user is one of its named readers (an invitation alone is not enough)."""
    runs = select(Meeting.id).where(
        or_(
            Meeting.chair_id == user.id,
            Meeting.secretary_id == user.id,
            Meeting.created_by == user.id,
        )
    )
    named = select(PaperReader.paper_id).where(PaperReader.user_id == user.id)
    return or_(
        AgendaItem.meeting_id.in_(runs),
        AgendaItem.presenter_id == user.id,
        Paper.id.in_(named),
    )


def visible_papers(user: User) -> Select[int]:
    """Ids of the papers a user may see: normal ones of a visible meeting; confidential ones
    only when also named on them. A personal paper (tài liệu cá nhân) only for its owner; a
    guest only the papers shared with guests or naming them."""
    confidential = _named_on_paper(user) if may_see_confidential(user) else false()
    named = select(PaperReader.paper_id).where(PaperReader.user_id == user.id)
    as_guest = select(Attendance.meeting_id).where(
        Attendance.user_id == user.id, Attendance.role == "guest"
    )
    # A guest account is a guest everywhere; anyone else where invited as a guest (khách mời).
    not_a_guest = AgendaItem.meeting_id.not_in(as_guest) if may_see_confidential(user) else false()
    normal = and_(
        Paper.confidentiality == NORMAL,
        or_(not_a_guest, Paper.shared_with_guests, Paper.id.in_(named)),
    )
    return (
        select(Paper.id)
        .join(AgendaItem, AgendaItem.id == Paper.agenda_item_id)
        .where(
            AgendaItem.meeting_id.in_(visible_meetings(user)),
            or_(normal, confidential),
            or_(Paper.kind != "personal", Paper.owner_id == user.id),
        )
    )


def paper_audience(session: Session, paper_id: int, wanted: Iterable[int]) -> set[int]:
    """Who of `wanted` may read the paper (an event about it names its new file)."""
    users = session.scalars(select(User).where(User.id.in_(set(wanted)), User.active))
    return {
        user.id
        for user in users
        if session.scalar(select(exists(visible_papers(user).where(Paper.id == paper_id))))
    }


def _named_on_document(user: User) -> ColumnElement[bool]:
    """The user created the document, is or was assigned on it, or is a named reader."""
    assigned = select(Assignment.document_id).where(Assignment.assignee_id == user.id)
    reader = select(DocumentReader.document_id).where(DocumentReader.user_id == user.id)
    return or_(Document.created_by == user.id, Document.id.in_(assigned), Document.id.in_(reader))


def _waiting_for_my_principals(user: User) -> ColumnElement[bool]:
    """The document waits for someone who delegated to the user right now (ủy quyền)."""
    now = utcnow()
    principals = select(Delegation.principal_id).where(
        Delegation.deputy_id == user.id, Delegation.starts_at <= now, Delegation.ends_at > now
    )
    pending = select(Assignment.document_id).where(
        Assignment.state == "pending", Assignment.assignee_id.in_(principals)
    )
    return Document.id.in_(pending)


def visible_documents(user: User) -> Select[int]:
    """Ids of the documents a user may see. Normal: named, the unit's, waiting for someone who
    delegated to the user now, or any for the IT admin. Confidential: named only (and never a
    guest: a deputy must be named on it like anyone else)."""
    named = _named_on_document(user)
    everyday = [named, _waiting_for_my_principals(user)]
    if "it_admin" in user.roles:
        everyday.append(true())
    if user.org_unit_id is not None:
        everyday.append(Document.org_unit_id == user.org_unit_id)
    normal = and_(Document.confidentiality == NORMAL, or_(*everyday))
    confidential = named if may_see_confidential(user) else false()
    return select(Document.id).where(or_(normal, confidential))


def may_read_file(session: Session, user: User, sha256: str) -> bool:
    """True when the file belongs to a paper or a document version the user may see."""
    in_paper = exists(
        select(Paper.id).where(Paper.file_sha256 == sha256, Paper.id.in_(visible_papers(user)))
    ) | exists(  # an earlier version of a paper stays readable by its readers
        select(PaperVersion.id).where(
            PaperVersion.file_sha256 == sha256, PaperVersion.paper_id.in_(visible_papers(user))
        )
    )
    in_document = exists(
        select(DocumentVersion.id).where(
            DocumentVersion.file_sha256 == sha256,
            DocumentVersion.document_id.in_(visible_documents(user)),
        )
    )
    return bool(session.scalar(select(in_paper | in_document)))


def is_confidential_file(session: Session, sha256: str) -> bool:
    """True when any confidential paper or document carries these bytes (then no copy of them
    may be kept by a cache on the way)."""
    in_paper = exists(
        select(Paper.id).where(Paper.file_sha256 == sha256, Paper.confidentiality != NORMAL)
    ) | exists(
        select(PaperVersion.id)
        .join(Paper, Paper.id == PaperVersion.paper_id)
        .where(PaperVersion.file_sha256 == sha256, Paper.confidentiality != NORMAL)
    )
    in_document = exists(
        select(DocumentVersion.id)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(DocumentVersion.file_sha256 == sha256, Document.confidentiality != NORMAL)
    )
    return bool(session.scalar(select(in_paper | in_document)))


def document_audience(session: Session, document: Document, wanted: Iterable[int]) -> set[int]:
    """Who of `wanted` may hear about `document`: everyone for a normal one; for a confidential
    one only the named people who are not guests (an event tells what happened to it)."""
    ids = set(wanted)
    if document.confidentiality == NORMAL or not ids:
        return ids
    assignees = select(Assignment.assignee_id).where(Assignment.document_id == document.id)
    readers = select(DocumentReader.user_id).where(DocumentReader.document_id == document.id)
    guests = select(UserRole.user_id).where(UserRole.role == "guest")
    named = select(User.id).where(
        User.id.in_(ids),
        or_(User.id == document.created_by, User.id.in_(assignees), User.id.in_(readers)),
        User.id.not_in(guests),
    )
    return set(session.scalars(named))
