"""SQLAlchemy 2 models of the office domain (DESIGN §6).

One section per domain area; later features (speak queue, polls, chat, minutes, signatures) add
their own section and an Alembic revision. Times are stored as naive UTC and come back aware.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql import expression

ROLES = ("leader", "secretary", "specialist", "clerk", "it_admin", "guest")
MEETING_STATUSES = ("draft", "scheduled", "in_progress", "ended", "minutes_approved")
ATTENDANCE_STATUSES = ("invited", "accepted", "declined", "delegated", "checked_in")
PAPER_KINDS = ("main", "reference", "personal", "external")
URGENCIES = ("normal", "urgent", "very_urgent", "flash")
CONFIDENTIALITIES = ("normal", "confidential", "secret")  # thường, MẬT, TỐI MẬT
NORMAL = "normal"  # every other level is confidential: only the people named on it see it
ACTIONS = ("process", "coordinate", "review", "approve", "sign")
ASSIGNMENT_STATES = ("pending", "done", "returned", "forwarded")


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every dialect (SQLite keeps no offset)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (Alembic batch mode on SQLite needs them)."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


# --- people -------------------------------------------------------------------------------


class OrgUnit(Base):
    """A department or one of its offices (phòng, văn phòng)."""

    __tablename__ = "org_units"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))


class User(Base):
    """A person who signs in; roles are a separate table so one person can hold several."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    full_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Wrong passwords since the last sign-in, told at the next one (server/throttle.py).
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failed_sign_in_at: Mapped[dt.datetime | None]
    last_failed_sign_in_address: Mapped[str] = mapped_column(
        String(100), default="", server_default=""
    )

    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    @property
    def roles(self) -> list[str]:
        """Role names, in the canonical order of ROLES."""
        held = {r.role for r in self.role_rows}
        return [r for r in ROLES if r in held]


class UserRole(Base):
    """One role held by a user."""

    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


# --- meetings -------------------------------------------------------------------------------


class Meeting(Base):
    """A meeting with its chair, secretary, agenda and attendees."""

    __tablename__ = "meetings"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime]
    location: Mapped[str] = mapped_column(String(300), default="")
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    secretary_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    media: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # When the chair really opened and ended it (the minutes record these, not the plan).
    opened_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    # họp có nội dung mật: no guests, no browser links, every paper confidential (server/agenda.py)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    chair: Mapped[User] = relationship(foreign_keys=[chair_id], lazy="joined")
    secretary: Mapped[User | None] = relationship(foreign_keys=[secretary_id], lazy="joined")
    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Attendance.id"
    )
    agenda: Mapped[list[AgendaItem]] = relationship(
        cascade="all, delete-orphan", order_by="AgendaItem.order"
    )


class GuestInvite(Base):
    """A one-time link for someone without an account to join an online meeting from a browser
    (server/guests.py); only the token's digest is kept, like access tokens."""

    __tablename__ = "guest_invites"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    display: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


class Attendance(Base):
    """One invitee's answer to a meeting."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="invited")
    # The invitee's role in this meeting (server/meeting_roles.py): delegate, guest or site.
    role: Mapped[str] = mapped_column(String(20), default="delegate", server_default="delegate")
    # --- meeting room: core (server/attendance.py) ---
    reason: Mapped[str] = mapped_column(String(500), default="", server_default="")  # declined
    # On a deputy's row: whom they represent (the principal's own row says `delegated`).
    represents_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_in_at: Mapped[dt.datetime | None]  # at the door of the hall
    in_call: Mapped[bool] = mapped_column(Boolean, default=False, server_default=expression.false())
    joined_call_at: Mapped[dt.datetime | None]  # the first time, for the minutes
    absent_reason: Mapped[str | None] = mapped_column(String(500))  # set by the secretary

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    represents: Mapped[User | None] = relationship(foreign_keys=[represents_id], lazy="joined")


class AgendaItem(Base):
    """One point on a meeting's agenda, with its papers."""

    __tablename__ = "agenda_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    order: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=15)

    presenter: Mapped[User | None] = relationship(lazy="joined")
    papers: Mapped[list[Paper]] = relationship(cascade="all, delete-orphan", order_by="Paper.id")


