# ruff: noqa: E501  (each translatable sentence is one literal, as lupdate reads it)
"""What can go wrong with a remote signing service, as typed errors with translated messages.

Every failure of the service (down, refused, slow, nonsense answers) ends in one of these: the
caller never sees an aiohttp, JSON or pydantic exception.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop.signing.errors import SigningError


class RemoteSigningError(SigningError):
    """Base of the remote signing failures."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "signing",
            "The remote signing service could not sign the document. The details are in the log file.",
        )


class RemoteServiceUnavailable(RemoteSigningError):
    """The service cannot be reached, or answered with a server error."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "signing",
            "The remote signing service cannot be reached. Check the network and try again.",
        )


class RemoteNotSignedIn(RemoteSigningError):
    """No OAuth token in the keyring, or the service refused it (HTTP 401/403)."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "signing",
            "HopDesk is not signed in to the remote signing service. Sign in to it in Settings and try again.",
        )


class RemoteNotConfigured(RemoteSigningError):
    """Neither Settings nor the machine policy names a remote signing service."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "signing", "No remote signing service is set up. Set it up in Settings."
        )


class RemoteCredentialMissing(RemoteSigningError):
    """The account has no usable signing certificate (credential) at the service."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "signing", "The remote signing service has no signing certificate for this account."
        )


class RemoteBadResponse(RemoteSigningError):
    """The service answered something that does not follow its published shape."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "signing",
            "The remote signing service sent an answer HopDesk does not understand. The document was not signed.",
        )


class RemoteSignRejected(RemoteSigningError):
    """The user (or the service) refused the signing request on the phone."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "signing", "The signing request was refused on the phone. The document was not signed."
        )


class RemoteSignExpired(RemoteSigningError):
    """Nobody approved the request on the phone in time (the service's expiry or ours)."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "signing",
            "The signing request was not approved on the phone in time. The document was not signed; try again.",
        )


class RemoteSignCancelled(RemoteSigningError):
    """The user cancelled while waiting for the phone."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "signing", "Signing was cancelled. The document was not signed."
        )
