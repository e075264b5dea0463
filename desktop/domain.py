"""Parsed API payloads (contract.md): small frozen dataclasses with `from_json`.

Parsing is tolerant of extra members (a newer server may add some) and strict about required
ones: a missing or mistyped field raises `MalformedResponse` here, never a KeyError in a view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from desktop.errors import MalformedResponse

T = TypeVar("T")
_MISSING = object()


class _Reader:
    """Typed access to one JSON object, naming the payload in every error."""

    def __init__(self, what: str, data: object) -> None:
        if not isinstance(data, Mapping):
            raise MalformedResponse(what, f"expected an object, got {type(data).__name__}")
        self.what = what
        self.data = data

    def _get(self, key: str, optional: bool) -> object:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if optional:
                return None
            raise MalformedResponse(self.what, f"missing {key!r}")
        return value

    def _bad(self, key: str, wanted: str, value: object) -> MalformedResponse:
        return MalformedResponse(self.what, f"{key!r} should be {wanted}, got {value!r}")

    def text(self, key: str) -> str:
        value = self._get(key, False)
        if not isinstance(value, str):
            raise self._bad(key, "a string", value)
        return value

    def opt_text(self, key: str) -> str | None:
        value = self._get(key, True)
        if value is not None and not isinstance(value, str):
            raise self._bad(key, "a string or null", value)
        return value

    def integer(self, key: str) -> int:
        value = self._get(key, False)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._bad(key, "an integer", value)
        return value

    def opt_integer(self, key: str) -> int | None:
        value = self._get(key, True)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._bad(key, "an integer or null", value)
        return value

    def flag(self, key: str) -> bool:
        value = self._get(key, False)
        if not isinstance(value, bool):
            raise self._bad(key, "true or false", value)
        return value

    def when(self, key: str) -> dt.datetime:
        value = self.opt_when(key)
        if value is None:
            raise self._bad(key, "a date and time", value)
        return value

    def opt_when(self, key: str) -> dt.datetime | None:
        value = self.opt_text(key)
        if value is None:
            return None
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise self._bad(key, "an ISO 8601 date and time", value) from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)

    def opt_day(self, key: str) -> dt.date | None:
        value = self.opt_text(key)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            raise self._bad(key, "a date", value) from None

    def obj(self, key: str, parse: Callable[[object], T]) -> T:
        return parse(self._get(key, False))

    def opt_obj(self, key: str, parse: Callable[[object], T]) -> T | None:
        value = self._get(key, True)
        return None if value is None else parse(value)

    def items(
        self, key: str, parse: Callable[[object], T], optional: bool = False
    ) -> tuple[T, ...]:
        value = self._get(key, optional)
        if value is None and optional:
            return ()
        if not isinstance(value, list):
            raise self._bad(key, "a list", value)
        return tuple(parse(item) for item in value)

    def mapping(self, key: str) -> dict[str, Any] | None:
        value = self._get(key, True)
        if value is not None and not isinstance(value, Mapping):
            raise self._bad(key, "an object or null", value)
        return dict(value) if value is not None else None


def _str_item(what: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if not isinstance(value, str):
            raise MalformedResponse(what, f"expected a string, got {value!r}")
        return value

    return parse


@dataclass(frozen=True, slots=True)
class OrgUnit:
    """An office unit (phòng, ban)."""

    id: int
    name: str

    @classmethod
    def from_json(cls, data: object) -> OrgUnit:
        r = _Reader("org unit", data)
        return cls(id=r.integer("id"), name=r.text("name"))


@dataclass(frozen=True, slots=True)
class User:
    """The signed-in user (`GET /me`, `TokenPair.user`)."""

    id: int
    username: str
    full_name: str
    title: str
    org_unit: OrgUnit | None
    roles: tuple[str, ...]

    @classmethod
    def from_json(cls, data: object) -> User:
        r = _Reader("user", data)
        return cls(
            id=r.integer("id"),
            username=r.text("username"),
            full_name=r.text("full_name"),
            title=r.opt_text("title") or "",
            org_unit=r.opt_obj("org_unit", OrgUnit.from_json),
            roles=r.items("roles", _str_item("user roles"), optional=True),
        )

    def has_role(self, role: str) -> bool:
        """Whether the user holds `role` (leader, secretary, ...)."""
        return role in self.roles


@dataclass(frozen=True, slots=True)
class UserRef:
    """Another user as shown in lists."""

    id: int
    full_name: str
    title: str

    @classmethod
    def from_json(cls, data: object) -> UserRef:
        r = _Reader("user reference", data)
        return cls(
            id=r.integer("id"), full_name=r.text("full_name"), title=r.opt_text("title") or ""
        )


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file in the server's content-addressed store."""

    sha256: str
    size: int
    name: str
    media_type: str

    @classmethod
    def from_json(cls, data: object) -> FileRef:
        r = _Reader("file reference", data)
        return cls(
            sha256=r.text("sha256"),
            size=r.integer("size"),
            name=r.text("name"),
            media_type=r.opt_text("media_type") or "application/octet-stream",
        )


