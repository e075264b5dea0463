"""The call engine's expected failures, each with a translated `user_message()`.

`media/` may not import `desktop/` (DESIGN §2), so these do not derive from `HopDeskError`;
`desktop/notify.py` calls `user_message()` on any exception that has one. The technical detail
stays in the exception's arguments for the log.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


class MediaError(Exception):
    """Base of every expected failure of a call."""

    def user_message(self) -> str:
        """A translated full sentence for the user."""
        return QCoreApplication.translate("media", "The call failed.")


class SignalingError(MediaError):
    """The signaling server is unreachable, refused us, or sent something we cannot use."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "media", "The meeting server cannot be reached or sent an invalid reply."
        )


class SignalingRefused(SignalingError):
    """The signaling server will not let us in (not invited, no such room, bad token):
    retrying will not help."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"refused by the signaling server: {code} {reason}")
        self.code = code

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "media", "The meeting server did not let you into this call."
        )


class RoomPinRefused(SignalingRefused):
    """The media server's room wants a PIN and the one the meeting record gave is wrong or
    missing: only whoever set up the meeting can put it right."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "media",
            "The video room of this meeting did not accept its PIN. Ask the meeting's "
            "organiser to check the meeting's video settings.",
        )


class IceFailed(MediaError):
    """No network path to a peer or the media server (ICE failed)."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "media", "No network path to the other participants; check the network or TURN."
        )


class DeviceUnavailable(MediaError):
    """A camera or microphone is missing or busy."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "media", "The camera or microphone is missing or in use by another program."
        )
