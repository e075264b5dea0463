"""A Janus room with a PIN: HopDesk calls given the PIN (from the meeting record) publish and
receive each other; a wrong or missing PIN fails the call at once with a sentence that says so,
instead of retrying for ever."""

from __future__ import annotations

import aiohttp
import pytest
from PySide6.QtWidgets import QApplication

from media.call import Call
from media.config import JanusBackend
from media.devices import TestPatternTrack, ToneTrack
from media.errors import RoomPinRefused
from media.signaling.janus import JanusSignaling
from media.state import CallState
from tests.fixtures.janus import PIN, PIN_ROOM, JanusProcess
from tests.media.netns.engines import FAST, frames, run_in_qt, until


def pin_call(http: aiohttp.ClientSession, url: str, name: str, pin: str | None) -> Call:
    """A HopDesk call in the PIN room, joining with `pin`."""
    backend = JanusBackend(url, PIN_ROOM, pin)
    return Call(
        lambda: JanusSignaling(http, backend, name),
        ice_servers=(),  # never aiortc's public STUN default
        video=TestPatternTrack(51),
        audio=ToneTrack(),
        backoff=FAST,
    )


def test_calls_with_the_pin_see_each_other(janus: JanusProcess, qapp: QApplication) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            first = pin_call(http, janus.url, "A", PIN)
            second = pin_call(http, janus.url, "B", PIN)
            try:
                first.join()
                second.join()
                for call in (first, second):
                    await until(lambda c=call: frames(c) > 10, "frames through the PIN room")
                    assert call.status.state is CallState.CONNECTED
            finally:
                await first.close()
                await second.close()

    run_in_qt(qapp, scenario())


@pytest.mark.parametrize("pin", ["0000", None], ids=["wrong", "missing"])
def test_a_wrong_or_missing_pin_fails_the_call_with_a_reason(
    janus: JanusProcess, qapp: QApplication, pin: str | None
) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            call = pin_call(http, janus.url, "A", pin)
            try:
                call.join()
                await until(lambda: call.status.state is CallState.FAILED, "refused")
                assert call.status.reason == RoomPinRefused(433, "").user_message()
            finally:
                await call.close()
            assert call.task_count() == 0

    run_in_qt(qapp, scenario())
