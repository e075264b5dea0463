"""Parsed API payloads (docs/contract.md) as typed msgspec models.

Parsing is tolerant of extra members (a newer server may add some) and strict about required
ones: a missing or mistyped field raises `MalformedResponse` here, never a KeyError in a view.
Fields an older server may omit have defaults. Times must carry a time zone (the contract's
times are RFC 3339 with an offset). tests/desktop/test_contract.py holds these models against
the server's OpenAPI document, so a drift of the contract fails a test.

Why msgspec and not pydantic v2 (both maintained; pydantic already ships with the reference
server): the client pays for the import at every start-up, and the start-up budget is tight.
`tests/bench/payload_models.py --runs 15` on the shared 2-core development machine (load ~9;
medians of new processes, on top of what `desktop.api` imports anyway; parse from decoded JSON,
best of 7), msgspec 0.23 against pydantic 2.14 given the same 15 models:

                                              msgspec    pydantic
    import + define the models                  23 ms      308 ms
    parse 1,000 document summaries             0.3 ms      1.5 ms
    parse 100 meetings (15 papers, 10 people)  0.8 ms       18 ms

(The hand-written parser this replaced: 35 ms to import, 8.7 ms and 27 ms to parse.) pydantic
would add about 0.3 s to every start for nothing the client needs: validating what people type
is the server's job.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Self, TypeAlias, TypeVar

import msgspec

from desktop.errors import MalformedResponse

JsonObject: TypeAlias = dict[str, object]
AwareDateTime = Annotated[dt.datetime, msgspec.Meta(tz=True)]
M = TypeVar("M", bound="Model")


class Model(msgspec.Struct, frozen=True):
    """A frozen payload model; unknown members are ignored, missing required ones refused."""

    @classmethod
    def from_json(cls, data: object) -> Self:
        """This model from decoded JSON (a dict), or `MalformedResponse` naming the field."""
        return _convert(data, cls, cls.__name__)


def _convert(data: object, kind: object, what: str) -> Any:
    try:
        return msgspec.convert(data, kind)
    except msgspec.ValidationError as exc:
        raise MalformedResponse(what, str(exc)) from None


def parse_list(model: type[M], data: object, what: str) -> list[M]:
    """A JSON list of payloads (`GET /meetings`, `GET /documents`), parsed in one pass."""
    parsed: list[M] = _convert(data, list[model], what)  # type: ignore[valid-type]
    return parsed


def json_objects(data: object, what: str) -> list[JsonObject]:
    """A JSON list of objects, as objects: the raw payloads the local cache keeps."""
    objects: list[JsonObject] = _convert(data, list[JsonObject], what)
    return objects


class OrgUnit(Model, frozen=True):
    """An office unit (phòng, ban)."""

    id: int
    name: str


class User(Model, frozen=True):
    """The signed-in user (`GET /me`, `TokenPair.user`)."""

    id: int
    username: str
    full_name: str
    title: str = ""
    org_unit: OrgUnit | None = None
    roles: tuple[str, ...] = ()

    def has_role(self, role: str) -> bool:
        """Whether the user holds `role` (leader, secretary, ...)."""
        return role in self.roles


class UserRef(Model, frozen=True):
    """Another user as shown in lists."""

    id: int
    full_name: str
    title: str = ""


class FileRef(Model, frozen=True):
    """A file in the server's content-addressed store."""

    sha256: str
    size: int
    name: str
    media_type: str = "application/octet-stream"


class Paper(Model, frozen=True):
    """A meeting paper: a file or an external link."""

    id: int
    title: str
    kind: str
    file: FileRef | None = None
    url: str | None = None
    confidentiality: str = "normal"  # older servers omit it
    version: int = 1  # +1 each time the paper is replaced by a new file
    owner_id: int | None = None  # a personal paper's only reader
    shared_with_guests: bool = False


class AgendaItem(Model, frozen=True):
    """One item of a meeting's agenda."""

    id: int
    order: int
    title: str
    presenter: UserRef | None = None
    duration_minutes: int | None = None
    papers: tuple[Paper, ...] = ()


class Attendee(Model, frozen=True):
    """A person of a meeting: their answer and presence (`AttendanceEntry` of the contract)."""

    user: UserRef
    status: str  # invited, accepted, declined, delegated
    role: str = "delegate"  # chair, secretary, delegate, guest, site
    reason: str = ""  # why they declined
    represents: UserRef | None = None  # on a deputy: whom they sit for
    represented_by: UserRef | None = None  # on whoever sent a deputy
    checked_in_at: AwareDateTime | None = None
    in_call: bool = False
    joined_call_at: AwareDateTime | None = None
    absent_reason: str | None = None


