"""A whole meeting in the paperless meeting room, through the desktop services
(desktop/meeting_room/*, desktop/meetings.py) of five signed-in people — the chair, the secretary
and three delegates — and a late joiner, against the real server on SQLite and on PostgreSQL.

The chair opens the meeting; everyone checks in; the secretary presents a paper of the agenda
and the delegates' readers follow; the delegates ask to speak, get distinct places from the
server, the chair gives the floor and ends the turns; a secret vote is created, opened, voted by
all (one delegate while the server is down: counted exactly once when it is back), refused to a
delegate who tries to close it, closed by the chair with the right result; a late joiner catches
up on the queue, the result and the chat; the secretary concludes the item, the chair ends the
meeting, and the minutes the secretary makes list the speakers in order, the vote's result and
the conclusion (their two signatures: tests/e2e/test_minutes_signing.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from pathlib import Path

import pytest

from desktop.errors import ApiError
from desktop.files import FileCache
from desktop.meeting_room.attendance import AttendanceService
from desktop.meeting_room.chat import ChatService
from desktop.meeting_room.minutes import MinutesService
from desktop.meeting_room.polls import PollsService
from desktop.meeting_room.presenter import PresenterService
from desktop.meeting_room.speak import SpeakService
from desktop.meetings import MeetingsService
from tests.fixtures.server import ServerProcess
from tests.integration.conftest import PASSWORD, SessionFactory, wait_until
from tests.integration.room_clients import Participant
from tests.integration.test_meeting_floor import FakeReader
from tests.server.room_helpers import CHAIR, SECRETARY, open_room

DELEGATES = ("phogiamdoc", "chuyenvien1", "chuyenvien2")
LATE = "vanthu"
CONCLUSION = "Giao Văn phòng hoàn thiện kế hoạch trước ngày 15."
WAIT = 20.0  # seconds any one step may take to reach everyone


class Person(Participant):
    """A participant with the whole room: floor, chat, presenter, votes, attendance, meetings."""

    polls: PollsService
    attendance: AttendanceService
    meetings: MeetingsService
    minutes: MinutesService

    async def join(self, url: str, meeting_id: int, password: str) -> Person:
        await super().join(url, meeting_id, password)
        assert self.events is not None
        assert self.outbox is not None
        args = (self.session, self.events, self.outbox, meeting_id)
        self.polls, self.attendance = PollsService(*args), AttendanceService(*args)
        self.minutes = MinutesService(*args)
        self.meetings = MeetingsService(self.session, self.events)
        await self.polls.refresh()
        await self.attendance.refresh()
        await self.minutes.refresh()
        return self

    @property
    def floor(self) -> SpeakService:
        assert self.speak is not None
        return self.speak

    @property
    def talk(self) -> ChatService:
        assert self.chat is not None
        return self.chat

    @property
    def shows(self) -> PresenterService:
        assert self.presenter is not None
        return self.presenter

    def waiting(self) -> list[int]:
        """User ids of the waiting requests, in the queue's order."""
        queue = self.floor.queue
        return [r.user.id for r in queue.queue] if queue is not None else []

    def speaker(self) -> int | None:
        """Who has the floor now."""
        queue = self.floor.queue
        return queue.speaker.user.id if queue is not None and queue.speaker is not None else None

    async def close(self) -> None:
        services = [getattr(self, name, None) for name in ("polls", "attendance", "minutes")]
        for service in services:
            if service is not None:
                await service.close()
        if getattr(self, "meetings", None) is not None:
            await self.meetings.close()
        await super().close()


Join = Callable[[int, str], Awaitable[Person]]


@pytest.fixture
async def join(
    any_db_server: ServerProcess, make_session: SessionFactory, tmp_path: Path
) -> AsyncIterator[Join]:
    """Join a meeting of the test's server as a demo user (everyone leaves at the end)."""
    made: list[Person] = []

    async def enter(meeting_id: int, username: str) -> Person:
        person = Person(make_session, tmp_path, username)
        made.append(person)
        return await person.join(any_db_server.url, meeting_id, PASSWORD)

    yield enter
    for person in made:
        await person.close()


def minutes_text(path: Path) -> str:
    """The minutes PDF's text, lines joined by spaces (names may wrap)."""
    import pymupdf

    with pymupdf.open(path) as pdf:
        return " ".join(" ".join(page.get_text().split()) for page in pdf)


