"""Demo data (`--seed-demo`): Sở Thông tin và Truyền thông tỉnh Hòa Bình, its people, this
week's meetings with agendas and papers, and a dozen documents at different workflow stages.

Seeds only an empty database. On a later start with `--seed-demo`, the demo meetings and
deadlines are shifted by whole days so they stay around "today".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from server import seed_workflow
from server.db import transaction
from server.events import emit
from server.files import FileStore, add_file
from server.models import (
    AgendaItem,
    Assignment,
    Attendance,
    Comment,
    Document,
    DocumentReader,
    DocumentVersion,
    Meeting,
    OrgUnit,
    Paper,
    PaperReader,
    PaperVersion,
    ServerMeta,
    User,
)
from server.users import create_user

# The demo office's clock: every seeded time is a Hanoi wall-clock time, stored as UTC, whatever
# the zone of the machine running the server (tzdata supplies the zone where the OS has none).
VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEMO_PASSWORD = "hopdesk-demo"
# argon2id of DEMO_PASSWORD, computed once: hashing costs ~80 ms each and start-up matters.
DEMO_PASSWORD_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$GWRKUERIXrCkf02bmV3+jg$"
    "ehXsOoN6xsNWFR0ShP2THr48NGk5yCDxb2pX6d17PV8"
)
# The seed's meeting that is in progress whatever the clock says: the demo's simulated
# delegates (server/demo_room.py) act in it. Others of today are in progress by the clock.
LIVE_ROOM = "giao-ban-truc-tuyen"
PDF_LAYOUT_VERSION = "1"  # bump when server/seed_pdf.py changes: invalidates cached files
ANCHOR_KEY = "demo_anchor_date"
# Confidential papers ("MẬT", "TỐI MẬT": watermarked, seen only by the people named on them) and
# their named readers besides the meeting's chair, secretary and the item's presenter.
CONFIDENTIAL_PAPERS = {
    "Kế hoạch đảm bảo an toàn thông tin": ("confidential", ("phogiamdoc", "chuyenvien1")),
    "Phương án ứng cứu sự cố an toàn thông tin mạng": ("secret", ()),
}
# Named readers of confidential documents besides their creator and assignees.
DOCUMENT_READERS = {"12": ("phogiamdoc",)}
IDS_KEY = "demo_ids"

DEPARTMENT = "Sở Thông tin và Truyền thông tỉnh Hòa Bình"
UNITS = {
    "bgd": "Ban Giám đốc",
    "vp": "Văn phòng Sở",
    "khtc": "Phòng Kế hoạch - Tài chính",
    "cntt": "Phòng Công nghệ thông tin",
    "bcvt": "Phòng Bưu chính, Viễn thông",
    "ttr": "Thanh tra Sở",
}


@dataclass(frozen=True, slots=True)
class DemoUser:
    """One demo account of docs/contract.md."""

    username: str
    full_name: str
    title: str
    role: str
    unit: str | None


USERS = (
    DemoUser("giamdoc", "Nguyễn Văn Hùng", "Giám đốc", "leader", "bgd"),
    DemoUser("phogiamdoc", "Trần Thị Mai", "Phó Giám đốc", "leader", "bgd"),
    DemoUser("chanhvp", "Lê Văn Nam", "Chánh Văn phòng", "secretary", "vp"),
    DemoUser(
        "chuyenvien1", "Phạm Thị Lan", "Chuyên viên Phòng Công nghệ thông tin", "specialist", "cntt"
    ),
    DemoUser(
        "chuyenvien2",
        "Hoàng Minh Đức",
        "Chuyên viên Phòng Bưu chính, Viễn thông",
        "specialist",
        "bcvt",
    ),
    DemoUser("vanthu", "Đỗ Thị Hạnh", "Văn thư", "clerk", "vp"),
    DemoUser("quantri", "Vũ Quang Huy", "Quản trị hệ thống", "it_admin", "cntt"),
    DemoUser("khach", "Bùi Thanh Tùng", "Đại biểu khách mời", "guest", None),
)

BASIS = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ "
    "sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương.",
    "Căn cứ Quyết định số 1250/QĐ-UBND của Ủy ban nhân dân tỉnh Hòa Bình quy định chức năng, "
    "nhiệm vụ, quyền hạn và cơ cấu tổ chức của Sở Thông tin và Truyền thông.",
    "Thực hiện Chương trình chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030; "
    "Nghị quyết của Ban Chấp hành Đảng bộ tỉnh về chuyển đổi số tỉnh Hòa Bình.",
    "Các cơ quan, đơn vị có liên quan chịu trách nhiệm tổ chức thực hiện, định kỳ báo cáo kết "
    "quả về Sở Thông tin và Truyền thông để tổng hợp, báo cáo Ủy ban nhân dân tỉnh.",
    "Trong quá trình triển khai, nếu có khó khăn, vướng mắc, đề nghị phản ánh kịp thời về Văn "
    "phòng Sở (điện thoại 0218.3852.xxx) để được hướng dẫn, giải quyết.",
)


def _paragraphs(summary: str, n: int = 6) -> tuple[str, ...]:
    body = (f"Nội dung: {summary}.", *BASIS)
    return tuple(body[i % len(body)] for i in range(n))


def _pdf(
    summary: str,
    title: str,
    number: str = "",
    issued: dt.date | None = None,
    pages: int = 2,
    signer: str = "",
    subtitle: str = "",
) -> bytes:
    """A demo PDF, from the on-disk cache when the same one was rendered before."""
    spec = {
        "title": title,
        "number": number,
        "issued_on": issued,
        "subtitle": subtitle,
        "paragraphs": _paragraphs(summary, 3 * pages),
        "pages": pages,
        "signer": signer,
    }
    cache_dir = _pdf_cache_dir()
    key = hashlib.sha256(f"{PDF_LAYOUT_VERSION}|{sorted(spec.items())!r}".encode()).hexdigest()
    cached = cache_dir / f"{key}.pdf" if cache_dir else None
    if cached is not None:
        with contextlib.suppress(OSError):
            return cached.read_bytes()
    from server.seed_pdf import PdfSpec, make_pdf  # PyMuPDF only on a cache miss

    data = make_pdf(PdfSpec(**spec))  # type: ignore[arg-type]
    if cached is not None:
        with contextlib.suppress(OSError):  # a read-only cache only costs time
            cached.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, cached)
    return data


def _pdf_cache_dir() -> Path | None:
    """Rendering ~20 PDFs costs ~0.5 s; test suites and repeated demo starts render the same
    ones again, so they are kept in the user cache dir (HOPDESK_SEED_CACHE=0 turns it off)."""
    if os.environ.get("HOPDESK_SEED_CACHE", "1") == "0":
        return None
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("hopdesk-server", appauthor=False)) / "seed-pdf"


def today_vn() -> dt.date:
    """Today's date in Vietnam (what "today" means to the demo users)."""
    return dt.datetime.now(VN).date()


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), VN)


