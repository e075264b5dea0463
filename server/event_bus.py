"""In-memory fan-out of the event stream: one reader per process, streams kept by user.

Why: every WebSocket stream used to query the database itself (token, user, events) on every
commit and every 5 s, so 1,000 idle streams cost most of a core. Now one reader per process
reads each new event once, with its audience, serialises it once, and pushes the text to the
connected streams of those users only. A waiting stream costs no query: its token expiry is a
timer, and revocation is checked for all streams of the process in one query now and then.

Order: the reader takes events in `seq` order and `seq` order is commit order (`emit()`
serialises inserts on PostgreSQL; SQLite has a single writer), so it never skips a committed
seq. Wake-ups: after a local commit (in-process), through PostgreSQL LISTEN/NOTIFY for other
processes, and a cheap `seq > head` poll as the safety net (a lost listener, SQLite files shared
by several processes).

Delivery cost: with thousands of streams, an ASGI `send` per stream (middleware layers, a task
wake-up, an encode) made one event cost ~50 µs per stream. Once a stream has sent its replay it
switches to direct mode: the bus writes the event's pre-built WebSocket frame (built once per
event) straight to each connection's transport in one synchronous loop. A stream whose transport
buffer grows past `max_buffered` bytes (a client that stopped reading) is closed with 1013
`too-slow`; the client reconnects with `since` = its last seq and replays the rest exactly.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
import socket
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode

from server.models import AccessToken, Event, EventAudience, User, utcnow

log = logging.getLogger(__name__)

CHANNEL = "hopdesk_events"
READ_BATCH = 200
REVOKE_QUERY_CHUNK = 500
# Close codes (docs/contract.md Events).
WS_AUTH_FAILED = 4401
WS_TOO_SLOW = 1013  # "try again later": the client reconnects and replays from its position
SCOPE_PROTOCOL = "hopdesk.ws_protocol"  # where ExposeWebSocketProtocol puts the connection
GC_YOUNG, GC_MIDDLE, GC_OLD = 20_000, 20, 50  # Python's defaults: 700 (2,000 in 3.13), 10, 10
ABORT_SLOW_AFTER = 10.0  # seconds a dropped slow client has to read up to its close frame


@dataclass(frozen=True, slots=True)
class BusSettings:
    """How often the bus looks at the database, and how far a stream may lag behind."""

    poll: float = 0.5  # seconds between safety-net reads
    revoke_check: float = 30.0  # seconds between revocation checks of the connected tokens
    purge_interval: float = 3600.0  # seconds between purges of events older than the window
    keep_days: int = 30
    keep_events: int = 1_000_000
    max_pending: int = 10_000  # queued messages after which a stream is closed as too slow
    max_buffered: int = 1 << 20  # bytes unsent to a client after which it is closed as too slow


@dataclass(frozen=True, slots=True)
class Grant:
    """Who a stream belongs to, read once when it connects."""

    user_id: int
    token_digest: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event as read by the reader: its seq, its message (text and frame), its audience."""

    seq: int
    text: str
    frame: bytes  # the server-to-client WebSocket frame of `text`, built once for all streams
    audience: tuple[int, ...]


def text_frame(text: str) -> bytes:
    """An unmasked, uncompressed text frame (the server never masks; deflate is off)."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


class ExposeWebSocketProtocol:
    """Outermost ASGI wrapper: puts uvicorn's WebSocket connection object in the scope.

    Why: uvicorn calls the app with the connection's own `send`; every middleware below wraps
    it, so this is the only place where the connection (and its transport) can be reached.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SCOPE_PROTOCOL] = getattr(send, "__self__", None)
        await self.app(scope, receive, send)


