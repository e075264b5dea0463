"""Page layout: where each page sits in the scrollable area. Pure functions, no widgets."""

from __future__ import annotations

import bisect
import enum
import itertools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

PAGE_GAP = 12  # pixels between pages and around the document
POINTS_TO_PIXELS = 96.0 / 72.0  # zoom 1.0 (100 %) shows a page at 96 dpi
MIN_ZOOM = 0.25
MAX_ZOOM = 4.0


class LayoutMode(enum.Enum):
    """How pages are arranged."""

    SINGLE = "single"
    CONTINUOUS = "continuous"
    TWO_PAGE = "two-page"


class ZoomMode(enum.Enum):
    """Whether the zoom follows the window size."""

    CUSTOM = "custom"
    FIT_WIDTH = "fit-width"
    FIT_PAGE = "fit-page"


@dataclass(frozen=True, slots=True)
class Box:
    """An integer rectangle in content (scroll area) pixels."""

    x: int
    y: int
    w: int
    h: int

    @property
    def bottom(self) -> int:
        """One past the last row."""
        return self.y + self.h


class _Column(Sequence[Box | None]):
    """The boxes of a continuous layout, made on access from runs of equal-sized pages.

    Why: a long document is mostly one page size (a 40,000-page register is all A4), so its
    layout is a handful of runs, and a box is arithmetic on its run. Laying out one box, or one
    list entry, per page stalled the window 100-170 ms at the open of a 40,000-page file.
    Run `k` starts at page `starts[k]`; its pages are `ws[k]` x `hs[k]` at `xs[k]`, the first
    one at `ys[k]`, each next one `hs[k] + PAGE_GAP` lower.
    """

    __slots__ = ("_count", "_hs", "_starts", "_ws", "_xs", "_ys")

    def __init__(
        self,
        count: int,
        starts: Sequence[int],
        xs: list[int],
        ys: list[int],
        ws: list[int],
        hs: list[int],
    ) -> None:
        self._count = count
        self._starts, self._xs, self._ys, self._ws, self._hs = starts, xs, ys, ws, hs

    def top(self, index: int) -> int:
        """The y of page `index` (0 <= index < len)."""
        run = bisect.bisect_right(self._starts, index) - 1
        return self._ys[run] + (index - self._starts[run]) * (self._hs[run] + PAGE_GAP)

    @overload
    def __getitem__(self, index: int) -> Box | None: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Box | None]: ...
    def __getitem__(self, index: int | slice) -> Box | Sequence[Box | None] | None:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        run = bisect.bisect_right(self._starts, index) - 1
        y = self._ys[run] + (index - self._starts[run]) * (self._hs[run] + PAGE_GAP)
        return Box(self._xs[run], y, max(self._ws[run], 1), max(self._hs[run], 1))

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Box | None]:
        return (self[i] for i in range(len(self)))

    def pages_in(self, top: int, bottom: int) -> list[int]:
        """Pages intersecting the rows [top, bottom), by arithmetic on the runs: the view asks
        several times a frame, and a bisection over boxes made on access cost ~0.1 ms each."""
        starts, ys, hs = self._starts, self._ys, self._hs
        if not self._count:
            return []
        run = max(0, bisect.bisect_right(ys, top) - 1)
        index = starts[run] + max(0, (top - ys[run]) // (hs[run] + PAGE_GAP) - 1)
        out = []
        while index < self._count:
            box = self[index]
            assert box is not None
            if box.y >= bottom:
                break
            if box.bottom > top:
                out.append(index)
            index += 1
        return out


class _Tops(Sequence[int]):
    """The y of each page of a `_Column`, for bisection, made on access."""

    __slots__ = ("_column",)

    def __init__(self, column: _Column) -> None:
        self._column = column

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...
    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self._column)
        if not 0 <= index < len(self._column):
            raise IndexError(index)
        return self._column.top(index)

    def __len__(self) -> int:
        return len(self._column)


@dataclass(frozen=True, slots=True)
class Layout:
    """Boxes of the laid-out pages (None when a page is not shown) and the content size."""

    boxes: Sequence[Box | None]
    width: int
    height: int
    shown: Sequence[int]  # indices of shown pages, ordered top to bottom
    tops: Sequence[int] = ()  # y of each shown page, for bisection

    def pages_in(self, top: int, bottom: int) -> list[int]:
        """Shown pages intersecting the rows [top, bottom)."""
        if isinstance(self.boxes, _Column):
            return self.boxes.pages_in(top, bottom)
        start = max(0, bisect.bisect_right(self.tops, top) - 2)
        out = []
        for i in self.shown[start:]:
            box = self.boxes[i]
            assert box is not None
            if box.y >= bottom:
                break
            if box.bottom > top:
                out.append(i)
        return out


def rotated(size: tuple[float, float], rotation: int) -> tuple[float, float]:
    """Page size after an extra rotation of 0/90/180/270 degrees."""
    return (size[1], size[0]) if rotation % 180 else size


