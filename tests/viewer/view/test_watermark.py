"""The watermark (viewer/view/watermark.py): on screen through the page-view overlay, and in
print."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pymupdf
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPageSize, QPainter, QPdfWriter
from pytestqt.qtbot import QtBot

from viewer.document import Document
from viewer.render.pool import RenderPool
from viewer.view.page_view import PageView
from viewer.view.watermark import WatermarkOverlay, WatermarkSpec, paint_print_page, stamped_image

WHEN = dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.UTC)
SPEC = WatermarkSpec("Nguyen Van A", WHEN, marking="MAT", color="#ff0000", opacity=1.0)


def _white(w: int = 400, h: int = 560) -> QImage:
    image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    return image


def _reddish(image: QImage, area: QRectF | None = None) -> int:
    """Pixels where the red watermark shows (red clearly above green and blue)."""
    rect = (area or QRectF(image.rect())).toRect()
    count = 0
    for y in range(rect.top(), rect.bottom(), 2):
        for x in range(rect.left(), rect.right(), 2):
            c = image.pixelColor(x, y)
            if c.red() > 150 and c.green() < 120 and c.blue() < 120:
                count += 1
    return count


def test_text_has_name_time_and_marking() -> None:
    text = SPEC.text()
    assert "Nguyen Van A" in text
    assert "MAT" in text
    assert "2026" in text or "26" in text


def test_paints_over_the_whole_page_and_depends_on_the_name(qtbot: QtBot) -> None:
    stamped = stamped_image(_white(), SPEC)
    total = _reddish(stamped)
    assert total > 500
    # spread over the page, not in one corner
    for quarter in (QRectF(0, 0, 200, 280), QRectF(200, 280, 200, 280)):
        assert _reddish(stamped, quarter) > total / 10
    other = stamped_image(_white(), WatermarkSpec("Tran Thi B", WHEN, color="#ff0000"))
    assert other != stamped
    assert stamped_image(_white(), SPEC) == stamped  # deterministic


def test_print_output_carries_the_watermark(qtbot: QtBot, tmp_path: Path) -> None:
    page = _white(300, 420)
    # printing to an image through the same code
    target = _white(600, 840)
    painter = QPainter(target)
    paint_print_page(painter, page, QRectF(target.rect()), SPEC)
    painter.end()
    assert _reddish(target) > 500
    # without a spec, nothing is stamped
    clean = _white(600, 840)
    painter = QPainter(clean)
    paint_print_page(painter, page, QRectF(clean.rect()), None)
    painter.end()
    assert _reddish(clean) == 0
    # the print hook of the overlay stamps the same way
    hooked = _white(600, 840)
    painter = QPainter(hooked)
    painter.drawImage(QRectF(hooked.rect()), page)
    WatermarkOverlay(SPEC).paint_print(painter, 0, QRectF(hooked.rect()))
    painter.end()
    assert hooked == target

    # a real print device (PDF printer): the name is in the output's text
    out = tmp_path / "print.pdf"
    writer = QPdfWriter(str(out))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    painter = QPainter(writer)
    paint_print_page(painter, page, QRectF(0, 0, writer.width(), writer.height()), SPEC)
    painter.end()
    doc = pymupdf.open(out)
    assert "Nguyen Van A" in doc[0].get_text()
    doc.close()


def test_overlay_in_page_view(qtbot: QtBot, tmp_path: Path, pool: RenderPool) -> None:
    pdf = pymupdf.open()
    pdf.new_page(width=595, height=842)
    path = tmp_path / "blank.pdf"
    pdf.save(path)
    pdf.close()
    view = PageView(pool)
    qtbot.addWidget(view)
    view.resize(500, 700)
    doc = Document.open_path(str(path))
    try:
        view.set_document(doc)
        view.show()
        before = view.viewport().grab().toImage()
        view.add_overlay(WatermarkOverlay(SPEC))
        after = view.viewport().grab().toImage()
        assert _reddish(before) == 0
        assert _reddish(after) > 300
    finally:
        view.set_document(None)
        doc.close()