class DirectSocket:
    """Writes pre-built frames straight to an open uvicorn (websockets sans-I/O) connection."""

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self._protocol = protocol
        self._transport = protocol.transport

    @classmethod
    def of(cls, scope: Scope) -> DirectSocket | None:
        """The connection of this scope when frames can be written to it, else None (then the
        stream sends through ASGI: another server, an extension such as deflate in use)."""
        protocol = scope.get(SCOPE_PROTOCOL)
        if not isinstance(protocol, WebSocketsSansIOProtocol) or protocol.conn.extensions:
            return None
        return cls(protocol)

    def cap_kernel_buffer(self, size: int) -> None:
        """Fix the socket's send buffer at about `size` bytes.

        Why: Linux grows a send buffer on its own (up to megabytes), so a client that stopped
        reading would fill the kernel long before the transport buffer the limit watches.
        """
        sock = self._transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, max(size, 1))

    def write(self, frame: bytes) -> bool:
        """Queue a frame; False when the connection is closing (nothing was written)."""
        if self._protocol.close_sent or self._transport.is_closing():
            return False
        self._transport.write(frame)
        return True

    def buffered(self) -> int:
        """Bytes written but not yet taken by the kernel (the client is not reading them)."""
        return self._transport.get_write_buffer_size()

    def close(self, code: int, reason: str) -> None:
        """Queue a close frame after what is buffered; abort if the client never reads it.

        Not through ASGI: its `send` waits while the transport is paused, i.e. for ever with a
        client that stopped reading.
        """
        protocol = self._protocol
        if protocol.close_sent or self._transport.is_closing():
            return
        protocol.conn.send_close(code, reason)
        self._transport.write(b"".join(protocol.conn.data_to_send()))
        protocol.close_sent = True
        asyncio.get_running_loop().call_later(ABORT_SLOW_AFTER, self._transport.abort)


class Stream:
    """One connected WebSocket: a queue of serialised events and, once set, how it must end."""

    def __init__(self, grant: Grant, max_pending: int, max_buffered: int = 1 << 20) -> None:
        self.grant = grant
        self.ending: tuple[int, str] | None = None
        self.closed_directly = False  # the close frame went out already (a slow client)
        self._max_pending = max_pending
        self._max_buffered = max_buffered
        self._direct: DirectSocket | None = None
        self._sent = 0
        self._pending: deque[tuple[int, str]] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._expiry: asyncio.TimerHandle | None = None

    def push(self, item: Delivery) -> None:
        """Deliver a live event (called by the bus on the event loop): written to the
        connection in direct mode, else queued for the stream's own task."""
        if self.ending is not None:
            return
        if self._direct is not None:
            self._write(item)
            return
        if len(self._pending) >= self._max_pending:
            self.end(WS_TOO_SLOW, "too-slow")
            return
        self._pending.append((item.seq, item.text))
        self._wake()

    def go_direct(self, direct: DirectSocket, sent: int) -> bool:
        """Switch to direct writes once every queued event was sent; False while some wait.

        The caller checks and switches without awaiting in between, so no event can be queued
        behind the switch; `sent` (the last seq sent) drops what the replay already sent.
        """
        if self._pending or self.ending is not None:
            return False
        direct.cap_kernel_buffer(self._max_buffered)
        self._direct, self._sent = direct, sent
        return True

    def _write(self, item: Delivery) -> None:
        assert self._direct is not None
        if item.seq <= self._sent:
            return
        if not self._direct.write(item.frame):
            return  # closing: the receive task ends the stream
        self._sent = item.seq
        if self._direct.buffered() > self._max_buffered:
            self._direct.close(WS_TOO_SLOW, "too-slow")
            self.closed_directly = True
            self.end(WS_TOO_SLOW, "too-slow")

    def end(self, code: int, reason: str) -> None:
        """Ask the stream to close with this code (the first reason given wins)."""
        if self.ending is None:
            self.ending = (code, reason)
            self._pending.clear()
            self._wake()

    async def next_batch(self) -> list[tuple[int, str]] | None:
        """Every queued event, waiting for one if none; None once the stream must end."""
        while not self._pending and self.ending is None:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if self.ending is not None:
            return None
        batch = list(self._pending)
        self._pending.clear()
        return batch

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


