"""The floor in the call: the speaker's microphone, their big tile, and the mute rule.

When the chair gives the floor, the speaker takes the big tile for everyone (the call widget's
pin, which both the speaker and the grid layout honour) until the turn ends; the user's own pin
comes back then. With "delegates stay muted until given the floor" a held delegate's microphone
is off and the mute button disabled with a tooltip saying why.

Unmuting: nobody's microphone is switched on from afar (meeting products refuse that on privacy
grounds: the chair may mute, only the person unmutes). So it is the speaker's own client that
opens the microphone, and only when the mute rule had closed it; a microphone the user had
turned off themselves stays off. Either way the user is told "Bạn đã được mời phát biểu", with
whether the microphone is on. When the turn ends, the rule closes it again.

Peers of the call are matched to people by display name: the room relay and the Janus adapter
both announce the user's full name (server/rooms.py, desktop/call_service.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject

from ui.call.layout import SELF

if TYPE_CHECKING:
    from desktop.domain import Meeting
    from desktop.meeting_room.speak import SpeakService
    from desktop.notify import Notifier
    from ui.call.widget import CallWidget


def chair_ids(meeting: Meeting) -> frozenset[int]:
    """Who the mute rule never holds: the chair and the secretary."""
    return frozenset(p.id for p in (meeting.chair, meeting.secretary) if p is not None)


def held_text() -> str:
    """The mute button's tooltip while the rule holds the microphone."""
    return QCoreApplication.translate(
        "MeetingRoom", "Your microphone stays off until the chair gives you the floor"
    )


class FloorCall(QObject):
    """Applies the speak queue to one call widget (bound once the call is joined)."""

    def __init__(
        self,
        speak: SpeakService,
        chair_ids: frozenset[int],
        notifier: Notifier,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.speak = speak
        self.chair_ids = chair_ids
        self.notifier = notifier
        self.widget: CallWidget | None = None
        self.held = False  # the rule keeps my microphone off now
        self.muted_by_rule = False  # the rule (not I) turned it off
        self.floor_pin: str | None = None  # the tile the floor pinned
        self.user_pin: str | None = None  # the user's own pin, back after the turn
        self._speaking = False
        speak.changed.connect(self.apply)

    def bind(self, widget: CallWidget) -> None:
        """Drive this call widget (after joining; again after joining anew)."""
        self.widget = widget
        self.held, self.muted_by_rule, self.floor_pin = False, False, None
        widget.call.participant_joined.connect(lambda *_: self.apply())
        widget.destroyed.connect(self._unbind)
        self.apply()

    def _unbind(self) -> None:
        self.widget = None

    def apply(self) -> None:
        """Bring the microphone, the mute button and the big tile in line with the queue."""
        queue, widget = self.speak.queue, self.widget
        if queue is None:
            return
        me = self.speak.my_id
        speaker = queue.speaker.user if queue.speaker is not None else None
        speaking = speaker is not None and speaker.id == me
        if speaking and not self._speaking:
            self._given_floor()
        self._speaking = speaking
        if widget is None:
            return
        self._hold(not queue.may_speak(me, self.chair_ids))
        if speaker is None:
            self._pin(None)
        elif speaker.id == me:
            self._pin(SELF)
        else:
            names = widget.call.participants()
            self._pin(next((p for p, n in names.items() if n == speaker.full_name), None))

    def _given_floor(self) -> None:
        """My turn starts: open the microphone the rule had closed, and say so."""
        widget = self.widget
        opened = False
        if widget is not None and self.muted_by_rule:
            self.held = self.muted_by_rule = False
            widget.mute_held = ""
            widget.call.set_microphone(True)
            opened = True
        if opened:
            text = self.tr("You have been invited to speak. Your microphone is on.")
        else:
            text = self.tr("You have been invited to speak.")
        self.notifier.info(text)

    def _hold(self, held: bool) -> None:
        widget = self.widget
        assert widget is not None
        call = widget.call
        if held and not self.held and call.microphone_on:
            self.muted_by_rule = True
            widget.mute_held = held_text()
            call.set_microphone(False)
        elif held:
            widget.mute_held = held_text()
            widget.call.local_changed.emit()  # the button shows the hold
        elif self.held:
            widget.mute_held = ""
            if self.muted_by_rule:  # the chair lifted the rule: the microphone is as before
                call.set_microphone(True)
            else:
                call.local_changed.emit()
            self.muted_by_rule = False
        self.held = held

    def _pin(self, key: str | None) -> None:
        """Give the big tile to the floor's speaker (None: back to the user's own pin)."""
        widget = self.widget
        assert widget is not None
        area = widget.area
        if key == self.floor_pin:
            return
        if self.floor_pin is None:
            self.user_pin = area.pinned
        self.floor_pin = key
        area.pinned = key if key is not None else self.user_pin
        area.relayout()
        widget.refresh()
