"""The notice "this paper was replaced by a new version", with a button that opens the new one.

Every meeting paper the user has open is in a reader tab (opened from the meeting detail, the
room's agenda or the reader window itself) or on a meeting room's paper stage; both show this
one notice when the session's `PaperPrefetcher.paper_replaced` (every `paper.replaced` the
user may read, whatever window is open) names the paper they show.
"""

from __future__ import annotations

import msgspec
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.domain import Paper
from desktop.meeting_room.papers import PaperReplaced


def new_version(paper: Paper | None, replaced: PaperReplaced) -> Paper:
    """The paper as it is now: its new file and version (a paper no longer known is rebuilt
    from the event)."""
    if paper is None:
        paper = Paper(id=replaced.paper_id, title=replaced.title, kind="main")
    return msgspec.structs.replace(paper, file=replaced.file, version=replaced.version)


class ReplacedNotice(QFrame):
    """Hidden until `offer`; "Open the new version" emits `open_requested` and hides it."""

    open_requested = Signal(object)  # PaperReplaced

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paperReplacedNotice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.replaced: PaperReplaced | None = None
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.open_button = QPushButton(self.tr("Open the new version"), self)
        self.open_button.clicked.connect(self._open)
        dismiss = QPushButton(self.tr("Close"), self)
        dismiss.clicked.connect(self.hide)
        bar = QHBoxLayout(self)
        bar.addWidget(self.text, 1)
        bar.addWidget(self.open_button)
        bar.addWidget(dismiss)
        self.hide()

    def offer(self, replaced: PaperReplaced) -> None:
        """Say that the paper shown was replaced, and offer its new version."""
        self.replaced = replaced
        self.text.setText(
            self.tr("“%1” was replaced by a new version (version %2).")
            .replace("%1", replaced.title)
            .replace("%2", str(replaced.version))
        )
        self.show()

    def _open(self) -> None:
        replaced, self.replaced = self.replaced, None
        self.hide()
        if replaced is not None:
            self.open_requested.emit(replaced)