class Paper(Base):
    """A file or external link attached to an agenda item."""

    __tablename__ = "papers"
    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="main")
    file_sha256: Mapped[str | None] = mapped_column(ForeignKey("file_blobs.sha256"), index=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    # normal | confidential ("MẬT") | secret ("TỐI MẬT"): readers stamp their name on such papers
    confidentiality: Mapped[str] = mapped_column(
        String(20), default="normal", server_default="normal"
    )
    # The only reader of a `personal` paper (tài liệu cá nhân); None for every other kind.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A meeting guest (khách mời) reads only the papers shared with guests.
    shared_with_guests: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    file: Mapped[FileBlob | None] = relationship(lazy="joined")
    versions: Mapped[list[PaperVersion]] = relationship(
        cascade="all, delete-orphan", order_by="PaperVersion.no"
    )
    readers: Mapped[list[PaperReader]] = relationship(cascade="all, delete-orphan")


class PaperReader(Base):
    """Someone named to read a confidential paper besides the meeting's chair, secretary and
    creator and the item's presenter (being invited to the meeting is not enough)."""

    __tablename__ = "paper_readers"
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


# --- meeting room: room-floor ---------------------------------------------------------------

SPEAK_STATES = ("queued", "granted", "done", "withdrawn")
SPEAK_ACTIVE = ("queued", "granted")  # a person holds at most one such request per meeting


class MeetingFloor(Base):
    """The floor of one meeting: the speak queue's last position and its option. Every change
    of a meeting's queue first bumps `revision` with one UPDATE, which serialises the changes of
    one meeting on both engines (PostgreSQL row lock, SQLite write lock)."""

    __tablename__ = "meeting_floors"
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    last_position: Mapped[int] = mapped_column(Integer, default=0)
    muted_until_floor: Mapped[bool] = mapped_column(Boolean, default=False)


class SpeakRequest(Base):
    """A request to speak (đăng ký phát biểu): queued → granted → done, or withdrawn."""

    __tablename__ = "speak_requests"
    __table_args__ = (
        UniqueConstraint("meeting_id", "position"),
        Index(
            "uq_speak_requests_active",
            "meeting_id",
            "user_id",
            unique=True,
            sqlite_where=sql_text("state IN ('queued', 'granted')"),
            postgresql_where=sql_text("state IN ('queued', 'granted')"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    position: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="queued")
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    granted_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class ChatMessage(Base):
    """A chat line of a meeting, to everyone (`recipient_id` null) or to one participant."""

    __tablename__ = "chat_messages"
    __table_args__ = (Index("ix_chat_messages_meeting_id_id", "meeting_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    sender: Mapped[User] = relationship(foreign_keys=[sender_id], lazy="joined")
    recipient: Mapped[User | None] = relationship(foreign_keys=[recipient_id], lazy="joined")


class PresenterPage(Base):
    """What the presenter of a meeting shows now: paper, page, zoom (for followers)."""

    __tablename__ = "presenter_pages"
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("papers.id"))
    page: Mapped[int] = mapped_column(Integer, default=0)
    zoom: Mapped[float] = mapped_column(Float, default=1.0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    presenter: Mapped[User | None] = relationship(lazy="joined")


# --- meeting room: room-votes -------------------------------------------------------------
# Polls (biểu quyết) and opinion forms (phiếu lấy ý kiến); server/polls.py explains the secret
# ballot. An open ballot is a PollVote row (who chose what). A secret ballot leaves only a
# PollParticipation row (who has voted, no time, no option) and +1 on a PollTally counter,
# written in one statement that touches every counter of the poll, so no row says who chose what.


class Poll(Base):
    """A question put to the meeting's members, live in the room or as an opinion form."""

    __tablename__ = "polls"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(10), default="live")  # live | opinion
    options: Mapped[list[str]] = mapped_column(JSON)
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    named_voters: Mapped[bool] = mapped_column(Boolean, default=False)  # else all delegates
    allow_change: Mapped[bool] = mapped_column(Boolean, default=False)
    show_live: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft | open | closed
    deadline: Mapped[dt.datetime | None] = mapped_column(index=True)  # opinion forms
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]


class PollVoter(Base):
    """Someone who may vote in a poll (named at creation, or every delegate when it opens)."""

    __tablename__ = "poll_voters"
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class PollVote(Base):
    """An open ballot: the primary key makes it one per person and poll, in the database."""

    __tablename__ = "poll_votes"
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    option: Mapped[int] = mapped_column(Integer)
    # the voter's detached CMS signature over the ballot's text (server/ballot_signatures.py)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    signer: Mapped[str] = mapped_column(String(500), default="", server_default="")


class PollParticipation(Base):
    """That someone has cast a secret ballot: no option, no time, one per person and poll."""

    __tablename__ = "poll_participations"
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class PollTally(Base):
    """How many secret ballots chose one option (created with the poll, one row per option)."""

    __tablename__ = "poll_tallies"
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    option: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer, default=0)


# --- meeting room: room-minutes ------------------------------------------------------------
# The secretary's conclusion (kết luận) of each agenda item, and the minutes (biên bản) of a
# meeting: a Document of type "Biên bản" signed in the inbox by the secretary, then the chair.


class AgendaConclusion(Base):
    """The conclusion of one agenda item; one per item, rewritten as the meeting goes on."""

    __tablename__ = "agenda_conclusions"
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MeetingMinutes(Base):
    """The meeting's minutes as a document of the approval workflow."""

    __tablename__ = "meeting_minutes"
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    # where the secretary's and the chair's signatures go: {"secretary": {"page", "box"}, …}
    boxes: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# --- meeting room: agenda -------------------------------------------------------------------


class PaperVersion(Base):
    """One file a paper had: the first upload and every replacement (the history is kept; the
    paper row points at the newest)."""

    __tablename__ = "paper_versions"
    __table_args__ = (UniqueConstraint("paper_id", "no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id"), index=True)
    no: Mapped[int] = mapped_column(Integer)
    file_sha256: Mapped[str] = mapped_column(ForeignKey("file_blobs.sha256"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    file: Mapped[FileBlob] = relationship(lazy="joined")


# --- documents ------------------------------------------------------------------------------


class Document(Base):
    """An official document (văn bản) travelling through its workflow."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(50), default="")
    symbol: Mapped[str] = mapped_column(String(100), default="")
    issuing_agency: Mapped[str] = mapped_column(String(300), default="")
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")
    doc_type: Mapped[str] = mapped_column(String(50), default="")
    urgency: Mapped[str] = mapped_column(String(20), default="normal")
    confidentiality: Mapped[str] = mapped_column(String(20), default="normal")
    direction: Mapped[str] = mapped_column(String(3), default="in")
    status: Mapped[str] = mapped_column(String(30), default="processing")
    deadline: Mapped[dt.datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Decree 30/2020, Phụ lục VI: place of issue, signer and position, recipients (nơi nhận);
    # for an incoming one its registration (số đến, ngày đến). The workflow (server/workflow.py)
    # records the sha256 of the version the leader is asked to sign when it is submitted.
    place: Mapped[str] = mapped_column(String(200), default="", server_default="")
    signer_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    signer_position: Mapped[str] = mapped_column(String(300), default="", server_default="")
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    received_number: Mapped[str] = mapped_column(String(50), default="", server_default="")
    received_on: Mapped[dt.date | None] = mapped_column(Date)
    signing_sha256: Mapped[str | None] = mapped_column(String(64))

    versions: Mapped[list[DocumentVersion]] = relationship(
        cascade="all, delete-orphan", order_by="DocumentVersion.no"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        cascade="all, delete-orphan", order_by="Assignment.id"
    )
    comments: Mapped[list[Comment]] = relationship(
        cascade="all, delete-orphan", order_by="Comment.id"
    )
    readers: Mapped[list[DocumentReader]] = relationship(
        cascade="all, delete-orphan", order_by="DocumentReader.user_id"
    )


class DocumentVersion(Base):
    """One numbered file of a document (draft, revision, signed copy)."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    no: Mapped[int] = mapped_column(Integer)
    file_sha256: Mapped[str] = mapped_column(ForeignKey("file_blobs.sha256"), index=True)
    # "version" (the document itself: draft, revision, signed copy) or "attachment" (phụ lục)
    kind: Mapped[str] = mapped_column(String(20), default="version", server_default="version")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    file: Mapped[FileBlob] = relationship(lazy="joined")


class Assignment(Base):
    """A workflow step: someone is asked to act on a document by a deadline."""

    __tablename__ = "assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))
    deadline: Mapped[dt.datetime | None]
    state: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id], lazy="joined")


class Comment(Base):
    """A remark (ý kiến) on a document."""

    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # comment | instruction (ý kiến chỉ đạo) | opinion (a coordinator's answer) | return (reason)
    kind: Mapped[str] = mapped_column(String(20), default="comment", server_default="comment")
    # who the author acted for, by delegation (ủy quyền)
    on_behalf_of: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")


class DocumentReader(Base):
    """Someone named to read a confidential document besides its creator and assignees."""

    __tablename__ = "document_readers"
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    # set when the document reached this person as an internal recipient at issuance
    received_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class Delegation(Base):
    """A leader lets a deputy act for them for a period (ủy quyền); `kind` gives the position
    prefix: deputy KT., by_order TL., authorised TUQ., acting Q. (server/workflow.py)."""

    __tablename__ = "delegations"
    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    principal: Mapped[User] = relationship(foreign_keys=[principal_id], lazy="joined")
    deputy: Mapped[User] = relationship(foreign_keys=[deputy_id], lazy="joined")


class NumberCounter(Base):
    """The last number given in a register for a year (số văn bản: per agency, shared by paper
    and electronic documents; số đến: the incoming register). Bumped in the transaction that
    uses the number, so a rollback gives it back: no gap, no duplicate."""

    __tablename__ = "number_counters"
    register: Mapped[str] = mapped_column(String(300), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


# --- files and personal notes ---------------------------------------------------------------


class FileBlob(Base):
    """Metadata of a file in the content-addressed store (server/files.py holds the bytes)."""

    __tablename__ = "file_blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Note(Base):
    """A personal annotation on a page of a file; only its owner ever sees it."""

    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_owner_target", "owner_id", "target_sha256"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # client-made UUID
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    target_sha256: Mapped[str] = mapped_column(String(64))
    page: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"rect": [...]} or {"points": ...}
    color: Mapped[str] = mapped_column(String(20), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime]


# --- events, audit ---------------------------------------------------------------------------


class Event(Base):
    """One entry of the event stream; `seq` is global and only grows."""

    __tablename__ = "events"
    __table_args__ = ({"sqlite_autoincrement": True},)  # never reuse a seq
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(50))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class EventAudience(Base):
    """Who may receive an event: a row per user, so replay is one indexed query."""

    __tablename__ = "event_audience"
    __table_args__ = (Index("ix_event_audience_user_seq", "user_id", "event_seq"),)
    event_seq: Mapped[int] = mapped_column(ForeignKey("events.seq"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class AuditEvent(Base):
    """Append-only audit trail (DB triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# --- auth and request bookkeeping -----------------------------------------------------------


class AccessToken(Base):
    """A short-lived bearer token, stored only as its SHA-256."""

    __tablename__ = "access_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)  # purged after expiry
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class RefreshToken(Base):
    """A refresh token of a sign-in family; rotated on use, a reuse revokes the family."""

    __tablename__ = "refresh_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    device: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)  # purged after expiry
    rotated_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    # The token that replaced this one while it may still be presented again (server/auth.py).
    replaced_by: Mapped[str | None] = mapped_column(String(64))


class LoginFailure(Base):
    """A failed sign-in; counted per user name and per address for the rate limit."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class IdempotencyRecord(Base):
    """The stored outcome of a state-changing request, replayed for the same (user, key)."""

    __tablename__ = "idempotency_records"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100), default="")
    body: Mapped[bytes] = mapped_column(LargeBinary)
    # SHA-256 of method, path, query and body: the same key with another body is refused.
    request_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)  # purged


class ServerMeta(Base):
    """Small key/value facts about this database (e.g. the day the demo data was anchored to)."""

    __tablename__ = "server_meta"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
