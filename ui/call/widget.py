"""The call widget: video tiles in a speaker or grid layout, a banner for the call's state, the
toolbar (microphone, camera, screen, layout, statistics, leave) with keyboard shortcuts, and the
statistics panel. It binds to a `media.call.Call`; leaving is asked of its owner
(`leave_requested`), which closes the call (desktop/call_service.py).

What changes all the time (who speaks, who is muted) is polled from the call four times a second
rather than signalled per audio frame: cheap, and it bounds the repaints a noisy room causes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QKeyCombination, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from media.call import Call
from media.screen import QtScreenGrabber, ScreenCaptureTrack, ScreenSource, list_sources
from media.state import CallState
from ui.call.flow import FlowLayout
from ui.call.layout import SELF, Layout, arrange, pages
from ui.call.participants import ParticipantsPanel
from ui.call.screen_picker import ScreenPicker
from ui.call.stats_panel import StatsPanel
from ui.call.tile import VideoTile
from ui.tasks import TaskOwner

POLL_MS = 250
STATS_MS = 2000  # statistics while the panel shows them
QUALITY_MS = 5000  # otherwise, for the quality indicators only (getStats per connection)

Key = Qt.Key
Mod = Qt.KeyboardModifier


class CallBanner(QFrame):
    """The call's state when it is not simply connected, with a countdown while reconnecting
    and a retry button when it failed."""

    retry = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callBanner")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.button = QPushButton(self)
        self.button.clicked.connect(self.retry)
        row = QHBoxLayout(self)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self._state = CallState.IDLE
        self._reason = ""
        self._deadline: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self._tick)
        self.retranslate()

    def show_state(self, state: CallState, reason: str) -> None:
        """Show (or hide, when connected) the banner for `state`."""
        self._state, self._reason = state, reason
        if state is not CallState.RECONNECTING:
            self._deadline = None
            self._timer.stop()
        self.setVisible(state is not CallState.CONNECTED)
        self.retranslate()

    def count_down(self, seconds: float) -> None:
        """The next attempt to rejoin is `seconds` away."""
        self._deadline = time.monotonic() + seconds
        self._timer.start()
        self.retranslate()

    def seconds_left(self) -> int | None:
        """Whole seconds until the next attempt, while one is scheduled."""
        if self._deadline is None:
            return None
        return max(0, math.ceil(self._deadline - time.monotonic()))

    def _tick(self) -> None:
        if (self.seconds_left() or 0) <= 0:
            self._timer.stop()
        self.retranslate()

    def retranslate(self) -> None:
        """Texts for the current state in the current language."""
        self.button.setText(self.tr("Try again"))
        self.button.setVisible(self._state is CallState.FAILED)
        state, left = self._state, self.seconds_left()
        if state is CallState.CONNECTING or state is CallState.IDLE:
            text = self.tr("Connecting to the meeting…")
        elif state is CallState.RECONNECTING and left:
            text = self.tr("Connection lost. Reconnecting in {seconds} s…").format(seconds=left)
        elif state is CallState.RECONNECTING:
            text = self.tr("Connection lost. Reconnecting…")
        elif state is CallState.FAILED:
            text = self.tr("Could not join the meeting. {reason}").format(reason=self._reason)
        elif state is CallState.ENDED:
            text = self.tr("You left the meeting.")
        else:
            text = ""
        self.label.setText(text.strip())


class VideoArea(QWidget):
    """Holds the tiles and places them by `ui.call.layout.arrange` on every change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles: dict[str, VideoTile] = {}
        self.layout_mode = Layout.SPEAKER
        self.pinned: str | None = None
        # the pinned participant's name while their tile is gone: a rejoin after a dropped link
        # brings everyone back under new peer ids (media/call.py), and the pin follows the name
        self.pinned_name = ""
        self.speaker: str | None = None
        self.page = 0  # of the grid, when more than a page of tiles
        # told after every layout which participants are on screen, with their tile heights
        # (the call then pauses the video of the others: media/call.py `show_video`)
        self.on_screen: Callable[[dict[str, int]], None] | None = None
        self.setMinimumSize(320, 180)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), Qt.GlobalColor.black)
        self.setPalette(palette)

    def add(self, tile: VideoTile) -> None:
        """A new tile (keyed by peer id, `SELF` for ours)."""
        tile.setParent(self)
        self.tiles[tile.key] = tile
        if self.pinned is None and self.pinned_name and tile.name == self.pinned_name:
            self.pin(tile.key)
        self.relayout()

    def pin(self, key: str | None) -> None:
        """Pin a tile (None: nobody); what the user pins replaces a pin waiting for a name."""
        self.pinned = key
        self.pinned_name = ""

    def remove(self, key: str) -> None:
        """Drop a tile; a pin on it goes too."""
        tile = self.tiles.pop(key, None)
        if tile is not None:
            tile.deleteLater()
        if self.pinned == key:
            self.pinned = None
            self.pinned_name = tile.name if tile is not None and key != SELF else ""
        self.relayout()

    def relayout(self) -> None:
        """Place every tile; tiles the layout leaves out are hidden."""
        peers = [key for key in self.tiles if key != SELF]
        placed = arrange(
            peers,
            self.layout_mode,
            self.width(),
            self.height(),
            pinned=self.pinned,
            speaker=self.speaker,
            page=self.page,
            self_view=SELF in self.tiles,
        )
        for key, tile in self.tiles.items():
            rect = placed.get(key)
            if rect is None:
                tile.hide()
            else:
                tile.setGeometry(rect.x, rect.y, rect.w, rect.h)
                tile.show()
        if self.on_screen is not None:  # in device pixels: a HiDPI screen shows more lines
            ratio = self.devicePixelRatioF()
            self.on_screen({k: round(r.h * ratio) for k, r in placed.items() if k != SELF})

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.relayout()


