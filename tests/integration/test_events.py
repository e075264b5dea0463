"""The event stream against the real server: resume across a restart, 4401 → refresh."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

from desktop.domain import Event
from desktop.errors import ServerUnreachable
from desktop.events import EventStream
from desktop.meetings import MeetingsService
from desktop.session import Session
from desktop.store import LocalStore
from tests.fixtures.server import ServerFactory, ServerProcess
from tests.integration.conftest import (
    Recorder,
    SessionFactory,
    leader_and_secretary,
    wait_until,
)

BURST = 50


async def post_comment(writer: Session, document_id: int, text: str) -> int:
    """POST a comment, retrying with the same key through a server restart."""
    key = str(uuid.uuid4())
    while True:
        try:
            response = await writer.api.request(
                "POST",
                f"/documents/{document_id}/comments",
                json_body={"text": text},
                idempotency_key=key,
            )
            return int(response.body["id"])
        except ServerUnreachable:
            await asyncio.sleep(0.05)


async def drain(stream: EventStream, reader: Session) -> None:
    """Wait until the stream has delivered everything the server has for the reader now."""
    page = await reader.api.get_json("/events", {"since": 0, "limit": 1000})
    await wait_until(lambda: stream.last_seq >= page["last_seq"], 10, "the backlog")


async def test_burst_across_server_restart_arrives_exactly_once(
    server: ServerProcess, store: LocalStore, make_session: SessionFactory
) -> None:
    reader, writer, document_id = await leader_and_secretary(make_session, server.url)

    stream = EventStream(reader, store, backoff=(0.05, 0.5))
    states, events = Recorder(), Recorder()
    stream.state_changed.connect(states)
    stream.event_received.connect(events)
    stream.start()
    try:
        await drain(stream, reader)
        assert states.calls == ["connected"]
        events.calls.clear()

        halfway = asyncio.Event()

        async def burst() -> list[int]:
            ids = []
            for n in range(BURST):
                ids.append(await post_comment(writer, document_id, f"Ý kiến {n}"))
                if n == BURST // 3:
                    halfway.set()
            return ids

        async def restart() -> None:
            await halfway.wait()
            await asyncio.to_thread(server.restart)

        posted, _ = await asyncio.gather(burst(), restart())

        def comment_ids() -> list[int]:
            return [
                e.data["comment_id"]
                for e in events.calls
                if isinstance(e, Event) and e.type == "document.commented"
            ]

        await wait_until(lambda: set(comment_ids()) >= set(posted), 20, "all comment events")
        # The server sends in order: a duplicate of the burst would arrive before this one.
        last = await post_comment(writer, document_id, "Ý kiến cuối")
        await wait_until(lambda: last in comment_ids(), 20, "the last comment's event")
        counts = Counter(comment_ids())
        assert sorted(counts) == sorted([*posted, last])
        assert set(counts.values()) == {1}, "every event exactly once"
        seqs = [e.seq for e in events.calls]
        assert seqs == sorted(set(seqs))
        assert "reconnecting" in states.calls
        assert states.calls[0] == "connected"
        assert states.calls[-1] == "connected"
        assert store.get(f"events.last_seq:{reader.scope}") == stream.last_seq
    finally:
        await stream.close()
    assert states.calls[-1] == "offline"


async def test_resume_from_the_stored_position(
    server: ServerProcess, store: LocalStore, make_session: SessionFactory
) -> None:
    """A new stream (the next run of the app) starts after the last delivered event."""
    reader, writer, document_id = await leader_and_secretary(make_session, server.url)
    first = EventStream(reader, store, backoff=(0.05, 0.5))
    first.start()
    await drain(first, reader)
    await first.close()
    position = first.last_seq

    comment = await post_comment(writer, document_id, "Sau khi đóng")
    second = EventStream(reader, store, backoff=(0.05, 0.5))
    assert second.last_seq == position
    events = Recorder()
    second.event_received.connect(events)
    second.start()
    try:
        await wait_until(lambda: bool(events.calls), 10, "the missed event")
        # Anything replayed from before the stored position would come before a new event.
        later = await post_comment(writer, document_id, "Sau khi mở lại")
        await wait_until(lambda: len(events.calls) >= 2, 10, "the new event")
        assert [e.data.get("comment_id") for e in events.calls] == [comment, later]
    finally:
        await second.close()


async def test_expired_token_close_4401_refreshes_and_reconnects(
    server_factory: ServerFactory, store: LocalStore, make_session: SessionFactory
) -> None:
    short = server_factory(extra_args=["--access-ttl", "2"])
    reader, writer, document_id = await leader_and_secretary(make_session, short.url)
    stream = EventStream(reader, store, backoff=(0.05, 0.5))
    events = Recorder()
    stream.event_received.connect(events)
    stream.start()
    try:
        await drain(stream, reader)
        token = reader.access_token
        await wait_until(lambda: reader.access_token != token, 15, "a refresh after 4401")
        assert reader.user is not None  # still signed in
        comment = await post_comment(writer, document_id, "Sau khi làm mới")
        await wait_until(
            lambda: any(e.data.get("comment_id") == comment for e in events.calls),
            10,
            "the event after reconnecting",
        )
    finally:
        await stream.close()


async def test_a_position_outside_the_window_reloads_and_goes_on(
    server_factory: ServerFactory, store: LocalStore, make_session: SessionFactory
) -> None:
    """Finding 14, client side: the server keeps 2 events only; a client whose stored position
    is older is told to resync, reloads its meeting list from the server (no event says the
    list changed) and then receives the live events after the new position."""
    short = server_factory(extra_args=["--event-keep", "2"])
    reader, writer, document_id = await leader_and_secretary(make_session, short.url)
    store.set(f"events.last_seq:{reader.scope}", 1)  # from before the window
    stream = EventStream(reader, store, backoff=(0.05, 0.5))
    meetings = MeetingsService(reader, stream)
    reloads, events = Recorder(), Recorder()
    meetings.changed.connect(reloads)
    stream.event_received.connect(events)
    stream.start()
    try:
        await wait_until(lambda: bool(reloads.calls), 10, "the meeting list reloaded")
        newest = (await reader.api.get_json("/events", {"since": 0}))["last_seq"]
        assert stream.last_seq >= newest
        assert meetings.meetings, "the demo leader has meetings"
        comment = await post_comment(writer, document_id, "Sau khi đồng bộ lại")
        await wait_until(lambda: bool(events.calls), 10, "the live event after the resync")
        assert [e.data.get("comment_id") for e in events.calls] == [comment]
    finally:
        await stream.close()
        await meetings.close()
