# ruff: noqa: E501  (each translatable sentence is one literal, as lupdate reads it)
"""What can go wrong while signing, as typed errors the UI shows with `user_message()`.

Each is a `HopDeskError`: the user sees a Vietnamese sentence (source text in English through
`QCoreApplication.translate`), the log keeps the technical cause.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import QCoreApplication

from desktop.errors import HopDeskError


class SigningError(HopDeskError):
    """Base of the signing failures."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "signing", "The document could not be signed. The details are in the log file."
        )


class PinTries(enum.Enum):
    """What the token says about the tries left (PKCS#11 token flags)."""

    UNKNOWN = "unknown"
    LOW = "low"  # CKF_USER_PIN_COUNT_LOW: a wrong PIN was entered since the last good one
    FINAL = "final"  # CKF_USER_PIN_FINAL_TRY: one more wrong PIN locks the token
    LOCKED = "locked"  # CKF_USER_PIN_LOCKED


class WrongPin(SigningError):
    """The token refused the PIN. It is never retried for the user."""

    def __init__(self, tries: PinTries, detail: str = "") -> None:
        super().__init__(f"wrong PIN ({tries.value}) {detail}".strip())
        self.tries = tries

    def user_message(self) -> str:
        if self.tries is PinTries.FINAL:
            return QCoreApplication.translate(
                "signing", "Wrong PIN. One try is left: one more wrong PIN locks the token."
            )
        if self.tries is PinTries.LOW:
            return QCoreApplication.translate(
                "signing", "Wrong PIN. Few tries are left before the token locks."
            )
        return QCoreApplication.translate("signing", "Wrong PIN. Check it and try again.")


class PinLocked(SigningError):
    """Too many wrong PINs: only the certificate authority can unlock the token."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "signing",
            "The token is locked after too many wrong PINs. Contact your certificate authority to unlock it.",
        )


class TokenUnavailable(SigningError):
    """No token, the token was removed, or its driver cannot be loaded."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "signing", "The signing token is not available. Plug it in and try again."
        )


class SigningProcessFailed(SigningError):
    """The separate signing process (which drives the token) died or stopped answering."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "signing", "The token driver stopped working. The signature was not made; try again."
        )


class TimestampUnavailable(SigningError):
    """The timestamp server did not answer in time, after the retries."""

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "signing",
            "The timestamp server did not answer. Try again later or sign without a timestamp.",
        )


class UnsignableDocument(SigningError):
    """The PDF is encrypted, damaged, or not in the state the step needs."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason

    def user_message(self) -> str:
        messages = {
            "encrypted": QCoreApplication.translate(
                "signing", "The PDF is encrypted, so it cannot be signed."
            ),
            "damaged": QCoreApplication.translate(
                "signing", "The PDF is damaged, so it cannot be signed."
            ),
            "not-prepared": QCoreApplication.translate(
                "signing",
                "The document has no signature places yet: submit it for signature first.",
            ),
            "changed": QCoreApplication.translate(
                "signing",
                "The document changed after it was given to you, so it was not signed. Open it again to read the current version.",
            ),
            "leader-unsigned": QCoreApplication.translate(
                "signing", "The leader has not signed yet: the agency signs after the leader."
            ),
            "not-issued": QCoreApplication.translate(
                "signing",
                "The server has not issued the document yet (no number): the agency signs once it has.",
            ),
        }
        return messages.get(self.reason, super().user_message())


class CertificateReason(enum.Enum):
    """Why a certificate may not sign (checked before signing, `desktop.signing.trust`)."""

    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    NO_SIGNING_USAGE = "no-signing-usage"
    UNTRUSTED = "untrusted"
    REVOKED = "revoked"


class CertificateRejected(SigningError):
    """The signer's certificate fails the check before signing; `when` is the date that
    matters (end or start of validity, revocation), as text."""

    def __init__(self, reason: CertificateReason, when: str = "", detail: str = "") -> None:
        super().__init__(f"{reason.value} {when} {detail}".strip())
        self.reason = reason
        self.when = when

    def user_message(self) -> str:
        if self.reason is CertificateReason.EXPIRED:
            text = QCoreApplication.translate(
                "signing", "The certificate expired on %1: it can no longer sign."
            )
        elif self.reason is CertificateReason.NOT_YET_VALID:
            text = QCoreApplication.translate(
                "signing", "The certificate is valid only from %1: it cannot sign yet."
            )
        elif self.reason is CertificateReason.NO_SIGNING_USAGE:
            text = QCoreApplication.translate(
                "signing",
                "The certificate is not made for signing documents (its key usage does not allow it).",
            )
        elif self.reason is CertificateReason.REVOKED:
            text = QCoreApplication.translate(
                "signing", "The certificate was revoked on %1: it can no longer sign."
            )
        else:
            text = QCoreApplication.translate(
                "signing", "The certificate was not issued by a trusted certification authority."
            )
        return text.replace("%1", self.when)
