"""How the server speaks HTTP/1.1 on its sockets: the limits and timeouts uvicorn lacks.

uvicorn's httptools protocol waits for ever on a connection that sends nothing or half a
request, buffers a request head of any size (eight 32 MiB headers grew the process by 350 MB),
accepts connections until the process runs out of descriptors, and drops the connection after
an app error although the response it just sent promised keep-alive. `GuardedHttpProtocol` adds
a read timeout, head limits and a connection cap to it; `KeepConnectionAfterError` keeps a
connection usable after an error answer. Every refusal is a problem-details answer sent with
`Connection: close`, followed by a lingering close so the client reads it instead of a reset.
The subclass relies on uvicorn's parser callbacks and request-cycle attributes;
tests/server/test_transport.py fails if a uvicorn release changes them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import http
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import httptools
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from server.problems import MEDIA_TYPE, problem_body

log = logging.getLogger(__name__)

KiB = 1024
# After an error answer the server stops writing (FIN) and drops what the client still sends
# for this long, or until the client closes: closing a socket with unread data sends a TCP
# reset, which can destroy the answer before the client has read it (RFC 9112 §9.6).
LINGER_SECONDS = 2.0
# Descriptors kept for everything that is not a client connection (database, files, logs).
FD_RESERVE = 100
HEAD_TOO_LARGE = "The request headers are too large."


@dataclass(frozen=True, slots=True)
class TransportLimits:
    """What one connection may cost the server; defaults match docs/contract.md."""

    # Seconds in which a request line and headers must arrive, counted from the connection's
    # start or the request's first byte; also the longest pause inside a request body.
    # Idle keep-alive connections close after 5 s already (uvicorn's own timeout).
    read_timeout: float = 10.0
    # Open connections (WebSockets included); one more is answered 503 and closed.
    max_connections: int = 10_000
    max_request_line: int = 8 * KiB  # request target bytes; 414 beyond
    max_header_size: int = 8 * KiB  # one header line (name + value); 431 beyond
    max_headers: int = 100  # header lines per request; 431 beyond
    max_head_size: int = 64 * KiB  # request line and all headers together; 431 beyond


class _Refused(Exception):
    """Raised inside a parser callback to stop parsing after a refusal was answered."""


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a read timeout, head limits and a connection cap.

    `limits` is set on a subclass per server by `http_protocol(limits)`.
    """

    limits: ClassVar[TransportLimits] = TransportLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_timer: asyncio.TimerHandle | None = None
        self._linger_timer: asyncio.TimerHandle | None = None
        self._closing = False  # an answer with `Connection: close` is out; input is dropped
        self._head_open = False  # a request has begun and its headers are not complete
        self._body_open = False  # its headers are complete and its body is not
        self._last_read = 0.0  # loop time of the last bytes received
        self._head_bytes = 0  # bytes received since the open head began (an upper bound)
        self._header_count = 0
        self._header_bytes = 0  # name, value, ": " and CRLF of the headers parsed so far
        self._chunk_size = 0  # size of the chunk being parsed

    # Connection life

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.limits.max_connections:
            self.transport = transport
            log.warning("refused a connection: %d are open", len(self.connections))
            self._refuse(503, "server-busy", "Too many open connections; retry shortly.", "")
            return
        super().connection_made(transport)
        self._arm_read_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_read_timer()
        if self._linger_timer is not None:
            self._linger_timer.cancel()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        self._cancel_read_timer()
        super().handle_websocket_upgrade()

    # Reading

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return
        self._last_read = self.loop.time()
        if self._head_open:
            room = self.limits.max_head_size - self._head_bytes
            self._head_bytes += len(data)
            if len(data) > room:
                self._feed(data[:room])
                if self._closing or self.transport.is_closing() or self.parser is None:
                    return
                if self._head_open:
                    self._refuse_head(431, "headers-too-large", HEAD_TOO_LARGE)
                    return
                data = data[room:]
        self._feed(data)
        if self._head_open and not self._closing and self._head_bytes > self.limits.max_head_size:
            self._refuse_head(431, "headers-too-large", HEAD_TOO_LARGE)

    def _feed(self, data: bytes) -> None:
        """uvicorn's `data_received`, with a refusal from a parser callback answered as such."""
        if not data or self.parser is None:
            return
        self._chunk_size = len(data)
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self._closing:
                return  # a callback refused the request and has answered it
            self.logger.warning("Invalid HTTP request received.")
            self._refuse(400, "malformed-request", "The request is not valid HTTP.", "")
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_open = True
        self._head_bytes = self._chunk_size  # the whole chunk: where the request began is unknown
        self._header_count = 0
        self._header_bytes = 0
        if self._read_timer is None:
            self._arm_read_timer()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.limits.max_request_line:
            self._refuse_head(414, "uri-too-long", "The request target is too long.")
            raise _Refused

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > self.limits.max_headers:
            self._refuse_head(431, "headers-too-large", "The request has too many headers.")
            raise _Refused
        if len(name) + len(value) > self.limits.max_header_size:
            self._refuse_head(431, "headers-too-large", "A request header is too large.")
            raise _Refused
        # Exact for the headers parsed so far; `data_received` bounds the one still arriving.
        self._header_bytes += len(name) + len(value) + 4
        if len(self.url) + self._header_bytes > self.limits.max_head_size:
            self._refuse_head(431, "headers-too-large", HEAD_TOO_LARGE)
            raise _Refused
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._head_open = False
        super().on_headers_complete()
        if self.cycle is not None and self.cycle.scope is self.scope:
            # The request cycle closes the connection after a `Connection: close` answer
            # (a 413, a crash before the response); make that close linger too.
            self.cycle.transport = _LingeringClose(self.transport, self._linger)
        self._body_open = True  # until on_message_complete, which follows at once without body
        self._arm_read_timer()

    def on_message_complete(self) -> None:
        self._body_open = False
        self._cancel_read_timer()
        super().on_message_complete()

    # Timeouts and refusals

    def _arm_read_timer(self) -> None:
        self._cancel_read_timer()
        self._read_timer = self.loop.call_later(self.limits.read_timeout, self._read_timed_out)

    def _cancel_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _read_timed_out(self) -> None:
        self._read_timer = None
        if self._closing or self.transport.is_closing():
            return
        if self._body_open:
            self._body_timed_out()
        elif self._head_open:
            self._refuse_head(408, "request-timeout", "The request did not arrive in time.")
        else:  # nothing was sent: there is no request to answer
            self.transport.close()

    def _body_timed_out(self) -> None:
        """A body that stopped arriving: 408 unless the server is the one holding it back."""
        cycle = self.cycle
        waited = self.loop.time() - self._last_read
        held_back = self.flow.read_paused or cycle.waiting_for_100_continue
        if held_back or waited < self.limits.read_timeout:
            delay = self.limits.read_timeout - (0 if held_back else waited)
            self._read_timer = self.loop.call_later(delay, self._read_timed_out)
            return
        if cycle.response_started:
            self._linger()
        else:
            self._refuse_head(408, "request-timeout", "The request body did not arrive in time.")

    def _refuse_head(self, status: int, slug: str, detail: str) -> None:
        self._refuse(status, slug, detail, self.url.decode("latin-1")[:200])

    def _refuse(self, status: int, slug: str, detail: str, instance: str) -> None:
        """Answer a request the server will not read to its end, then close lingering."""
        title = http.HTTPStatus(status).phrase
        body = problem_body(status, slug, title, detail, instance)
        headers = [*self.server_state.default_headers]
        headers += [(b"content-type", MEDIA_TYPE.encode()), (b"connection", b"close")]
        headers.append((b"content-length", str(len(body)).encode()))
        if status == 503:
            headers.append((b"retry-after", b"1"))
        lines = [name + b": " + value + b"\r\n" for name, value in headers]
        self.transport.write(b"".join([STATUS_LINE[status], *lines, b"\r\n", body]))
        self._linger()

    def _linger(self) -> None:
        """Stop writing, drop further input, close when the client does or after a moment."""
        if self._closing:
            return
        self._closing = True
        self._cancel_read_timer()
        self.pipeline.clear()  # pipelined requests behind a closing answer are not served
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            # A request still running writes nothing more and sees the client as gone.
            cycle.disconnected = True
            cycle.message_event.set()
        if self.transport.is_closing():
            return
        if self.transport.can_write_eof():
            self.transport.write_eof()
        if self.flow is not None:
            self.flow.resume_reading()
        self._linger_timer = self.loop.call_later(LINGER_SECONDS, self.transport.close)


