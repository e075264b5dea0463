"""The one way to tell the user something: post a `Notice`, the UI shows it by severity.

Core code and views post here instead of opening dialogs: info and warnings go to the status bar
(warnings also as a non-modal message box when no main window is up), errors to a message box,
crashes to the crash dialog. Texts are already translated by the poster; technical detail goes to
the log and, for crashes, to the dialog's "Copy details".
"""

from __future__ import annotations

import enum
import logging
import threading
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal

from viewer import Mailbox

log = logging.getLogger(__name__)


class Severity(enum.IntEnum):
    """How loudly to say it."""

    INFO = 0
    WARNING = 1
    ERROR = 2
    CRASH = 3


@dataclass(frozen=True, slots=True)
class Notice:
    """One message for the user (translated text; `details` is technical, for copying)."""

    severity: Severity
    text: str
    details: str = ""


def user_message(exc: BaseException) -> str:
    """A translated sentence for an exception: its own `user_message()` when it has one."""
    method = getattr(exc, "user_message", None)
    if callable(method):
        try:
            return str(method())
        except Exception:
            log.exception("user_message() failed for %r", exc)
    return QCoreApplication.translate(
        "Notifier", "Something went wrong. The details are in the log file."
    )


class Notifier(QObject):
    """The hub: `posted(Notice)` is emitted on the notifier's own (GUI) thread for every message,
    whichever thread posted it."""

    posted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._home = threading.get_ident()
        # A notice posted on another thread (a crash in a worker, desktop/log.py) comes here
        # through a mailbox: PySide6 must not carry Python objects across threads.
        self._from_threads: Mailbox[Notice] = Mailbox()
        self._from_threads.arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def post(self, notice: Notice) -> None:
        """Log and announce a notice; from another thread it is announced on this one."""
        level = {
            Severity.INFO: logging.INFO,
            Severity.WARNING: logging.WARNING,
            Severity.ERROR: logging.ERROR,
            Severity.CRASH: logging.CRITICAL,
        }[notice.severity]
        log.log(level, "notice: %s", notice.text)
        if threading.get_ident() == self._home:
            self.posted.emit(notice)
        else:
            self._from_threads.post(notice)

    def _deliver(self) -> None:
        while self._from_threads.items:
            self.posted.emit(self._from_threads.items.popleft())

    def info(self, text: str) -> None:
        """A passing remark (status bar)."""
        self.post(Notice(Severity.INFO, text))

    def warning(self, text: str, details: str = "") -> None:
        """Something the user should know but can work on."""
        self.post(Notice(Severity.WARNING, text, details))

    def error(self, text: str, details: str = "") -> None:
        """Something failed that the user asked for."""
        self.post(Notice(Severity.ERROR, text, details))

    def failure(self, exc: BaseException) -> None:
        """An expected failure (a `HopDeskError`): its translated message, traceback in the log."""
        log.warning("operation failed", exc_info=exc)
        self.error(user_message(exc), repr(exc))

    def crash(self, summary: str, details: str) -> None:
        """An uncaught exception (from `desktop.log.ExceptionHooks`)."""
        self.post(Notice(Severity.CRASH, summary, details))


_default: Notifier | None = None


def notifier() -> Notifier:
    """The process-wide notifier (created on first use, on the GUI thread by the bootstrap)."""
    global _default
    if _default is None:
        _default = Notifier()
    return _default
