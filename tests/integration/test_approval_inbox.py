"""The approval inbox against the real server: lists and badges from the workflow endpoints,
buttons from the rules, an action taken offline that reaches the server once it is back, and
the tray's "newly assigned" announcement driven by the real event stream."""

from __future__ import annotations

from pathlib import Path

from desktop.events import EventStream
from desktop.files import FileCache
from desktop.inbox import ApprovalInbox, pdf_text
from desktop.inbox_index import DONE, WAITING, InboxFilter
from desktop.outbox import Outbox
from desktop.session import Session
from desktop.store import LocalStore
from tests.fixtures.server import ServerProcess
from tests.integration.conftest import PASSWORD, Recorder, SessionFactory, wait_until
from tests.ui.test_approval_view import without_tones


async def signed_in(make_session: SessionFactory, url: str, username: str) -> Session:
    session = make_session()
    await session.sign_in(url, username, PASSWORD, False)
    return session


async def test_lists_badges_search_and_buttons_come_from_the_server(
    server: ServerProcess, make_session: SessionFactory
) -> None:
    session = await signed_in(make_session, server.url, "giamdoc")
    inbox = ApprovalInbox(session)
    await inbox.refresh()
    waiting = await session.api.get_json("/documents", {"box": "inbox"})
    everything = await session.api.get_json("/documents", {"box": "all"})
    counts = inbox.counts()
    assert counts[WAITING] == len(waiting) > 0
    assert counts[DONE] == sum(d["status"] in ("issued", "done") for d in everything)
    assert {d.id for d in inbox.documents(WAITING)} == {d["id"] for d in waiting}
    first = waiting[0]
    words = first["summary"].split()[:2]
    found = inbox.documents(WAITING, InboxFilter(search=" ".join(words)))
    assert first["id"] in {d.id for d in found}

    approving = next(d for d in waiting if d["my_action"] == "approve")
    document = await inbox.document(approving["id"])
    assert document.status == "awaiting_approval"
    assert inbox.allowed(document) == ["approve", "return", "comment", "instruct"]
    await inbox.close()


async def test_an_action_taken_offline_is_sent_once_when_the_server_is_back(
    server: ServerProcess, store: LocalStore, make_session: SessionFactory
) -> None:
    session = await signed_in(make_session, server.url, "giamdoc")
    stream = EventStream(session, store, backoff=(0.05, 0.3))
    outbox = Outbox(store, session.api)
    inbox = ApprovalInbox(session, stream, outbox)
    stream.start()
    try:
        await inbox.refresh()
        target = next(d for d in inbox.documents(WAITING) if d.my_action == "approve")
        await wait_until(lambda: stream.state == "connected", 10, "connected")
        server.stop()
        key = await inbox.act(target.id, "return", {"reason": "Bổ sung số liệu quý IV"})
        assert [r.key for r in outbox.rows()] == [key]
        server.restart()
        await wait_until(lambda: outbox.pending == 0, 15, "the outbox to flush on reconnect")
        document = await inbox.document(target.id)
        assert document.status == "returned"
        returns = [c for c in document.comments if c.kind == "return"]
        assert [c.text for c in returns] == ["Bổ sung số liệu quý IV"]
        await wait_until(
            lambda: target.id not in {d.id for d in inbox.documents(WAITING)},
            10,
            "the returned document to leave my waiting list (document.changed)",
        )
    finally:
        await inbox.close()
        await outbox.close()
        await stream.close()


async def test_a_new_assignment_is_announced_with_the_count_waiting(
    server: ServerProcess, store: LocalStore, make_session: SessionFactory
) -> None:
    leader = await signed_in(make_session, server.url, "giamdoc")
    deputy = make_session()
    await deputy.sign_in(server.url, "phogiamdoc", PASSWORD, False)
    stream = EventStream(deputy, store, backoff=(0.05, 0.3))
    deputy_inbox = ApprovalInbox(deputy, stream, Outbox(store, deputy.api))
    announced = Recorder()
    deputy_inbox.newly_assigned.connect(announced)
    stream.start()
    leader_inbox = ApprovalInbox(leader, outbox=Outbox(store, leader.api))
    try:
        await wait_until(lambda: stream.state == "connected", 10, "connected")
        await leader_inbox.refresh()
        await deputy_inbox.refresh()
        before = deputy_inbox.counts()[WAITING]
        target = next(d for d in leader_inbox.documents(WAITING) if d.my_action == "approve")
        assert deputy.user is not None
        assert announced.calls == []  # what waited before (and the replayed backlog) is no news
        await leader_inbox.act(target.id, "approve", {"signer_id": deputy.user.id})
        await wait_until(lambda: bool(announced.calls), 10, "the assignment to be announced")
        assert announced.calls == [(target.id, before + 1)]
        assert deputy_inbox.counts()[WAITING] == before + 1
    finally:
        await deputy_inbox.close()
        await leader_inbox.close()
        await stream.close()


async def test_the_text_of_a_downloaded_version_becomes_searchable(
    server: ServerProcess, make_session: SessionFactory, tmp_path: Path
) -> None:
    session = await signed_in(make_session, server.url, "giamdoc")
    inbox = ApprovalInbox(session)
    await inbox.refresh()
    target = inbox.documents(WAITING)[0]
    document = await inbox.document(target.id)
    files = FileCache(session, tmp_path / "files", 1 << 30)
    path = await files.fetch(document.versions[-1].file)
    metadata = without_tones(
        " ".join((target.summary, target.number, target.symbol, target.issuing_agency))
    ).lower()
    words = [w for w in without_tones(pdf_text(path)).split() if w.isalpha() and len(w) > 4]
    only_in_pdf = next(w for w in words if w.lower() not in metadata)
    query = InboxFilter(search=only_in_pdf)
    assert target.id not in {d.id for d in inbox.documents(WAITING, query)}
    await inbox.index_text(target.id, path)  # text extracted in a thread
    assert target.id in {d.id for d in inbox.documents(WAITING, query)}
    await files.close()
    await inbox.close()