@dataclass(frozen=True, slots=True)
class Paper:
    """A meeting paper: a file or an external link."""

    id: int
    title: str
    kind: str
    file: FileRef | None
    url: str | None
    confidentiality: str = "normal"

    @classmethod
    def from_json(cls, data: object) -> Paper:
        r = _Reader("paper", data)
        return cls(
            id=r.integer("id"),
            title=r.text("title"),
            kind=r.text("kind"),
            file=r.opt_obj("file", FileRef.from_json),
            url=r.opt_text("url"),
            confidentiality=r.opt_text("confidentiality") or "normal",  # older servers omit it
        )


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One item of a meeting's agenda."""

    id: int
    order: int
    title: str
    presenter: UserRef | None
    duration_minutes: int | None
    papers: tuple[Paper, ...]

    @classmethod
    def from_json(cls, data: object) -> AgendaItem:
        r = _Reader("agenda item", data)
        return cls(
            id=r.integer("id"),
            order=r.integer("order"),
            title=r.text("title"),
            presenter=r.opt_obj("presenter", UserRef.from_json),
            duration_minutes=r.opt_integer("duration_minutes"),
            papers=r.items("papers", Paper.from_json, optional=True),
        )


@dataclass(frozen=True, slots=True)
class Attendee:
    """An invited person and their attendance state."""

    user: UserRef
    status: str

    @classmethod
    def from_json(cls, data: object) -> Attendee:
        r = _Reader("attendee", data)
        return cls(user=r.obj("user", UserRef.from_json), status=r.text("status"))


@dataclass(frozen=True, slots=True)
class MeetingSummary:
    """A meeting as listed (`GET /meetings`)."""

    id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    location: str
    online: bool
    status: str
    chair: UserRef | None
    my_attendance: str | None

    @classmethod
    def from_json(cls, data: object) -> MeetingSummary:
        return cls(**_summary_fields(_Reader("meeting", data)))


def _summary_fields(r: _Reader) -> dict[str, Any]:
    return {
        "id": r.integer("id"),
        "title": r.text("title"),
        "starts_at": r.when("starts_at"),
        "ends_at": r.opt_when("ends_at"),
        "location": r.opt_text("location") or "",
        "online": bool(r.data.get("online", False)),
        "status": r.text("status"),
        "chair": r.opt_obj("chair", UserRef.from_json),
        "my_attendance": r.opt_text("my_attendance"),
    }


@dataclass(frozen=True, slots=True)
class Meeting:
    """A meeting with its agenda and attendees (`GET /meetings/{id}`)."""

    id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    location: str
    online: bool
    status: str
    chair: UserRef | None
    my_attendance: str | None
    secretary: UserRef | None
    media: dict[str, Any] | None
    agenda: tuple[AgendaItem, ...]
    attendees: tuple[Attendee, ...]

    @classmethod
    def from_json(cls, data: object) -> Meeting:
        r = _Reader("meeting", data)
        return cls(
            **_summary_fields(r),
            secretary=r.opt_obj("secretary", UserRef.from_json),
            media=r.mapping("media"),
            agenda=r.items("agenda", AgendaItem.from_json, optional=True),
            attendees=r.items("attendees", Attendee.from_json, optional=True),
        )

    @property
    def summary(self) -> MeetingSummary:
        """The list form of this meeting."""
        return MeetingSummary(
            self.id,
            self.title,
            self.starts_at,
            self.ends_at,
            self.location,
            self.online,
            self.status,
            self.chair,
            self.my_attendance,
        )


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """A văn bản as listed (`GET /documents`)."""

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

    @classmethod
    def from_json(cls, data: object) -> DocumentSummary:
        return cls(**_document_fields(_Reader("document", data)))


