"""A Janus VideoRoom over Janus's WebSocket API (subprotocol `janus-protocol`).

Janus is an SFU, not a mesh: we publish over one peer connection to Janus (`Presence.publish_to`
names it, `PUBLISHER`) and receive each other publisher ("feed") over a subscriber peer connection
of its own, on a plugin handle of its own. To the call a feed looks like a peer that offers: its
`PeerJoined` comes first, then Janus's offer; our answer goes back as `start`. Publishers coming
and going (`publishers`, `unpublished`, `leaving` events) become `PeerJoined` / `PeerLeft`, and
the room's `talking` / `stopped-talking` events become `Speaking`. A Janus error is a
`SignalingError`, or `SignalingRefused` when retrying cannot help (no such room, not allowed).
The session is kept alive with a keepalive well within Janus's `session_timeout`. A room with a
PIN takes it in every `join`, publisher and subscriber alike (`JanusBackend.pin`, from the
meeting record); a wrong or missing PIN is `RoomPinRefused`, told to the user, never retried.

What is not on screen is paused, not unsubscribed (`ShowVideo`): a subscriber `configure` with
`send: false` on the feed's video mid stops Janus forwarding it, and `send: true` resumes it on
the same peer connection within a round trip, where subscribing again would cost a new ICE and
DTLS handshake (65 ms typically, but 1 s and more one join in five, RECIPES.md) every time a grid
page turns. Audio is never paused: everyone who speaks is heard. The same `configure` carries
`substream` (the layer for the tile's size), which Janus uses only for simulcast publishers
(browsers; aiortc sends no layers).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import aiohttp

from media.config import JanusBackend
from media.errors import RoomPinRefused, SignalingError, SignalingRefused
from media.signaling import (
    HEARTBEAT,
    Answer,
    Incoming,
    Offer,
    Outgoing,
    PeerJoined,
    PeerLeft,
    Presence,
    Resubscribe,
    ShowVideo,
    Speaking,
)

log = logging.getLogger(__name__)

PUBLISHER = "janus"  # the peer id of our publishing connection to Janus
PLUGIN = "janus.plugin.videoroom"
REQUEST_TIMEOUT = 10.0  # seconds for Janus to answer one request
LEAVE_TIMEOUT = 2.0
KEEPALIVE = 25.0  # seconds; Janus drops a session after `session_timeout` (60 s by default)
MAX_MESSAGE = 1024 * 1024
NO_SUCH_FEED = 428  # subscribing before the publisher's webrtcup (RECIPES.md)
FEED_RETRIES = 20
# VideoRoom error codes where retrying cannot help: no such room, unauthorized, banned …
REFUSING = {426, 433, 434}
MISSING_ELEMENT = 429  # what Janus answers a join without the PIN of a room that has one

Json = dict[str, Any]  # Janus's own JSON, read only inside this module


class JanusError(SignalingError):
    """Janus answered a request with an error."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"Janus error {code}: {reason}")
        self.code = code
        self.reason = reason


