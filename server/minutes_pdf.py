"""The minutes (biên bản) of a meeting as a PDF, laid out as a Vietnamese administrative record.

Pure: it takes a `MinutesSpec` (already worded, built from the meeting by server/minutes.py) and
gives the bytes plus where the two signatures go, so the same state gives the same bytes (fixed
metadata, no clock) and the layout is tested without a server. Fonts and line breaking are the
seed documents' (server/seed_pdf.py): Noto Sans carries every Vietnamese diacritic and the text
extracts back exactly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pymupdf

from server.seed_pdf import (
    A4_HEIGHT,
    A4_WIDTH,
    AGENCY,
    AGENCY_PARENT,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    MOTTO,
    NATION,
    _font,
    _line_width,
    _wrap,
)

VN = dt.timezone(dt.timedelta(hours=7))
SIGNATURE_HEIGHT = 70.0  # blank space between a signer's position and name lines


@dataclass(frozen=True, slots=True)
class ItemMinutes:
    """One agenda item as the minutes record it."""

    title: str
    presenter: str
    conclusion: str


@dataclass(frozen=True, slots=True)
class MinutesSpec:
    """Everything the minutes say, worded; lists are in the order they are printed."""

    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    chair: str
    secretary: str
    present: tuple[str, ...]
    absent: tuple[str, ...]  # "Name (lý do: …)"
    represented: tuple[str, ...]  # "Deputy dự thay Principal"
    agenda: tuple[ItemMinutes, ...]
    speakers: tuple[str, ...]
    votes: tuple[str, ...]
    parent: str = AGENCY_PARENT
    agency: str = AGENCY


@dataclass(frozen=True, slots=True)
class SignatureBox:
    """Where a signer's signature goes: 0-based page and a rectangle in PDF user space (origin
    at the bottom left, as pyHanko's field specs take it)."""

    page: int
    box: tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class MinutesPdf:
    """The rendered minutes and the places of the secretary's and the chair's signatures."""

    data: bytes
    secretary: SignatureBox
    chair: SignatureBox


def vn_time(moment: dt.datetime) -> str:
    """ "14 giờ 05, ngày 07 tháng 12 năm 2026" in Vietnam's time."""
    t = moment.astimezone(VN)
    return f"{t.hour:02d} giờ {t.minute:02d}, ngày {t.day:02d} tháng {t.month:02d} năm {t.year}"


class _Flow:
    """Text flowing down A4 pages, a new page when the current one is full."""

    def __init__(self) -> None:
        self.doc = pymupdf.open()
        self.writers: list[tuple[pymupdf.Page, pymupdf.TextWriter]] = []
        self.left, self.right = float(MARGIN_LEFT), A4_WIDTH - MARGIN_RIGHT
        self.y = 0.0
        self._new_page()

    def _new_page(self) -> None:
        if self.writers:  # a page's text is written before the next page is made
            self.writers[-1][1].write_text(self.writers[-1][0])
        page = self.doc.new_page(width=A4_WIDTH, height=A4_HEIGHT)
        self.writers.append((page, pymupdf.TextWriter(page.rect)))
        self.y = float(MARGIN_TOP)

    def room(self, height: float) -> None:
        """Start a new page unless `height` points still fit on this one."""
        if self.y + height > A4_HEIGHT - MARGIN_BOTTOM:
            self._new_page()

    def text(
        self,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        size: float = 12,
        centre: bool = False,
        indent: float = 0,
        x0: float | None = None,
        x1: float | None = None,
    ) -> None:
        """Wrapped lines from the current y; `x0`/`x1` narrow the column (signature blocks)."""
        name = "notosbo" if bold else "notosit" if italic else "notos"
        left = (self.left if x0 is None else x0) + indent
        right = self.right if x1 is None else x1
        leading = size * 1.35
        for line in _wrap(text, name, size, right - left):
            self.room(leading)
            x = left
            if centre:
                x += (right - left - _line_width(line, name, size)) / 2
            self.writers[-1][1].append((x, self.y + size), line, font=_font(name), fontsize=size)
            self.y += leading

    def gap(self, points: float) -> None:
        self.y += points

    def finish(self) -> bytes:
        self.writers[-1][1].write_text(self.writers[-1][0])
        total = self.doc.page_count
        for index in range(total):
            page = self.doc[index]
            footer = f"Trang {index + 1}/{total}"
            width = _line_width(footer, "notos", 9)
            writer = pymupdf.TextWriter(page.rect)
            writer.append(
                ((A4_WIDTH - width) / 2, A4_HEIGHT - 28), footer, font=_font("notos"), fontsize=9
            )
            writer.write_text(page)
        self.doc.set_metadata(
            {"title": "Biên bản", "creator": "HopDesk", "producer": "HopDesk"}
        )  # no dates: the same meeting gives the same bytes
        self.doc.subset_fonts()
        data = self.doc.tobytes(garbage=3, deflate=True, no_new_id=True)
        self.doc.close()
        return data


