"""A layout that wraps its items onto more rows when they do not fit one, each row centred.

The call's toolbar needs it: in Vietnamese its nine buttons ("Chia sẻ màn hình", "Xem người
đang nói", …) are wider than the call's share of a 1280×800 meeting room window, and a
`QHBoxLayout` squeezed them until their texts were elided ("Chia … hình"). Qt ships no flow
layout (it is a documentation example); this is that example, centred and typed.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    """Items left to right at their size hints, a new row when the next does not fit."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        """As wide as the widest item: anything wider wraps instead of squeezing."""
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize().expandedTo(item.sizeHint()))
        margins: QMargins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _visible(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _rows(self, width: int) -> list[list[QLayoutItem]]:
        rows: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._visible():
            hint = item.sizeHint().width()
            if rows[-1] and used + self.spacing() + hint > width:
                rows.append([])
                used = 0
            used += (self.spacing() if rows[-1] else 0) + hint
            rows[-1].append(item)
        return [row for row in rows if row]

    def _place(self, rect: QRect, *, move: bool) -> int:
        """Lay the rows out in `rect` (only measure unless `move`); returns the height used."""
        margins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        y = area.y()
        for row in self._rows(area.width()):
            width = sum(i.sizeHint().width() for i in row) + self.spacing() * (len(row) - 1)
            height = max(i.sizeHint().height() for i in row)
            x = area.x() + max(0, (area.width() - width) // 2)
            for item in row:
                hint = item.sizeHint()
                if move:
                    item.setGeometry(QRect(QPoint(x, y + (height - hint.height()) // 2), hint))
                x += hint.width() + self.spacing()
            y += height + self.spacing()
        used = y - self.spacing() - area.y() if y > area.y() else 0
        return used + margins.top() + margins.bottom()