class JanusSignaling:
    """One session in one VideoRoom; implements `media.signaling.Signaling`."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        backend: JanusBackend,
        display: str = "",
        *,
        keepalive: float = KEEPALIVE,
        heartbeat: float = HEARTBEAT,
    ) -> None:
        """`keepalive` holds the Janus session; `heartbeat` (WebSocket pings) notices a dead
        network long before a keepalive's answer would be missed (25 s + 10 s)."""
        self._http = http
        self._heartbeat = heartbeat
        self._backend = backend
        self._display = display
        self._keepalive = keepalive
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._session = 0
        self._publisher = 0  # the publisher handle
        self._feeds: dict[int, int] = {}  # feed id → subscriber handle
        self._pending: dict[str, asyncio.Future[Json]] = {}
        self._ack_ends: set[str] = set()  # transactions a bare `ack` answers (keepalive)
        self._queue: asyncio.Queue[Incoming | SignalingError] = asyncio.Queue()
        self._ids = itertools.count(1)
        self._displays: dict[int, str] = {}  # feed → display name, to subscribe again
        self._tasks: set[asyncio.Task[None]] = set()
        self._video_mids: dict[int, list[str]] = {}  # feed → its video mids (Janus's offer)
        self._started: set[int] = set()  # feeds whose subscription Janus has started
        self._wanted: dict[int, ShowVideo] = {}  # feed → what the screen wants of its video

    # --- Signaling ---------------------------------------------------------------------------

    async def join(self) -> Presence:
        """Create a session, attach to the VideoRoom, join it as a publisher."""
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                self._ws = await self._http.ws_connect(
                    self._backend.url,
                    protocols=("janus-protocol",),
                    max_msg_size=MAX_MESSAGE,
                    heartbeat=self._heartbeat,
                )
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            await self.leave()
            raise SignalingError(f"cannot reach Janus: {exc!r}") from exc
        self._spawn(self._read(), "janus-read")
        try:
            self._session = int((await self._request({"janus": "create"}))["data"]["id"])
            self._spawn(self._keep_alive(), "janus-keepalive")
            self._publisher = await self._attach()
            joined = await self._message(
                self._publisher,
                {
                    "request": "join",
                    "ptype": "publisher",
                    "room": self._backend.room,
                    "display": self._display,
                    **self._pin(),
                },
            )
            you = str(int(joined["id"]))
            self._follow(joined)
        except (KeyError, TypeError, ValueError) as exc:
            await self.leave()
            raise SignalingError(f"Janus sent an unusable reply: {exc!r}") from exc
        except BaseException:
            await self.leave()
            raise
        return Presence(you, [], publish_to=PUBLISHER, views=True)

    async def send(self, message: Outgoing) -> None:
        """Our offer becomes `publish`; our answer to a feed's offer becomes `start`."""
        if isinstance(message, Offer) and message.peer == PUBLISHER:
            jsep = {"type": "offer", "sdp": message.sdp}
            reply = await self._message(self._publisher, {"request": "publish"}, jsep)
            answer = reply.get("jsep") or {}
            if answer.get("type") != "answer" or not isinstance(answer.get("sdp"), str):
                raise SignalingError("Janus accepted our media without an answer")
            await self._queue.put(Answer(PUBLISHER, answer["sdp"]))
        elif isinstance(message, Resubscribe) and message.peer.isdigit():
            self._resubscribe(int(message.peer))
        elif isinstance(message, ShowVideo) and message.peer.isdigit():
            feed = int(message.peer)
            self._wanted[feed] = message
            if feed in self._started:
                await self._configure(feed)
        elif isinstance(message, Answer) and message.peer.isdigit():
            handle = self._feeds.get(int(message.peer))
            if handle is None:
                log.info("answer for feed %s that has gone: dropped", message.peer)
                return
            jsep = {"type": "answer", "sdp": message.sdp}
            await self._message(handle, {"request": "start"}, jsep)
            feed = int(message.peer)
            self._started.add(feed)
            if feed in self._wanted:  # the screen spoke before Janus started the feed
                await self._configure(feed)
        else:
            log.debug("nothing to send to Janus for %s", type(message).__name__)

    async def incoming(self) -> AsyncIterator[Incoming]:
        """Feeds' offers, joins, leaves and speakers until the link drops (`SignalingError`)."""
        while True:
            item = await self._queue.get()
            if isinstance(item, SignalingError):
                raise item
            yield item

    async def leave(self) -> None:
        """Destroy the session and close; idempotent, never longer than LEAVE_TIMEOUT."""
        ws, self._ws = self._ws, None
        tasks = list(self._tasks)
        for task in tasks:
            if task is not asyncio.current_task():
                task.cancel()
        if ws is not None and not ws.closed:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(LEAVE_TIMEOUT):
                    if self._session:
                        body = {
                            "janus": "destroy",
                            "session_id": self._session,
                            "transaction": "bye",
                        }
                        await ws.send_str(json.dumps(body))
                    await ws.close()
            if not ws.closed:
                ws._response.close()  # Janus did not answer the close: drop the socket
        for future in self._pending.values():
            if not future.done():
                future.set_exception(SignalingError("left the Janus room"))
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- requests -------------------------------------------------------------------------

    async def _request(self, body: Json, *, ack_ends: bool = False) -> Json:
        """Send one request and wait for its reply (`ack` only ends a keepalive)."""
        ws = self._ws
        if ws is None or ws.closed:
            raise SignalingError("the Janus link is closed")
        transaction = f"t{next(self._ids)}"
        body = {**body, "transaction": transaction}
        if self._session and "session_id" not in body:
            body["session_id"] = self._session
        future: asyncio.Future[Json] = asyncio.get_running_loop().create_future()
        self._pending[transaction] = future
        if ack_ends:
            self._ack_ends.add(transaction)
        try:
            await ws.send_str(json.dumps(body))
            async with asyncio.timeout(REQUEST_TIMEOUT):
                reply = await future
        except (aiohttp.ClientError, ConnectionError) as exc:
            raise SignalingError(f"cannot send to Janus: {exc!r}") from exc
        except TimeoutError as exc:
            raise SignalingError(f"Janus did not answer {body.get('janus')}") from exc
        finally:
            self._pending.pop(transaction, None)
            self._ack_ends.discard(transaction)
        if reply.get("janus") == "error":
            error = reply.get("error") or {}
            raise JanusError(int(error.get("code", 0)), str(error.get("reason", "")))
        return reply

    async def _attach(self) -> int:
        reply = await self._request({"janus": "attach", "plugin": PLUGIN})
        try:
            return int(reply["data"]["id"])
        except (KeyError, TypeError, ValueError) as exc:
            raise SignalingError(f"Janus attached without a handle: {exc!r}") from exc

    async def _message(self, handle: int, body: Json, jsep: Json | None = None) -> Json:
        """A VideoRoom request; its event's data (with `jsep` when Janus sent one)."""
        request: Json = {"janus": "message", "handle_id": handle, "body": body}
        if jsep is not None:
            request["jsep"] = jsep
        reply = await self._request(request)
        data = dict((reply.get("plugindata") or {}).get("data") or {})
        if "error_code" in data:
            code, reason = int(data["error_code"]), str(data.get("error", ""))
            if code in (*REFUSING, MISSING_ELEMENT) and "pin" in reason.lower():
                raise RoomPinRefused(code, reason)  # wrong or missing: never a retry loop
            if code in REFUSING:
                raise SignalingRefused(code, reason)
            raise JanusError(code, reason)
        if "jsep" in reply:
            data["jsep"] = reply["jsep"]
        return data

    def _pin(self) -> Json:
        """The room's PIN for a `join`, when it has one (publishers and subscribers alike)."""
        return {"pin": self._backend.pin} if self._backend.pin else {}

    async def _configure(self, feed: int) -> None:
        """Pause or resume the feed's video (and pick its layer) as `_wanted` says."""
        handle, wanted = self._feeds.get(feed), self._wanted.get(feed)
        if not handle or wanted is None:
            return
        streams: list[Json] = [
            {"mid": mid, "send": wanted.on, "substream": wanted.layer}
            for mid in self._video_mids.get(feed, [])
        ]
        if streams:
            await self._message(handle, {"request": "configure", "streams": streams})

    # --- what Janus sends by itself ----------------------------------------------------------

    async def _read(self) -> None:
        """Route replies to their requests and events to the queue, until the link drops."""
        assert self._ws is not None
        ws = self._ws
        error = SignalingError("the Janus link closed")
        try:
            async for raw in ws:
                if raw.type is not aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    message = json.loads(raw.data)
                    if not isinstance(message, dict):
                        raise ValueError("not an object")
                except ValueError:
                    log.warning("Janus sent something that is not JSON: %.200s", raw.data)
                    continue
                try:
                    self._route(message)
                except (KeyError, TypeError, ValueError) as exc:  # hostile or broken: skip it
                    log.warning("Janus sent a message we cannot use (%r): %.200s", exc, raw.data)
        except (aiohttp.ClientError, ConnectionError) as exc:
            error = SignalingError(f"the Janus link dropped: {exc!r}")
        for future in self._pending.values():
            if not future.done():
                future.set_exception(error)
        await self._queue.put(error)

    def _route(self, message: Json) -> None:
        kind = message.get("janus")
        transaction = str(message.get("transaction", ""))
        future = self._pending.get(transaction)
        if future is not None and not future.done():
            if kind != "ack" or transaction in self._ack_ends:
                future.set_result(message)
            return
        if kind == "event":
            self._follow(dict((message.get("plugindata") or {}).get("data") or {}))
        elif kind in ("timeout", "detached") and message.get("sender") in (None, self._publisher):
            self._queue.put_nowait(SignalingError(f"Janus ended the session ({kind})"))
        elif kind == "hangup" and message.get("sender") == self._publisher:
            log.warning("Janus hung up our media: %s", message.get("reason"))

    def _follow(self, data: Json) -> None:
        """Room events on the publisher handle: publishers in and out, speakers."""
        for publisher in data.get("publishers") or []:
            feed = int(publisher["id"])
            if feed not in self._feeds:
                self._feeds[feed] = 0  # reserved: subscribing
                self._displays[feed] = str(publisher.get("display", ""))
                self._spawn(
                    self._subscribe(feed, str(publisher.get("display", ""))), f"feed-{feed}"
                )
        for key in ("unpublished", "leaving"):
            gone = data.get(key)
            if isinstance(gone, int) and not isinstance(gone, bool) and gone in self._feeds:
                handle = self._feeds.pop(gone)
                self._forget(gone)
                self._queue.put_nowait(PeerLeft(str(gone)))
                if handle:
                    self._spawn(self._detach(handle), f"detach-{gone}")
        kind = data.get("videoroom")
        if kind in ("talking", "stopped-talking") and isinstance(data.get("id"), int):
            self._queue.put_nowait(Speaking(str(data["id"]), kind == "talking"))

    def _resubscribe(self, feed: int) -> None:
        """A new subscriber handle for a feed whose connection failed; Janus offers again."""
        handle = self._feeds.get(feed)
        if handle is None:
            log.info("feed %s has gone: not subscribed again", feed)
            return
        if not handle:
            return  # a subscription is under way
        self._feeds[feed] = 0
        self._started.discard(feed)
        self._spawn(self._detach(handle), f"detach-{feed}")
        self._spawn(self._subscribe(feed, self._displays.get(feed, "")), f"feed-{feed}")

    async def _subscribe(self, feed: int, display: str) -> None:
        """A subscriber handle for one feed; Janus's offer goes to the call."""
        try:
            handle = await self._attach()
            if feed not in self._feeds:  # it left meanwhile
                await self._detach(handle)
                return
            self._feeds[feed] = handle
            body = {
                "request": "join",
                "ptype": "subscriber",
                "room": self._backend.room,
                "streams": [{"feed": feed}],
                **self._pin(),
            }
            for attempt in range(FEED_RETRIES):
                try:
                    reply = await self._message(handle, body)
                    break
                except JanusError as exc:
                    if exc.code != NO_SUCH_FEED or attempt == FEED_RETRIES - 1:
                        raise
                    await asyncio.sleep(0.1)  # the publisher's media is not up yet
            self._video_mids[feed] = [
                str(s["mid"]) for s in reply.get("streams") or [] if s.get("type") == "video"
            ]
            offer = reply.get("jsep") or {}
            sdp = offer.get("sdp")
            if offer.get("type") != "offer" or not isinstance(sdp, str) or feed not in self._feeds:
                raise SignalingError(f"no offer from Janus for feed {feed}")
            await self._queue.put(PeerJoined(str(feed), display[:200]))
            await self._queue.put(Offer(str(feed), sdp))
        except SignalingError as exc:
            log.warning("cannot subscribe to feed %s: %s", feed, exc)

    def _forget(self, feed: int) -> None:
        self._video_mids.pop(feed, None)
        self._started.discard(feed)
        self._wanted.pop(feed, None)

    async def _detach(self, handle: int) -> None:
        with contextlib.suppress(SignalingError):
            await self._request({"janus": "detach", "handle_id": handle})

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self._keepalive)
            try:
                await self._request({"janus": "keepalive"}, ack_ends=True)
            except SignalingError as exc:
                await self._queue.put(exc)
                return

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


__all__ = ["PUBLISHER", "JanusError", "JanusSignaling"]