def _document_fields(r: _Reader) -> dict[str, Any]:
    number = r.data.get("number")
    return {
        "id": r.integer("id"),
        "number": "" if number is None else str(number),
        "symbol": r.opt_text("symbol") or "",
        "issuing_agency": r.opt_text("issuing_agency") or "",
        "issued_on": r.opt_day("issued_on"),
        "summary": r.text("summary"),
        "doc_type": r.opt_text("doc_type") or "",
        "urgency": r.opt_text("urgency") or "normal",
        "confidentiality": r.opt_text("confidentiality") or "normal",
        "direction": r.opt_text("direction") or "in",
        "status": r.text("status"),
        "deadline": r.opt_when("deadline"),
        "my_action": r.opt_text("my_action"),
    }


@dataclass(frozen=True, slots=True)
class DocumentVersion:
    """One version (file) of a document."""

    no: int
    file: FileRef
    created_at: dt.datetime | None

    @classmethod
    def from_json(cls, data: object) -> DocumentVersion:
        r = _Reader("document version", data)
        return cls(
            no=r.integer("no"),
            file=r.obj("file", FileRef.from_json),
            created_at=r.opt_when("created_at"),
        )


@dataclass(frozen=True, slots=True)
class Assignment:
    """A workflow step: who must do what by when."""

    id: int
    assignee: UserRef
    action: str
    deadline: dt.datetime | None
    state: str

    @classmethod
    def from_json(cls, data: object) -> Assignment:
        r = _Reader("assignment", data)
        return cls(
            id=r.integer("id"),
            assignee=r.obj("assignee", UserRef.from_json),
            action=r.text("action"),
            deadline=r.opt_when("deadline"),
            state=r.text("state"),
        )


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment (ý kiến) on a document."""

    id: int
    author: UserRef
    text: str
    created_at: dt.datetime

    @classmethod
    def from_json(cls, data: object) -> Comment:
        r = _Reader("comment", data)
        return cls(
            id=r.integer("id"),
            author=r.obj("author", UserRef.from_json),
            text=r.text("text"),
            created_at=r.when("created_at"),
        )


@dataclass(frozen=True, slots=True)
class Document:
    """A văn bản with versions, assignments and comments (`GET /documents/{id}`)."""

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
    versions: tuple[DocumentVersion, ...]
    assignments: tuple[Assignment, ...]
    comments: tuple[Comment, ...]

    @classmethod
    def from_json(cls, data: object) -> Document:
        r = _Reader("document", data)
        return cls(
            **_document_fields(r),
            versions=r.items("versions", DocumentVersion.from_json, optional=True),
            assignments=r.items("assignments", Assignment.from_json, optional=True),
            comments=r.items("comments", Comment.from_json, optional=True),
        )


@dataclass(frozen=True, slots=True)
class Event:
    """One message of the event stream."""

    seq: int
    type: str
    at: dt.datetime | None
    data: dict[str, Any]

    @classmethod
    def from_json(cls, data: object) -> Event:
        r = _Reader("event", data)
        return cls(
            seq=r.integer("seq"),
            type=r.text("type"),
            at=r.opt_when("at"),
            data=r.mapping("data") or {},
        )


@dataclass(frozen=True, slots=True)
class TokenPair:
    """The answer of `/auth/login` and `/auth/refresh`."""

    access_token: str
    refresh_token: str
    expires_in: int
    user: User

    @classmethod
    def from_json(cls, data: object) -> TokenPair:
        r = _Reader("token pair", data)
        return cls(
            access_token=r.text("access_token"),
            refresh_token=r.text("refresh_token"),
            expires_in=r.opt_integer("expires_in") or 0,
            user=r.obj("user", User.from_json),
        )


def parse_list(parse: Callable[[object], T], data: object, what: str) -> list[T]:
    """A JSON list of payloads (`GET /meetings`, `GET /documents`)."""
    if not isinstance(data, list):
        raise MalformedResponse(what, f"expected a list, got {type(data).__name__}")
    return [parse(item) for item in data]
