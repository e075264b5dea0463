"""Votes (biểu quyết) and opinion forms (phiếu lấy ý kiến) of one meeting, as the app sees them.

A delegate's vote goes through the outbox: pressed while the network is down, it waits in the
local store and is sent when the server is back, with the same Idempotency-Key however often it
is sent, so it is counted once (docs/contract.md, Polls). The chair's and secretary's steps
(create, open, close) are sent at once and not queued: a poll closed minutes later, after a
reconnect, would cut off votes cast meanwhile.

`poll.updated` carries a poll's public state (counts only when they are shown), never what
the reader chose: the service keeps its own `i_voted`/`my_option` and reloads when a poll it
does not know appears or changes status (whether it may vote is decided then). The choice of a
secret ballot is kept only while it waits in the outbox; once sent, the app forgets it too.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from desktop.domain import AwareDateTime, JsonObject, Model, UserRef, parse_list
from desktop.meeting_room.live import LiveService

if TYPE_CHECKING:
    import datetime as dt

    from pyhanko.sign.signers import Signer

    from desktop.events import EventStream
    from desktop.outbox import Outbox
    from desktop.session import Session


class Ballot(Model, frozen=True):
    """One open ballot: who chose which option, and the certificate that signed it if any."""

    user: UserRef
    option: int
    signed_by: str | None = None
    signature: str | None = None  # base64 DER of the detached CMS signature


class Poll(Model, frozen=True):
    """A poll as the server shows it to the reader (`Poll` of the contract)."""

    id: int
    meeting_id: int
    title: str
    kind: str  # live | opinion
    options: list[str]
    secret: bool
    status: str  # draft | open | closed
    eligible: int
    voted: int
    allow_change: bool = False
    show_live: bool = False
    named_voters: bool = False
    deadline: AwareDateTime | None = None
    opened_at: AwareDateTime | None = None
    closed_at: AwareDateTime | None = None
    counts: list[int] | None = None
    may_vote: bool = False
    i_voted: bool = False
    my_option: int | None = None
    ballots: list[Ballot] | None = None

    def past_deadline(self, now: dt.datetime) -> bool:
        """An opinion form still open here whose deadline has passed: the server closes it
        (and says so in `poll.updated`); until that is heard it takes no ballot."""
        return self.status == "open" and self.deadline is not None and self.deadline <= now

    def percentages(self) -> list[float] | None:
        """Each option's share of the ballots cast, in percent (None while counts are hidden)."""
        if self.counts is None:
            return None
        total = sum(self.counts)
        return [100.0 * n / total if total else 0.0 for n in self.counts]


def ballot_text(poll: Poll, option: int) -> bytes:
    """The exact bytes a voter signs for an option (docs/contract.md, Polls: signed ballots)."""
    lines = ("HopDesk ballot", f"poll {poll.id} of meeting {poll.meeting_id}", poll.title)
    return "\n".join((*lines, f"option {option}: {poll.options[option]}", "")).encode()


# The members of `Poll` that concern the reader: an event never carries them.
PERSONAL = ("may_vote", "i_voted", "my_option", "ballots")


