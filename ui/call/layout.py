"""Where each tile goes, as plain arithmetic (STYLE §6): unit-tested without a widget.

Two layouts: the speaker layout (one big tile — the pinned participant, else the active speaker
— over a strip of small ones) and the grid (every tile the same size, columns chosen so 16:9
video fills the most area). A grid page holds at most `PAGE` tiles: decoding more is beyond a
desktop PC (the issue), the rest go to further pages. The self view is the tile keyed `SELF`.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

SELF = ""  # the key of our own tile
PAGE = 16  # tiles per grid page
ASPECT = 16 / 9
GAP = 6  # pixels between tiles
STRIP = 0.2  # share of the height the speaker layout gives the strip of small tiles
MIN_STRIP = 72  # pixels


class Layout(enum.StrEnum):
    """How the call area is split."""

    SPEAKER = "speaker"
    GRID = "grid"


@dataclass(frozen=True, slots=True)
class Rect:
    """A tile's place in the call area, in pixels."""

    x: int
    y: int
    w: int
    h: int


def pages(count: int) -> int:
    """Grid pages needed for `count` tiles (at least one)."""
    return max(1, math.ceil(count / PAGE))


def big_tile(peers: Sequence[str], pinned: str | None, speaker: str | None) -> str:
    """Who the speaker layout shows large: pinned, else the active speaker, else the first
    other participant, else ourselves."""
    for candidate in (pinned, speaker):
        if candidate is not None and (candidate in peers or candidate == SELF):
            return candidate
    return peers[0] if peers else SELF


def _grid(keys: Sequence[str], x: int, y: int, width: int, height: int) -> dict[str, Rect]:
    """`keys` in equal tiles filling the box, centred, 16:9 where the box allows."""
    n = len(keys)
    if n == 0 or width <= 0 or height <= 0:
        return {}
    best: tuple[float, int, int, int] = (-1.0, 1, 1, 1)
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        cell_w = (width - GAP * (cols - 1)) / cols
        cell_h = (height - GAP * (rows - 1)) / rows
        if cell_w <= 0 or cell_h <= 0:
            continue
        tile_w = min(cell_w, cell_h * ASPECT)
        tile_h = tile_w / ASPECT
        area = tile_w * tile_h
        if area > best[0]:
            best = (area, cols, rows, int(tile_w))
    _, cols, rows, tile_w = best
    tile_h = int(tile_w / ASPECT)
    used_h = rows * tile_h + GAP * (rows - 1)
    top = y + (height - used_h) // 2
    placed = {}
    for index, key in enumerate(keys):
        row, col = divmod(index, cols)
        in_row = min(cols, n - row * cols)  # a short last row is centred too
        row_w = in_row * tile_w + GAP * (in_row - 1)
        left = x + (width - row_w) // 2
        placed[key] = Rect(left + col * (tile_w + GAP), top + row * (tile_h + GAP), tile_w, tile_h)
    return placed


def arrange(
    peers: Sequence[str],
    layout: Layout,
    width: int,
    height: int,
    *,
    pinned: str | None = None,
    speaker: str | None = None,
    page: int = 0,
    self_view: bool = True,
) -> dict[str, Rect]:
    """The rectangle of every tile shown; tiles not in the result are not on screen."""
    keys = list(peers) + ([SELF] if self_view else [])
    if layout is Layout.GRID:
        if pinned in keys:
            keys.remove(pinned)
            keys.insert(0, pinned)
        page = min(max(page, 0), pages(len(keys)) - 1)
        return _grid(keys[page * PAGE : (page + 1) * PAGE], 0, 0, width, height)
    if not keys:
        return {}
    big = big_tile(peers, pinned, speaker)
    if big not in keys:  # no self view and nobody else
        big = keys[0]
    rest = [k for k in keys if k != big]
    if not rest:
        return _grid([big], 0, 0, width, height)
    strip_h = max(MIN_STRIP, int(height * STRIP))
    strip_w = int((strip_h - GAP) * ASPECT)
    fits = max(1, (width + GAP) // (strip_w + GAP))
    placed = _grid([big], 0, 0, width, height - strip_h - GAP)
    placed.update(_grid(rest[:fits], 0, height - strip_h, width, strip_h))
    return placed
