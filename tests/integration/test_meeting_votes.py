"""The polls service against the real server: the chair's poll reaches the delegates live, their
votes reach the chair's counts, the result reaches everyone at the close; and a delegate who
votes while the server is down is counted exactly once when it is back; an open vote signed with
the voter's certificate is checked and published, a secret one cannot be signed."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from asn1crypto import cms
from pyhanko.sign.validation.generic_cms import validate_sig_integrity

from desktop.errors import ApiError
from desktop.events import EventStream
from desktop.meeting_room.polls import PollsService, ballot_text
from desktop.outbox import Outbox
from desktop.signing.keys import load_pkcs12
from desktop.store import LocalStore
from tests.fixtures.pki import running_pki
from tests.fixtures.server import ServerProcess
from tests.integration.conftest import PASSWORD, SessionFactory, wait_until
from tests.server.room_helpers import CHAIR, open_room


class Voter:
    """One person's app in the meeting room, with only the polls service."""

    def __init__(self, make_session: SessionFactory, directory: Path, username: str) -> None:
        self.store = LocalStore(directory / username / "cache.db")
        self.store.open()
        self.session = make_session(on=self.store)
        self.username = username
        self.events: EventStream | None = None
        self.outbox: Outbox | None = None
        self.polls: PollsService | None = None

    async def join(self, url: str, meeting_id: int) -> PollsService:
        await self.session.sign_in(url, self.username, PASSWORD, False)
        self.outbox = Outbox(self.store, self.session.api)
        self.events = EventStream(self.session, self.store, backoff=(0.05, 0.3))
        self.polls = PollsService(self.session, self.events, self.outbox, meeting_id)
        self.events.start()
        await wait_until(lambda: self.events.state == "connected", 10, "the event stream")
        await self.polls.refresh()
        return self.polls

    async def close(self) -> None:
        if self.events is not None:
            await self.events.close()
        if self.polls is not None:
            await self.polls.close()
        if self.outbox is not None:
            await self.outbox.close()
        self.store.close()


Join = Callable[[int, str], Awaitable[Voter]]


@pytest.fixture
async def join(
    server: ServerProcess, make_session: SessionFactory, tmp_path: Path
) -> AsyncIterator[Join]:
    made: list[Voter] = []

    async def enter(meeting_id: int, username: str) -> Voter:
        voter = Voter(make_session, tmp_path, username)
        made.append(voter)
        await voter.join(server.url, meeting_id)
        return voter

    yield enter
    for voter in made:
        await voter.close()


async def test_a_poll_runs_live_between_the_chair_and_the_delegates(
    server: ServerProcess, join: Join
) -> None:
    meeting = open_room(server).meeting_id
    chair, first, second = (
        await join(meeting, CHAIR),
        await join(meeting, "chuyenvien1"),
        await join(meeting, "chuyenvien2"),
    )
    assert chair.polls
    assert first.polls
    assert second.polls
    poll = await chair.polls.create("Thông qua kế hoạch", show_live=True)
    await chair.polls.open(poll.id)
    await wait_until(
        lambda: poll.id in first.polls.polls and first.polls.polls[poll.id].may_vote,
        10,
        "the opened poll at the delegate",
    )
    first.polls.vote(poll.id, 0)
    second.polls.vote(poll.id, 1)
    await wait_until(lambda: chair.polls.polls[poll.id].counts == [1, 1, 0], 10, "the live counts")
    assert first.polls.polls[poll.id].my_option == 0
    await wait_until(lambda: not first.polls.polls[poll.id].may_vote, 10, "my vote taken")
    closed = await chair.polls.close_poll(poll.id)
    assert closed.percentages() == [50.0, 50.0, 0.0]
    await wait_until(
        lambda: second.polls.polls[poll.id].status == "closed", 10, "the result everywhere"
    )
    ballots = second.polls.polls[poll.id].ballots
    assert ballots is not None
    assert sorted((b.user.id, b.option) for b in ballots) == sorted(
        [(first.session.user.id, 0), (second.session.user.id, 1)]  # type: ignore[union-attr]
    )


