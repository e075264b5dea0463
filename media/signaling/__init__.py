"""One interface between a call and any signaling server, and the typed messages it carries.

The adapters (`room.py` for the reference server's relay; Janus and WHIP later) translate their
wire protocol into these messages. `peer` always names the other side: the addressee of what
we send, the sender of what we receive. The relay's own JSON wire format is these structs
tagged by `type`; `decode` turns hostile input into a typed `SignalingError`, never a crash.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Protocol

import msgspec

from media.errors import SignalingError

MAX_MESSAGE = 64 * 1024  # bytes; an SDP with every candidate is ~5–10 KB
# seconds between the WebSocket pings a signaling adapter sends on its link; no pong within half
# of it ends the link: when the network goes nothing arrives and nothing fails (TCP retransmits
# for minutes), so a drop is noticed within 1.5 × HEARTBEAT, while a shorter one is ridden out
# (ICE keeps the media 30 s). tests/media/netns/test_network_drop.py
HEARTBEAT = 5.0
PeerId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Display = Annotated[str, msgspec.Meta(max_length=200)]


class _Message(msgspec.Struct, frozen=True, tag_field="type", forbid_unknown_fields=False):
    """Base: every message is a JSON object with a `type`."""


class Offer(_Message, tag="offer", frozen=True):
    """An SDP offer (RFC 8829 §5.2), with all our candidates in it (aiortc does not trickle)."""

    peer: PeerId
    sdp: str


class Answer(_Message, tag="answer", frozen=True):
    """An SDP answer (RFC 8829 §5.3)."""

    peer: PeerId
    sdp: str


class Candidate(_Message, tag="candidate", frozen=True):
    """A trickled ICE candidate (RFC 8838); `candidate=None` ends the peer's candidates."""

    peer: PeerId
    candidate: str | None = None
    sdp_mid: str | None = None
    sdp_mline_index: int | None = None


class PeerInfo(msgspec.Struct, frozen=True):
    """Someone in the room."""

    peer: PeerId
    display: Display = ""


class Presence(_Message, tag="presence", frozen=True):
    """Who is in the room when we join, `you` being our own peer id.

    `publish_to` names a media server (an SFU such as Janus) to which we offer our media over one
    peer connection of its own; it is no participant. Empty for a mesh: we offer to `peers`.
    `views`: the media server relays a data channel of our publishing connection to everyone
    subscribed to us, so we tell the sites how large we show them there (media/publish_size.py;
    Janus does, a WHIP endpoint has nobody to tell)."""

    you: PeerId
    peers: list[PeerInfo] = []
    publish_to: str = ""
    views: bool = False


class PeerJoined(_Message, tag="join", frozen=True):
    """Someone entered the room."""

    peer: PeerId
    display: Display = ""


class PeerLeft(_Message, tag="leave", frozen=True):
    """Someone left or vanished (from the server); sent by us with no peer, we leave."""

    peer: str = ""


class Ping(_Message, tag="ping", frozen=True):
    """The server checks we are still there; answer with `Pong`."""


class Pong(_Message, tag="pong", frozen=True):
    """Our answer to `Ping`."""


class ErrorMessage(_Message, tag="error", frozen=True):
    """The other side could not use something we sent; the connection goes on."""

    code: str
    detail: str = ""


class Speaking(_Message, tag="speaking", frozen=True):
    """A participant started (`talking`) or stopped speaking, from the media server's audio levels
    (Janus `talking` / `stopped-talking`): the active speaker for the big tile."""

    peer: PeerId
    talking: bool


class View(_Message, tag="view", frozen=True):
    """How large we show `peer`'s video: our largest tile of them, in pixels high (0: not on
    screen). Sent to a mesh peer through the relay; received, it says how large a peer shows
    ours, and our connection to them sends at that size (media/scaling.py)."""

    peer: PeerId
    height: Annotated[int, msgspec.Meta(ge=0, le=8192)] = 0


class Resubscribe(msgspec.Struct, frozen=True):
    """Our connection to a feed behind an SFU failed: ask the SFU for a fresh offer of it
    (aiortc cannot restart ICE, and a feed's connection is the SFU's to offer). Not a wire
    message of the relay: a mesh peer re-offers by itself."""

    peer: PeerId


class ShowVideo(msgspec.Struct, frozen=True):
    """Whether a feed behind an SFU is on our screen, and how large: the SFU stops sending the
    video of feeds nobody here looks at (decoding 60 videos is beyond a desktop PC) and, for a
    publisher that sends simulcast layers, picks the layer that fits the tile. Not a wire
    message of the relay: in a mesh every peer connection carries its video regardless."""

    peer: PeerId
    on: bool
    layer: int = 2  # 0 low (tiles up to 180 px high), 1 medium (up to 360), 2 high


def layer_for(height: int) -> int:
    """The simulcast layer (`ShowVideo.layer`) a tile `height` pixels high needs."""
    return 0 if height <= 180 else 1 if height <= 360 else 2


Outgoing = Offer | Answer | Candidate | Resubscribe | ShowVideo | View
Incoming = (
    Offer | Answer | Candidate | Presence | PeerJoined | PeerLeft | ErrorMessage | Speaking | View
)
Wire = (
    Offer
    | Answer
    | Candidate
    | Presence
    | PeerJoined
    | PeerLeft
    | Ping
    | Pong
    | ErrorMessage
    | View
)

_decoder = msgspec.json.Decoder(Wire)
_encoder = msgspec.json.Encoder()


class BadMessage(SignalingError):
    """One message we could not use; `code` is what the error reply says."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def decode(raw: str | bytes) -> Wire:
    """Parse one wire message; `BadMessage` (too-large, bad-json, unknown-type, bad-message)."""
    data = raw.encode() if isinstance(raw, str) else raw
    if len(data) > MAX_MESSAGE:
        raise BadMessage("too-large", f"{len(data)} bytes, at most {MAX_MESSAGE}")
    try:
        return _decoder.decode(data)
    except msgspec.ValidationError as exc:  # a subclass of DecodeError: first
        text = str(exc)
        code = "unknown-type" if text.endswith(("`$.type`", "field `type`")) else "bad-message"
        raise BadMessage(code, text) from exc
    except msgspec.DecodeError as exc:
        raise BadMessage("bad-json", str(exc)) from exc


def encode(message: Wire) -> bytes:
    """The JSON text of a message."""
    return _encoder.encode(message)


class Signaling(Protocol):
    """Carries offers, answers and candidates between a call and one media backend."""

    async def join(self) -> Presence:
        """Connect and enter the room; `SignalingError` when that is not possible."""
        ...

    async def send(self, message: Outgoing) -> None:
        """Send to the peer the message names; `SignalingError` when the link is down."""
        ...

    def incoming(self) -> AsyncIterator[Incoming]:
        """Messages from the room, until the link drops (then `SignalingError`) or we leave."""
        ...

    async def leave(self) -> None:
        """Leave the room and close the link; idempotent, bounded by a timeout."""
        ...
