"""Handing things from worker threads to the GUI thread.

Items travel in a deque and a signal without arguments wakes the thread the mailbox lives in:
PySide6 corrupted reference counts when Python objects were emitted in a signal from a non-Qt
thread (a fatal "none_dealloc" here, a segfault in CI). A mailbox has no parent: a worker may
post after the object that reads it was deleted with its window, and its wake-up then reaches
no one (Qt dropped the connection).
"""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, Signal

T = TypeVar("T")


class Mailbox(QObject, Generic[T]):
    """`post` from any thread; `arrived` then fires on the mailbox's thread, which takes what
    is in `items` (one wake-up may find several)."""

    arrived = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.items: deque[T] = deque()

    def post(self, item: T) -> None:
        """Any thread: queue `item` and wake the mailbox's thread."""
        self.items.append(item)
        self.arrived.emit()
