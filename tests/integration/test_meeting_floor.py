"""The floor's client services against the real server: a delegate's request to speak reaches
the chair's queue live and survives going offline, the chair's floor reaches the delegate, chat
to all and to one arrives only where it should, a late joiner catches up, and a follower's
reader follows the presenter's page turns until the user turns a page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Signal

from tests.fixtures.server import ServerProcess
from tests.integration.conftest import PASSWORD, SessionFactory, wait_until
from tests.integration.room_clients import Participant
from tests.server.room_helpers import CHAIR, open_room

Join = Callable[[int, str], Awaitable[Participant]]


@pytest.fixture
async def join(
    server: ServerProcess, make_session: SessionFactory, tmp_path: Path
) -> AsyncIterator[Join]:
    """Join a meeting of the test's server as a demo user (everyone leaves at the end)."""
    made: list[Participant] = []

    async def enter(meeting_id: int, username: str) -> Participant:
        person = Participant(make_session, tmp_path, username)
        made.append(person)
        return await person.join(server.url, meeting_id, PASSWORD)

    yield enter
    for person in made:
        await person.close()


async def test_asking_to_speak_and_the_floor_reach_everyone_live(
    server: ServerProcess, join: Join
) -> None:
    meeting = open_room(server).meeting_id
    chair = await join(meeting, CHAIR)
    delegate = await join(meeting, "chuyenvien1")
    other = await join(meeting, "chuyenvien2")
    assert chair.speak
    assert delegate.speak
    assert other.speak

    other.speak.ask()
    await wait_until(lambda: other.speak.my_place() == 1, 10, "the first request")
    delegate.speak.ask()  # after it: two apps' outboxes do not agree on an order
    await wait_until(lambda: delegate.speak.my_place() == 2, 10, "the delegate's place")
    await wait_until(
        lambda: chair.speak.queue is not None and len(chair.speak.queue.queue) == 2,
        10,
        "the chair's queue",
    )
    assert [r.user.id for r in chair.speak.queue.queue] == [other.id, delegate.id]

    await chair.speak.grant(chair.speak.queue.queue[1].id)
    await wait_until(
        lambda: (
            delegate.speak.my_request() is not None
            and delegate.speak.my_request().state == "granted"
        ),
        10,
        "the floor",
    )
    assert other.speak.my_place() == 1
    queue = await chair.speak.set_muted_until_floor(True)
    await wait_until(lambda: other.speak.queue == queue, 10, "the mute option")
    assert queue.may_speak(delegate.id)
    assert not queue.may_speak(other.id)
    delegate.speak.withdraw()
    await wait_until(
        lambda: other.speak.queue is not None and other.speak.queue.speaker is None,
        10,
        "the end of the turn",
    )


async def test_an_offline_request_to_speak_reaches_the_server_once(
    server: ServerProcess, join: Join
) -> None:
    meeting = open_room(server).meeting_id
    chair = await join(meeting, CHAIR)
    delegate = await join(meeting, "vanthu")
    assert chair.speak
    assert delegate.speak
    assert delegate.outbox
    server.stop()
    delegate.speak.ask()
    await delegate.outbox.wait()
    assert delegate.speak.sending()
    server.restart()  # the stream reconnects and the outbox flushes
    await wait_until(lambda: delegate.speak.my_place() == 1, 20, "the request after reconnecting")
    assert not delegate.speak.sending()
    await wait_until(
        lambda: chair.speak.queue is not None and len(chair.speak.queue.queue) == 1,
        20,
        "the chair's queue",
    )
    assert await delegate.outbox.flush() == 0


async def test_chat_to_all_to_one_and_a_late_joiner(server: ServerProcess, join: Join) -> None:
    meeting = open_room(server).meeting_id
    chair = await join(meeting, CHAIR)
    a = await join(meeting, "chuyenvien1")
    b = await join(meeting, "chuyenvien2")
    assert chair.chat
    assert a.chat
    assert b.chat
    chair.chat.send("Đề nghị các đồng chí cho ý kiến")
    a.chat.send("Em gửi riêng anh số liệu", to=chair.id)
    await wait_until(lambda: len(chair.chat.messages) == 2, 10, "both messages at the chair")
    await wait_until(lambda: len(b.chat.messages) == 1, 10, "the public message at b")
    assert not a.chat.outgoing
    assert [m.text for m in b.chat.messages] == ["Đề nghị các đồng chí cho ý kiến"]
    late = await join(meeting, "phogiamdoc")
    assert late.chat is not None
    assert [m.text for m in late.chat.messages] == ["Đề nghị các đồng chí cho ý kiến"]
    refused: list[str] = []
    late.chat.refused.connect(refused.append)
    late.chat.send("riêng", to=999_999)  # not in the meeting: refused for good, told once
    await wait_until(lambda: refused == ["riêng"], 10, "the refusal")
    assert late.chat.outgoing == []


class FakeReader(QObject):
    """The reader's follow/drive API over a plain page number (the widget has its own tests)."""

    pageChanged = Signal(int)  # the viewer's names
    zoomChanged = Signal(float)

    def __init__(self) -> None:
        super().__init__()
        self.page, self.factor = 0, 1.0

    def current_page(self) -> int:
        return self.page

    def go_to_page(self, page: int) -> None:
        if page != self.page:
            self.page = page
            self.pageChanged.emit(page)

    def zoom(self) -> float:
        return self.factor

    def set_zoom(self, zoom: float) -> None:
        self.factor = zoom
        self.zoomChanged.emit(zoom)


async def test_followers_follow_the_presenter_until_they_turn_a_page(
    server: ServerProcess, join: Join
) -> None:
    room = open_room(server)
    paper = room.add_paper("chuyenvien1")
    presenter = await join(room.meeting_id, "chuyenvien1")
    follower = await join(room.meeting_id, "vanthu")
    assert presenter.presenter
    assert follower.presenter
    lead, mine = FakeReader(), FakeReader()
    presenter.presenter.attach(lead, paper)
    presenter.presenter.lead(paper)
    wanted: list[int] = []
    follower.presenter.paper_wanted.connect(wanted.append)
    follower.presenter.attach(mine, None)
    for page in range(1, 8):  # flipping quickly: coalesced, and the last page arrives
        lead.go_to_page(page)
    await wait_until(lambda: wanted == [paper], 10, "the paper asked for")
    follower.presenter.showing(paper)
    await wait_until(lambda: mine.page == 7, 10, "the follower on the presenter's page")
    assert len(room.events("vanthu", "page.follow")) == 1  # seven turns in one go: one request
    lead.set_zoom(1.5)
    await wait_until(lambda: mine.factor == 1.5, 10, "the presenter's zoom")

    mine.go_to_page(2)  # the user reads on their own
    assert follower.presenter.following is False
    lead.go_to_page(8)
    await wait_until(
        lambda: follower.presenter.state is not None and follower.presenter.state.page == 8,
        10,
        "the next page turn",
    )
    assert mine.page == 2
    follower.presenter.follow()  # one call to come back
    assert mine.page == 8
    assert follower.presenter.following is True
