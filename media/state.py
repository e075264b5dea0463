"""The call's state machine, pure: no loop, no Qt, table-tested (STYLE §6).

    idle → connecting → connected ⇄ reconnecting
    any active state → failed(reason) | ended;  failed → connecting (join again) | ended

The state follows the call's link to its signaling server: alone in a room is still
"connected". One peer's media dropping is that peer's business (the call replaces its peer
connection) and shows in the roster, not here. `next_state` also says what the engine must do.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class CallState(enum.StrEnum):
    """What the user sees of a call."""

    IDLE = "idle"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    FAILED = "failed"
    ENDED = "ended"


class Effect(enum.StrEnum):
    """What the engine must do after a transition."""

    CONNECT = "connect"  # open the signaling link and join
    RETRY_LATER = "retry-later"  # schedule CONNECT after a jittered backoff
    CLOSE = "close"  # tear down peers, signaling and devices


@dataclass(frozen=True, slots=True)
class Join:
    """The user asked to join (or to join again after a failure)."""


@dataclass(frozen=True, slots=True)
class Joined:
    """The signaling server accepted us in the room."""


@dataclass(frozen=True, slots=True)
class LinkLost:
    """The signaling link dropped or could not be opened; worth another try."""

    reason: str = ""


@dataclass(frozen=True, slots=True)
class Fail:
    """Something that retrying will not fix (refused, out of attempts)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Leave:
    """The user hung up, or the app is closing."""


CallEvent = Join | Joined | LinkLost | Fail | Leave


@dataclass(frozen=True, slots=True)
class Status:
    """A state and, when failed, why."""

    state: CallState = CallState.IDLE
    reason: str = ""


_ACTIVE = {CallState.CONNECTING, CallState.CONNECTED, CallState.RECONNECTING}


def next_state(status: Status, event: CallEvent) -> tuple[Status, tuple[Effect, ...]]:
    """The status after `event` and the effects to run; events that do not apply change nothing."""
    state = status.state
    if state is CallState.ENDED:
        return status, ()
    match event:
        case Leave():
            effects = (Effect.CLOSE,) if state in _ACTIVE else ()
            return Status(CallState.ENDED), effects
        case Join() if state in (CallState.IDLE, CallState.FAILED):
            return Status(CallState.CONNECTING), (Effect.CONNECT,)
        case Joined() if state in (CallState.CONNECTING, CallState.RECONNECTING):
            return Status(CallState.CONNECTED), ()
        case LinkLost() if state in _ACTIVE:
            return Status(CallState.RECONNECTING, event.reason), (Effect.RETRY_LATER,)
        case Fail() if state in _ACTIVE:
            return Status(CallState.FAILED, event.reason), (Effect.CLOSE,)
    return status, ()
