"""Links that open a meeting: `hopdesk://join?...` (from a browser, a mail or the command line)
and the links people paste (the server's meeting or room URL, a browser guest link, a WHIP
endpoint), parsed once into a small typed record.

A link comes from anyone, so it is hostile until proven otherwise: `parse_link` accepts only
the forms below, with bounded length, no credentials in the authority (`https://office.gov.vn@
evil.example` is a classic lure), ASCII host names only (no look-alike letters), ASCII digits for
ids, and each parameter at most once. Nothing in a link is ever sent anywhere by parsing it; what
the app does with it (docs/architecture.md, "Joining by link") never sends the user's token to
a server other than the one they signed in to.

Forms:
- `hopdesk://join?server=https://office.example&meeting=42` (or `room=cds-cap-xa`)
- `hopdesk://join?whip=https://media.example/whip/abc&token=…`
- `https://office.example/api/v1/meetings/42` — the server's meeting URL
- `https://office.example/api/v1/rooms/cds-cap-xa` (or `wss://…`) — a meeting's room relay URL
- `https://office.example/guest#TOKEN` — the one-time link for browser guests
- `https://media.example/whip/…` — a WHIP endpoint (a path segment named `whip`)
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from PySide6.QtCore import QCoreApplication

from desktop.errors import HopDeskError

if TYPE_CHECKING:
    from desktop.domain import Meeting
    from desktop.meetings import MeetingsService

SCHEME = "hopdesk"
MAX_LINK = 2048  # characters: longer than any real link, short enough to show in a dialog
MAX_ID = 2**31 - 1  # the server's ids are 32-bit integers

_ROOM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,256}")  # server: secrets.token_urlsafe(24)
_WHIP_TOKEN = re.compile(r"[\x21-\x7e]{1,1024}")  # a bearer token: visible ASCII
_ID = re.compile(r"[0-9]{1,10}")
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]")
_API = "/api/v1/"


@dataclass(frozen=True, slots=True)
class MeetingLink:
    """A meeting on an office server, joined with the user's own account there."""

    server: str  # the server's base URL (scheme, host, port, path prefix), no trailing slash
    meeting: int | None = None
    room: str | None = None  # the room relay's room, when the link names that instead


@dataclass(frozen=True, slots=True)
class GuestLink:
    """A one-time browser guest link; the token stays out of reprs and logs."""

    server: str
    token: str = field(repr=False)

    @property
    def url(self) -> str:
        """The link as the browser opens it."""
        return f"{self.server}/guest#{self.token}"


@dataclass(frozen=True, slots=True)
class WhipLink:
    """A WHIP endpoint (RFC 9725) to publish to, with its bearer token if the link has one."""

    url: str
    token: str | None = field(default=None, repr=False)


JoinLink = MeetingLink | GuestLink | WhipLink


class LinkProblem(enum.Enum):
    """Why a text is not a usable link (the dialog says it in the user's language)."""

    EMPTY = "empty"
    TOO_LONG = "too-long"
    NOT_A_LINK = "not-a-link"
    UNKNOWN_FORM = "unknown-form"
    BAD_ADDRESS = "bad-address"
    CREDENTIALS = "credentials"
    BAD_MEETING = "bad-meeting"
    BAD_TOKEN = "bad-token"
    REPEATED = "repeated"