def _header(flow: _Flow, spec: MinutesSpec) -> None:
    """Agency on the left, national name and motto on the right (Decree 30, Phụ lục I)."""
    split = A4_WIDTH * 0.42
    top = flow.y
    flow.text(spec.parent, size=11, centre=True, x0=30, x1=split)
    flow.text(spec.agency, bold=True, size=11, centre=True, x0=30, x1=split)
    left_end = flow.y
    flow.y = top
    flow.text(NATION, bold=True, size=11, centre=True, x0=split, x1=A4_WIDTH - 20)
    flow.text(MOTTO, bold=True, size=12, centre=True, x0=split, x1=A4_WIDTH - 20)
    flow.y = max(flow.y, left_end) + 24


def _section(flow: _Flow, heading: str, lines: tuple[str, ...], empty: str) -> None:
    flow.gap(6)
    flow.room(60)  # a heading never ends a page alone
    flow.text(heading, bold=True)
    for line in lines or (empty,):
        flow.text(line, indent=12)


def _signatures(flow: _Flow, spec: MinutesSpec) -> tuple[SignatureBox, SignatureBox]:
    """THƯ KÝ on the left, CHỦ TRÌ on the right, each with room for its signature."""
    flow.gap(24)
    flow.room(12 * 1.35 + SIGNATURE_HEIGHT + 2 * 12 * 1.35)
    middle = (flow.left + flow.right) / 2
    columns = (
        (flow.left, middle, "THƯ KÝ", spec.secretary),
        (middle, flow.right, "CHỦ TRÌ", spec.chair),
    )
    top = flow.y
    page = len(flow.writers) - 1
    boxes = []
    for x0, x1, position, name in columns:
        flow.y = top
        flow.text(position, bold=True, centre=True, x0=x0, x1=x1)
        sign_top = flow.y
        flow.gap(SIGNATURE_HEIGHT)
        flow.text(name, bold=True, centre=True, x0=x0, x1=x1)
        # PDF user space: y upwards from the bottom of the page
        box = (x0 + 20, A4_HEIGHT - sign_top - SIGNATURE_HEIGHT, x1 - 20, A4_HEIGHT - sign_top)
        boxes.append(SignatureBox(page, box))
    return boxes[0], boxes[1]


def make_minutes(spec: MinutesSpec) -> MinutesPdf:
    """Render the minutes: header, title, time and people, agenda, speakers, votes, conclusions,
    then the secretary's and the chair's signature blocks."""
    flow = _Flow()
    _header(flow, spec)
    flow.text("BIÊN BẢN", bold=True, size=14, centre=True)
    flow.text(spec.title, bold=True, size=13, centre=True)
    flow.gap(10)
    people = (
        f"Thời gian: bắt đầu lúc {vn_time(spec.starts_at)}; kết thúc lúc {vn_time(spec.ends_at)}.",
        f"Địa điểm: {spec.place or 'trực tuyến'}.",
        f"Chủ trì: {spec.chair}.",
        f"Thư ký: {spec.secretary}.",
        f"Có mặt ({len(spec.present)}): {', '.join(spec.present) or 'không có'}.",
        f"Vắng mặt ({len(spec.absent)}): {'; '.join(spec.absent) or 'không có'}.",
        f"Dự thay: {'; '.join(spec.represented) or 'không có'}.",
    )
    _section(flow, "I. THỜI GIAN, ĐỊA ĐIỂM VÀ THÀNH PHẦN", people, "")
    agenda = tuple(
        f"{n}. {item.title}" + (f" (trình bày: {item.presenter})" if item.presenter else "")
        for n, item in enumerate(spec.agenda, 1)
    )
    _section(flow, "II. NỘI DUNG CUỘC HỌP", agenda, "Không có nội dung.")
    _section(flow, "III. Ý KIẾN PHÁT BIỂU", spec.speakers, "Không có ý kiến phát biểu.")
    _section(flow, "IV. KẾT QUẢ BIỂU QUYẾT", spec.votes, "Không có biểu quyết.")
    conclusions = tuple(
        f"{n}. {item.title}: {item.conclusion or 'chưa có kết luận.'}"
        for n, item in enumerate(spec.agenda, 1)
    )
    _section(flow, "V. KẾT LUẬN", conclusions, "Không có kết luận.")
    flow.gap(6)
    flow.text(
        f"Cuộc họp kết thúc lúc {vn_time(spec.ends_at)}. Biên bản được lập thành bản điện tử, "
        "ký số bởi thư ký và người chủ trì.",
        italic=True,
    )
    secretary, chair = _signatures(flow, spec)
    return MinutesPdf(flow.finish(), secretary, chair)