class PollsService(LiveService):
    """The polls of one meeting, live; `changed` after every change."""

    EVENT = "poll.updated"

    def __init__(
        self,
        session: Session,
        events: EventStream | None,
        outbox: Outbox,
        meeting_id: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(session, events, outbox, meeting_id, parent)
        self.polls: dict[int, Poll] = {}
        self._sending: dict[str, int] = {}  # outbox key -> poll id of my queued votes
        outbox.sent.connect(self._on_sent)
        outbox.refused.connect(self._on_refused)

    def _path(self, tail: str = "") -> str:
        return f"/meetings/{self.meeting_id}/polls{tail}"

    # --- state ---------------------------------------------------------------------------
    def ordered(self) -> list[Poll]:
        """The polls, oldest first."""
        return [self.polls[k] for k in sorted(self.polls)]

    def sending(self, poll_id: int) -> bool:
        """My vote on this poll waits in the outbox (offline, or on its way)."""
        return poll_id in self._sending.values()

    def apply(self, poll: Poll) -> None:
        """Take a poll as the server answered it to me."""
        self.polls[poll.id] = poll
        self.changed.emit()

    def take(self, data: JsonObject) -> None:
        """A `poll.updated` event: counts and status; mine stays as it was."""
        public = Poll.from_json(data)
        held = self.polls.get(public.id)
        if held is None or held.status != public.status:
            self.refresher.schedule()  # new, opened or closed: whether I may vote, the ballots
            return
        mine: dict[str, Any] = {name: getattr(held, name) for name in PERSONAL}
        self.apply(Poll.from_json({**data, **mine}))

    async def refresh(self) -> None:
        """The meeting's polls now (on start, after a resync, when one appears or moves on)."""
        listed = parse_list(Poll, await self.session.api.get_json(self._path()), "polls")
        self.polls = {p.id: p for p in listed}
        self.changed.emit()

    # --- a voter -------------------------------------------------------------------------
    def vote(self, poll_id: int, option: int, signature: str | None = None) -> str:
        """Cast my ballot through the outbox; returns the action's key."""
        body: dict[str, object] = {"option": option}
        if signature is not None:
            body["signature"] = signature
        key = self.outbox.enqueue("POST", self._path(f"/{poll_id}/vote"), body)
        self._sending[key] = poll_id
        self.outbox.flush_soon()
        self.changed.emit()
        return key

    async def vote_signed(self, poll_id: int, option: int, signer: Signer) -> str:
        """Sign the ballot's text with my certificate (a PKCS#12 key, the token's signing
        process or the remote service, desktop/signing), then cast it through the outbox.
        The signature is made on the signing worker's loop, off the GUI thread, as the inbox's
        are. Open polls only: the server refuses a signature on a secret ballot, which would
        link me to my choice. Nothing is queued when signing fails (the error goes up)."""
        from desktop.signing.worker import off_the_loop

        poll = self.polls[poll_id]
        if poll.secret:
            raise ValueError("a secret ballot is never signed")
        text = ballot_text(poll, option)
        signed = await off_the_loop(
            lambda: signer.async_sign_general_data(text, "sha256", detached=True)
        )
        return self.vote(poll_id, option, base64.b64encode(signed.dump()).decode())

    def _on_sent(self, key: str, body: object) -> None:
        if self._sending.pop(key, None) is None:
            return
        if isinstance(body, dict):
            self.apply(Poll.from_json(body))
        else:
            self.changed.emit()

    def _on_refused(self, key: str, _path: str, _problem: object) -> None:
        """Refused for good (closed meanwhile, already voted elsewhere): show the truth."""
        if self._sending.pop(key, None) is not None:
            self.outbox.discard(key)  # told here; nothing is left for the failed list
            self.refresher.schedule()
            self.changed.emit()

    # --- the chair and the secretary -------------------------------------------------------
    async def _step(self, path: str, body: object = None) -> Poll:
        answer = await self.session.api.request("POST", path, json_body=body)
        poll = Poll.from_json(answer.body)
        self.apply(poll)
        return poll

    async def create(
        self,
        title: str,
        options: list[str] | None = None,
        *,
        secret: bool = False,
        voter_ids: list[int] | None = None,
        allow_change: bool = False,
        show_live: bool = False,
        deadline: dt.datetime | None = None,
    ) -> Poll:
        """A draft poll; with a `deadline` it is an opinion form."""
        body: dict[str, object] = {
            "title": title,
            "kind": "opinion" if deadline is not None else "live",
            "secret": secret,
            "voter_ids": voter_ids,
            "allow_change": allow_change,
            "show_live": show_live,
            "deadline": deadline.isoformat() if deadline is not None else None,
        }
        if options:
            body["options"] = options
        return await self._step(self._path(), body)

    async def open(self, poll_id: int) -> Poll:
        """Open the poll for voting."""
        return await self._step(self._path(f"/{poll_id}/open"))

    async def close_poll(self, poll_id: int) -> Poll:
        """Close the poll: everyone sees the result."""
        return await self._step(self._path(f"/{poll_id}/close"))
