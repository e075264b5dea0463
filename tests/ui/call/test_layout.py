"""Tile placement: speaker and grid layouts, pinning, pages, the self view."""

from __future__ import annotations

import pytest

from ui.call.layout import PAGE, SELF, Layout, Rect, arrange, big_tile, pages


def _overlap(a: Rect, b: Rect) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 9, 12, 16])
def test_grid_tiles_are_equal_inside_the_area_and_do_not_overlap(count: int) -> None:
    peers = [f"p{i}" for i in range(count - 1)]
    placed = arrange(peers, Layout.GRID, 1280, 720)
    assert set(placed) == {*peers, SELF}
    rects = list(placed.values())
    assert len({(r.w, r.h) for r in rects}) == 1
    for r in rects:
        assert r.x >= 0
        assert r.y >= 0
        assert r.x + r.w <= 1280
        assert r.y + r.h <= 720
        assert abs(r.w / r.h - 16 / 9) < 0.02
    assert not any(_overlap(a, b) for i, a in enumerate(rects) for b in rects[i + 1 :])


def test_grid_columns_fill_the_area_best() -> None:
    placed = arrange(["a", "b", "c"], Layout.GRID, 1280, 720)  # 4 tiles in a 16:9 area: 2×2
    assert len({r.x for r in placed.values()}) == 2
    assert len({r.y for r in placed.values()}) == 2
    tall = arrange(["a", "b", "c"], Layout.GRID, 400, 1200)  # a tall area stacks them
    assert len({r.x for r in tall.values()}) == 1


def test_grid_pages_hold_sixteen_and_the_pinned_tile_comes_first() -> None:
    peers = [f"p{i:02}" for i in range(20)]
    assert pages(21) == 2
    first = arrange(peers, Layout.GRID, 1600, 900)
    assert len(first) == PAGE
    assert "p00" in first
    assert SELF not in first
    second = arrange(peers, Layout.GRID, 1600, 900, page=1)
    assert set(second) == {f"p{i}" for i in range(16, 20)} | {SELF}
    pinned = arrange(peers, Layout.GRID, 1600, 900, pinned="p19")
    assert min(pinned, key=lambda k: (pinned[k].y, pinned[k].x)) == "p19"


def test_speaker_layout_shows_the_speaker_large_and_the_others_in_a_strip() -> None:
    placed = arrange(["a", "b", "c"], Layout.SPEAKER, 1280, 720, speaker="b")
    big = placed["b"]
    assert all(big.w > 3 * r.w for k, r in placed.items() if k != "b")
    assert all(r.y > big.y + big.h for k, r in placed.items() if k != "b")
    assert set(placed) == {"a", "b", "c", SELF}


def test_a_pin_beats_the_active_speaker_and_a_gone_pin_is_ignored() -> None:
    assert big_tile(["a", "b"], pinned="a", speaker="b") == "a"
    assert big_tile(["a", "b"], pinned="gone", speaker="b") == "b"
    assert big_tile(["a", "b"], pinned=None, speaker=None) == "a"
    assert big_tile([], pinned=None, speaker=None) == SELF
    assert big_tile(["a"], pinned=SELF, speaker="a") == SELF


def test_alone_the_self_view_fills_the_area() -> None:
    placed = arrange([], Layout.SPEAKER, 1280, 720)
    assert placed == {SELF: Rect(0, 0, 1280, 720)}
    assert arrange([], Layout.SPEAKER, 1280, 720, self_view=False) == {}
