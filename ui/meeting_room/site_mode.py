"""Site mode (chế độ điểm cầu): the room PC of a bridge point on the hall's LED screen.

Full screen, nothing but the stage: the call (whose big tile is the speaker's while someone has
the floor, ui/meeting_room/floor_call.py) and the page being presented, side by side. No header,
no side panels, no status bar. Esc leaves. A user whose meeting role is "site" enters it as the
room opens; anyone can enter it from the window's header.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut

if TYPE_CHECKING:
    from ui.meeting_room.window import MeetingRoomWindow


class SiteMode(QObject):
    """Enters and leaves site mode on one room window; `active` while in it."""

    def __init__(self, window: MeetingRoomWindow) -> None:
        super().__init__(window)
        self.window = window
        self.active = False
        self._was_maximized = False
        self._sizes: list[int] = []
        self.leave_key = QShortcut(QKeySequence(Qt.Key.Key_Escape), window)
        self.leave_key.setContext(Qt.ShortcutContext.WindowShortcut)
        self.leave_key.setEnabled(False)
        self.leave_key.activated.connect(self.leave)

    def enter(self) -> None:
        """Full screen: the speaker's video and the current page, nothing else."""
        if self.active:
            return
        window = self.window
        self.active = True
        self._was_maximized = window.isMaximized()
        self._sizes = window.stages.sizes()
        paper = window.show_paper_stage()  # "no paper yet" until one is presented
        for widget in (window.header, window.panels, window.statusBar()):
            widget.hide()
        window.stage.show()
        paper.show()
        paper.set_bare(True)
        half = max(1, window.stages.width() // 2)
        window.stages.setSizes([half, half])
        self.leave_key.setEnabled(True)
        window.showFullScreen()

    def leave(self) -> None:
        """Back to the room window as it was."""
        if not self.active:
            return
        window = self.window
        self.active = False
        self.leave_key.setEnabled(False)
        for widget in (window.header, window.panels, window.statusBar()):
            widget.show()
        if window.paper_stage is not None:
            window.paper_stage.set_bare(False)
        if window.stage.currentWidget() is window.placeholder and window.paper_stage:
            window.stage.hide()  # no call: the paper alone, as before
        if self._sizes:
            window.stages.setSizes(self._sizes)
        if self._was_maximized:
            window.showMaximized()
        else:
            window.showNormal()
