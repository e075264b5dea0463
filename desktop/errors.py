"""Errors as values: every failure the user may see is a `HopDeskError` with `user_message()`.

User texts are English source strings in `QCoreApplication.translate("errors", ...)` with `%1`
placeholders filled after translation (never concatenated), so lupdate finds whole sentences.
The technical detail (cause, problem body) stays on the exception for the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication


def _fill(template: str, *values: object) -> str:
    """Replace %1, %2, ... (highest first so %1 never eats the start of %10)."""
    for index in range(len(values), 0, -1):
        template = template.replace(f"%{index}", str(values[index - 1]))
    return template


@dataclass(frozen=True, slots=True)
class Problem:
    """An RFC 9457 problem details document (`extensions` holds any extra members)."""

    status: int
    type: str = "about:blank"
    title: str = ""
    detail: str = ""
    instance: str = ""
    extensions: dict[str, object] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        """The last path segment of `type` (`.../problems/token-expired` → `token-expired`)."""
        return self.type.rstrip("/").rsplit("/", 1)[-1]

    @classmethod
    def from_json(cls, status: int, body: object) -> Problem:
        """Parse a problem body; anything unexpected still gives a Problem for `status`."""
        if not isinstance(body, dict):
            return cls(status=status)
        known = {"type", "title", "status", "detail", "instance"}
        raw_status = body.get("status")
        return cls(
            status=raw_status if isinstance(raw_status, int) else status,
            type=str(body.get("type") or "about:blank"),
            title=str(body.get("title") or ""),
            detail=str(body.get("detail") or ""),
            instance=str(body.get("instance") or ""),
            extensions={k: v for k, v in body.items() if k not in known},
        )


class HopDeskError(Exception):
    """Base of every expected failure; the UI shows `user_message()`."""

    def user_message(self) -> str:
        """A translated full sentence for the user."""
        return QCoreApplication.translate(
            "errors", "Something went wrong. The details are in the log file."
        )


class ConnectionProblem(HopDeskError):
    """A failure to talk to the server at a URL, for a stated low-level cause."""

    summary = "connection failure with"

    def __init__(self, url: str, cause: str) -> None:
        super().__init__(f"{self.summary} {url}: {cause}")
        self.url = url
        self.cause = cause


class ServerUnreachable(ConnectionProblem):
    """Connection refused, name not found, timeout: the server could not be reached."""

    summary = "cannot reach"

    def user_message(self) -> str:
        return _fill(
            QCoreApplication.translate(
                "errors", "Cannot reach the server at %1 (%2). Check the address and your network."
            ),
            self.url,
            self.cause,
        )


class TlsError(ConnectionProblem):
    """The server's certificate was refused (self-signed, expired, wrong name...)."""

    summary = "TLS failure with"

    def user_message(self) -> str:
        return _fill(
            QCoreApplication.translate(
                "errors",
                "The secure connection to %1 failed: %2. Ask your IT department to check the "
                "server certificate, or to trust your organisation's certificate authority by "
                "machine policy.",
            ),
            self.url,
            self.cause,
        )


class NotAHopDeskServer(ConnectionProblem):
    """The address answers, but not as a HopDesk office server (wrong URL or path)."""

    summary = "not a HopDesk server:"

    def user_message(self) -> str:
        return _fill(
            QCoreApplication.translate(
                "errors",
                "The address %1 does not answer like a HopDesk server (%2). Check the address.",
            ),
            self.url,
            self.cause,
        )


class InvalidServerUrl(HopDeskError):
    """The server address cannot be used at all."""

    def __init__(self, url: str) -> None:
        super().__init__(f"invalid server URL {url!r}")
        self.url = url

    def user_message(self) -> str:
        return _fill(
            QCoreApplication.translate(
                "errors",
                "“%1” is not a valid server address. Use an address like https://server.gov.vn.",
            ),
            self.url,
        )


class MalformedResponse(HopDeskError):
    """The server sent data the client cannot understand (a missing field, a wrong type)."""

    def __init__(self, what: str, detail: str) -> None:
        super().__init__(f"malformed {what}: {detail}")
        self.what = what
        self.detail = detail

    def user_message(self) -> str:
        return QCoreApplication.translate(
            "errors",
            "The server sent data this version of HopDesk cannot read. "
            "HopDesk may need an update; the details are in the log file.",
        )


