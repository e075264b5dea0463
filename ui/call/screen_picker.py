"""The screen sharing picker: which screen, or which window, the others will see.

Opened by the call's "Share screen" when there is more than one thing to share (one screen and
no window: it shares that at once). Listed by `media.screen.list_sources`: every screen, this
app's own windows (a paper in the reader) and, where the platform tells, the other programs'."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from media.screen import ScreenSource


class ScreenPicker(QDialog):
    """A list of screens and windows; `chosen()` once accepted."""

    def __init__(self, sources: list[ScreenSource], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sources = sources
        self.setWindowTitle(self.tr("Share screen"))
        self.label = QLabel(self.tr("Choose what the others will see:"), self)
        self.list = QListWidget(self)
        screens = 0
        for source in sources:
            if source.kind == "screen":
                screens += 1
                text = self.tr("Screen {number}: {name} ({width}×{height})").format(
                    number=screens, name=source.name, width=source.width, height=source.height
                )
            else:
                text = self.tr("Window: {title}").format(title=source.name)
            QListWidgetItem(text, self.list)
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(self)
        share = buttons.addButton(self.tr("Share"), QDialogButtonBox.ButtonRole.AcceptRole)
        share.setDefault(True)
        buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(480, 320)

    def chosen(self) -> ScreenSource | None:
        """The source picked (the current row), or None when nothing is."""
        row = self.list.currentRow()
        return self.sources[row] if 0 <= row < len(self.sources) else None