class _LingeringClose(asyncio.Transport):
    """The connection as a request cycle sees it: `close()` lingers instead of resetting."""

    def __init__(self, transport: asyncio.Transport, linger: Callable[[], None]) -> None:
        super().__init__()
        self._transport = transport
        self._linger = linger

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._transport.write(data)

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def close(self) -> None:
        self._linger()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)


def http_protocol(limits: TransportLimits) -> type[GuardedHttpProtocol]:
    """The protocol class to give uvicorn (`Config(http=...)`) for these limits."""
    return type("BoundGuardedHttpProtocol", (GuardedHttpProtocol,), {"limits": limits})


class KeepConnectionAfterError:
    """Keeps a keep-alive connection usable after the app raised once its answer was sent.

    Starlette's error middleware re-raises an unhandled exception after it has sent the 500
    (so the server can log it); uvicorn then drops the connection although the 500 promised
    keep-alive, and the client's next request on it is reset. The problem handler has logged
    the error already, so a completed response ends the request like any other.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        completed = False

        async def tracking_send(message: Message) -> None:
            nonlocal completed
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                completed = True

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if not completed:
                raise
            log.debug("error after a complete answer on %s", scope.get("path"), exc_info=True)


def raise_fd_limit() -> int | None:
    """Lift the soft open-file limit to the hard one; returns the limit now in force.

    Each connection is a descriptor and the common soft default (1,024) is far below what an
    office opens. None where the OS has no such limit (Windows).
    """
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # macOS reports an unlimited hard limit but refuses a soft limit above OPEN_MAX.
    target = hard if hard != resource.RLIM_INFINITY else 10_240
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:
            log.warning("cannot raise the open-file limit from %d to %d: %s", soft, target, exc)
    return None if soft == resource.RLIM_INFINITY else soft


def fitted_limits(limits: TransportLimits, fd_limit: int | None) -> TransportLimits:
    """`limits` with the connection cap lowered to what the descriptor limit allows."""
    if fd_limit is None or limits.max_connections <= fd_limit - FD_RESERVE:
        return limits
    cap = max(1, fd_limit - FD_RESERVE)
    log.warning("open-file limit %d: at most %d connections", fd_limit, cap)
    return dataclasses.replace(limits, max_connections=cap)