def tune_gc() -> None:
    """Keep the cyclic GC off the long-lived heap (call once the server has started).

    Why: with 5,000 streams the heap holds millions of long-lived objects; a full collection
    walks them all (seconds on a busy machine) and stalls every delivery meanwhile. Freezing
    what start-up built (modules, the app, SQLAlchemy's metadata) takes it out of every
    collection; a larger young generation makes collections rarer while an event is being
    fanned out (delivery allocates little, requests and queries most). Reference cycles are
    still collected, only less often.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, GC_MIDDLE, GC_OLD)


class EventOut(BaseModel):
    """`Event` of the contract."""

    seq: int
    type: str
    at: dt.datetime
    data: dict[str, Any]


def event_text(event: Event) -> str:
    """The WebSocket message of an event (serialised once, sent to every stream)."""
    return EventOut.model_validate(event, from_attributes=True).model_dump_json()


def window(session: Session) -> tuple[int, int]:
    """(oldest kept seq, newest seq) of the stored events; (0, 0) before the first event."""
    oldest, newest = session.execute(select(func.min(Event.seq), func.max(Event.seq))).one()
    return oldest or 0, newest or 0


def must_resync(since: int, kept: tuple[int, int]) -> bool:
    """True when events after `since` may have been purged (or `since` is from another DB).

    The purge always keeps the newest event, so `oldest - 1` bounds what was deleted.
    """
    oldest, newest = kept
    return since < oldest - 1 or since > newest


def purge_events(session: Session, settings: BusSettings) -> int:
    """Delete the events (and audiences) outside the window; returns how many went.

    The window is the last `keep_events` events and at most `keep_days` old; the newest event
    is always kept so the window's lower edge stays known (and SQLite never reuses a seq).
    """
    newest = session.scalar(select(func.max(Event.seq))) or 0
    too_old = utcnow() - dt.timedelta(days=settings.keep_days)
    by_age = session.scalar(select(func.max(Event.seq)).where(Event.at < too_old)) or 0
    cutoff = min(max(newest - settings.keep_events, by_age), newest - 1)
    if cutoff <= 0:
        return 0
    conn = session.connection()  # its results carry the deleted row count
    conn.execute(delete(EventAudience).where(EventAudience.event_seq <= cutoff))
    gone = conn.execute(delete(Event).where(Event.seq <= cutoff)).rowcount
    if gone:
        log.info("purged %d events up to seq %d", gone, cutoff)
    return int(gone or 0)


def read_after(session: Session, after: int, limit: int = READ_BATCH) -> list[Delivery]:
    """The next events after `after`, oldest first, each with its audience and message text."""
    events = list(
        session.scalars(select(Event).where(Event.seq > after).order_by(Event.seq).limit(limit))
    )
    if not events:
        return []
    audience: dict[int, list[int]] = defaultdict(list)
    rows = session.execute(
        select(EventAudience.event_seq, EventAudience.user_id).where(
            EventAudience.event_seq.between(events[0].seq, events[-1].seq)
        )
    )
    for seq, user_id in rows:
        audience[seq].append(user_id)
    deliveries = []
    for e in events:
        text = event_text(e)
        deliveries.append(Delivery(e.seq, text, text_frame(text), tuple(audience.get(e.seq, ()))))
    return deliveries


def still_valid(session: Session, digests: Iterable[str]) -> set[str]:
    """Which of these access tokens are neither revoked, deleted nor of a disabled account."""
    wanted = list(digests)
    valid: set[str] = set()
    for start in range(0, len(wanted), REVOKE_QUERY_CHUNK):
        chunk = wanted[start : start + REVOKE_QUERY_CHUNK]
        valid.update(
            session.scalars(
                select(AccessToken.token_hash)
                .join(User, User.id == AccessToken.user_id)
                .where(AccessToken.token_hash.in_(chunk), ~AccessToken.revoked, User.active)
            )
        )
    return valid


class EventBus:
    """Reads new events once and delivers them to the connected streams of their audience."""

    def __init__(
        self, engine: Engine, factory: sessionmaker[Session], settings: BusSettings
    ) -> None:
        self._engine = engine
        self._factory = factory
        self.settings = settings
        self.head = 0  # the last seq read and delivered by this process
        self._streams: dict[int, set[Stream]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    # --- lifecycle (the app's lifespan) -------------------------------------------------------
    async def start(self) -> None:
        """Start the reader, the revocation check, the purge and (PostgreSQL) the listener."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        await self._purge()  # before serving: a client is never replayed what the window drops
        self.head = await run_in_threadpool(self._newest_seq)
        self._tasks = [
            asyncio.create_task(self._read_loop(), name="event-bus-reader"),
            asyncio.create_task(self._revoke_loop(), name="event-bus-revocations"),
            asyncio.create_task(self._purge_loop(), name="event-bus-purge"),
        ]
        if self._engine.dialect.name == "postgresql":
            self._tasks.append(asyncio.create_task(self._listen(), name="event-bus-listener"))

    async def stop(self) -> None:
        """Cancel and await the tasks; close every stream (the server is going away)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        for stream in self.streams():
            stream.end(1001, "going-away")

    def notify(self) -> None:
        """Thread-safe: called after a commit that emitted events."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    # --- streams --------------------------------------------------------------------------
    def subscribe(self, stream: Stream) -> int:
        """Deliver live events to `stream` from now on; returns the head at this moment.

        Everything up to the returned head is in the database already (replay reads it);
        everything after it will be pushed. The caller drops the overlap by seq.
        """
        self._streams[stream.grant.user_id].add(stream)
        remaining = (stream.grant.expires_at - utcnow()).total_seconds()
        stream._expiry = asyncio.get_running_loop().call_later(
            max(0.0, remaining), stream.end, WS_AUTH_FAILED, "token-expired"
        )
        return self.head

    def unsubscribe(self, stream: Stream) -> None:
        """Forget a stream that ended."""
        if stream._expiry is not None:
            stream._expiry.cancel()
        streams = self._streams.get(stream.grant.user_id)
        if streams is not None:
            streams.discard(stream)
            if not streams:
                del self._streams[stream.grant.user_id]

    def streams(self) -> list[Stream]:
        """Every connected stream of this process."""
        return [s for group in self._streams.values() for s in group]

    def deliver(self, batch: Iterable[Delivery]) -> None:
        """Push each event to the connected streams of its audience, in seq order."""
        for item in batch:
            for user_id in item.audience:
                for stream in self._streams.get(user_id, ()):
                    stream.push(item)
            self.head = item.seq

    # --- background tasks -----------------------------------------------------------------
    def _newest_seq(self) -> int:
        with self._factory() as session:
            return session.scalar(select(func.max(Event.seq))) or 0

    def _read(self, after: int) -> list[Delivery]:
        with self._factory() as session:
            return read_after(session, after)

    async def _read_loop(self) -> None:
        while True:
            self._wake.clear()  # before reading: a commit during the read wakes us again
            try:
                batch = await run_in_threadpool(self._read, self.head)
            except Exception:  # a DB hiccup must not stop the streams; the poll retries
                log.exception("reading new events failed")
                batch = []
            self.deliver(batch)
            if len(batch) == READ_BATCH:
                continue  # more are waiting
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.poll)

    def _valid(self, digests: set[str]) -> set[str]:
        with self._factory() as session:
            return still_valid(session, digests)

    async def _revoke_loop(self) -> None:
        """Close the streams whose token was revoked (sign-out, reuse) or account disabled."""
        while True:
            await asyncio.sleep(self.settings.revoke_check)
            streams = self.streams()
            if not streams:
                continue
            try:
                digests = {s.grant.token_digest for s in streams}
                valid = await run_in_threadpool(self._valid, digests)
            except Exception:
                log.exception("revocation check failed")
                continue
            for stream in streams:
                if stream.grant.token_digest not in valid:
                    stream.end(WS_AUTH_FAILED, "unauthorized")

    def _purge_now(self) -> None:
        with self._factory() as session, session.begin():
            purge_events(session, self.settings)

    async def _purge(self) -> None:
        try:
            await run_in_threadpool(self._purge_now)
        except Exception:  # e.g. a lock timeout: the next round tries again
            log.exception("purging old events failed")

    async def _purge_loop(self) -> None:
        """Keep the event window bounded (a purge also ran at start-up)."""
        while True:
            await asyncio.sleep(self.settings.purge_interval)
            await self._purge()

    async def _listen(self) -> None:
        """PostgreSQL LISTEN: other processes' commits wake the reader within milliseconds."""
        import psycopg

        url = self._engine.url.set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._wake.set()  # anything committed while we were not listening
                    async for note in conn.notifies():
                        if not note.payload.isdigit() or int(note.payload) > self.head:
                            self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception:  # the poll keeps events flowing; reconnect after a pause
                log.warning("event listener lost its connection; retrying", exc_info=True)
                await asyncio.sleep(max(self.settings.poll, 1.0))
