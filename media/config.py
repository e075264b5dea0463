"""Where a call's media goes: ICE servers and one backend, as small frozen records.

A meeting record on the office server carries its backend as JSON (DESIGN §1), for example
`{"kind": "room", "url": "/api/v1/rooms/x", "room": "x"}` or
`{"kind": "janus", "url": "wss://…", "room": 1234}`; `parse_backend` turns it into one of the
records below once, at the edge, so nothing further in has to look at dictionaries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

from media.errors import SignalingError

_ICE_SCHEMES = ("stun:", "stuns:", "turn:", "turns:")


@dataclass(frozen=True, slots=True)
class IceServer:
    """One STUN or TURN server (W3C `RTCIceServer`); the credential never shows in a repr."""

    urls: tuple[str, ...]
    username: str | None = None
    credential: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.urls:
            raise ValueError("an ICE server needs at least one URL")
        for url in self.urls:
            if not url.startswith(_ICE_SCHEMES):
                raise ValueError(f"not a STUN/TURN URL: {url!r}")
            if url.startswith(("turn:", "turns:")) and (not self.username or not self.credential):
                raise ValueError(f"TURN server {url!r} needs a username and credential")


@dataclass(frozen=True, slots=True)
class JanusBackend:
    """A Janus VideoRoom: its WebSocket API URL, the numeric room and, for a room that has one,
    the PIN every participant joins with (from the meeting record; never shown in a repr)."""

    url: str
    room: int
    pin: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _check_url(self.url, ("ws", "wss"))
        if self.room <= 0:
            raise ValueError("a Janus room is a positive number")


@dataclass(frozen=True, slots=True)
class WhipBackend:
    """A WHIP endpoint (RFC 9725) and its bearer token (never shown in a repr)."""

    url: str
    token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _check_url(self.url, ("http", "https"))


@dataclass(frozen=True, slots=True)
class RoomBackend:
    """The reference server's room relay: the WebSocket URL of one room."""

    url: str
    room: str

    def __post_init__(self) -> None:
        _check_url(self.url, ("ws", "wss"))
        if not self.room:
            raise ValueError("a room needs a name")


Backend = JanusBackend | WhipBackend | RoomBackend


@dataclass(frozen=True, slots=True)
class MediaConfig:
    """Everything a call needs to know before it starts."""

    backend: Backend
    ice_servers: tuple[IceServer, ...] = ()


def _check_url(url: str, schemes: tuple[str, ...]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.netloc:
        raise ValueError(f"expected a {'/'.join(schemes)} URL, got {url!r}")


def _websocket_url(url: str, server: str | None) -> str:
    """An absolute ws(s) URL: relative URLs are resolved against the office server's URL."""
    if server is not None:
        url = urljoin(server.rstrip("/") + "/", url)
    scheme, sep, rest = url.partition("://")
    return {"http": "ws", "https": "wss"}.get(scheme, scheme) + sep + rest


def parse_backend(record: Mapping[str, object], server: str | None = None) -> Backend:
    """The backend of a meeting's `media` JSON; `server` resolves relative URLs.

    Raises `SignalingError` for a record we cannot use (it comes from the network)."""
    try:
        kind = record.get("kind")
        url = record.get("url")
        if not isinstance(url, str):
            raise ValueError("the media record has no URL")
        if kind == "room":
            room = record.get("room")
            if not isinstance(room, str):
                room = url.rstrip("/").rsplit("/", 1)[-1]
            return RoomBackend(_websocket_url(url, server), room)
        if kind == "janus":
            room_id = record.get("room")
            if not isinstance(room_id, int) or isinstance(room_id, bool):
                raise ValueError("a Janus room is a number")
            pin = record.get("pin")
            if pin is not None and not isinstance(pin, str):
                raise ValueError("a Janus room PIN is a string")
            return JanusBackend(_websocket_url(url, server), room_id, pin or None)
        if kind == "whip":
            token = record.get("token")
            if token is not None and not isinstance(token, str):
                raise ValueError("a WHIP token is a string")
            absolute = urljoin(server.rstrip("/") + "/", url) if server else url
            return WhipBackend(absolute, token)
        raise ValueError(f"unknown media backend kind {kind!r}")
    except ValueError as exc:
        raise SignalingError(f"bad media record: {exc}") from exc


def ice_server_from_url(text: str) -> IceServer:
    """One ICE server from a settings or policy string (`ValueError` if unusable).

    A plain RFC 7064/7065 URL (`stun:host:port`, `turn:host:port?transport=udp`) or, since those
    URLs have no place for credentials and the settings and machine policy hold only strings, a
    TURN URL with them in the authority as GStreamer's webrtcbin takes it:
    `turn://user:credential@host:port?transport=udp` (percent-encoded)."""
    scheme, sep, rest = text.partition("://")
    if not sep or scheme not in ("turn", "turns"):
        return IceServer((text,))
    userinfo, at, hostpart = rest.rpartition("@")
    username, colon, credential = userinfo.partition(":")
    if not at or not colon:
        raise ValueError(f"TURN URL {scheme}://… needs user:credential@host")
    return IceServer((f"{scheme}:{hostpart}",), unquote(username), unquote(credential))


def parse_ice_servers(items: object) -> tuple[IceServer, ...]:
    """ICE servers from configuration: a list of URL strings or `{urls, username, credential}`."""
    if not isinstance(items, list | tuple):
        raise ValueError("ICE servers are a list")
    servers = []
    for item in items:
        if isinstance(item, str):
            servers.append(ice_server_from_url(item))
        elif isinstance(item, Mapping):
            urls = item.get("urls")
            url_tuple = (urls,) if isinstance(urls, str) else tuple(urls or ())
            if not all(isinstance(u, str) for u in url_tuple):
                raise ValueError("ICE server URLs are strings")
            username, credential = item.get("username"), item.get("credential")
            if not isinstance(username, str | None) or not isinstance(credential, str | None):
                raise ValueError("ICE username and credential are strings")
            servers.append(IceServer(url_tuple, username, credential))
        else:
            raise ValueError(f"not an ICE server: {item!r}")
    return tuple(servers)
