"""The floor in the call, on the real core, the real speak service and the real server (the
call is a media.call.Call without a network: its microphone switch, roster and widget are
real). The chair keeps delegates muted until the floor: a delegate's microphone goes off and
its button is disabled with the reason; given the floor, the microphone comes back on, the
delegate is told, and the speaker takes the big tile on both sides; the turn ends: muted again,
the chair's own pin comes back. A microphone the delegate turned off themselves stays off."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel
from pytestqt.qtbot import QtBot

from desktop.notify import Notice
from media.call import Call
from media.devices import ToneTrack
from tests.server.room_helpers import CHAIR, Room
from tests.ui.conftest import until
from tests.ui.meeting_room.test_floor_panels import enter, panel, press, room  # noqa: F401
from ui.call.layout import SELF
from ui.call.widget import CallWidget
from ui.meeting_room.floor_call import held_text
from ui.meeting_room.speak_panel import SpeakPanel
from ui.meeting_room.window import MeetingRoomWindow

pytestmark = pytest.mark.timeout(180)


def joined(window: MeetingRoomWindow, qtbot: QtBot) -> CallWidget:
    """The window's call joined (a Call without signaling: no media, same widget and floor)."""
    call = Call(lambda: None, audio=ToneTrack())  # type: ignore[arg-type, return-value]
    widget = CallWidget(call)
    qtbot.addWidget(widget)
    widget.show()
    window.floor_call.bind(widget)
    return widget


def give_floor(aio: Any, qtbot: QtBot, chair: SpeakPanel) -> None:
    chair.view.selectionModel().select(
        chair.model.index(0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    press(aio, qtbot, chair.grant_button)


def test_muted_until_the_floor_then_unmuted_and_on_the_big_tile(
    aio: Any,
    qtbot: QtBot,
    enter: Any,  # noqa: F811
    room: Room,  # noqa: F811
) -> None:
    chair_room, delegate_room = enter(CHAIR), enter("chuyenvien1")
    chair, delegate = panel(chair_room, SpeakPanel), panel(delegate_room, SpeakPanel)
    chair_call, delegate_call = joined(chair_room, qtbot), joined(delegate_room, qtbot)
    name = room.as_user["chuyenvien1"].user["full_name"]
    chair_call.call._add_peer("p-chuyenvien1", name)  # the relay announcing the delegate
    chair_call.toggle_pin(SELF)  # the chair's own choice, back after the turn
    notices: list[Notice] = []
    delegate_room.core.notifier.posted.connect(notices.append)
    aio(until(lambda: delegate.service.queue is not None and chair.service.queue is not None))
    assert delegate_call.call.microphone_on

    press(aio, qtbot, chair.muted)
    aio(until(lambda: not delegate_call.call.microphone_on))
    assert not delegate_call.mute.isEnabled()
    assert delegate_call.mute.toolTip() == held_text()
    assert chair_call.call.microphone_on  # the chair is never held
    assert chair_call.mute.isEnabled()

    press(aio, qtbot, delegate.ask_button)
    aio(until(lambda: chair.model.rowCount() == 1))
    give_floor(aio, qtbot, chair)
    aio(until(lambda: delegate_call.call.microphone_on))
    assert delegate_call.mute.isEnabled()
    assert delegate_call.mute.toolTip() != held_text()
    assert [n.text for n in notices] == [
        delegate_room.floor_call.tr("You have been invited to speak. Your microphone is on.")
    ]
    assert delegate_call.area.pinned == SELF  # the speaker is big on their own screen
    aio(until(lambda: chair_call.area.pinned == "p-chuyenvien1"))  # and on the chair's

    press(aio, qtbot, chair.end_button)
    aio(until(lambda: not delegate_call.call.microphone_on))
    assert not delegate_call.mute.isEnabled()
    aio(until(lambda: chair_call.area.pinned == SELF))  # the chair's own pin again


def test_a_microphone_turned_off_by_its_owner_stays_off_with_the_floor(
    aio: Any,
    qtbot: QtBot,
    enter: Any,  # noqa: F811
    room: Room,  # noqa: F811
) -> None:
    chair_room, delegate_room = enter(CHAIR), enter("chuyenvien1")
    chair, delegate = panel(chair_room, SpeakPanel), panel(delegate_room, SpeakPanel)
    delegate_call = joined(delegate_room, qtbot)
    notices: list[Notice] = []
    delegate_room.core.notifier.posted.connect(notices.append)
    aio(until(lambda: delegate.service.queue is not None and chair.service.queue is not None))
    delegate_call.mute.trigger()  # the delegate mutes themselves
    assert not delegate_call.call.microphone_on
    press(aio, qtbot, chair.muted)
    aio(until(lambda: not delegate_call.mute.isEnabled()))
    press(aio, qtbot, delegate.ask_button)
    aio(until(lambda: chair.model.rowCount() == 1))
    give_floor(aio, qtbot, chair)
    aio(until(lambda: delegate_call.mute.isEnabled()))
    assert not delegate_call.call.microphone_on  # never opened against their own mute
    assert [n.text for n in notices] == [
        delegate_room.floor_call.tr("You have been invited to speak.")
    ]
