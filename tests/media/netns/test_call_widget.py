"""The call widget driven by a real call: two engines through the server's room relay, the
widget showing one of them, in the app's qasync loop (Qt and asyncio in one thread)."""

from __future__ import annotations

import os
from pathlib import Path

import aiohttp
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from media.call import Call
from media.screen import ScreenCaptureTrack
from media.stats import Quality
from tests.fixtures.server import ServerProcess
from tests.media.netns.engines import relay_call, run_in_qt, until
from tests.server.conftest import api_for
from ui.call.layout import SELF, Layout
from ui.call.participants import Role
from ui.call.tile import VideoTile
from ui.call.widget import CallWidget


def _remote_tile(widget: CallWidget) -> VideoTile | None:
    return next((t for key, t in widget.area.tiles.items() if key != SELF), None)


def _only_peer(call: Call) -> str:
    (peer,) = call.participants()
    return peer


def test_the_call_widget_shows_a_live_call_and_its_controls_work(
    relay: ServerProcess, qapp: QApplication, tmp_path: Path
) -> None:
    bob_name = api_for(relay).login("chuyenvien2").user["full_name"]

    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            alice = relay_call(http, relay, "chuyenvien1", 61, screen=ScreenCaptureTrack)
            bob = relay_call(http, relay, "chuyenvien2", 62)
            widget = CallWidget(alice)
            widget.resize(960, 600)
            widget.show()
            widget.activateWindow()
            left: list[bool] = []
            widget.leave_requested.connect(lambda: left.append(True))
            try:
                assert widget.banner.isVisible()
                assert widget.banner.label.text()  # "connecting" before anything happened
                alice.join()
                bob.join()
                await until(lambda: widget.banner.isHidden(), "alice connected: banner gone")
                await until(lambda: _remote_tile(widget) is not None, "bob's tile")
                tile = _remote_tile(widget)
                assert tile is not None
                assert tile.name == bob_name
                await until(lambda: tile.frame is not None and tile.frame.width() == 640, "video")
                await until(lambda: tile.mic_on and tile.camera_on, "bob's badges: all on")

                # bob sends no audio and no video: alice's tile of bob says so, then recovers
                bob.set_microphone(False)
                bob.set_camera(False)
                await until(lambda: not tile.mic_on and not tile.camera_on, "muted badges")
                bob.set_microphone(True)
                bob.set_camera(True)
                await until(lambda: tile.mic_on and tile.camera_on, "badges cleared")

                # bob's tone makes him the active speaker: the big tile in the speaker layout
                await until(lambda: widget.area.speaker == tile.key, "bob is the speaker")
                assert tile.width() > 3 * widget.self_tile.width()
                await until(lambda: tile.speaking, "bob's tile lights up while he speaks")

                # the shortcut Ctrl+D mutes alice; bob then hears nothing from her
                QTest.keyClick(widget, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
                assert widget.mute.isChecked()
                assert not alice.microphone_on
                assert "Ctrl+D" in widget.mute.toolTip()
                await until(lambda: not bob.flags(_only_peer(bob)).audio, "alice muted at bob")

                # pinning ourselves beats the speaker; the grid makes every tile equal
                widget.toggle_pin(SELF)
                assert widget.self_tile.width() > 3 * tile.width()
                QTest.keyClick(widget, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
                assert widget.area.layout_mode is Layout.GRID
                assert widget.self_tile.size() == tile.size()

                # the statistics panel: one row for bob with real figures
                widget.show_stats.trigger()
                model = widget.stats.stats_model
                await until(
                    lambda: model.rowCount() == 1 and model.index(0, 4).data() == "640×360",
                    "bob's row in the statistics",
                )
                assert model.index(0, 0).data() == bob_name

                # the participant list (Ctrl+Shift+P): bob heard and seen, his link graded good,
                # and the same grade as bars on his tile
                QTest.keyClick(
                    widget,
                    Qt.Key.Key_P,
                    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
                )
                assert widget.people.isVisible()
                people = widget.people.participants_model
                row = people.index(0)
                assert people.rowCount() == 1
                assert row.data(Role.NAME) == bob_name
                await until(
                    lambda: row.data(Role.MUTED) is False and row.data(Role.CAMERA) is True,
                    "bob unmuted with his camera on in the list",
                )
                await until(lambda: row.data(Role.QUALITY) is Quality.GOOD, "bob's link: good")
                assert tile.quality is Quality.GOOD
                bob.set_microphone(False)
                await until(lambda: row.data(Role.MUTED) is True, "bob muted in the list")
                bob.set_microphone(True)

                # screen sharing: bob now receives the screen at its native size
                QTest.keyClick(
                    widget,
                    Qt.Key.Key_S,
                    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
                )
                assert alice.sharing_screen
                assert widget.share.isChecked()
                screen = qapp.primaryScreen().size()
                remote = bob.video(_only_peer(bob))
                assert remote is not None
                await until(
                    lambda: (
                        remote.last_frame is not None
                        and (remote.last_frame.width, remote.last_frame.height)
                        == (screen.width() & ~1, screen.height() & ~1)
                    ),
                    "the shared screen at bob",
                )
                widget.share.trigger()
                await until(
                    lambda: remote.last_frame is not None and remote.last_frame.width == 640,
                    "the camera again after sharing",
                )
                shots = os.environ.get("HOPDESK_SCREENSHOTS")
                if shots:
                    widget.grab().save(str(Path(shots) / "call-widget.png"))
                widget.buttons[widget.leave].click()
                assert left == [True]
            finally:
                widget.close()
                await bob.close()
                await alice.close()
            assert alice.task_count() == bob.task_count() == 0

    run_in_qt(qapp, scenario())
