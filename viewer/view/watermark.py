"""The confidential watermark: the viewer's name and the time, drawn over pages on screen and in
print, never written into the file.

One painting function serves the page-view overlay and the print path, so what is printed is
what was shown. Sizes are relative to the page box, so the mark looks the same at any zoom or
printer resolution.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, QPointF, QRectF, Qt, QTimeZone
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter

if TYPE_CHECKING:
    from viewer.view.page_view import PageOverlay


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class WatermarkSpec:
    """What to stamp: who is viewing and when, plus an optional marking such as "MẬT"."""

    name: str
    when: dt.datetime = field(default_factory=_now)
    marking: str = ""
    color: str = "#c01818"
    opacity: float = 0.22
    angle: float = -35.0  # degrees, counter-clockwise on screen
    font_family: str = "Sans Serif"

    def text(self) -> str:
        """The line repeated across the page (translated; local time)."""
        stamp = QDateTime.fromSecsSinceEpoch(int(self.when.timestamp()), QTimeZone.systemTimeZone())
        when = QLocale().toString(stamp, QLocale.FormatType.ShortFormat)
        line = QCoreApplication.translate("viewer", "{name} · {time}").format(
            name=self.name, time=when
        )
        if self.marking:
            line = QCoreApplication.translate("viewer", "{marking} · {line}").format(
                marking=self.marking, line=line
            )
        return line


def paint_watermark(painter: QPainter, page: QRectF, spec: WatermarkSpec) -> None:
    """Tile `spec`'s text diagonally over `page` (any device: widget, image, printer)."""
    if page.isEmpty():
        return
    text = spec.text()
    painter.save()
    painter.setClipRect(page, Qt.ClipOperation.IntersectClip)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.setOpacity(painter.opacity() * spec.opacity)
    font = QFont(spec.font_family)
    font.setBold(True)
    # relative to the page, not in points: the same look at any zoom and printer resolution
    font.setPixelSize(max(6, round(min(page.width(), page.height()) / 22)))
    painter.setFont(font)
    painter.setPen(QColor(spec.color))
    metrics = QFontMetricsF(font)
    step_x = metrics.horizontalAdvance(text) + metrics.height() * 3
    step_y = metrics.height() * 4
    painter.translate(page.center())
    painter.rotate(spec.angle)
    # the rotated page fits in a circle of this radius around its centre
    radius = math.hypot(page.width(), page.height()) / 2
    rows = int(radius / step_y) + 1
    cols = int(radius / step_x) + 1
    for row in range(-rows, rows + 1):
        shift = (step_x / 2) * (row % 2)
        for col in range(-cols - 1, cols + 1):
            painter.drawText(QPointF(col * step_x + shift - step_x / 2, row * step_y), text)
    painter.restore()


class WatermarkOverlay:
    """A page-view overlay: `view.add_overlay(WatermarkOverlay(spec))`."""

    def __init__(self, spec: WatermarkSpec) -> None:
        self.spec = spec

    def __call__(self, painter: QPainter, overlay: PageOverlay) -> None:
        """Stamp the visible page's box."""
        painter.resetTransform()
        paint_watermark(painter, QRectF(overlay.rect), self.spec)

    def paint_print(self, painter: QPainter, page: int, target: QRectF) -> None:
        """Print hook: stamp page `page` already drawn into `target` on the printer."""
        del page  # every page gets the same mark
        paint_watermark(painter, target, self.spec)


def paint_print_page(
    painter: QPainter, page_image: QImage, target: QRectF, spec: WatermarkSpec | None
) -> None:
    """Print path: draw a rendered page into `target` and stamp it (when a spec is given)."""
    painter.drawImage(target, page_image)
    if spec is not None:
        paint_watermark(painter, target, spec)


def stamped_image(page_image: QImage, spec: WatermarkSpec) -> QImage:
    """A copy of a rendered page with the watermark, e.g. for a print preview."""
    out = page_image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(out)
    try:
        paint_watermark(painter, QRectF(out.rect()), spec)
    finally:
        painter.end()
    return out
