"""Page layout arithmetic."""

from __future__ import annotations

import pytest

from viewer.view.layout import (
    PAGE_GAP,
    POINTS_TO_PIXELS,
    Box,
    LayoutMode,
    ZoomMode,
    compute_layout,
    fit_zoom,
    rotated,
)

A4 = (595.0, 842.0)


def test_continuous_stacks_pages_and_finds_visible_ones() -> None:
    layout = compute_layout([A4] * 10, 1.0, LayoutMode.CONTINUOUS, 800)
    assert all(box is not None for box in layout.boxes)
    assert layout.height == 10 * (842 + PAGE_GAP) + PAGE_GAP
    assert layout.pages_in(0, 500) == [0]
    assert layout.pages_in(860, 900) == [1]
    assert layout.pages_in(0, layout.height) == list(range(10))


def test_two_page_pairs_pages_side_by_side() -> None:
    layout = compute_layout([A4] * 5, 1.0, LayoutMode.TWO_PAGE, 800)
    b0, b1, b2 = layout.boxes[0], layout.boxes[1], layout.boxes[2]
    assert b0
    assert b1
    assert b2
    assert b0.y == b1.y
    assert b1.x > b0.x
    assert b2.y > b0.y


def test_single_shows_only_the_current_page() -> None:
    layout = compute_layout([A4] * 5, 1.0, LayoutMode.SINGLE, 800, current=3)
    assert layout.shown == (3,)
    assert [b is not None for b in layout.boxes] == [False, False, False, True, False]


@pytest.mark.parametrize("mode", [ZoomMode.FIT_WIDTH, ZoomMode.FIT_PAGE])
def test_fit_zoom_fits(mode: ZoomMode) -> None:
    zoom = fit_zoom([A4], LayoutMode.CONTINUOUS, mode, (1000, 600), 0)
    assert zoom is not None
    width = A4[0] * zoom * POINTS_TO_PIXELS
    height = A4[1] * zoom * POINTS_TO_PIXELS
    assert width <= 1000 - 2 * PAGE_GAP + 1
    if mode is ZoomMode.FIT_PAGE:
        assert height <= 600 - 2 * PAGE_GAP + 1


def test_fit_page_goes_below_25_percent_for_an_enormous_page() -> None:
    zoom = fit_zoom([(14400.0, 14400.0)], LayoutMode.SINGLE, ZoomMode.FIT_PAGE, (800, 600), 0)
    assert zoom is not None
    assert zoom < 0.25


def test_rotation_swaps_sides() -> None:
    assert rotated(A4, 90) == (842.0, 595.0)
    assert rotated(A4, 180) == A4


def _page_by_page(sizes: list[tuple[float, float]], scale: float, viewport: int) -> list[Box]:
    """The continuous layout the plain way: each page centred under the previous one."""
    ws = [round(w * scale) for w, _h in sizes]
    width_total = max(max(ws, default=0) + 2 * PAGE_GAP, viewport)
    boxes, y = [], PAGE_GAP
    for (_w, h), pw in zip(sizes, ws, strict=True):
        ph = round(h * scale)
        boxes.append(Box((width_total - pw) // 2, y, max(pw, 1), max(ph, 1)))
        y += ph + PAGE_GAP
    return boxes


@pytest.mark.parametrize(
    "sizes",
    [
        [A4] * 500,  # one run
        [A4] * 200 + [(842.0, 595.0)] * 3 + [A4] * 100 + [(300.0, 400.0)],  # a few runs
        [(595.0 + i % 7, 842.0 + i % 5) for i in range(300)],  # a new size on every page
        [A4],
        [],
    ],
    ids=["uniform", "runs", "every-page-differs", "one", "none"],
)
def test_continuous_layout_matches_laying_out_page_by_page(
    sizes: list[tuple[float, float]],
) -> None:
    layout = compute_layout(sizes, 1.3, LayoutMode.CONTINUOUS, 700)
    expected = _page_by_page(sizes, 1.3, 700)
    assert list(layout.boxes) == expected
    assert layout.boxes[-1:] == expected[-1:]
    assert list(layout.tops) == [box.y for box in expected]
    assert list(layout.shown) == list(range(len(sizes)))
    assert layout.height == (expected[-1].bottom + PAGE_GAP if expected else PAGE_GAP)
    for top in (0, 5_000, 50_000, 200_000):
        visible = [i for i, box in enumerate(expected) if box.y < top + 900 and box.bottom > top]
        assert layout.pages_in(top, top + 900) == visible
    # Every row, gaps and run edges included, with windows from one row to several pages.
    for top in range(-50, layout.height + 50, 97):
        for rows in (1, 13, 900, 2_500):
            visible = [
                i for i, box in enumerate(expected) if box.y < top + rows and box.bottom > top
            ]
            assert layout.pages_in(top, top + rows) == visible
