"""Logging to a rotating file, and hooks so that no uncaught exception passes silently.

Every uncaught exception — on the main thread (`sys.excepthook`), on another thread
(`threading.excepthook`) or inside an asyncio task/callback (the loop's exception handler) — is
written to the log with its traceback and handed to one `report` callback, which the app wires to
the notification service (the UI shows a crash dialog). The app keeps running where it can.
"""

from __future__ import annotations

import asyncio
import logging
import logging.handlers
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

LOG_NAME = "hopdesk.log"
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"

log = logging.getLogger("hopdesk")

# summary (one line, technical) and details (full traceback) of one uncaught exception
CrashReport = Callable[[str, str], None]
SysHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]
ThreadHook = Callable[[threading.ExceptHookArgs], object]


def setup_logging(log_dir: Path, level: int = logging.INFO, *, console: bool = False) -> Path:
    """Log to `<log_dir>/hopdesk.log`, rotated at 2 MB with 5 old files kept; returns the path."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_NAME
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_hopdesk", False):
            root.removeHandler(handler)
            handler.close()
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=5, encoding="utf-8", delay=True
    )
    file_handler.setFormatter(logging.Formatter(_FORMAT))
    file_handler._hopdesk = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    if console:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter(_FORMAT))
        stream._hopdesk = True  # type: ignore[attr-defined]
        root.addHandler(stream)
    return path


def format_exception(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> tuple[str, str]:
    """(one-line summary, full traceback text) of an exception."""
    summary = "".join(traceback.format_exception_only(exc_type, exc)).strip()
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    return summary, details


class ExceptionHooks:
    """Installs and removes the three hooks; `report` is called on the thread that crashed."""

    def __init__(self, report: CrashReport) -> None:
        self._report = report
        self._old_sys: SysHook | None = None
        self._old_thread: ThreadHook | None = None

    def install(self) -> None:
        """Replace `sys.excepthook` and `threading.excepthook` (loop hook: `install_loop`)."""
        self._old_sys, sys.excepthook = sys.excepthook, self._sys_hook
        self._old_thread, threading.excepthook = threading.excepthook, self._thread_hook

    def install_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Route exceptions that asyncio would only print (failed callbacks, lost tasks)."""
        loop.set_exception_handler(self._loop_hook)

    def uninstall(self) -> None:
        """Put the previous hooks back (tests install and remove them per test)."""
        if self._old_sys is not None:
            sys.excepthook = self._old_sys
            self._old_sys = None
        if self._old_thread is not None:
            threading.excepthook = self._old_thread
            self._old_thread = None

    def handle(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        """Log and report one exception; a broken reporter is logged, never raised."""
        summary, details = format_exception(exc_type, exc, tb)
        log.error("uncaught exception: %s\n%s", summary, details)
        try:
            self._report(summary, details)
        except Exception:  # the last line of defence must not throw itself
            log.exception("crash reporter failed")

    def _sys_hook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            (self._old_sys or sys.__excepthook__)(exc_type, exc, tb)
            return
        self.handle(exc_type, exc, tb)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    def _loop_hook(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            self.handle(type(exc), exc, exc.__traceback__)
            return
        message = str(context.get("message", "asyncio error"))
        log.error("asyncio: %s (%s)", message, context)
        try:
            self._report(message, repr(context))
        except Exception:
            log.exception("crash reporter failed")