def _shortcut(key: Key, *mods: Mod) -> QKeySequence:
    combo = QKeyCombination(Mod.NoModifier, key)
    for mod in mods:
        combo = QKeyCombination(combo.keyboardModifiers() | mod, key)
    return QKeySequence(combo)


class CallWidget(QWidget):
    """Everything a participant sees of a call; `leave_requested` when they hang up."""

    leave_requested = Signal()

    def __init__(self, call: Call, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.call = call
        self.tasks = TaskOwner(self)
        self.banner = CallBanner(self)
        self.banner.retry.connect(call.join)
        self.area = VideoArea(self)
        self.area.on_screen = call.show_video
        self.stats = StatsPanel(self)
        self.stats.hide()
        self.people = ParticipantsPanel(call.roster, self)
        self.people.hide()
        self.mute_held = ""  # why the microphone may not be switched now (the meeting's floor)
        self.picker: ScreenPicker | None = None  # open while the user picks what to share

        self.mute = self._action(_shortcut(Key.Key_D, Mod.ControlModifier), checkable=True)
        self.camera = self._action(_shortcut(Key.Key_E, Mod.ControlModifier), checkable=True)
        self.share = self._action(
            _shortcut(Key.Key_S, Mod.ControlModifier, Mod.ShiftModifier), checkable=True
        )
        self.grid = self._action(_shortcut(Key.Key_G, Mod.ControlModifier), checkable=True)
        self.show_stats = self._action(_shortcut(Key.Key_I, Mod.ControlModifier), checkable=True)
        self.show_people = self._action(
            _shortcut(Key.Key_P, Mod.ControlModifier, Mod.ShiftModifier), checkable=True
        )
        self.leave = self._action(_shortcut(Key.Key_H, Mod.ControlModifier, Mod.ShiftModifier))
        self.full_screen = self._action(QKeySequence(Key.Key_F11), checkable=True)
        # Esc leaves full screen, as everywhere else; enabled only then, so it takes Esc from
        # nobody the rest of the time
        self.exit_full_screen = self._action(QKeySequence(Key.Key_Escape))
        self.exit_full_screen.setEnabled(False)
        self.exit_full_screen.triggered.connect(lambda: self.full_screen.setChecked(False))
        self._watched: QWidget | None = None  # the window whose full screen state we follow
        self.next_page = self._action(_shortcut(Key.Key_PageDown, Mod.ControlModifier))
        self.full_screen.toggled.connect(self._full_screen)
        self.next_page.triggered.connect(self.turn_page)
        self.mute.toggled.connect(lambda muted: call.set_microphone(not muted))
        self.camera.toggled.connect(lambda off: call.set_camera(not off))
        self.share.toggled.connect(self._share)
        self.grid.toggled.connect(self._set_grid)
        self.show_stats.toggled.connect(self._toggle_stats)
        self.show_people.toggled.connect(self.people.setVisible)
        self.leave.triggered.connect(self.leave_requested)
        self.share.setEnabled(call.can_share_screen)

        bar = FlowLayout()
        bar.setContentsMargins(4, 4, 4, 4)
        self.buttons: dict[QAction, QToolButton] = {}
        for action in (
            self.mute,
            self.camera,
            self.share,
            self.grid,
            self.next_page,
            self.show_people,
            self.show_stats,
            self.full_screen,
            self.leave,
        ):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            bar.addWidget(button)
            self.buttons[action] = button
        self.buttons[self.leave].setObjectName("leaveButton")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.banner)
        middle = QHBoxLayout()
        middle.addWidget(self.area, 1)
        middle.addWidget(self.people)
        column.addLayout(middle, 1)
        column.addWidget(self.stats)
        column.addLayout(bar)

        self.self_tile = VideoTile(SELF, "", self)
        self.self_tile.set_sink(call.self_view.sink)
        self.self_tile.pin_toggled.connect(self.toggle_pin)
        self.area.add(self.self_tile)
        for row in range(len(call.roster)):
            self._add_tile(call.roster[row].peer, call.roster[row].display)
        call.participant_joined.connect(self._add_tile)
        call.participant_left.connect(self._remove_tile)
        call.video_added.connect(self._video_added)
        call.state_changed.connect(self._state_changed)
        call.retry_scheduled.connect(self.banner.count_down)
        call.local_changed.connect(self._sync_actions)

        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.refresh)
        self._poll.start()
        self._stats_timer = QTimer(self)
        self._stats_timer.setInterval(QUALITY_MS)
        self._stats_timer.timeout.connect(self._sample_stats)
        self._stats_timer.start()
        self.banner.show_state(call.status.state, call.status.reason)
        self._show_pages()
        self.retranslate()
        self._sync_actions()

    def _action(self, shortcut: QKeySequence, *, checkable: bool = False) -> QAction:
        action = QAction(self)
        action.setShortcut(shortcut)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(checkable)
        self.addAction(action)
        return action

    # --- binding to the call ----------------------------------------------------------------

    def _show_pages(self) -> None:
        """The page button only in the grid, and only with more than one page."""
        many = pages(len(self.area.tiles)) > 1
        grid = self.area.layout_mode is Layout.GRID
        self.buttons[self.next_page].setVisible(many and grid)
        self.next_page.setEnabled(many and grid)
        if not many:
            self.area.page = 0

    def _add_tile(self, peer: str, display: str) -> None:
        if peer in self.area.tiles:
            return
        tile = VideoTile(peer, display or self.tr("Participant"))
        tile.pin_toggled.connect(self.toggle_pin)
        video = self.call.video(peer)
        if video is not None:
            tile.set_sink(video.sink)
        self.area.add(tile)
        self._show_pages()
        self.retranslate()

    def _remove_tile(self, peer: str) -> None:
        self.area.remove(peer)
        self._show_pages()
        self.retranslate()

    def _video_added(self, peer: str) -> None:
        tile, video = self.area.tiles.get(peer), self.call.video(peer)
        if tile is not None and video is not None:
            tile.set_sink(video.sink)

    def _state_changed(self, state: str, reason: str) -> None:
        self.banner.show_state(CallState(state), reason)

    def refresh(self) -> None:
        """Badges, highlights and the big tile from the call's current flags and speaker."""
        call = self.call
        call.refresh_roster()  # the participant list's muted, camera and talking columns
        speaker = call.active_speaker()
        for key, tile in self.area.tiles.items():
            if key == SELF:
                tile.set_state(
                    mic_on=call.microphone_on,
                    camera_on=call.camera_on or call.sharing_screen,
                    speaking=False,
                    pinned=self.area.pinned == key,
                )
                continue
            flags = call.flags(key)
            tile.set_state(
                mic_on=flags.audio,
                camera_on=flags.video,
                speaking=call.speaking(key),
                pinned=self.area.pinned == key,
            )
        if speaker != self.area.speaker:
            self.area.speaker = speaker
            self.area.relayout()

    def toggle_pin(self, key: str) -> None:
        """Pin a tile to the big place (or to the grid's first), or unpin it."""
        self.area.pin(None if self.area.pinned == key else key)
        self.area.relayout()
        self.refresh()

    def set_layout(self, layout: Layout) -> None:
        """Speaker or grid layout."""
        self.grid.setChecked(layout is Layout.GRID)

    def _set_grid(self, grid: bool) -> None:
        self.area.layout_mode = Layout.GRID if grid else Layout.SPEAKER
        self.area.relayout()
        self._show_pages()
        self.retranslate()

    def turn_page(self) -> None:
        """The grid's next page of tiles (back to the first after the last)."""
        count = pages(len(self.area.tiles))
        self.area.page = (self.area.page + 1) % count
        self.area.relayout()
        self.retranslate()

    def _full_screen(self, on: bool) -> None:
        window = self.window()
        if on:
            window.showFullScreen()
        else:
            window.showNormal()
        self._follow_window()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._follow_window()

    def _follow_window(self) -> None:
        """Keep the full screen button true to the window, whoever changed it (the window
        manager, another part of the meeting room)."""
        window = self.window()
        if window is not self._watched:
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            window.installEventFilter(self)
            self._watched = window
        self._window_state_changed()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._watched and event.type() == QEvent.Type.WindowStateChange:
            self._window_state_changed()
        return super().eventFilter(watched, event)

    def _window_state_changed(self) -> None:
        full = self.window().isFullScreen()
        self.exit_full_screen.setEnabled(full)
        if self.full_screen.isChecked() != full:
            self.full_screen.blockSignals(True)
            self.full_screen.setChecked(full)
            self.full_screen.blockSignals(False)
        self.retranslate()

    def _share(self, on: bool) -> None:
        """Off: the camera again. On: the one screen at once, else what the user picks."""
        if not on or not self.call.can_share_screen:
            if not self.call.share_screen(on):
                self.share.setChecked(False)
            return
        sources = list_sources(exclude=(int(self.window().winId()),))
        if len(sources) <= 1:
            self.share_source(sources[0] if sources else None)
            return
        self.share.blockSignals(True)
        self.share.setChecked(False)  # not sharing until something is picked
        self.share.blockSignals(False)
        if self.picker is not None:
            self.picker.deleteLater()  # the previous choice's (no WA_DeleteOnClose: it crashed)
        self.picker = ScreenPicker(sources, self)
        self.picker.accepted.connect(self._picked)
        self.picker.open()

    def _picked(self) -> None:
        if self.picker is not None:
            self.share_source(self.picker.chosen())

    def share_source(self, source: ScreenSource | None) -> None:
        """Share `source` (a screen or a window; None: the primary screen)."""
        track = ScreenCaptureTrack(QtScreenGrabber(source))
        if not self.call.share_screen(True, track):
            track.stop()
        self._sync_actions()

    def _sync_actions(self) -> None:
        self.mute.setEnabled(self.call.has_microphone and not self.mute_held)
        self.camera.setEnabled(self.call.has_camera)
        for action, checked in (
            (self.mute, not self.call.microphone_on),
            (self.camera, not self.call.camera_on and not self.call.sharing_screen),
            (self.share, self.call.sharing_screen),
        ):
            action.blockSignals(True)
            action.setChecked(checked)
            action.blockSignals(False)
        self.retranslate()
        self.refresh()

    def _toggle_stats(self, shown: bool) -> None:
        self.stats.setVisible(shown)
        self._stats_timer.setInterval(STATS_MS if shown else QUALITY_MS)
        if shown:
            self._sample_stats()

    def _sample_stats(self) -> None:
        """A statistics sample while connected (nothing to measure otherwise, and after the
        call ended the widget may outlive the loop that ran it)."""
        if not self.tasks.busy and self.call.status.state is CallState.CONNECTED:
            self.tasks.run(self._load_stats())

    async def _load_stats(self) -> None:
        figures = await self.call.stats()  # grades each participant's quality in the roster
        roster = self.call.roster
        for row in range(len(roster)):
            tile = self.area.tiles.get(roster[row].peer)
            if tile is not None:
                tile.set_quality(roster[row].quality)
        if self.stats.isVisible():
            names = self.call.participants()
            self.stats.stats_model.set_rows(
                [(names.get(peer, peer), stats) for peer, stats in figures.items()]
            )

    # --- texts ---------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Every text in the current language; tooltips name the shortcut."""
        muted = self.mute.isChecked()
        texts = {
            self.mute: (
                self.tr("Unmute") if muted else self.tr("Mute"),
                self.tr("Turn the microphone on ({key})")
                if muted
                else self.tr("Turn the microphone off ({key})"),
            ),
            self.camera: (
                self.tr("Start video") if self.camera.isChecked() else self.tr("Stop video"),
                self.tr("Turn the camera on or off ({key})"),
            ),
            self.share: (
                self.tr("Stop sharing") if self.share.isChecked() else self.tr("Share screen"),
                self.tr("Show your screen to the others ({key})")
                if self.call.can_share_screen
                else self.tr("Screen sharing is not available on this computer"),
            ),
            self.grid: (
                self.tr("Speaker view") if self.grid.isChecked() else self.tr("Grid view"),
                self.tr("Switch between the speaker and the grid layout ({key})"),
            ),
            self.show_people: (
                self.tr("Participants"),
                self.tr("Show who is in the call, muted or speaking, and their connection ({key})"),
            ),
            self.show_stats: (
                self.tr("Statistics"),
                self.tr("Show bitrate, frame rate and loss per participant ({key})"),
            ),
            self.leave: (self.tr("Leave"), self.tr("Leave the meeting ({key})")),
            self.full_screen: (
                self.tr("Exit full screen")
                if self.full_screen.isChecked()
                else self.tr("Full screen"),
                self.tr("Back to the window ({key} or Esc)")
                if self.full_screen.isChecked()
                else self.tr("Fill the screen ({key})"),
            ),
            self.next_page: (
                self.tr("Page {page}/{pages}").format(
                    page=self.area.page + 1, pages=pages(len(self.area.tiles))
                ),
                self.tr("The next page of participants ({key})"),
            ),
        }
        if not self.call.has_microphone:
            texts[self.mute] = (self.tr("Mute"), self.tr("No microphone"))
        if self.mute_held:
            texts[self.mute] = (texts[self.mute][0], self.mute_held)
        if not self.call.has_camera:
            texts[self.camera] = (self.tr("Start video"), self.tr("No camera"))
        for action, (text, tip) in texts.items():
            key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setText(text)
            action.setToolTip(tip.format(key=key))
        self.self_tile.name = self.tr("You")
        self.self_tile.update()
        self.banner.retranslate()
