"""The app's icon set: Lucide (https://lucide.dev, lucide-static 1.87.0 from npm; ISC licence,
some icons MIT from Feather: resources/icons/LICENSE), one consistent line style for every
toolbar. Only the icons in use are shipped, under resources/icons/lucide/.

The SVGs draw in `currentColor`; `icon()` paints them in the palette's text colour (and its
disabled colour for the disabled state), so they follow a dark or light theme.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap

from resources import ICONS

LUCIDE = ICONS / "lucide"
SET_NAME = "Lucide"
SET_VERSION = "1.87.0"
SET_LICENCE = "ISC AND MIT"
SIZES = (16, 20, 24, 32, 48)


def _pixmap(svg: bytes, colour: str, size: int) -> QPixmap:
    from PySide6.QtSvg import QSvgRenderer  # QtSvg only once an icon is drawn

    renderer = QSvgRenderer(QByteArray(svg.replace(b"currentColor", colour.encode())))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


@cache
def icon(name: str) -> QIcon:
    """The Lucide icon `name` (e.g. "undo-2"), tinted for the current palette."""
    svg = (LUCIDE / f"{name}.svg").read_bytes()
    palette = QGuiApplication.palette()
    normal = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText).name()
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText).name()
    result = QIcon()
    for size in SIZES:
        result.addPixmap(_pixmap(svg, normal, size), QIcon.Mode.Normal)
        result.addPixmap(_pixmap(svg, disabled, size), QIcon.Mode.Disabled)
    return result
