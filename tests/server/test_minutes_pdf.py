"""The minutes' PDF on its own (server/minutes_pdf.py): the same meeting gives the same bytes,
every section extracts back as written, a long meeting flows onto more pages with the
signature blocks kept together, and nothing is printed where the signatures go."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pymupdf

from server.minutes_pdf import ItemMinutes, MinutesSpec, make_minutes

START = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
SPEC = MinutesSpec(
    title="Họp giao ban tháng 12",
    starts_at=START,
    ends_at=START + dt.timedelta(hours=2, minutes=5),
    place="Phòng họp tầng 3",
    chair="Nguyễn Văn Hùng",
    secretary="Lê Văn Nam",
    present=("Trần Thị Lan", "Phạm Minh Đức"),
    absent=("Hoàng Văn Em (lý do: đi công tác)",),
    represented=("Vũ Thị Phương dự thay Hoàng Văn Em",),
    agenda=(
        ItemMinutes("Dự thảo kế hoạch năm 2027", "Trần Thị Lan", "Thống nhất thông qua."),
        ItemMinutes("Việc khác", "", ""),
    ),
    speakers=("1. Trần Thị Lan (Dự thảo kế hoạch năm 2027), lúc 09 giờ 10",),
    votes=("Thông qua kế hoạch (bỏ phiếu kín): Tán thành 3, Không tán thành 1; 4/5 người",),
)


def words(pdf: bytes) -> list[str]:
    with pymupdf.open(stream=pdf) as doc:
        return [" ".join(page.get_text().split()) for page in doc]


def test_the_same_meeting_gives_the_same_bytes_and_every_section() -> None:
    made = make_minutes(SPEC)
    assert made.data == make_minutes(SPEC).data
    [text] = words(made.data)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc",
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "BIÊN BẢN Họp giao ban tháng 12",
        "bắt đầu lúc 09 giờ 00, ngày 07 tháng 12 năm 2026; kết thúc lúc 11 giờ 05",
        "Địa điểm: Phòng họp tầng 3.",
        "Chủ trì: Nguyễn Văn Hùng.",
        "Thư ký: Lê Văn Nam.",
        "Có mặt (2): Trần Thị Lan, Phạm Minh Đức.",
        "Vắng mặt (1): Hoàng Văn Em (lý do: đi công tác).",
        "Dự thay: Vũ Thị Phương dự thay Hoàng Văn Em.",
        "II. NỘI DUNG CUỘC HỌP 1. Dự thảo kế hoạch năm 2027 (trình bày: Trần Thị Lan) 2. Việc khác",
        "III. Ý KIẾN PHÁT BIỂU 1. Trần Thị Lan",
        "IV. KẾT QUẢ BIỂU QUYẾT Thông qua kế hoạch (bỏ phiếu kín): Tán thành 3",
        "V. KẾT LUẬN 1. Dự thảo kế hoạch năm 2027: Thống nhất thông qua. 2. Việc khác: chưa có",
        "THƯ KÝ Lê Văn Nam CHỦ TRÌ Nguyễn Văn Hùng",
        "Trang 1/1",
    ):
        assert expected in text, expected


def test_a_long_meeting_flows_onto_more_pages_and_leaves_the_signature_boxes_blank() -> None:
    items = tuple(
        ItemMinutes(f"Nội dung số {n}", "Trần Thị Lan", "Kết luận " * 30) for n in range(40)
    )
    made = make_minutes(replace(SPEC, agenda=items))
    pages = words(made.data)
    assert len(pages) >= 3
    assert all(f"Trang {n}/{len(pages)}" in text for n, text in enumerate(pages, 1))
    assert "Nội dung số 39" in " ".join(pages)
    assert made.secretary.page == made.chair.page == len(pages) - 1
    assert "THƯ KÝ" in pages[-1]
    assert "CHỦ TRÌ" in pages[-1]
    with pymupdf.open(stream=made.data) as doc:
        page = doc[made.chair.page]
        for place in (made.secretary, made.chair):
            x0, y0, x1, y1 = place.box
            clip = pymupdf.Rect(x0, page.rect.height - y1, x1, page.rect.height - y0)
            assert page.get_text(clip=clip).strip() == ""
        page.get_pixmap(dpi=60).save("/tmp/minutes-last-page.png")
