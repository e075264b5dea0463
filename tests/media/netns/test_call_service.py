"""The call of a meeting from the app's side: the meeting room window of the seeded online
meeting that is in progress joins its call by itself, shows the participants of the demo
(synthetic, in this process) as live tiles, and closes everything when it closes; in demo mode
the service brings those participants along itself."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop.app import Core
from desktop.call_service import CallService
from desktop.demo_call import DemoParticipants
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


def test_in_demo_mode_the_service_brings_synthetic_participants(
    relay: ServerProcess, qapp: QApplication, tmp_path: Path
) -> None:
    async def scenario() -> None:
        core, meeting = await _signed_in(relay, tmp_path)
        service = CallService(core.session, meeting, demo=True)
        try:
            call = await service.join()
            assert service.participants is not None
            assert len(service.participants.calls) == 2
            await until(lambda: len(call.participants()) == 2, "the two synthetic participants")
            await until(
                lambda: all(
                    (v := call.video(p)) is not None and v.frames > 5 for p in call.participants()
                ),
                "their video",
            )
            assert call.camera_on  # demo: the synthetic camera stands in for the missing one
            assert call.self_view.frames > 0
            assert service.problems == ()  # none was chosen (this machine has none): no complaint
        finally:
            await service.leave()
            await service.leave()  # twice: nothing left to do
        assert service.call is None
        assert service.participants is None
        await core.aclose()

    run_in_qt(qapp, scenario())