class ApiError(HopDeskError):
    """The server refused a request with a problem document."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(f"{problem.status} {problem.slug}: {problem.detail or problem.title}")
        self.problem = problem

    @property
    def status(self) -> int:
        """The HTTP status."""
        return self.problem.status

    def user_message(self) -> str:
        status = self.problem.status
        if status == 403:
            return QCoreApplication.translate("errors", "You are not allowed to do this.")
        if status == 404:
            return QCoreApplication.translate(
                "errors", "This item no longer exists or you can no longer see it."
            )
        if status == 413:
            return QCoreApplication.translate("errors", "This is too large to send to the server.")
        if status >= 500:
            return _fill(
                QCoreApplication.translate(
                    "errors", "The server had an internal error (%1). Try again later."
                ),
                status,
            )
        # The server's own explanation is the most precise thing we have for the rest.
        return _fill(
            QCoreApplication.translate("errors", "The server refused the request: %1"),
            self.problem.detail or self.problem.title or status,
        )


class InvalidCredentials(ApiError):
    """Wrong user name or password."""

    def user_message(self) -> str:
        return QCoreApplication.translate("errors", "The user name or password is wrong.")


class TooManyAttempts(ApiError):
    """The server locks sign-in for a while after repeated failures."""

    def __init__(self, problem: Problem, retry_after: int) -> None:
        super().__init__(problem)
        self.retry_after = retry_after

    def user_message(self) -> str:
        minutes = max(1, (self.retry_after + 59) // 60)
        if self.retry_after < 120:
            return _fill(
                QCoreApplication.translate(
                    "errors", "Too many failed attempts. Try again in %1 seconds."
                ),
                self.retry_after,
            )
        return _fill(
            QCoreApplication.translate(
                "errors", "Too many failed attempts. Try again in %1 minutes."
            ),
            minutes,
        )


class SessionExpired(HopDeskError):
    """The session cannot be renewed (refresh refused or revoked): sign in again."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(f"session expired: {reason}" if reason else "session expired")
        self.reason = reason

    def user_message(self) -> str:
        return QCoreApplication.translate("errors", "Your session has ended. Please sign in again.")


class NotSignedIn(HopDeskError):
    """A call that needs a session was made without one (a programming slip, or a race)."""

    def user_message(self) -> str:
        return QCoreApplication.translate("errors", "You are not signed in. Please sign in first.")


class SecretsUnavailable(HopDeskError):
    """The OS keyring cannot store secrets; HopDesk never falls back to a file."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"keyring unavailable: {reason}")
        self.reason = reason

    def user_message(self) -> str:
        return _fill(
            QCoreApplication.translate(
                "errors", "HopDesk cannot remember you on this computer: %1"
            ),
            self.reason,
        )


class FileUnavailable(ApiError):
    """The server will not give this file to this user (removed, or no longer visible: 404/403)."""

    def __init__(self, problem: Problem, name: str) -> None:
        super().__init__(problem)
        self.name = name

    def user_message(self) -> str:
        return _fill(
            QCoreApplication.translate(
                "errors",
                "The file “%1” is not available to you: it was removed, or you may no longer see "
                "it.",
            ),
            self.name,
        )


class FileCorrupt(HopDeskError):
    """A downloaded file does not match its SHA-256: it was damaged on the way and not kept."""

    def __init__(self, name: str, expected: str, actual: str) -> None:
        super().__init__(f"{name}: sha256 {actual} instead of {expected}")
        self.name = name
        self.expected = expected
        self.actual = actual

    def user_message(self) -> str:
        return _fill(
            QCoreApplication.translate(
                "errors",
                "The file “%1” arrived damaged and was not opened. Try again; if it happens "
                "again, tell your IT department.",
            ),
            self.name,
        )


class LocalFileProblem(HopDeskError):
    """Files cannot be written on this computer at a path, for a stated low-level cause."""

    def __init__(self, path: str, cause: str) -> None:
        super().__init__(f"cannot write in {path}: {cause}")
        self.path = path
        self.cause = cause

    def user_message(self) -> str:
        return _fill(
            QCoreApplication.translate("errors", "HopDesk cannot save files in %1 (%2)."),
            self.path,
            self.cause,
        )


class DiskFull(LocalFileProblem):
    """Not enough free space for a download."""

    def user_message(self) -> str:
        return _fill(
            QCoreApplication.translate(
                "errors",
                "There is not enough free disk space in %1 to save this file. Free some space "
                "and try again.",
            ),
            self.path,
        )