async def test_a_whole_meeting(any_db_server: ServerProcess, join: Join, tmp_path: Path) -> None:
    server = any_db_server
    room = open_room(server, starts_in=dt.timedelta(hours=1))  # scheduled, not yet running
    paper_id = room.add_paper(SECRETARY)  # the agenda API is another slice's: written directly
    meeting = room.meeting_id
    chair, secretary = await join(meeting, CHAIR), await join(meeting, SECRETARY)
    d1, d2, d3 = [await join(meeting, name) for name in DELEGATES]
    everyone = (chair, secretary, d1, d2, d3)

    # The chair opens the meeting; everyone present.
    assert (await chair.meetings.meeting(meeting)).status == "scheduled"
    assert (await chair.meetings.set_status(meeting, "in_progress")).status == "in_progress"
    for person in everyone:
        await person.attendance.check_in()
    await wait_until(
        lambda: all(
            (e := chair.attendance.entry(p.id)) is not None and e.checked_in_at is not None
            for p in everyone
        ),
        WAIT,
        "everyone checked in at the chair",
    )

    # The secretary shows the agenda and presents its paper; the delegates' readers follow.
    agenda = (await d1.meetings.meeting(meeting)).agenda
    assert [p.id for item in agenda for p in item.papers] == [paper_id]
    shown, followers = FakeReader(), [FakeReader() for _ in (d1, d2, d3)]
    secretary.shows.attach(shown, paper_id)
    for person, reader in zip((d1, d2, d3), followers, strict=True):
        person.shows.attach(reader, paper_id)
        person.shows.follow()
    secretary.shows.lead(paper_id)
    shown.go_to_page(2)
    await wait_until(lambda: all(r.page == 2 for r in followers), WAIT, "the followers' page")

    def chair_has(person: Person) -> bool:
        return person.id in chair.waiting()

    # Requests to speak: places from the server, the floor given and turns ended by the chair.
    for asking in (d2, d1, d3):  # one after the other: the order is known
        asking.floor.ask()
        await wait_until(partial(chair_has, asking), WAIT, "the request at the chair")
    await wait_until(
        lambda: [d2.floor.my_place(), d1.floor.my_place(), d3.floor.my_place()] == [1, 2, 3],
        WAIT,
        "each delegate's place",
    )
    queue = chair.floor.queue
    assert queue is not None
    assert [r.user.id for r in queue.queue] == [d2.id, d1.id, d3.id]
    assert len({r.position for r in queue.queue}) == 3
    await chair.floor.grant(queue.queue[0].id)
    await wait_until(
        lambda: d3.speaker() == d2.id,
        WAIT,
        "d2 has the floor",
    )
    assert d3.floor.my_place() == 2
    await chair.floor.end_turn()
    await chair.floor.next()
    await wait_until(
        lambda: d2.speaker() == d1.id,
        WAIT,
        "d1 has the floor",
    )
    await chair.floor.end_turn()  # d3 keeps waiting: the late joiner sees it
    d1.talk.send("Tôi thống nhất với dự thảo.")
    chair.talk.send("Đề nghị biểu quyết.")

    # A secret vote: created, opened, voted by all — d3 while the server is down.
    ids = [d.id for d in (d1, d2, d3)]
    poll = await chair.polls.create("Thông qua dự thảo kế hoạch", secret=True, voter_ids=ids)
    await chair.polls.open(poll.id)
    await wait_until(
        lambda: all(
            (p := d.polls.polls.get(poll.id)) is not None and p.status == "open" and p.may_vote
            for d in (d1, d2, d3)
        ),
        WAIT,
        "the open poll at the delegates",
    )
    d1.polls.vote(poll.id, 0)
    d2.polls.vote(poll.id, 0)
    await wait_until(lambda: chair.polls.polls[poll.id].voted == 2, WAIT, "two ballots")
    server.stop()
    d3.polls.vote(poll.id, 2)
    assert d3.outbox is not None
    await d3.outbox.wait()
    assert d3.polls.sending(poll.id)
    server.restart()
    await wait_until(lambda: not d3.polls.sending(poll.id), 2 * WAIT, "d3's ballot sent")
    await wait_until(lambda: chair.polls.polls[poll.id].voted == 3, WAIT, "three ballots")
    assert await d3.outbox.flush() == 0

    # A delegate cannot close it; the chair can, and everyone sees the result.
    with pytest.raises(ApiError) as refused:
        await d1.polls.close_poll(poll.id)
    assert refused.value.status == 403
    closed = await chair.polls.close_poll(poll.id)
    assert closed.counts == [2, 0, 1]
    assert closed.voted == 3
    await wait_until(
        lambda: all(p.polls.polls[poll.id].counts == [2, 0, 1] for p in everyone),
        WAIT,
        "the result everywhere",
    )
    assert d3.polls.polls[poll.id].my_option is None  # a secret ballot is linked to nobody

    # A late joiner catches up on the queue, the result and the chat.
    await wait_until(lambda: len(chair.talk.messages) == 2, WAIT, "the chat at the chair")
    late = await join(meeting, LATE)
    assert late.floor.queue == chair.floor.queue
    assert late.waiting() == [d3.id]
    assert late.polls.polls[poll.id].counts == [2, 0, 1]
    assert [m.text for m in late.talk.messages] == [m.text for m in chair.talk.messages]

    # The secretary concludes the item; the chair ends the meeting; the floor is closed.
    [item] = agenda
    await secretary.minutes.write(item.id, CONCLUSION)
    assert (await chair.meetings.set_status(meeting, "ended")).status == "ended"
    assert (await late.meetings.meeting(meeting)).status == "ended"
    with pytest.raises(ApiError) as after:
        await chair.floor.next()
    assert after.value.status == 409

    # The minutes made from all this: who spoke in order, the vote's result, the conclusion.
    await secretary.minutes.generate()
    await wait_until(lambda: chair.minutes.minutes is not None, WAIT, "the minutes at the chair")
    files = FileCache(chair.session, tmp_path / "files", 1 << 28)
    text = minutes_text(await chair.minutes.minutes_file(files))
    name = {p: p.session.user.full_name for p in everyone if p.session.user is not None}
    speakers = text[text.index("III. Ý KIẾN PHÁT BIỂU") : text.index("IV. KẾT QUẢ BIỂU QUYẾT")]
    assert f"1. {name[d2]}, lúc" in speakers
    assert f"2. {name[d1]}, lúc" in speakers
    assert "3." not in speakers  # d3 never had the floor
    assert (
        "Thông qua dự thảo kế hoạch (bỏ phiếu kín): Tán thành 2, Không tán thành 0, "
        "Không biểu quyết 1; 3/3 người đã biểu quyết."
    ) in text
    assert f"1. {item.title}: {CONCLUSION}" in text
    assert f"Có mặt (3): {name[d1]}, {name[d2]}, {name[d3]}." in text
