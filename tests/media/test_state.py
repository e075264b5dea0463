"""media/state.py: the call state machine, as a table."""

from __future__ import annotations

import pytest

from media.state import (
    CallEvent,
    CallState,
    Effect,
    Fail,
    Join,
    Joined,
    Leave,
    LinkLost,
    Status,
    next_state,
)

S = CallState
CASES: list[tuple[CallState, CallEvent, CallState, tuple[Effect, ...]]] = [
    (S.IDLE, Join(), S.CONNECTING, (Effect.CONNECT,)),
    (S.CONNECTING, Joined(), S.CONNECTED, ()),
    (S.CONNECTING, LinkLost("refused"), S.RECONNECTING, (Effect.RETRY_LATER,)),
    (S.CONNECTED, LinkLost("dropped"), S.RECONNECTING, (Effect.RETRY_LATER,)),
    (S.RECONNECTING, LinkLost("again"), S.RECONNECTING, (Effect.RETRY_LATER,)),
    (S.RECONNECTING, Joined(), S.CONNECTED, ()),
    (S.CONNECTED, Fail("kicked"), S.FAILED, (Effect.CLOSE,)),
    (S.RECONNECTING, Fail("gave up"), S.FAILED, (Effect.CLOSE,)),
    (S.FAILED, Join(), S.CONNECTING, (Effect.CONNECT,)),
    (S.CONNECTED, Leave(), S.ENDED, (Effect.CLOSE,)),
    (S.FAILED, Leave(), S.ENDED, ()),
    (S.IDLE, Leave(), S.ENDED, ()),
    # events that do not apply change nothing
    (S.CONNECTED, Join(), S.CONNECTED, ()),
    (S.CONNECTED, Joined(), S.CONNECTED, ()),
    (S.IDLE, LinkLost(), S.IDLE, ()),
    (S.FAILED, LinkLost(), S.FAILED, ()),
    (S.ENDED, Join(), S.ENDED, ()),
    (S.ENDED, Leave(), S.ENDED, ()),
]


@pytest.mark.parametrize(("state", "event", "after", "effects"), CASES)
def test_transition(
    state: CallState, event: CallEvent, after: CallState, effects: tuple[Effect, ...]
) -> None:
    new, todo = next_state(Status(state), event)
    assert (new.state, todo) == (after, effects)


def test_failure_and_reconnect_keep_their_reason() -> None:
    status, _ = next_state(Status(S.CONNECTED), LinkLost("network down"))
    assert status == Status(S.RECONNECTING, "network down")
    status, _ = next_state(status, Fail("server refused us"))
    assert status == Status(S.FAILED, "server refused us")
    status, _ = next_state(status, Join())
    assert status == Status(S.CONNECTING)  # a new attempt forgets the old reason
