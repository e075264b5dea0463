"""desktop/meeting_room/attendance.py against the real server: the chair's list follows what
delegates do through the event stream, actions go through the outbox, a refusal leaves the list
as the server has it, and a resync reloads it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from desktop.events import EventStream
from desktop.meeting_room.attendance import AttendanceService
from desktop.outbox import Outbox
from desktop.store import LocalStore
from tests.fixtures.server import ServerProcess
from tests.integration.conftest import PASSWORD, Recorder, SessionFactory, wait_until


class Seat:
    """One participant's HopDesk: cache, session, outbox, event stream, attendance service."""

    def __init__(self, make_session: SessionFactory, directory: Path) -> None:
        self.store = LocalStore(directory / "cache.db")
        self.store.open()
        self.session = make_session(on=self.store)
        self.outbox: Outbox | None = None
        self.events: EventStream | None = None
        self.attendance: AttendanceService | None = None

    async def sign_in(self, url: str, username: str) -> Seat:
        await self.session.sign_in(url, username, PASSWORD, False)
        self.outbox = Outbox(self.store, self.session.api)
        self.events = EventStream(self.session, self.store, backoff=(0.05, 0.3))
        self.events.start()
        await wait_until(
            lambda: self.events is not None and self.events.state == "connected", 10, "stream"
        )
        return self

    async def join(self, meeting_id: int) -> AttendanceService:
        assert self.outbox is not None
        self.attendance = AttendanceService(self.session, self.events, self.outbox, meeting_id)
        await self.attendance.refresh()
        return self.attendance

    @property
    def user_id(self) -> int:
        assert self.session.user is not None
        return self.session.user.id

    async def close(self) -> None:
        if self.attendance is not None:
            await self.attendance.close()
        if self.events is not None:
            await self.events.close()
        if self.outbox is not None:
            await self.outbox.close()
        self.store.close()


@pytest.fixture
async def seats(make_session: SessionFactory, tmp_path: Path, server: ServerProcess) -> Any:
    made: list[Seat] = []

    async def make(username: str) -> Seat:
        made.append(Seat(make_session, tmp_path / username))
        return await made[-1].sign_in(server.url, username)

    yield make
    for seat in made:
        await seat.close()


async def running_meeting(chair: Seat, secretary: Seat, invitees: list[Seat]) -> int:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    created = await secretary.session.api.post_json(
        "/meetings",
        {
            "title": "Họp trực tuyến",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "chair_id": chair.user_id,
            "secretary_id": secretary.user_id,
            "invitee_ids": [s.user_id for s in invitees],
        },
    )
    assert isinstance(created, dict)
    return int(created["id"])


async def test_the_chair_sees_delegates_answer_come_and_join_live(seats: Any) -> None:
    chair, secretary = await seats("giamdoc"), await seats("chanhvp")
    delegate, guest = await seats("chuyenvien1"), await seats("khach")
    meeting_id = await running_meeting(chair, secretary, [delegate, guest])
    board = await chair.join(meeting_id)
    mine = await delegate.join(meeting_id)
    assert [e.role for e in board.entries] == ["chair", "secretary", "delegate", "guest"]
    changes = Recorder()
    board.changed.connect(changes)

    await mine.accept()
    await wait_until(lambda: _status(board, delegate) == "accepted", 10, "the answer")
    await mine.check_in()
    await mine.report_call(True)
    await wait_until(lambda: _entry(board, delegate).in_call, 10, "the call")
    seen = _entry(board, delegate)
    assert seen.checked_in_at is not None
    assert seen.joined_call_at is not None
    # The delegate's own list took the server's answers without waiting for the stream.
    assert _entry(mine, delegate) == seen
    assert len(changes.calls) >= 3

    # The secretary's PC records the guest absent; the chair sees why.
    books = await secretary.join(meeting_id)
    await books.mark_absent(guest.user_id, "Ốm")
    await wait_until(lambda: _entry(board, guest).absent_reason == "Ốm", 10, "the absence")


async def test_a_refused_action_leaves_the_list_and_a_resync_reloads_it(seats: Any) -> None:
    chair, secretary, delegate = (
        await seats("giamdoc"),
        await seats("chanhvp"),
        await seats("chuyenvien1"),
    )
    meeting_id = await running_meeting(chair, secretary, [delegate])
    mine = await delegate.join(meeting_id)
    assert delegate.outbox is not None
    failed = Recorder()
    delegate.outbox.failed.connect(failed)

    await mine.mark_absent(chair.user_id, "Vắng")  # only chair or secretary: 403
    assert len(failed.calls) == 1
    assert _entry(mine, chair).absent_reason is None

    # A list whose stream is not connected misses the event; a resync reloads it.
    idle = EventStream(delegate.session, delegate.store)
    deaf = AttendanceService(delegate.session, idle, delegate.outbox, meeting_id)
    try:
        await deaf.refresh()
        await chair.session.api.post_json(
            f"/meetings/{meeting_id}/attendance/absent",
            {"user_id": delegate.user_id, "reason": "Bận"},
        )
        await wait_until(lambda: _entry(mine, delegate).absent_reason == "Bận", 10, "the event")
        assert _entry(deaf, delegate).absent_reason is None
        idle.resync_needed.emit()
        await wait_until(lambda: _entry(deaf, delegate).absent_reason == "Bận", 10, "the reload")
    finally:
        await deaf.close()
        await idle.close()


def _entry(service: AttendanceService, seat: Seat) -> Any:
    entry = service.entry(seat.user_id)
    assert entry is not None
    return entry


def _status(service: AttendanceService, seat: Seat) -> str:
    entry = service.entry(seat.user_id)
    return entry.status if entry is not None else ""