class MeetingSummary(Model, frozen=True):
    """A meeting as listed (`GET /meetings`)."""

    id: int
    title: str
    starts_at: AwareDateTime
    status: str
    ends_at: AwareDateTime | None = None
    location: str = ""
    online: bool = False
    chair: UserRef | None = None
    my_attendance: str | None = None
    my_role: str | None = None  # chair, secretary, delegate, guest, site; None: not in it


class Meeting(MeetingSummary, frozen=True):
    """A meeting with its agenda and attendees (`GET /meetings/{id}`)."""

    secretary: UserRef | None = None
    media: JsonObject | None = None
    confidential: bool = False  # họp có nội dung mật
    agenda: tuple[AgendaItem, ...] = ()
    attendees: tuple[Attendee, ...] = ()
    opened_at: AwareDateTime | None = None
    closed_at: AwareDateTime | None = None

    @property
    def summary(self) -> MeetingSummary:
        """The list form of this meeting."""
        fields = msgspec.structs.fields(MeetingSummary)
        return MeetingSummary(**{f.name: getattr(self, f.name) for f in fields})


class DocumentSummary(Model, frozen=True):
    """A văn bản as listed (`GET /documents`)."""

    id: int
    summary: str
    status: str
    number: str = ""
    symbol: str = ""
    issuing_agency: str = ""
    issued_on: dt.date | None = None
    doc_type: str = ""
    urgency: str = "normal"
    confidentiality: str = "normal"
    direction: str = "in"
    deadline: AwareDateTime | None = None
    my_action: str | None = None
    overdue: bool = False


class DocumentVersion(Model, frozen=True):
    """One version (file) of a document."""

    no: int
    file: FileRef
    created_at: AwareDateTime | None = None


class Assignment(Model, frozen=True):
    """A workflow step: who must do what by when."""

    id: int
    assignee: UserRef
    action: str
    state: str
    deadline: AwareDateTime | None = None


class Comment(Model, frozen=True):
    """A comment (ý kiến) on a document."""

    id: int
    author: UserRef
    text: str
    created_at: AwareDateTime
    kind: str = "comment"  # comment | instruction | opinion | return
    on_behalf_of: int | None = None


class SignaturePlace(Model, frozen=True):
    """Where the server laid out a signature (0-based page, [x0, y0, x1, y1] in PDF points from
    the bottom left): a meeting's minutes for its secretary and its chair."""

    page: int
    box: list[float]


class Document(DocumentSummary, frozen=True):
    """A văn bản with versions, assignments and comments (`GET /documents/{id}`)."""

    versions: tuple[DocumentVersion, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    comments: tuple[Comment, ...] = ()
    # Decree 30/2020 metadata and the workflow's record (older servers omit them)
    place: str = ""
    signer_name: str = ""
    signer_position: str = ""
    recipients: tuple[str, ...] = ()
    received_number: str = ""
    received_on: dt.date | None = None
    signing_sha256: str | None = None
    attachments: tuple[DocumentVersion, ...] = ()
    readers: tuple[UserRef, ...] = ()
    # what the signed-in user may do on it now, as the server's workflow decides (the buttons)
    allowed_actions: tuple[str, ...] = ()
    # where my signature goes when the server laid the document out (None: the prepared field)
    signature_place: SignaturePlace | None = None

    def pending_actions(self, user_id: int) -> frozenset[str]:
        """What the pending assignments of `user_id` on this document ask of them."""
        return frozenset(
            a.action for a in self.assignments if a.assignee.id == user_id and a.state == "pending"
        )


class Event(Model, frozen=True):
    """One message of the event stream."""

    seq: int
    type: str
    at: AwareDateTime | None = None
    data: JsonObject = msgspec.field(default_factory=dict)


class FailedSignIns(Model, frozen=True):
    """Wrong passwords typed for the account since its previous sign-in."""

    count: int
    last_at: AwareDateTime
    last_address: str = ""


class TokenPair(Model, frozen=True):
    """The answer of `/auth/login` and `/auth/refresh`."""

    access_token: str
    refresh_token: str
    user: User
    expires_in: int = 0
    failed_sign_ins_since_last: FailedSignIns | None = None
