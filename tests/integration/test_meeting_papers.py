"""desktop/meeting_room/papers.py against the real server: the papers of the next seven days are
downloaded in the background and open with the server stopped; the secretary's changes go
through the outbox; a replaced paper is announced through the event stream and its new version
downloaded."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import Path

import pymupdf

from desktop.domain import Paper
from desktop.events import EventStream
from desktop.files import FileCache
from desktop.meeting_room.papers import MeetingPapers, PaperPrefetcher, PaperReplaced, papers_of
from desktop.meetings import MeetingsService
from desktop.outbox import Outbox
from desktop.session import Session
from desktop.store import LocalStore
from tests.fixtures.server import ServerProcess
from tests.integration.conftest import PASSWORD, Recorder, SessionFactory, wait_until


def write_pdf(path: Path, text: str) -> Path:
    with pymupdf.open() as doc:
        doc.new_page().insert_text((72, 72), text)
        doc.save(path)
    return path


def page_text(path: Path) -> str:
    with pymupdf.open(path) as doc:
        return str(doc[0].get_text())


async def meeting_in(secretary: Session, days: float, invitees: list[int]) -> int:
    """A meeting `days` from now chaired by giamdoc (id 1), run by the secretary."""
    assert secretary.user is not None
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    body = {
        "title": f"Họp {uuid.uuid4().hex[:6]}",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
        "chair_id": 1,
        "secretary_id": secretary.user.id,
        "invitee_ids": invitees,
    }
    answer = await secretary.api.post_json("/meetings", body)
    assert isinstance(answer, dict)
    return int(answer["id"])


async def with_paper(secretary: Session, meeting_id: int, path: Path) -> tuple[int, str]:
    """An item with one main paper from `path`; returns (paper id, sha256)."""
    agenda = await secretary.api.post_json(f"/meetings/{meeting_id}/agenda", {"title": "Mục 1"})
    assert isinstance(agenda, list)
    upload = await secretary.api.request(
        "POST", "/files", params={"name": path.name}, data=await asyncio.to_thread(path.read_bytes)
    )
    assert isinstance(upload.body, dict)
    sha = str(upload.body["sha256"])
    paper = await secretary.api.post_json(
        f"/meetings/{meeting_id}/agenda/{agenda[0]['id']}/papers",
        {"title": path.stem, "file_sha256": sha},
    )
    assert isinstance(paper, dict)
    return int(paper["id"]), sha


async def signed_in(make_session: SessionFactory, url: str, username: str) -> Session:
    session = make_session()
    await session.sign_in(url, username, PASSWORD, False)
    return session


async def test_papers_of_the_coming_week_open_offline(
    server: ServerProcess, store: LocalStore, make_session: SessionFactory, tmp_path: Path
) -> None:
    secretary = await signed_in(make_session, server.url, "chanhvp")
    delegate = await signed_in(make_session, server.url, "chuyenvien1")
    assert delegate.user is not None
    soon = await meeting_in(secretary, 3, [delegate.user.id])
    far = await meeting_in(secretary, 10, [delegate.user.id])
    near_paper, near_sha = await with_paper(
        secretary, soon, write_pdf(tmp_path / "a.pdf", "To trinh gan")
    )
    _, far_sha = await with_paper(secretary, far, write_pdf(tmp_path / "b.pdf", "To trinh xa"))

    files = FileCache(delegate, tmp_path / "files", 1 << 30)
    meetings = MeetingsService(delegate)
    prefetcher = PaperPrefetcher(delegate, None, files, meetings)
    downloaded = Recorder()
    prefetcher.downloaded.connect(downloaded)
    try:
        prefetcher.start()  # in the background, like the app does after sign-in
        await wait_until(lambda: near_sha in downloaded.calls, 30, "the paper downloaded")
        await prefetcher.refresher.wait()
    finally:
        await prefetcher.close()
    assert files.cached(near_sha) is not None
    assert files.cached(far_sha) is None  # beyond the seven days
    # The demo meetings of the coming days the delegate attends came too.
    assert len(set(downloaded.calls)) > 1

    server.stop()
    papers = MeetingPapers(
        delegate, None, Outbox(store, delegate.api), soon, files=files, meetings=meetings
    )
    try:
        await papers.refresh()  # the meeting as kept on this computer
        assert papers.meeting is not None
        (paper,) = papers_of(papers.meeting)
        assert paper.id == near_paper
        path = papers.local_path(paper)
        assert path is not None
        assert "To trinh gan" in await asyncio.to_thread(page_text, path)
        assert await papers.open_path(paper) == path  # no network needed
    finally:
        await papers.close()


async def test_the_secretary_edits_and_a_replacement_reaches_the_delegate(
    server: ServerProcess, store: LocalStore, make_session: SessionFactory, tmp_path: Path
) -> None:
    secretary = await signed_in(make_session, server.url, "chanhvp")
    delegate = await signed_in(make_session, server.url, "chuyenvien1")
    assert delegate.user is not None
    meeting = await meeting_in(secretary, 1, [delegate.user.id])

    # The secretary's service: items and papers go through the outbox.
    secretary_files = FileCache(secretary, tmp_path / "secretary-files", 1 << 30)
    editing = MeetingPapers(
        secretary,
        None,
        Outbox(store, secretary.api),
        meeting,
        files=secretary_files,
        meetings=MeetingsService(secretary),
    )
    # The delegate's service follows the event stream.
    stream = EventStream(delegate, store, backoff=(0.05, 0.5))
    files = FileCache(delegate, tmp_path / "files", 1 << 30)
    reading = MeetingPapers(
        delegate,
        stream,
        Outbox(store, delegate.api),
        meeting,
        files=files,
        meetings=MeetingsService(delegate),
    )
    # The session's prefetcher tells every window of the replaced paper (not started: it
    # would fetch the week's papers too).
    prefetcher = PaperPrefetcher(delegate, stream, files, MeetingsService(delegate))
    replaced = Recorder()
    prefetcher.paper_replaced.connect(replaced)
    downloaded = Recorder()
    reading.downloaded.connect(downloaded)
    stream.start()
    try:
        await wait_until(lambda: stream.state == "connected", 10, "the event stream")
        await editing.refresh()
        assert editing.can_edit
        assert editing.agenda == []
        editing.add_item("Khai mạc")
        editing.add_item("Thảo luận")
        await editing.outbox.wait()
        await wait_until(lambda: len(reading.agenda) == 2, 10, "the items reach the delegate")
        await wait_until(lambda: len(editing.agenda) == 2, 10, "the secretary's agenda reloads")
        first, second = editing.agenda
        editing.move_item(second.id, -1)
        assert [i.title for i in editing.agenda] == ["Thảo luận", "Khai mạc"]  # shown at once
        await editing.outbox.wait()
        await wait_until(
            lambda: [i.title for i in reading.agenda] == ["Thảo luận", "Khai mạc"],
            10,
            "the new order at the delegate",
        )
        assert not reading.can_edit

        await editing.upload_paper(
            first.id, write_pdf(tmp_path / "du-thao.pdf", "Ban 1"), "Dự thảo"
        )
        await editing.outbox.wait()
        await wait_until(lambda: bool(papers_of_agenda(reading)), 10, "the paper at the delegate")
        (paper,) = papers_of_agenda(reading)
        assert paper.title == "Dự thảo"
        assert paper.kind == "main"
        assert paper.version == 1
        old = await reading.open_path(paper)

        await wait_until(lambda: bool(papers_of_agenda(editing)), 10, "the secretary's paper")
        await editing.replace_paper(paper.id, write_pdf(tmp_path / "du-thao-2.pdf", "Ban 2"))
        await editing.outbox.wait()
        await wait_until(lambda: bool(replaced.calls), 10, "paper.replaced at the delegate")
        (notice,) = replaced.calls
        assert isinstance(notice, PaperReplaced)
        assert (notice.paper_id, notice.version, notice.title) == (paper.id, 2, "Dự thảo")
        assert paper.file is not None
        assert notice.previous_sha256 == paper.file.sha256
        new_sha = notice.file.sha256
        await wait_until(lambda: new_sha in downloaded.calls, 10, "the new version downloaded")
        path = files.cached(new_sha)
        assert path is not None
        assert path != old
        assert "Ban 2" in await asyncio.to_thread(page_text, path)
        await wait_until(
            lambda: papers_of_agenda(reading)[0].version == 2, 10, "the agenda shows version 2"
        )
    finally:
        await prefetcher.close()
        await reading.close()
        await editing.close()
        await stream.close()


def papers_of_agenda(service: MeetingPapers) -> list[Paper]:
    return [p for item in service.agenda for p in item.papers]
