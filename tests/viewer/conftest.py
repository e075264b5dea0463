"""Viewer fixtures: generated PDFs (nothing big committed), one render pool for the session."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import pymupdf
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from viewer.render.pool import RenderPool
from viewer.view.page_view import PageView
from viewer.view.widget import ViewerWidget

VIETNAMESE = (
    "Quyết định về việc ban hành quy chế làm việc của Ủy ban nhân dân tỉnh. "
    "Căn cứ Luật Tổ chức chính quyền địa phương; xét đề nghị của Giám đốc Sở Nội vụ. "
    "Điều 1. Ban hành kèm theo Quyết định này Quy chế làm việc. "
    "Điều 2. Quyết định có hiệu lực kể từ ngày ký. Đồng chí Chánh Văn phòng chịu trách nhiệm."
)


def make_text_pdf(pages: int, outline: bool = True, marker_page: int | None = None) -> bytes:
    """A text PDF in Vietnamese (embedded Noto Sans), one heading per page, optional outline."""
    doc = pymupdf.open()
    font = pymupdf.Font("notos")
    for i in range(pages):
        page = doc.new_page(width=595, height=842)
        writer = pymupdf.TextWriter(page.rect)
        writer.append((72, 72), f"Trang {i + 1}", font=font, fontsize=20)
        body = VIETNAMESE if marker_page is None or i != marker_page else "Mã số ĐẶC BIỆT xyz"
        writer.fill_textbox(pymupdf.Rect(72, 100, 523, 770), body * 3, font=font, fontsize=11)
        writer.write_text(page)
    if outline:
        toc = [[1, f"Chương {i // 10 + 1}", i + 1] for i in range(0, pages, 10)]
        toc += [[2, "Mục con", 2]] if pages > 2 else []
        toc.sort(key=lambda e: (e[2], e[0]))
        doc.set_toc(toc)
    data: bytes = doc.tobytes(garbage=3, deflate=True)
    return data


def make_scan_pdf(pages: int, dpi: int = 300) -> bytes:
    """Pages that are one scanned-looking image each (noise JPEG, A4 at `dpi`)."""
    rng = random.Random(1)
    doc = pymupdf.open()
    w, h = int(8.27 * dpi), int(11.69 * dpi)
    base = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, w // 8, h // 8), False)
    samples = bytearray(rng.getrandbits(8) | 0xC0 for _ in range(len(base.samples)))
    small = pymupdf.Pixmap(pymupdf.csRGB, w // 8, h // 8, bytes(samples), False)
    big = pymupdf.Pixmap(small, w, h, None)
    jpeg = big.tobytes("jpeg", jpg_quality=70)
    for _ in range(pages):
        page = doc.new_page(width=595, height=842)
        page.insert_image(page.rect, stream=jpeg)
    data: bytes = doc.tobytes(garbage=3)
    return data


def make_blank_pdf(sizes: list[tuple[int, int]]) -> bytes:
    """A PDF of blank pages of the given sizes, written directly: thousands of pages in
    milliseconds (PyMuPDF's new_page took a minute for 20,000)."""
    count = len(sizes)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count %d /Kids [%s] >>"
        % (count, b" ".join(b"%d 0 R" % (3 + i) for i in range(count))),
        *(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] >>" % size for size in sizes),
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def raw_rows(path: Path, page: int, zoom: float) -> list[bytes]:
    """Rows of raw PyMuPDF's own rendering of a page (RGB, white paper): the reference."""
    import pymupdf

    with pymupdf.open(path) as doc:
        pix = doc[page].get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
        row = pix.width * 3
        return [bytes(pix.samples_mv[y * row : (y + 1) * row]) for y in range(pix.height)]


def image_rows(image: QImage) -> list[bytes]:
    """Rows of an image as RGB bytes."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    bits = bytes(rgb.constBits())
    stride, row = rgb.bytesPerLine(), rgb.width() * 3
    return [bits[y * stride : y * stride + row] for y in range(rgb.height())]


def same_pixels(image: QImage, path: Path, page: int, zoom: float) -> bool:
    """The image shows exactly what raw PyMuPDF renders for that page."""
    return image_rows(image) == raw_rows(path, page, zoom)


@pytest.fixture(scope="session")
def pool(qapp: QApplication) -> Iterator[RenderPool]:
    """The render pool shared by the viewer tests (two render workers + a search worker)."""
    p = RenderPool(workers=2)
    yield p
    p.close()


@pytest.fixture(scope="session")
def text_pdf_bytes() -> bytes:
    """A 30-page Vietnamese text PDF with an outline; page 17 holds a unique marker."""
    return make_text_pdf(30, marker_page=17)


@pytest.fixture
def text_pdf(tmp_path: Path, text_pdf_bytes: bytes) -> Path:
    """The text PDF as a file."""
    path = tmp_path / "quyet-dinh.pdf"
    path.write_bytes(text_pdf_bytes)
    return path


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, bytes], Path]:
    """Write bytes to a named file in the test's directory."""

    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


def wait_painted(qtbot: QtBot, view: PageView, page: int) -> None:
    """Until `page` has been painted from a real render."""
    painted: list[int] = []
    view.pagePainted.connect(painted.append)
    view.viewport().update()
    qtbot.waitUntil(lambda: page in painted, timeout=10_000)
    view.pagePainted.disconnect(painted.append)


class Opens(Protocol):
    """A ViewerWidget or a Reader: opens a file in a render worker, `opening()` meanwhile."""

    def opening(self) -> bool: ...


def wait_opened(qtbot: QtBot, widget: Opens) -> None:
    """Wait until the file being opened is shown or its error is."""
    qtbot.waitUntil(lambda: not widget.opening(), timeout=30_000)


def open_and_wait(qtbot: QtBot, widget: ViewerWidget, path: str | Path) -> bool:
    """Open a file in the viewer and wait for the worker's reply; True if it is shown."""
    widget.open_path(str(path))
    wait_opened(qtbot, widget)
    return widget.document is not None
