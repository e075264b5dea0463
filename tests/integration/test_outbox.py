"""The outbox against the real server: survives restarts, applied once, offline then flushed."""

from __future__ import annotations

from pathlib import Path

from desktop.documents import DocumentsService
from desktop.events import EventStream
from desktop.outbox import Outbox
from desktop.session import Session
from desktop.store import LocalStore, OutboxRow
from tests.fixtures.server import ServerProcess
from tests.integration.conftest import PASSWORD, Recorder, SessionFactory, start_app, wait_until


async def comment_texts(session: Session, document_id: int) -> list[str]:
    document = await session.api.get_json(f"/documents/{document_id}")
    return [c["text"] for c in document["comments"]]


async def first_inbox_document(session: Session) -> int:
    return int((await session.api.get_json("/documents", {"box": "inbox"}))[0]["id"])


async def test_outbox_survives_restart_and_is_applied_once(
    server: ServerProcess, tmp_path: Path
) -> None:
    path = tmp_path / "app" / "cache.db"
    store, session = await start_app(path, server.url)
    document_id = await first_inbox_document(session)
    key = Outbox(store, session.api).enqueue(
        "post", f"/documents/{document_id}/comments", {"text": "Đồng ý, trình ký"}
    )
    # The app dies before sending; the server restarts too.
    await session.close()
    store.close()
    server.restart()

    store, session = await start_app(path, server.url)
    outbox = Outbox(store, session.api)
    assert [r.key for r in outbox.rows()] == [key]
    assert outbox.pending == 1
    # The request reaches the server but the answer is lost (crash before deleting the row):
    row = outbox.rows()[0]
    first = await session.api.request(
        row.method, row.path, json_body=row.body, idempotency_key=row.key
    )
    assert first.status == 201
    pending = Recorder()
    outbox.pending_changed.connect(pending)
    assert await outbox.flush() == 1  # sent again with the same key: replayed, not applied
    assert outbox.pending == 0
    assert pending.calls[-1] == 0
    assert (await comment_texts(session, document_id)).count("Đồng ý, trình ký") == 1
    await session.close()
    store.close()


async def test_offline_comment_is_kept_then_sent_when_the_stream_reconnects(
    server: ServerProcess, store: LocalStore, make_session: SessionFactory
) -> None:
    session = make_session()
    await session.sign_in(server.url, "giamdoc", PASSWORD, False)
    document_id = await first_inbox_document(session)
    stream = EventStream(session, store, backoff=(0.05, 0.3))
    outbox = Outbox(store, session.api)
    inbox = DocumentsService(session, stream, outbox)
    stream.start()
    try:
        await wait_until(lambda: stream.state == "connected", 10, "connected")
        await outbox.wait()  # the flush the connection asked for is over (nothing to send)
        server.stop()
        await inbox.comment(document_id, "Gửi khi mất mạng")
        rows = outbox.rows()
        assert len(rows) == 1
        assert rows[0].attempts == 1
        assert rows[0].last_error
        assert rows[0].state == "pending"
        server.restart()
        await wait_until(lambda: outbox.pending == 0, 15, "the outbox to flush on reconnect")
        assert (await comment_texts(session, document_id)).count("Gửi khi mất mạng") == 1
    finally:
        await inbox.close()
        await outbox.close()
        await stream.close()


async def test_refused_action_is_marked_failed_and_kept(
    server: ServerProcess, store: LocalStore, make_session: SessionFactory
) -> None:
    session = make_session()
    await session.sign_in(server.url, "giamdoc", PASSWORD, False)
    document_id = await first_inbox_document(session)
    outbox = Outbox(store, session.api)
    failed = Recorder()
    outbox.failed.connect(failed)
    outbox.enqueue("POST", "/documents/999999/comments", {"text": "lạc"})
    outbox.enqueue("POST", f"/documents/{document_id}/comments", {"text": "tiếp theo"})
    assert await outbox.flush() == 1  # the refused one does not block the next
    assert outbox.pending == 0
    [row] = outbox.rows("failed")
    assert isinstance(failed.calls[0], OutboxRow)
    assert row.path == "/documents/999999/comments"
    assert "404" in (row.last_error or "")
    outbox.discard(row.key)
    await store.settled()  # written by the store's thread
    assert outbox.rows() == []