class BadLink(HopDeskError):
    """The text is not a meeting link this version can use."""

    def __init__(self, problem: LinkProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem

    def user_message(self) -> str:
        """Why the link cannot be used, as a sentence."""
        texts = {
            LinkProblem.EMPTY: QCoreApplication.translate("join_link", "Paste a meeting link."),
            LinkProblem.TOO_LONG: QCoreApplication.translate(
                "join_link", "This text is too long to be a meeting link."
            ),
            LinkProblem.NOT_A_LINK: QCoreApplication.translate("join_link", "This is not a link."),
            LinkProblem.UNKNOWN_FORM: QCoreApplication.translate(
                "join_link",
                "This link does not lead to a meeting. Use the link from the invitation "
                "(hopdesk://join…, the meeting's address on the office server, a guest link or "
                "a WHIP address).",
            ),
            LinkProblem.BAD_ADDRESS: QCoreApplication.translate(
                "join_link", "The server address in this link is not valid."
            ),
            LinkProblem.CREDENTIALS: QCoreApplication.translate(
                "join_link",
                "This link hides a user name or password in its address and is not safe to open.",
            ),
            LinkProblem.BAD_MEETING: QCoreApplication.translate(
                "join_link", "The meeting in this link is not valid."
            ),
            LinkProblem.BAD_TOKEN: QCoreApplication.translate(
                "join_link", "The access code in this link is not valid."
            ),
            LinkProblem.REPEATED: QCoreApplication.translate(
                "join_link", "This link gives the same setting twice and is ambiguous."
            ),
        }
        return texts[self.problem]


def parse_link(text: str) -> JoinLink:
    """The link in `text` (surrounding spaces and <angle brackets> allowed), or `BadLink`."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):  # as mail clients quote links
        text = text[1:-1].strip()
    if not text:
        raise BadLink(LinkProblem.EMPTY)
    if len(text) > MAX_LINK:
        raise BadLink(LinkProblem.TOO_LONG)
    if not text.isprintable() or any(c.isspace() for c in text):
        raise BadLink(LinkProblem.NOT_A_LINK, "control or space characters")
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # e.g. an unbalanced [ in the host
        raise BadLink(LinkProblem.NOT_A_LINK, str(exc)) from exc
    scheme = parts.scheme.lower()
    if scheme == SCHEME:
        return _app_link(text)
    if scheme in ("http", "https", "ws", "wss"):
        return _web_link(text)
    raise BadLink(LinkProblem.NOT_A_LINK if not scheme else LinkProblem.UNKNOWN_FORM, scheme)


def _app_link(text: str) -> JoinLink:
    """`hopdesk://join?…` (also `hopdesk://join/?…`, as some shells pass it)."""
    parts = urlsplit(text)
    if parts.netloc.lower() != "join" or parts.path not in ("", "/") or parts.fragment:
        raise BadLink(LinkProblem.UNKNOWN_FORM, "not hopdesk://join")
    params = _query(parts.query)
    if "whip" in params:
        token = params.get("token")
        if token is not None and not _WHIP_TOKEN.fullmatch(token):
            raise BadLink(LinkProblem.BAD_TOKEN)
        return WhipLink(_base_url(params["whip"], keep_path=True), token)
    if "server" not in params:
        raise BadLink(LinkProblem.UNKNOWN_FORM, "no server")
    server = _base_url(params["server"], keep_path=True)
    if "meeting" in params:
        return MeetingLink(server, meeting=_meeting_id(params["meeting"]))
    if "room" in params:
        return MeetingLink(server, room=_room(params["room"]))
    if "guest" in params:
        return GuestLink(server, _guest_token(params["guest"]))
    raise BadLink(LinkProblem.UNKNOWN_FORM, "neither meeting, room nor guest")


def _web_link(text: str) -> JoinLink:
    """A pasted web address: meeting, room, guest page or WHIP endpoint."""
    parts = urlsplit(text)
    origin = _base_url(text, keep_path=False, allow_query=True)
    path = parts.path
    if path.endswith("/guest") and parts.fragment:
        return GuestLink(origin + path.removesuffix("/guest"), _guest_token(parts.fragment))
    prefix, api, rest = path.partition(_API)
    if api and not parts.fragment:
        kind, _, name = rest.rstrip("/").partition("/")
        if kind == "meetings" and name and "/" not in name:
            return MeetingLink(_http(origin) + prefix, meeting=_meeting_id(name))
        if kind == "rooms" and name and "/" not in name:
            return MeetingLink(_http(origin) + prefix, room=_room(name))
    segments = [s.lower() for s in path.split("/")]
    if "whip" in segments and parts.scheme.lower() in ("http", "https") and not parts.fragment:
        params = _query(parts.query)
        token = params.get("token")  # some servers hand out links with the token in the query
        if token is not None and not _WHIP_TOKEN.fullmatch(token):
            raise BadLink(LinkProblem.BAD_TOKEN)
        return WhipLink(urlunsplit(parts._replace(fragment="")), token)
    raise BadLink(LinkProblem.UNKNOWN_FORM, path)


def _query(query: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError as exc:
        raise BadLink(LinkProblem.NOT_A_LINK, "bad query") from exc
    params: dict[str, str] = {}
    for key, value in pairs:
        if key in params:
            raise BadLink(LinkProblem.REPEATED, key)
        if not value.isprintable() or any(c.isspace() for c in value):
            raise BadLink(LinkProblem.NOT_A_LINK, f"control characters in {key}")
        params[key] = value
    return params


def _base_url(url: str, *, keep_path: bool, allow_query: bool = False) -> str:
    """`url`'s scheme, host and port (and path, when kept) checked and normalised."""
    if len(url) > MAX_LINK:
        raise BadLink(LinkProblem.TOO_LONG)
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError for a port out of range or not a number
    except ValueError as exc:
        raise BadLink(LinkProblem.BAD_ADDRESS, str(exc)) from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https", "ws", "wss"):
        raise BadLink(LinkProblem.BAD_ADDRESS, scheme)
    if "@" in parts.netloc:
        raise BadLink(LinkProblem.CREDENTIALS)
    host = parts.hostname or ""
    bracketed = f"[{host}]" if ":" in host else host
    labels = [] if bracketed.startswith("[") else host.split(".")
    if not _HOST.fullmatch(bracketed) or any(
        not label or label.startswith("-") or label.endswith("-") for label in labels
    ):
        raise BadLink(LinkProblem.BAD_ADDRESS, "host")
    if (parts.query and not allow_query) or (keep_path and parts.fragment):
        raise BadLink(LinkProblem.BAD_ADDRESS, "query or fragment")
    netloc = bracketed.lower() + (f":{port}" if port is not None else "")
    path = parts.path.rstrip("/") if keep_path else ""
    if keep_path and not all(c.isascii() and c.isprintable() for c in path):
        raise BadLink(LinkProblem.BAD_ADDRESS, "path")
    return urlunsplit((scheme, netloc, path, "", ""))


def _http(url: str) -> str:
    """The office server's address for a ws(s) URL of one of its rooms."""
    scheme, sep, rest = url.partition("://")
    return {"ws": "http", "wss": "https"}.get(scheme, scheme) + sep + rest


def _meeting_id(text: str) -> int:
    if not _ID.fullmatch(text) or not 0 < int(text) <= MAX_ID:
        raise BadLink(LinkProblem.BAD_MEETING, text[:20])
    return int(text)


def _room(text: str) -> str:
    if not _ROOM.fullmatch(text):
        raise BadLink(LinkProblem.BAD_MEETING, text[:20])
    return text


def _guest_token(text: str) -> str:
    if not _TOKEN.fullmatch(text):
        raise BadLink(LinkProblem.BAD_TOKEN)
    return text


def same_server(a: str, b: str) -> bool:
    """Whether two office server addresses name the same server (case, default port and a
    trailing slash aside), so a link is joined with the session's own token only there."""
    return _normal(a) == _normal(b)


def _normal(url: str) -> tuple[str, str, int | None, str]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ("", url, None, "")
    scheme = parts.scheme.lower()
    default = {"http": 80, "https": 443}.get(scheme)
    return (
        scheme,
        (parts.hostname or "").lower(),
        None if port == default else port,
        parts.path.rstrip("/"),
    )


def app_link(link: MeetingLink) -> str:
    """The `hopdesk://join?…` form of a meeting link (for invitations and the clipboard)."""
    from urllib.parse import urlencode

    query = {"server": link.server}
    if link.meeting is not None:
        query["meeting"] = str(link.meeting)
    elif link.room is not None:
        query["room"] = link.room
    return f"{SCHEME}://join?{urlencode(query)}"


class LinkElsewhere(HopDeskError):
    """The link's meeting is on another office server than the one signed in to."""

    def __init__(self, server: str, signed_in: str) -> None:
        super().__init__(f"link for {server}, signed in to {signed_in}")
        self.server, self.signed_in = server, signed_in

    def user_message(self) -> str:
        """Which server the link needs."""
        text = QCoreApplication.translate(
            "join_link",
            "This meeting is on the server %1, but you are signed in to %2. Sign in to "
            "%1 to join it.",
        )
        return text.replace("%2", self.signed_in).replace("%1", self.server)


class NoMeetingInRoom(HopDeskError):
    """No meeting the user can see uses the link's room."""

    def user_message(self) -> str:
        """That the room is not one of the user's meetings."""
        return QCoreApplication.translate(
            "join_link", "None of your meetings in the schedule uses the room in this link."
        )


async def meeting_of(link: MeetingLink, meetings: MeetingsService, signed_in: str) -> Meeting:
    """The meeting a link names, fetched with the session of `signed_in` (only when the link is
    for that same server: the session's token goes nowhere else). A room is looked for among
    the online meetings of the schedule the user sees."""
    if not same_server(link.server, signed_in):
        raise LinkElsewhere(link.server, signed_in)
    if link.meeting is not None:
        return await meetings.meeting(link.meeting)
    for summary in meetings.meetings:
        if summary.online:
            meeting = await meetings.meeting(summary.id)
            if meeting.media is not None and meeting.media.get("room") == link.room:
                return meeting
    raise NoMeetingInRoom(f"no meeting uses room {link.room!r}")