def seed_demo(
    factory: sessionmaker[Session], store: FileStore, today: dt.date | None = None
) -> bool:
    """Fill an empty DB with the demo office (True), or only re-anchor a seeded one (False).

    `today` is Hanoi's date unless given: tests pin it to reach a year's first days."""
    today = today or today_vn()
    with transaction(factory) as session:
        if session.scalar(select(User.id).limit(1)) is not None:
            _reanchor(session, today)
            return False
        _Seeder(session, store, today).run()
        return True


def _reanchor(session: Session, today: dt.date) -> None:
    """Shift the demo meetings and deadlines by the days passed since they were seeded."""
    anchor = session.get(ServerMeta, ANCHOR_KEY)
    ids_row = session.get(ServerMeta, IDS_KEY)
    if anchor is None or ids_row is None:
        return  # not a demo database
    delta = today - dt.date.fromisoformat(anchor.value)
    if not delta.days:
        return
    ids = json.loads(ids_row.value)
    for meeting in session.scalars(select(Meeting).where(Meeting.id.in_(ids["meetings"]))):
        meeting.starts_at += delta
        meeting.ends_at += delta
    documents = list(session.scalars(select(Document).where(Document.id.in_(ids["documents"]))))
    for document in documents:
        if document.deadline is not None:
            document.deadline += delta
        if document.issued_on is not None:
            document.issued_on += delta
        if document.received_on is not None:
            document.received_on += delta
    for assignment in session.scalars(
        select(Assignment).where(Assignment.document_id.in_(ids["documents"]))
    ):
        if assignment.deadline is not None:
            assignment.deadline += delta
    # Dates moved into a new year take their numbers with them: that year's registers go on
    # after them, so a number is never given twice in one year.
    seed_workflow.cover_numbers(session, documents)
    session.execute(
        update(ServerMeta).where(ServerMeta.key == ANCHOR_KEY).values(value=today.isoformat())
    )