def rows_for(mode: LayoutMode, count: int, current: int) -> list[list[int]]:
    """Which pages share each row."""
    if mode is LayoutMode.SINGLE:
        return [[min(max(current, 0), count - 1)]] if count else []
    if mode is LayoutMode.TWO_PAGE:
        return [list(range(i, min(i + 2, count))) for i in range(0, count, 2)]
    return [[i] for i in range(count)]


def row_of(mode: LayoutMode, count: int, current: int) -> list[int]:
    """The pages of the row that holds `current` (the row `rows_for` would give it)."""
    current = min(max(current, 0), count - 1)
    if mode is LayoutMode.TWO_PAGE:
        start = current - current % 2
        return list(range(start, min(start + 2, count)))
    return [current]


def compute_layout(
    sizes: list[tuple[float, float]],
    scale: float,
    mode: LayoutMode,
    viewport_width: int,
    current: int = 0,
) -> Layout:
    """Lay out pages (sizes in points, already rotated) at `scale` pixels per point."""
    if mode is LayoutMode.CONTINUOUS:
        return _continuous(sizes, scale, viewport_width)
    rows = rows_for(mode, len(sizes), current)
    boxes: list[Box | None] = [None] * len(sizes)
    row_widths = [
        sum(round(sizes[i][0] * scale) for i in row) + PAGE_GAP * (len(row) - 1) for row in rows
    ]
    width = max([*row_widths, 0]) + 2 * PAGE_GAP
    width_total = max(width, viewport_width)
    y = PAGE_GAP
    shown: list[int] = []
    for row, row_width in zip(rows, row_widths, strict=True):
        x = (width_total - row_width) // 2
        row_height = 0
        for i in row:
            w, h = round(sizes[i][0] * scale), round(sizes[i][1] * scale)
            boxes[i] = Box(x, y, max(w, 1), max(h, 1))
            shown.append(i)
            x += w + PAGE_GAP
            row_height = max(row_height, h)
        y += row_height + PAGE_GAP
    tops = tuple(boxes[i].y for i in shown)  # type: ignore[union-attr]
    return Layout(tuple(boxes), width, y, tuple(shown), tops)


def _continuous(sizes: list[tuple[float, float]], scale: float, viewport_width: int) -> Layout:
    """One page a row, each centred: `compute_layout`'s common case, as runs of equal-sized
    pages (see `_Column`): one pass over the sizes finds where the size changes, the rest is
    per run."""
    count = len(sizes)
    # Where the size changes, compared in C (map, compress): no Python step per page.
    changed = map(operator.ne, sizes, itertools.islice(sizes, 1, None))
    starts: Sequence[int] = [0, *itertools.compress(range(1, count), changed)] if count else []
    if len(starts) * 2 <= count:  # runs: the common case
        lengths = list(map(operator.sub, [*starts[1:], count], starts))
        ws = [round(sizes[i][0] * scale) for i in starts]
        hs = [round(sizes[i][1] * scale) for i in starts]
        steps = [(h + PAGE_GAP) * n for h, n in zip(hs, lengths, strict=True)]
    else:  # sizes that keep changing: a run per page, read straight from the sizes
        starts = range(count)
        ws = [round(w * scale) for w, _h in sizes]
        hs = [round(h * scale) for _w, h in sizes]
        steps = [h + PAGE_GAP for h in hs]
    width = max(ws, default=0) + 2 * PAGE_GAP
    width_total = max(width, viewport_width)
    xs = [(width_total - w) // 2 for w in ws]
    ys = list(itertools.accumulate(steps, initial=PAGE_GAP))
    height = ys.pop()
    column = _Column(count, starts, xs, ys, ws, hs)
    return Layout(column, width, height, range(count), _Tops(column))


def fit_zoom(
    sizes: list[tuple[float, float]],
    mode: LayoutMode,
    zoom_mode: ZoomMode,
    viewport: tuple[int, int],
    current: int,
) -> float | None:
    """The zoom (1.0 = 100 %) that fits the current row into the viewport, or None (custom)."""
    if zoom_mode is ZoomMode.CUSTOM or not sizes:
        return None
    row = row_of(mode, len(sizes), current)
    if mode is LayoutMode.TWO_PAGE and len(row) == 1 and len(sizes) > 1:
        row = [row[0], row[0]]  # keep the zoom steady on a lone last page
    width_pt = sum(sizes[i][0] for i in row)
    height_pt = max(sizes[i][1] for i in row)
    avail_w = viewport[0] - 2 * PAGE_GAP - PAGE_GAP * (len(row) - 1)
    avail_h = viewport[1] - 2 * PAGE_GAP
    zoom = avail_w / (width_pt * POINTS_TO_PIXELS)
    if zoom_mode is ZoomMode.FIT_PAGE:
        zoom = min(zoom, avail_h / (height_pt * POINTS_TO_PIXELS))
    # An enormous page may need less than 25 % to fit.
    return min(MAX_ZOOM, max(0.01, zoom))


def clamp_zoom(zoom: float) -> float:
    """Keep a zoom inside 25-400 %."""
    return min(MAX_ZOOM, max(MIN_ZOOM, zoom))
