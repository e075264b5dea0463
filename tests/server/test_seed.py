"""Demo seed: the accounts, meetings and documents of the contract; Vietnamese PDFs."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pymupdf
import pytest

from server.seed import USERS
from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api, api_for


@pytest.mark.parametrize("user", USERS, ids=lambda u: u.username)
def test_demo_accounts_sign_in(demo: Api, user: object) -> None:
    me = demo.login(user.username).user  # type: ignore[attr-defined]
    assert me["roles"] == [user.role]  # type: ignore[attr-defined]
    assert me["title"] == user.title  # type: ignore[attr-defined]


def test_meetings_this_week_with_agendas_papers_and_online_rooms(demo: Api) -> None:
    leader = demo.login("giamdoc")
    meetings = leader.get("/meetings").json()
    assert len(meetings) >= 4
    details = [leader.get(f"/meetings/{m['id']}").json() for m in meetings]
    online = [d for d in details if d["online"]]
    assert online
    assert all(d["media"]["kind"] == "room" for d in online)
    with_agenda = [d for d in details if d["status"] == "scheduled"]
    assert all(3 <= len(d["agenda"]) <= 5 for d in with_agenda)
    papers = [p for d in details for item in d["agenda"] for p in item["papers"]]
    assert any(p["kind"] == "external" and p["url"] for p in papers)
    assert sum(1 for p in papers if p["file"]) >= 6
    marked = {p["title"]: p["confidentiality"] for p in papers if p["confidentiality"] != "normal"}
    assert marked == {  # papers readers see watermarked, shown to the chair
        "Kế hoạch đảm bảo an toàn thông tin": "confidential",
        "Phương án ứng cứu sự cố an toàn thông tin mạng": "secret",
    }
    vn = dt.timezone(dt.timedelta(hours=7))
    today = dt.datetime.now(vn).date()
    days = {dt.datetime.fromisoformat(m["starts_at"]).astimezone(vn).date() for m in meetings}
    assert today in days


def _pdf_text(api: Api, sha: str) -> tuple[int, str]:
    reply = api.get(f"/files/{sha}")
    assert reply.status == 200
    with pymupdf.open(stream=reply.body, filetype="pdf") as doc:
        return doc.page_count, "\n".join(page.get_text() for page in doc)


def test_pdfs_carry_vietnamese_text_that_round_trips(demo: Api) -> None:
    leader = demo.login("giamdoc")
    documents = leader.get("/documents?box=all").json()
    decision = next(d for d in documents if d["doc_type"] == "Quyết định")
    full = leader.get(f"/documents/{decision['id']}").json()
    pages, text = _pdf_text(leader, full["versions"][0]["file"]["sha256"])
    assert pages >= 2
    for phrase in (
        "Quyết định",
        "QUYẾT ĐỊNH",
        "Ủy ban nhân dân",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"Số: {decision['number']}/{decision['symbol']}",
    ):
        assert phrase in text, phrase

    meeting = leader.get("/meetings").json()
    paper = next(
        p
        for m in meeting
        for item in leader.get(f"/meetings/{m['id']}").json()["agenda"]
        for p in item["papers"]
        if p["file"]
    )
    pages, text = _pdf_text(leader, paper["file"]["sha256"])
    assert pages >= 3
    assert "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" in text


def test_documents_cover_workflow_stages(demo: Api) -> None:
    # the IT admin sees every normal document, the director the confidential ones named on him
    seen = [demo.login(u).get("/documents?box=all").json() for u in ("quantri", "giamdoc")]
    documents = list({d["id"]: d for d in seen[0] + seen[1]}.values())
    assert len(documents) >= 13
    assert {d["confidentiality"] for d in documents} == {"normal", "confidential", "secret"}
    assert {"Công văn", "Quyết định", "Tờ trình", "Báo cáo", "Kế hoạch"} <= {
        d["doc_type"] for d in documents
    }
    assert {"in", "out"} == {d["direction"] for d in documents}
    assert len({d["urgency"] for d in documents}) == 4
    assert len({d["status"] for d in documents}) >= 5
    assert all("/" not in d["number"] and "-" in d["symbol"] for d in documents)


def test_reseeding_is_idempotent_and_reanchors_dates(server: ServerProcess) -> None:
    api = api_for(server)
    admin = api.login("quantri")
    before = admin.get("/meetings").json()
    count_docs = len(admin.get("/documents?box=all").json())
    server.stop()
    with sqlite3.connect(server.db_url.removeprefix("sqlite:///")) as db:
        anchor = db.execute("SELECT value FROM server_meta WHERE key='demo_anchor_date'").fetchone()
        yesterday = dt.date.fromisoformat(anchor[0]) - dt.timedelta(days=1)
        db.execute(
            "UPDATE server_meta SET value=? WHERE key='demo_anchor_date'", (yesterday.isoformat(),)
        )
    server.restart()
    admin = api_for(server).login("quantri")
    after = admin.get("/meetings").json()
    assert len(after) == len(before)
    assert len(admin.get("/documents?box=all").json()) == count_docs
    with sqlite3.connect(server.db_url.removeprefix("sqlite:///")) as db:
        anchor = db.execute("SELECT value FROM server_meta WHERE key='demo_anchor_date'").fetchone()
    # one day, or two when midnight in Hanoi came between the seeding and the restart
    days = dt.date.fromisoformat(anchor[0]) - yesterday
    assert days in {dt.timedelta(days=1), dt.timedelta(days=2)}
    shift = {
        b["id"]: dt.datetime.fromisoformat(a["starts_at"])
        - dt.datetime.fromisoformat(b["starts_at"])
        for a, b in zip(after, before, strict=True)
    }
    assert set(shift.values()) == {days}


SEED_ONLY = """
import sys
from pathlib import Path
from server.db import make_engine, session_factory, upgrade
from server.files import FileStore
from server.seed import seed_demo
engine = make_engine(sys.argv[1])
upgrade(engine)
seed_demo(session_factory(engine), FileStore(Path(sys.argv[2])))
"""
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def _seed_under(tz: str, workdir: Path) -> tuple[str, list[tuple[int, str, str]], list[str]]:
    """Seed a fresh SQLite DB in a child whose local zone is `tz`; its stored anchor day,
    meeting times and document deadlines (naive UTC as stored)."""
    workdir.mkdir()
    db = workdir / "seed.db"
    env = {**os.environ, "TZ": tz}
    subprocess.run(
        [sys.executable, "-c", SEED_ONLY, f"sqlite:///{db}", str(workdir / "files")],
        env=env,
        check=True,
        timeout=120,
    )
    with sqlite3.connect(db) as conn:
        anchor = conn.execute(
            "SELECT value FROM server_meta WHERE key = 'demo_anchor_date'"
        ).fetchone()[0]
        meetings = conn.execute(
            "SELECT id, starts_at, ends_at FROM meetings ORDER BY id"
        ).fetchall()
        deadlines = [
            row[0]
            for row in conn.execute("SELECT deadline FROM documents ORDER BY id")
            if row[0] is not None
        ]
    return anchor, meetings, deadlines


def test_seed_times_are_hanoi_office_hours_whatever_the_machine_zone(tmp_path: Path) -> None:
    """The demo's times are Hanoi wall-clock times stored as UTC: a server on a UTC machine
    and one on a Hanoi machine store the same instants, all in Hanoi office hours."""
    runs = {
        tz: _seed_under(tz, tmp_path / tz.replace("/", "-")) for tz in ("UTC", "Asia/Ho_Chi_Minh")
    }
    (anchor, meetings, deadlines), other = runs["UTC"], runs["Asia/Ho_Chi_Minh"]
    if other[0] == anchor:  # else the two runs straddled midnight in Hanoi: days differ
        assert other == (anchor, meetings, deadlines)
    assert len(meetings) >= 5
    assert deadlines
    for _id, starts, ends in meetings:
        start, end = (dt.datetime.fromisoformat(t).replace(tzinfo=dt.UTC) for t in (starts, ends))
        local_start, local_end = start.astimezone(HANOI), end.astimezone(HANOI)
        assert local_start.date() == local_end.date()
        assert dt.time(7, 30) <= local_start.time()
        assert local_end.time() <= dt.time(17, 30)
    for deadline in deadlines:
        local = dt.datetime.fromisoformat(deadline).replace(tzinfo=dt.UTC).astimezone(HANOI)
        assert local.time() == dt.time(17, 0)