def _confidentiality(summary: str) -> str:
    """The level a demo document's summary announces (TỐI MẬT before MẬT: it contains it)."""
    if "tối mật" in summary:
        return "secret"
    return "confidential" if "mật" in summary else "normal"


class _Seeder:
    """Builds the demo rows; one method per area keeps the data readable."""

    def __init__(self, session: Session, store: FileStore, today: dt.date) -> None:
        self.s = session
        self.store = store
        self.today = today
        self.units: dict[str, OrgUnit] = {}
        self.users: dict[str, User] = {}
        self.meeting_ids: list[int] = []
        self.document_ids: list[int] = []

    def run(self) -> None:
        self._people()
        self._meetings()
        self._documents()
        self.s.add(ServerMeta(key=ANCHOR_KEY, value=self.today.isoformat()))
        self.s.add(
            ServerMeta(
                key=IDS_KEY,
                value=json.dumps({"meetings": self.meeting_ids, "documents": self.document_ids}),
            )
        )

    def _people(self) -> None:
        root = OrgUnit(name=DEPARTMENT)
        self.s.add(root)
        self.s.flush()
        for key, name in UNITS.items():
            self.units[key] = OrgUnit(name=name, parent_id=root.id)
        self.s.add_all(self.units.values())
        for u in USERS:
            self.users[u.username] = create_user(
                self.s,
                u.username,
                u.full_name,
                [u.role],
                password_hash=DEMO_PASSWORD_HASH,
                title=u.title,
                unit=self.units[u.unit] if u.unit else None,
            )
        self.s.flush()

    def _file(self, data: bytes, name: str) -> str:
        return add_file(self.s, self.store, data, name).sha256

    # --- meetings ---------------------------------------------------------------------------

    def _meetings(self) -> None:
        d = self.today
        staff = ["phogiamdoc", "chanhvp", "chuyenvien1", "chuyenvien2", "vanthu"]
        self._meeting(
            "Họp giao ban lãnh đạo Sở tuần này",
            _at(d, 8),
            _at(d, 10),
            "Phòng họp tầng 3, trụ sở Sở",
            None,
            "giamdoc",
            "chanhvp",
            staff,
            [
                (
                    "Báo cáo kết quả công tác tuần trước",
                    "chanhvp",
                    20,
                    [("Báo cáo kết quả công tác tuần", "main", "BC")],
                ),
                (
                    "Tiến độ triển khai Đề án 06 và dịch vụ công trực tuyến",
                    "chuyenvien1",
                    30,
                    [
                        ("Báo cáo tiến độ Đề án 06", "main", "BC"),
                        ("Danh mục dịch vụ công trực tuyến toàn trình", "reference", "DM"),
                    ],
                ),
                (
                    "Công tác đảm bảo an toàn thông tin mạng",
                    "chuyenvien2",
                    25,
                    [
                        ("Kế hoạch đảm bảo an toàn thông tin", "main", "KH"),
                        ("Phương án ứng cứu sự cố an toàn thông tin mạng", "reference", "PA"),
                    ],
                ),
                ("Kết luận của Giám đốc Sở", "giamdoc", 15, []),
            ],
            accepted={"phogiamdoc", "chanhvp", "chuyenvien1"},
        )
        self._meeting(
            "Hội nghị trực tuyến triển khai Chính phủ số năm 2027",
            _at(d, 14),
            _at(d, 16, 30),
            "Trực tuyến (điểm cầu Sở và 10 huyện, thành phố)",
            {
                "kind": "room",
                "url": "/api/v1/rooms/hoi-nghi-chinh-phu-so",
                "room": "hoi-nghi-chinh-phu-so",
            },
            "giamdoc",
            "chanhvp",
            [*staff, "quantri", "khach"],
            [
                ("Khai mạc, giới thiệu đại biểu", "chanhvp", 10, []),
                (
                    "Dự thảo Kế hoạch Chính phủ số năm 2027",
                    "chuyenvien1",
                    40,
                    [
                        ("Dự thảo Kế hoạch Chính phủ số năm 2027", "main", "KH"),
                        ("Cổng Dịch vụ công quốc gia", "external", ""),
                    ],
                ),
                ("Ý kiến của các huyện, thành phố", None, 45, []),
                ("Phát biểu chỉ đạo của Giám đốc Sở", "giamdoc", 20, []),
            ],
            accepted={"phogiamdoc", "quantri", "khach"},
        )
        tomorrow = d + dt.timedelta(days=1)
        self._meeting(
            "Thẩm định hồ sơ dự án nâng cấp Trung tâm dữ liệu tỉnh",
            _at(tomorrow, 9),
            _at(tomorrow, 11),
            "Phòng họp số 2",
            None,
            "phogiamdoc",
            "chanhvp",
            ["chuyenvien1", "quantri", "giamdoc"],
            [
                (
                    "Thuyết minh dự án",
                    "chuyenvien1",
                    30,
                    [("Thuyết minh báo cáo kinh tế - kỹ thuật", "main", "TM")],
                ),
                (
                    "Ý kiến thẩm định của Phòng Kế hoạch - Tài chính",
                    None,
                    30,
                    [("Tờ trình thẩm định dự toán", "main", "TTr")],
                ),
                ("Thống nhất nội dung trình Ủy ban nhân dân tỉnh", "phogiamdoc", 20, []),
            ],
        )
        later = d + dt.timedelta(days=2)
        self._meeting(
            "Họp trực tuyến với các huyện về chuyển đổi số cấp xã",
            _at(later, 15),
            _at(later, 16, 30),
            "Trực tuyến",
            {"kind": "room", "url": "/api/v1/rooms/cds-cap-xa", "room": "cds-cap-xa"},
            "phogiamdoc",
            "chanhvp",
            ["chuyenvien1", "chuyenvien2", "khach"],
            [
                (
                    "Đánh giá mức độ chuyển đổi số cấp xã",
                    "chuyenvien2",
                    30,
                    [("Báo cáo đánh giá chuyển đổi số cấp xã", "main", "BC")],
                ),
                ("Tổ công nghệ số cộng đồng", "chuyenvien1", 25, []),
                ("Phân công nhiệm vụ", "phogiamdoc", 15, []),
            ],
        )
        yesterday = d - dt.timedelta(days=1)
        self._meeting(
            "Họp xét thi đua, khen thưởng năm 2026",
            _at(yesterday, 14),
            _at(yesterday, 16),
            "Phòng họp tầng 3",
            None,
            "giamdoc",
            "chanhvp",
            ["phogiamdoc", "vanthu"],
            [
                (
                    "Báo cáo thành tích các tập thể, cá nhân",
                    "chanhvp",
                    30,
                    [("Danh sách đề nghị khen thưởng", "main", "DS")],
                ),
                ("Bỏ phiếu", None, 20, []),
                ("Kết luận", "giamdoc", 10, []),
            ],
            status="ended",
            accepted={"phogiamdoc", "vanthu"},
        )
        # In progress (its status, whatever the clock says), online on the room relay:
        # `hopdesk --demo` joins it with two synthetic participants (desktop/demo_call.py).
        self._meeting(
            "Giao ban trực tuyến với các phòng chuyên môn",
            _at(d, 13, 30),
            _at(d, 17),
            "Trực tuyến",
            {
                "kind": "room",
                "url": f"/api/v1/rooms/{LIVE_ROOM}",
                "room": LIVE_ROOM,
            },
            "giamdoc",
            "chanhvp",
            ["phogiamdoc", "chuyenvien1", "chuyenvien2"],
            [
                ("Tình hình thực hiện nhiệm vụ trong tuần", "chanhvp", 20, []),
                ("Ý kiến của các phòng", None, 40, []),
            ],
            status="in_progress",
            accepted={"phogiamdoc", "chuyenvien1", "chuyenvien2"},
        )
        draft_day = d + dt.timedelta(days=4)
        self._meeting(
            "Họp chuẩn bị tổng kết công tác năm (dự kiến)",
            _at(draft_day, 8, 30),
            _at(draft_day, 11),
            "Phòng họp tầng 3",
            None,
            "giamdoc",
            "chanhvp",
            ["phogiamdoc", "chuyenvien1", "chuyenvien2"],
            [("Dự thảo báo cáo tổng kết", "chanhvp", 45, []), ("Thảo luận", None, 60, [])],
            status="draft",
        )

    def _meeting(
        self,
        title: str,
        starts: dt.datetime,
        ends: dt.datetime,
        location: str,
        media: dict[str, str] | None,
        chair: str,
        secretary: str,
        invitees: list[str],
        agenda: list[tuple[str, str | None, int, list[tuple[str, str, str]]]],
        *,
        status: str = "scheduled",
        accepted: set[str] | None = None,
    ) -> None:
        u = self.users
        meeting = Meeting(
            title=title,
            starts_at=starts,
            ends_at=ends,
            location=location,
            online=media is not None,
            media=media,
            status=status,
            chair_id=u[chair].id,
            secretary_id=u[secretary].id,
            attendances=[
                Attendance(
                    user_id=u[name].id,
                    status="accepted" if name in (accepted or set()) else "invited",
                )
                for name in invitees
            ],
        )
        pending_readers: list[tuple[Paper, tuple[str, ...]]] = []
        for order, (item_title, presenter, minutes, papers) in enumerate(agenda, 1):
            item = AgendaItem(
                order=order,
                title=item_title,
                presenter_id=u[presenter].id if presenter else None,
                duration_minutes=minutes,
            )
            for paper_title, kind, code in papers:
                if kind == "external":
                    item.papers.append(
                        Paper(title=paper_title, kind=kind, url="https://dichvucong.gov.vn")
                    )
                    continue
                data = _pdf(
                    paper_title,
                    paper_title,
                    f"{100 + order}/{code}-STTTT",
                    starts.date() - dt.timedelta(days=3),
                    pages=3,
                )
                sha = self._file(data, f"{paper_title}.pdf")
                level, readers = CONFIDENTIAL_PAPERS.get(paper_title, ("normal", ()))
                paper = Paper(
                    title=paper_title,
                    kind=kind,
                    file_sha256=sha,
                    confidentiality=level,
                    shared_with_guests=level == "normal",  # the demo guest reads the open papers
                    versions=[PaperVersion(no=1, file_sha256=sha)],
                )
                item.papers.append(paper)
                pending_readers.append((paper, readers))
            meeting.agenda.append(item)
        self.s.add(meeting)
        self.s.flush()
        for paper, readers in pending_readers:
            self.s.add_all(PaperReader(paper_id=paper.id, user_id=u[r].id) for r in readers)
        self.meeting_ids.append(meeting.id)

    # --- documents --------------------------------------------------------------------------

    def _documents(self) -> None:
        d = self.today
        bgd = "GIÁM ĐỐC\n\n\n\nNguyễn Văn Hùng"
        ubnd = "Ủy ban nhân dân tỉnh Hòa Bình"
        ours = "Sở Thông tin và Truyền thông tỉnh Hòa Bình"
        docs = [
            # number, symbol, agency, type, summary, urgency, deadline days, direction, status,
            # assignments [(user, action, state)], creator, unit
            (
                "2456",
                "UBND-KGVX",
                ubnd,
                "Công văn",
                "V/v triển khai Kế hoạch chuyển đổi số năm 2027",
                "urgent",
                2,
                "in",
                "registered",
                [("giamdoc", "route", "pending")],
                "vanthu",
                "vp",
            ),
            (
                "4821",
                "BTTTT-CĐSQG",
                "Bộ Thông tin và Truyền thông",
                "Công văn",
                "V/v hướng dẫn triển khai các nền tảng số quốc gia dùng chung",
                "flash",
                0,
                "in",
                "processing",
                [("giamdoc", "process", "pending"), ("chuyenvien1", "coordinate", "pending")],
                "vanthu",
                "vp",
            ),
            (
                "45",
                "TTr-STTTT",
                ours,
                "Tờ trình",
                "Tờ trình đề nghị phê duyệt dự toán kinh phí nâng cấp hệ thống hội nghị truyền "
                "hình trực tuyến",
                "very_urgent",
                1,
                "out",
                "awaiting_approval",
                [("chuyenvien1", "process", "done"), ("giamdoc", "approve", "pending")],
                "chuyenvien1",
                "cntt",
            ),
            (
                "215",
                "QĐ-STTTT",
                ours,
                "Quyết định",
                "Quyết định về việc thành lập Tổ công tác triển khai Đề án 06 của Sở",
                "normal",
                3,
                "out",
                "awaiting_signature",
                [
                    ("chuyenvien1", "process", "done"),
                    ("phogiamdoc", "review", "done"),
                    ("giamdoc", "sign", "pending"),
                ],
                "chuyenvien1",
                "cntt",
            ),
            (
                "312",
                "BC-STTTT",
                ours,
                "Báo cáo",
                "Báo cáo kết quả thực hiện nhiệm vụ năm 2026 và phương hướng năm 2027",
                "normal",
                5,
                "out",
                "awaiting_approval",
                [("chanhvp", "process", "done"), ("giamdoc", "approve", "pending")],
                "chanhvp",
                "vp",
            ),
            (
                "128",
                "KH-STTTT",
                ours,
                "Kế hoạch",
                "Kế hoạch tuyên truyền về chuyển đổi số năm 2027",
                "normal",
                7,
                "out",
                "awaiting_approval",
                [("chuyenvien2", "process", "done"), ("phogiamdoc", "approve", "pending")],
                "chuyenvien2",
                "bcvt",
            ),
            (
                "1789",
                "SNV-CCVC",
                "Sở Nội vụ tỉnh Hòa Bình",
                "Công văn",
                "V/v cử cán bộ tham gia lớp bồi dưỡng kiến thức quản lý nhà nước",
                "normal",
                6,
                "in",
                "processing",
                [("chanhvp", "process", "pending")],
                "vanthu",
                "vp",
            ),
            (
                "530",
                "STTTT-BCVT",
                ours,
                "Công văn",
                "V/v đảm bảo an toàn thông tin mạng và thông suốt viễn thông dịp Tết Nguyên đán",
                "urgent",
                4,
                "out",
                "drafting",
                [("chuyenvien2", "process", "pending"), ("giamdoc", "coordinate", "pending")],
                "phogiamdoc",
                "bcvt",
            ),
            (
                "198",
                "QĐ-UBND",
                ubnd,
                "Quyết định",
                "Quyết định phê duyệt danh mục dịch vụ công trực tuyến toàn trình năm 2026",
                "normal",
                None,
                "in",
                "done",
                [("giamdoc", "process", "done"), ("chuyenvien1", "process", "done")],
                "vanthu",
                "vp",
            ),
            (
                "77",
                "TB-STTTT",
                ours,
                "Thông báo",
                "Thông báo kết luận của Giám đốc Sở tại cuộc họp giao ban tháng 11",
                "normal",
                1,
                "out",
                "signed",
                [
                    ("chanhvp", "process", "done"),
                    ("giamdoc", "approve", "done"),
                    ("giamdoc", "sign", "done"),
                    ("vanthu", "issue", "pending"),
                ],
                "chanhvp",
                "vp",
            ),
            (
                "301",
                "BC-STTTT",
                ours,
                "Báo cáo",
                "Báo cáo tình hình ứng dụng công nghệ thông tin trong cơ quan nhà nước quý IV",
                "normal",
                3,
                "out",
                "returned",
                [
                    ("chuyenvien1", "process", "done"),
                    ("giamdoc", "approve", "done"),
                    ("chuyenvien1", "process", "pending"),
                ],
                "chuyenvien1",
                "cntt",
            ),
            (
                "12",
                "STTTT-TTr",
                ours,
                "Công văn",
                "V/v kiểm tra việc chấp hành pháp luật về an toàn thông tin (tài liệu mật)",
                "urgent",
                8,
                "out",
                "awaiting_approval",
                [("chanhvp", "process", "done"), ("giamdoc", "approve", "pending")],
                "chanhvp",
                "vp",
            ),
            (
                "09",
                "KH-STTTT",
                ours,
                "Kế hoạch",
                "Kế hoạch bảo vệ bí mật nhà nước năm 2027 (tài liệu tối mật)",
                "normal",
                10,
                "out",
                "awaiting_signature",
                [("chanhvp", "process", "done"), ("giamdoc", "sign", "pending")],
                "chanhvp",
                "vp",
            ),
            (
                "14",
                "TB-STTTT",
                ours,
                "Thông báo",
                "Thông báo lịch tiếp công dân của Lãnh đạo Sở tháng 12",
                "normal",
                None,
                "out",
                "issued",
                [
                    ("chuyenvien2", "process", "done"),
                    ("phogiamdoc", "approve", "done"),
                    ("phogiamdoc", "sign", "done"),
                    ("vanthu", "issue", "done"),
                ],
                "chuyenvien2",
                "bcvt",
            ),
        ]
        for index, (
            num,
            sym,
            agency,
            kind,
            summary,
            urg,
            days,
            direction,
            status,
            steps,
            creator,
            unit,
        ) in enumerate(docs):
            # Within this year (from 1 January on): the demo's "notice 14 of the year" and its
            # four incoming documents stay this year's, so the next numbers follow them.
            issued = max(d - dt.timedelta(days=(index % 5) + 1), dt.date(d.year, 1, 1))
            deadline = None if days is None else _at(d + dt.timedelta(days=days), 17)
            document = Document(
                number=num,
                symbol=sym,
                issuing_agency=agency,
                issued_on=issued,
                summary=summary,
                doc_type=kind,
                urgency=urg,
                confidentiality=_confidentiality(summary),
                direction=direction,
                status=status,
                deadline=deadline,
                created_by=self.users[creator].id,
                org_unit_id=self.units[unit].id,
            )
            title = summary if kind in ("Tờ trình", "Quyết định") else kind
            subtitle = "" if title == summary else summary
            data = _pdf(
                summary,
                title,
                f"{num}/{sym}",
                issued,
                pages=2,
                signer=bgd if direction == "out" else "",
                subtitle=subtitle,
            )
            document.versions.append(
                DocumentVersion(
                    no=1,
                    file_sha256=self._file(data, f"{num}-{sym}.pdf"),
                    created_by=self.users[creator].id,
                )
            )
            for username, action, state in steps:
                document.assignments.append(
                    Assignment(
                        assignee_id=self.users[username].id,
                        assigned_by=self.users[creator].id,
                        action=action,
                        deadline=deadline,
                        state=state,
                    )
                )
            self.s.add(document)
            self.s.flush()
            for reader in (self.users[r] for r in DOCUMENT_READERS.get(num, ())):
                self.s.add(DocumentReader(document_id=document.id, user_id=reader.id))
                emit(self.s, "document.shared", {"document_id": document.id}, [reader.id])
            self.document_ids.append(document.id)
            for a in document.assignments:
                if a.state == "pending":
                    emit(self.s, "document.assigned", {"document_id": document.id}, [a.assignee_id])
        self._comments()
        seed_workflow.enrich(self.s, self.users, self.document_ids, self.today)

    def _comments(self) -> None:
        u = self.users
        by_id = {doc_id: doc_id for doc_id in self.document_ids}
        remarks = [
            (
                self.document_ids[2],
                "chuyenvien1",
                "Kính trình Giám đốc xem xét, phê duyệt dự toán theo đề xuất.",
            ),
            (
                self.document_ids[3],
                "phogiamdoc",
                "Đã rà soát nội dung, đề nghị Giám đốc ký ban hành Quyết định.",
            ),
            (
                self.document_ids[10],
                "giamdoc",
                "Đề nghị bổ sung số liệu quý IV của các huyện trước khi trình lại.",
            ),
        ]
        for doc_id, who, text in remarks:
            kind = "return" if doc_id == self.document_ids[10] else "comment"
            self.s.add(
                Comment(document_id=by_id[doc_id], author_id=u[who].id, text=text, kind=kind)
            )
