"""How large a site publishes behind an SFU (Janus): 640×360 unless someone shows it large.

Issue 13: "publish 640×360 by default and more only when someone shows this site large". In a
mesh each receiver tells its sender through the room relay (media/scaling.py). Behind Janus
there is no relay and no subscriber→publisher path: a VideoRoom subscriber's data channel is
receive-only. But every HopDesk viewer is a publisher too, and Janus relays a publisher's data
channel to every subscriber of that publisher, so every site subscribed to the viewer (all of
them: audio from everyone) hears it. So a viewer announces, on a data channel of its own publish
connection, the height it shows each feed at (`media.signaling.View`, the relay's own message),
and a publisher keeps the wishes addressed to it.

Weighed and not taken: Janus `talking` events (the active speaker is large in every speaker
view, but a grid shows nobody large, a pinned site is large without speaking, and the viewer's
own report after every layout already covers the speaker); the office server's meeting events
(only meetings held through our server have them; a Janus room joined by link has not).

Only changes are sent, plus a refresh of the large ones every `REFRESH` seconds, since a site
that subscribes later missed the first word; a wish not heard again within `EXPIRE` is over (a
viewer that vanished). Growing is at once (the viewer looks now); shrinking waits `HOLD`
seconds after the last large wish ended, so a big tile moving between speakers does not restart
the encoder back and forth.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiortc import RTCDataChannel, RTCPeerConnection

from media.errors import SignalingError
from media.scaling import TILE_HEIGHT, send_height
from media.signaling import View, decode, encode

log = logging.getLogger(__name__)

CHANNEL = "hopdesk-view"  # the label of the viewer's data channel on its publish connection
REFRESH = 2.0  # seconds between re-announcements of what we show large
EXPIRE = 3 * REFRESH  # a wish not heard again for this long is over
HOLD = 3.0  # seconds the large size is kept after the last large wish ended


def _rank(step: int | None) -> int:
    return 1 << 30 if step is None else step


class PublishSize:
    """Viewers' wishes → the height limit of our publish connection (pure: the clock is given)."""

    def __init__(self) -> None:
        self._wishes: dict[str, tuple[int, float]] = {}  # viewer → (height, when heard)
        self._limit: int | None = TILE_HEIGHT
        self._hold_until = 0.0  # the current size stays until then

    def viewed(self, viewer: str, height: int, now: float) -> None:
        """`viewer` shows us `height` pixels high (0: not at all)."""
        self._wishes[viewer] = (height, now)

    def forget(self, viewer: str) -> None:
        """`viewer` left: its wish goes with it."""
        self._wishes.pop(viewer, None)

    def limit(self, now: float) -> int | None:
        """Lines to send at now (None: the camera's own size)."""
        shown = max(
            (height for height, heard in self._wishes.values() if now - heard < EXPIRE),
            default=0,
        )
        wanted = send_height(shown)
        if _rank(wanted) >= _rank(self._limit) or now >= self._hold_until:
            if wanted != self._limit:
                log.info("publishing at %s lines", wanted or "the camera's")
            self._limit = wanted
            self._hold_until = now + HOLD
        return self._limit


class ViewChannel:
    """Both ends of the announcements: ours out on the publish connection, theirs in from each
    feed's connection into `size`."""

    def __init__(self, me: Callable[[], str], clock: Callable[[], float]) -> None:
        self.size = PublishSize()
        self._me = me
        self._clock = clock
        self._out: RTCDataChannel | None = None
        self.relayed = False  # whether the media server relays our channel (`Presence.views`)
        self._shown: dict[str, int] = {}  # feed → the height we show it at (its step differs)

    def current_limit(self) -> int | None:
        """`PublishSize.limit` now: what the publish connection's `ScaledTrack` asks per frame."""
        return self.size.limit(self._clock())

    def publish_on(self, pc: RTCPeerConnection) -> None:
        """Open our announcement channel on a new publish connection (before its offer), when
        the media server relays it to the sites."""
        if not self.relayed:
            return
        channel = self._out = pc.createDataChannel(CHANNEL)

        @channel.on("open")
        def on_open() -> None:
            for feed in list(self._shown):
                self._send(feed)

    def listen(self, viewer: str, pc: RTCPeerConnection) -> None:
        """Hear `viewer`'s announcements on its feed's connection (offered data: before the
        answer).

        Janus relays a publisher's data only once the subscriber opened a data channel of its
        own (the VideoRoom's `dataready`; janus.js opens one for the same reason), and then on
        the subscriber's channel of the same label, else on one it opens."""

        def hear(raw: str | bytes) -> None:
            try:
                message = decode(raw)
            except SignalingError as exc:
                log.info("unusable view announcement from %s: %s", viewer, exc)
                return
            if isinstance(message, View) and message.peer == self._me():
                self.size.viewed(viewer, message.height, self._clock())

        pc.createDataChannel(CHANNEL).on("message", hear)
        pc.on("datachannel", lambda channel: channel.on("message", hear))

    def show(self, feed: str, height: int) -> None:
        """We show `feed` `height` pixels high now; say so when its step changed."""
        before = send_height(self._shown.get(feed, 0))
        if height > TILE_HEIGHT:
            self._shown[feed] = height
        else:
            self._shown.pop(feed, None)
        if send_height(height) != before:
            self._send(feed, height)

    def forget(self, feed: str) -> None:
        """`feed` left: nothing more to say about it, nor to hear from it."""
        self._shown.pop(feed, None)
        self.size.forget(feed)

    async def refresh(self) -> None:
        """Say again what we show large, for sites that subscribed to us since (runs until
        cancelled)."""
        while True:
            await asyncio.sleep(REFRESH)
            for feed in list(self._shown):
                self._send(feed)

    def _send(self, feed: str, height: int | None = None) -> None:
        channel = self._out
        if channel is None or channel.readyState != "open":
            return
        shown = self._shown.get(feed, 0) if height is None else height
        channel.send(encode(View(feed, shown)).decode())
