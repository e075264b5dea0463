"""One participant's tile: the latest decoded frame painted with `QVideoFrame.paint` (Qt
converts and scales while painting; nothing is decoded or scaled beforehand on the GUI thread),
the name, badges for a muted microphone, a camera that is off and a pin, and the connection's
quality as signal bars in the top corner (media/stats.py grades it).

Frames come from the participant's `QVideoSink` (media/video.py fills it from an executor); a
new frame only stores a reference and schedules a repaint, so a busy grid coalesces repaints.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtMultimedia import QVideoFrame, QVideoSink
from PySide6.QtWidgets import QMenu, QSizePolicy, QWidget

from media.stats import Quality

BACKGROUND = QColor(32, 33, 36)
SPEAKING = QColor(52, 168, 83)
BADGE = QColor(0, 0, 0, 160)
BARS = {Quality.GOOD: 3, Quality.FAIR: 2, Quality.POOR: 1}  # lit bars of three
BAR_COLOURS = {
    Quality.GOOD: QColor(52, 168, 83),
    Quality.FAIR: QColor(251, 188, 4),
    Quality.POOR: QColor(234, 67, 53),
}


def initials(name: str) -> str:
    """Up to two letters for a tile without video: first and last word (Vietnamese names put the
    given name last: "Nguyễn Văn An" → "NA")."""
    words = name.split()
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


class VideoTile(QWidget):
    """A participant's (or our own) video with name and badges; double-click or the context
    menu toggles the pin, and the tooltip says so (a pin nobody can find is no feature)."""

    pin_toggled = Signal(str)  # the tile's key

    def __init__(self, key: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.name = name
        self.mic_on = True
        self.camera_on = True
        self.speaking = False
        self.pinned = False
        self.quality = Quality.UNKNOWN
        self.frame: QVideoFrame | None = None
        self._sink: QVideoSink | None = None
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAccessibleName(name)
        self.pinnable = True  # false for a preview (the device test page): nothing to pin to
        self.menu: QMenu | None = None  # the context menu while it is open
        self._update_tooltip()

    def sizeHint(self) -> QSize:
        return QSize(320, 180)

    def set_sink(self, sink: QVideoSink | None) -> None:
        """Show the frames of `sink` (None: no video)."""
        if self._sink is sink:
            return
        if self._sink is not None:
            self._sink.videoFrameChanged.disconnect(self._on_frame)
        self._sink = sink
        self.frame = None
        if sink is not None:
            sink.videoFrameChanged.connect(self._on_frame)
        self.update()

    def set_state(self, *, mic_on: bool, camera_on: bool, speaking: bool, pinned: bool) -> None:
        """Badges and highlight; repaints only on a change."""
        state = (mic_on, camera_on, speaking, pinned)
        if state != (self.mic_on, self.camera_on, self.speaking, self.pinned):
            self.mic_on, self.camera_on, self.speaking, self.pinned = state
            self._update_tooltip()
            self.update()

    def set_quality(self, quality: Quality) -> None:
        """The connection's grade (repaints only on a change); unknown shows no bars."""
        if quality is not self.quality:
            self.quality = quality
            self._update_tooltip()
            self.update()

    def _pin_text(self) -> str:
        return self.tr("Unpin") if self.pinned else self.tr("Pin to the big tile")

    def _update_tooltip(self) -> None:
        lines = [self._quality_text()]
        if self.pinnable:
            lines.append(
                self.tr("Double-click or right-click to unpin")
                if self.pinned
                else self.tr("Double-click or right-click to pin to the big tile")
            )
        self.setToolTip("\n".join(line for line in lines if line))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._update_tooltip()
        super().changeEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if not self.pinnable:
            return
        self.menu = QMenu(self)
        self.menu.addAction(self._pin_text(), lambda: self.pin_toggled.emit(self.key))
        self.menu.popup(event.globalPos())
        event.accept()

    def _quality_text(self) -> str:
        return {
            Quality.GOOD: self.tr("Good connection"),
            Quality.FAIR: self.tr("Fair connection"),
            Quality.POOR: self.tr("Poor connection"),
            Quality.UNKNOWN: "",
        }[self.quality]

    def _on_frame(self, frame: QVideoFrame) -> None:
        self.frame = frame
        if self.camera_on:
            self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.pinnable:
            self.pin_toggled.emit(self.key)
        event.accept()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect())
        painter.fillRect(area, BACKGROUND)
        frame = self.frame
        if self.camera_on and frame is not None and frame.isValid():
            size = QSize(frame.width(), frame.height())
            fitted = size.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRectF(
                (self.width() - fitted.width()) / 2,
                (self.height() - fitted.height()) / 2,
                fitted.width(),
                fitted.height(),
            )
            frame.paint(painter, target, QVideoFrame.PaintOptions())
        else:
            self._paint_initials(painter, area)
        self._paint_labels(painter, area)
        self._paint_quality(painter, area)
        if self.speaking:
            painter.setPen(QPen(SPEAKING, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(area.adjusted(1.5, 1.5, -1.5, -1.5))
        painter.end()

    def _paint_quality(self, painter: QPainter, area: QRectF) -> None:
        lit = BARS.get(self.quality, 0)
        if not lit:
            return
        unit = max(3.0, min(6.0, area.height() / 40))
        right, bottom = area.right() - 2 * unit, area.top() + 5 * unit
        box = QRectF(right - 5 * unit - unit, area.top() + unit, 7 * unit, 5 * unit)
        path = QPainterPath()
        path.addRoundedRect(box, 3, 3)
        painter.fillPath(path, BADGE)
        painter.setPen(Qt.PenStyle.NoPen)
        for bar in range(3):
            height = unit * (bar + 1)
            rect = QRectF(right - (2 - bar) * 2 * unit - unit, bottom - height, unit, height)
            painter.setBrush(BAR_COLOURS[self.quality] if bar < lit else QColor(255, 255, 255, 70))
            painter.drawRect(rect)

    def _paint_initials(self, painter: QPainter, area: QRectF) -> None:
        radius = min(area.width(), area.height()) * 0.22
        centre = area.center()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(95, 99, 104))
        painter.drawEllipse(centre, radius, radius)
        font = QFont(self.font())
        font.setPixelSize(max(8, int(radius * 0.8)))
        painter.setFont(font)
        painter.setPen(Qt.GlobalColor.white)
        box = QRectF(centre - QPointF(radius, radius), centre + QPointF(radius, radius))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, initials(self.name))

    def _badges(self) -> list[str]:
        badges = []
        if self.pinned:
            badges.append(self.tr("Pinned"))
        if not self.mic_on:
            badges.append(self.tr("Mic off"))
        if not self.camera_on:
            badges.append(self.tr("Camera off"))
        return badges

    def _paint_labels(self, painter: QPainter, area: QRectF) -> None:
        font = QFont(self.font())
        font.setPixelSize(max(9, min(14, int(area.height() / 12))))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        pad, height = 6, metrics.height() + 4
        x, y = area.left() + pad, area.bottom() - pad - height
        for text in [self.name, *self._badges()]:
            if not text:
                continue
            width = metrics.horizontalAdvance(text) + 12
            if x + width > area.right() - pad:
                text = metrics.elidedText(
                    text, Qt.TextElideMode.ElideRight, int(area.right() - x - pad - 12)
                )
                width = metrics.horizontalAdvance(text) + 12
            path = QPainterPath()
            path.addRoundedRect(QRectF(x, y, width, height), 4, 4)
            painter.fillPath(path, BADGE)
            painter.setPen(Qt.GlobalColor.white)
            painter.drawText(QRectF(x, y, width, height), Qt.AlignmentFlag.AlignCenter, text)
            x += width + 4
            if x >= area.right() - pad:
                break