async def test_a_vote_cast_while_the_server_is_down_counts_exactly_once(
    server: ServerProcess, join: Join
) -> None:
    meeting = open_room(server).meeting_id
    chair, delegate = await join(meeting, CHAIR), await join(meeting, "vanthu")
    assert chair.polls
    assert delegate.polls
    assert delegate.outbox
    poll = await chair.polls.create("Bầu thư ký cuộc họp", secret=True)
    await chair.polls.open(poll.id)
    await wait_until(
        lambda: poll.id in delegate.polls.polls and delegate.polls.polls[poll.id].may_vote,
        10,
        "the poll at the delegate",
    )
    server.stop()
    key = delegate.polls.vote(poll.id, 2)
    await delegate.outbox.wait()
    assert delegate.polls.sending(poll.id)
    assert delegate.outbox.pending == 1
    server.restart()  # the stream reconnects and the outbox flushes
    await wait_until(lambda: not delegate.polls.sending(poll.id), 20, "the vote sent")
    mine = delegate.polls.polls[poll.id]
    assert (mine.i_voted, mine.my_option, mine.may_vote) == (True, None, False)
    # The answer was lost after all? The same key again is answered, not counted again.
    again = await delegate.session.api.request(
        "POST",
        f"/meetings/{meeting}/polls/{poll.id}/vote",
        json_body={"option": 2},
        idempotency_key=key,
    )
    assert again.headers.get("idempotent-replayed") == "true"
    assert await delegate.outbox.flush() == 0
    result = await chair.polls.close_poll(poll.id)
    assert (result.voted, result.counts) == (1, [0, 0, 1])


async def test_an_open_vote_signed_with_the_voters_certificate(
    server: ServerProcess, join: Join, tmp_path: Path
) -> None:
    with running_pki(tmp_path / "pki") as pki:  # first: it takes a while to issue
        p12 = tmp_path / "leader.p12"
        p12.write_bytes(pki.pkcs12("leader", b"p12-pass"))
    signer = load_pkcs12(p12, "p12-pass")
    meeting = open_room(server).meeting_id
    chair, delegate = await join(meeting, CHAIR), await join(meeting, "phogiamdoc")
    assert chair.polls
    assert delegate.polls
    poll = await chair.polls.create("Thông qua dự toán", allow_change=True)
    await chair.polls.open(poll.id)
    await wait_until(lambda: poll.id in delegate.polls.polls, 10, "the poll")
    await wait_until(lambda: delegate.polls.polls[poll.id].may_vote, 10, "may vote")
    held = delegate.polls.polls[poll.id]
    # A signature over option 0 sent with option 1 is refused: it signs another choice.
    other = await signer.async_sign_general_data(ballot_text(held, 0), "sha256")
    with pytest.raises(ApiError) as refused:
        await delegate.session.api.request(
            "POST",
            f"/meetings/{meeting}/polls/{poll.id}/vote",
            json_body={"option": 1, "signature": base64.b64encode(other.dump()).decode()},
        )
    assert (refused.value.status, refused.value.problem.slug) == (422, "bad-signature")

    await delegate.polls.vote_signed(poll.id, 1, signer)
    await wait_until(lambda: delegate.polls.polls[poll.id].i_voted, 10, "the signed vote")
    closed = await chair.polls.close_poll(poll.id)
    assert closed.ballots is not None
    [ballot] = closed.ballots
    assert ballot.option == 1
    assert ballot.signed_by is not None
    assert ballot.signature is not None
    # Anyone can check it again from the published ballot and the contract's text.
    stored = cms.ContentInfo.load(base64.b64decode(ballot.signature))
    info = stored["content"]["signer_infos"][0]
    digest = hashlib.sha256(ballot_text(closed, 1)).digest()
    [cert] = [
        c.chosen
        for c in stored["content"]["certificates"]
        if c.chosen.subject.human_friendly == ballot.signed_by
    ]
    assert cert.dump() == signer.signing_cert.dump()
    assert validate_sig_integrity(info, cert, "data", digest) == (True, True)


async def test_a_secret_ballot_cannot_be_signed(server: ServerProcess, join: Join) -> None:
    meeting = open_room(server).meeting_id
    chair, delegate = await join(meeting, CHAIR), await join(meeting, "chuyenvien2")
    assert chair.polls
    assert delegate.polls
    poll = await chair.polls.create("Bầu trưởng ban", secret=True)
    await chair.polls.open(poll.id)
    with pytest.raises(ApiError) as refused:
        await delegate.session.api.request(
            "POST",
            f"/meetings/{meeting}/polls/{poll.id}/vote",
            json_body={"option": 0, "signature": base64.b64encode(b"x").decode()},
        )
    assert (refused.value.status, refused.value.problem.slug) == (422, "secret-not-signed")
