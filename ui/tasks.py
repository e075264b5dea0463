"""Owned asyncio tasks for widgets: every task a view starts is cancelled when the view closes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QObject

from desktop.notify import notifier

log = logging.getLogger(__name__)

ErrorHandler = Callable[[BaseException], None]
T = TypeVar("T")


class TaskOwner(QObject):
    """Starts coroutines on the running loop, reports their failures, cancels them on close."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: set[asyncio.Task[object]] = set()
        if parent is not None:
            parent.destroyed.connect(self.cancel_all)

    def run(
        self, coro: Coroutine[Any, Any, T], on_error: ErrorHandler | None = None
    ) -> asyncio.Task[T]:
        """Schedule `coro`; an exception goes to `on_error` or, by default, to the notifier."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def finished(done: asyncio.Task[T]) -> None:
            self._tasks.discard(done)
            if done.cancelled():
                return
            exc = done.exception()
            if exc is None:
                return
            if on_error is not None:
                on_error(exc)
            else:
                notifier().failure(exc)

        task.add_done_callback(finished)
        return task

    @property
    def busy(self) -> bool:
        """Whether any task is still running."""
        return bool(self._tasks)

    def cancel_all(self) -> None:
        """Cancel every running task (on close; they finish on the next loop turn)."""
        for task in list(self._tasks):
            task.cancel()

    async def aclose(self) -> None:
        """Cancel and wait for every task (orderly shutdown)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
