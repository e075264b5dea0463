"""PDFs for the demo data, laid out like Vietnamese administrative documents (Nghị định 30/2020).

Noto Sans from pymupdf-fonts carries every Vietnamese diacritic; fonts are subset so each
file stays small, and the text extracts back exactly (checked by tests/server/test_seed.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache

import pymupdf

AGENCY_PARENT = "ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH"
AGENCY = "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
A4_WIDTH, A4_HEIGHT = 595.0, 842.0
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 70, 50, 50, 60


@cache
def _font(name: str) -> pymupdf.Font:
    return pymupdf.Font(name)


@dataclass(frozen=True, slots=True)
class PdfSpec:
    """What to print: the header block, a title, and paragraphs spread over `pages` pages."""

    title: str
    number: str = ""  # e.g. "215/QĐ-STTTT"
    issued_on: dt.date | None = None
    subtitle: str = ""
    paragraphs: tuple[str, ...] = ()
    pages: int = 2
    parent: str = AGENCY_PARENT
    agency: str = AGENCY
    signer: str = ""
    extra: tuple[str, ...] = field(default_factory=tuple)


@cache
def _word_width(font_name: str, word: str) -> float:
    """Width of a word at size 1; measured once (fill_textbox measures per char in Python)."""
    return float(_font(font_name).text_length(word, fontsize=1))


def _wrap(text: str, font_name: str, size: float, width: float) -> list[str]:
    """Greedy line breaking on spaces; explicit newlines start new lines."""
    lines: list[str] = []
    space = _word_width(font_name, " ") * size
    for raw in text.split("\n"):
        line, used = "", 0.0
        for word in raw.split(" "):
            w = _word_width(font_name, word) * size
            if line and used + space + w > width:
                lines.append(line)
                line, used = word, w
            else:
                line, used = (f"{line} {word}" if line else word), used + (space if line else 0) + w
        lines.append(line)
    return lines


def _write(
    writer: pymupdf.TextWriter,
    rect: pymupdf.Rect,
    text: str,
    *,
    bold: bool = False,
    size: float = 12,
    align: int = 0,
) -> float:
    """Add wrapped text inside rect (align 0 left, 1 centre); returns the y below it."""
    name = "notosbo" if bold else "notos"
    font = _font(name)
    leading = size * 1.35
    y = rect.y0 + size
    for line in _wrap(text, name, size, rect.width):
        if y > rect.y1:
            break
        x = rect.x0
        if align == 1:
            x += (rect.width - _line_width(line, name, size)) / 2
        writer.append((x, y), line, font=font, fontsize=size)
        y += leading
    return y - size + size * 0.6


def _line_width(line: str, font_name: str, size: float) -> float:
    words = line.split(" ")
    return (
        sum(_word_width(font_name, w) for w in words)
        + _word_width(font_name, " ") * (len(words) - 1)
    ) * size


def _header(page: pymupdf.TextWriter, spec: PdfSpec) -> float:
    width = A4_WIDTH
    left = pymupdf.Rect(30, MARGIN_TOP, width * 0.45, MARGIN_TOP + 60)
    right = pymupdf.Rect(width * 0.42, MARGIN_TOP, width - 20, MARGIN_TOP + 60)
    _write(page, left, spec.parent, size=11, align=1)
    y = _write(
        page,
        pymupdf.Rect(left.x0, MARGIN_TOP + 15, left.x1, MARGIN_TOP + 45),
        spec.agency,
        bold=True,
        size=11,
        align=1,
    )
    _write(page, right, NATION, bold=True, size=11, align=1)
    _write(
        page,
        pymupdf.Rect(right.x0, MARGIN_TOP + 15, right.x1, MARGIN_TOP + 45),
        MOTTO,
        bold=True,
        size=12,
        align=1,
    )
    y = max(y, MARGIN_TOP + 40)
    if spec.number:
        _write(
            page,
            pymupdf.Rect(left.x0, y + 8, left.x1, y + 30),
            f"Số: {spec.number}",
            size=12,
            align=1,
        )
    if spec.issued_on:
        d = spec.issued_on
        place = f"Hòa Bình, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"
        _write(page, pymupdf.Rect(right.x0, y + 8, right.x1, y + 30), place, size=12, align=1)
    return y + 40


def make_pdf(spec: PdfSpec) -> bytes:
    """Render the spec to PDF bytes (~20 ms for three pages)."""
    doc = pymupdf.open()
    paragraphs = list(spec.paragraphs) or [spec.title]
    per_page = max(1, -(-len(paragraphs) // spec.pages))
    body = pymupdf.Rect(MARGIN_LEFT, 0, A4_WIDTH - MARGIN_RIGHT, A4_HEIGHT - MARGIN_BOTTOM)
    for index in range(spec.pages):
        pdf_page = doc.new_page(width=A4_WIDTH, height=A4_HEIGHT)
        page = pymupdf.TextWriter(pdf_page.rect)  # one writer per page: one content stream
        y = float(MARGIN_TOP)
        if index == 0:
            y = _header(page, spec)
            y = _write(
                page,
                pymupdf.Rect(body.x0, y, body.x1, y + 60),
                spec.title.upper(),
                bold=True,
                size=13,
                align=1,
            )
            if spec.subtitle:
                y = _write(
                    page,
                    pymupdf.Rect(body.x0, y, body.x1, y + 40),
                    spec.subtitle,
                    bold=True,
                    size=12,
                    align=1,
                )
            y += 10
        chunk = paragraphs[index * per_page : (index + 1) * per_page]
        for paragraph in chunk:
            if y > body.y1 - 40:
                break
            y = (
                _write(
                    page, pymupdf.Rect(body.x0, y, body.x1, body.y1), paragraph, size=12, align=0
                )
                + 4
            )
        if index == spec.pages - 1 and spec.signer:
            sign = pymupdf.Rect(A4_WIDTH * 0.5, min(y + 20, body.y1 - 80), body.x1, body.y1)
            _write(page, sign, spec.signer, bold=True, size=12, align=1)
        footer = pymupdf.Rect(body.x0, A4_HEIGHT - 40, body.x1, A4_HEIGHT - 20)
        _write(page, footer, f"Trang {index + 1}/{spec.pages}", size=9, align=1)
        page.write_text(pdf_page)
    doc.subset_fonts()
    data = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data
