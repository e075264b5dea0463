"""The polls service against the real server: the chair's poll reaches the delegates live, their
votes reach the chair's counts, the result reaches everyone at the close; and a delegate who
votes while the server is down is counted exactly once when it is back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from desktop.events import EventStream
from desktop.meeting_room.polls import PollsService
from desktop.outbox import Outbox
from desktop.store import LocalStore
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
