"""The call of a meeting from the app's side: the meeting room window of the seeded online
meeting that is in progress joins its call by itself, shows the participants of the demo
(synthetic, in this process) as live tiles, and closes everything when it closes; in demo mode
the service brings those participants along itself."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from aiortc import RTCPeerConnection
from PySide6.QtWidgets import QApplication

from desktop.app import Core
from desktop.call_service import CallService
from desktop.demo_call import DemoParticipants, DemoParticipantsProcess
from desktop.domain import Meeting
from media.config import RoomBackend
from media.devices import read_stamp
from tests.fixtures.server import ServerProcess
from tests.media.netns.engines import run_in_qt, until
from tests.ui.conftest import memory_secrets
from tests.ui.test_shell import make_core
from ui.call.layout import SELF
from ui.call.stage import CallStage
from ui.meeting_room.window import MeetingRoomWindow

LIVE = "Giao ban trực tuyến với các phòng chuyên môn"  # seeded: in progress, on the room relay


async def _signed_in(relay: ServerProcess, tmp_path: Path) -> tuple[Core, Meeting]:
    core = make_core(tmp_path, memory_secrets(), relay.url)
    await core.session.sign_in(relay.url, "giamdoc", "hopdesk-demo", False)
    await core.start_session()
    await core.meetings.refresh()
    (summary,) = [m for m in core.meetings.meetings if m.title == LIVE]
    return core, await core.meetings.meeting(summary.id)


def test_the_room_window_joins_the_call_and_shows_the_others(
    relay: ServerProcess, qapp: QApplication, tmp_path: Path
) -> None:
    async def scenario() -> None:
        core, meeting = await _signed_in(relay, tmp_path)
        assert meeting.status == "in_progress"
        room = MeetingRoomWindow(core, meeting)
        room.show()
        others: DemoParticipants | None = None
        try:
            stage = room.stage.currentWidget()
            assert isinstance(stage, CallStage)
            await until(lambda: stage.widget is not None, "the call widget on the stage")
            widget = stage.widget
            assert widget is not None
            await until(lambda: widget.banner.isHidden(), "connected")
            # no devices in this namespace: the call goes on, watching and listening, and says so
            assert "watch and listen only" in stage.notes.text()
            assert not widget.mute.isEnabled()
            me = core.session.user
            assert me is not None
            await until(
                lambda: any(e.user.id == me.id and e.in_call for e in room.attendance.entries),
                "the attendance list has me in the call",
            )
            backend = stage.service.backend()
            assert isinstance(backend, RoomBackend)
            others = DemoParticipants(relay.url, backend, "giamdoc")
            await others.start()
            await until(lambda: len(widget.area.tiles) == 3, "two participants and the self view")
            tiles = [t for k, t in widget.area.tiles.items() if k != SELF]
            assert {t.name for t in tiles} == {"Trần Thị Mai", "Phạm Thị Lan"}  # seeded names
            await until(
                lambda: all(t.frame is not None and t.frame.width() == 480 for t in tiles),
                "both participants' video",
            )
            call = stage.service.call
            assert call is not None
            stamps = {
                read_stamp(v.last_frame).tag  # type: ignore[union-attr]
                for p in call.participants()
                if (v := call.video(p)) is not None and v.last_frame is not None
            }
            assert stamps == {900, 901}
        finally:
            if others is not None:
                await others.close()
            await room.aclose()
            room.close()
        assert stage.service.call is None  # the window closed the service: the call is over
        assert call.task_count() == 0
        await core.aclose()

    run_in_qt(qapp, scenario())


def _live_peer_connections() -> int:
    """The peer connections this process holds (closed ones may wait for the collector)."""
    gc.collect()
    return sum(
        1
        for o in gc.get_objects()
        if isinstance(o, RTCPeerConnection) and o.connectionState != "closed"
    )


def test_in_demo_mode_the_participants_come_from_a_child_process(
    relay: ServerProcess, qapp: QApplication, tmp_path: Path
) -> None:
    async def scenario() -> None:
        core, meeting = await _signed_in(relay, tmp_path)
        service = CallService(core.session, meeting, demo=True)
        try:
            call = await service.join()
            child = service.participants
            assert child is not None
            assert child.running
            await until(lambda: len(call.participants()) == 2, "the two synthetic participants")
            await until(
                lambda: all(
                    (v := call.video(p)) is not None and v.frames > 5 for p in call.participants()
                ),
                "their video",
            )
            # this process holds only the user's own call: one connection to each of the two;
            # before, the participants' six (and their encoders) ran here too, on the GUI thread
            assert _live_peer_connections() == 2
            assert call.camera_on  # demo: the synthetic camera stands in for the missing one
            assert call.self_view.frames > 0
            assert service.problems == ()  # none was chosen (this machine has none): no complaint
            proc = child.proc
            assert proc is not None
        finally:
            await service.leave()
            await service.leave()  # twice: nothing left to do
        assert proc.poll() is not None  # leaving the call ended the participants' process
        assert service.call is None
        assert service.participants is None
        await core.aclose()

    run_in_qt(qapp, scenario())


def test_the_participants_process_ends_with_the_app_or_the_server(
    relay: ServerProcess, qapp: QApplication
) -> None:
    async def scenario() -> None:
        room = "giao-ban-truc-tuyen"  # the seeded meeting in progress: the demo's call
        backend = RoomBackend(relay.url.replace("http", "ws", 1) + f"/api/v1/rooms/{room}", room)
        children = [DemoParticipantsProcess(relay.url, backend, "giamdoc") for _ in range(2)]
        try:
            for child in children:
                child.launch()
            procs = [c.proc for c in children]
            assert procs[0] is not None
            assert procs[0].stdin is not None
            await asyncio.sleep(4)  # both joined (or are joining) the room
            assert all(c.running for c in children)
            procs[0].stdin.close()  # what the OS does when the app ends, however it ends
            await until(lambda: not children[0].running, "the app is gone: the child ends")
            assert children[1].running
            relay.stop()  # the server is gone: the participants lose the relay and go
            await until(lambda: not children[1].running, "the server is gone: the child ends")
            # ended cleanly: no fatal error at shutdown from the thread that watches stdin
            assert [p.returncode for p in procs if p is not None] == [0, 0]
        finally:
            for child in children:
                await child.stop()

    run_in_qt(qapp, scenario())
