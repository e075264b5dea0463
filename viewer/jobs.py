"""One worker process for the viewer's slow, GIL-holding work (signature checks, export and
import of notes): the GUI thread submits and gets a Qt signal back, never waits."""

from __future__ import annotations

import concurrent.futures
import functools
import itertools
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)


class JobRunner(QObject):
    """Runs module-level functions in one worker process; `submit` returns at once.

    `finished(job_id, result)` or `failed(job_id, exception)` follows on the GUI thread. The
    process starts on first use (spawn: the GUI process has Qt and threads, which fork does not
    copy safely), is replaced when it dies, and is stopped by `close`.
    """

    finished = Signal(int, object)
    failed = Signal(int, object)
    _completed = Signal(int, object)  # from the executor's thread; queued to ours

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor: ProcessPoolExecutor | None = None
        self._ids = itertools.count(1)
        self._pending: dict[int, Future[Any]] = {}
        self._completed.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def submit(self, function: Callable[..., Any], *args: Any) -> int:
        """Start `function(*args)` in the worker; returns the job id the signals carry."""
        if self._executor is None:
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(max_workers=1, mp_context=context)
        job = next(self._ids)
        future = self._executor.submit(function, *args)
        self._pending[job] = future
        future.add_done_callback(functools.partial(self._completed.emit, job))
        return job

    def busy(self) -> bool:
        """A job is under way."""
        return bool(self._pending)

    def cancel(self, job: int | None = None) -> None:
        """Forget one pending job, or all (a running one finishes in the worker; its result is
        dropped). Users sharing one runner cancel only their own job."""
        for key in list(self._pending) if job is None else [job]:
            future = self._pending.pop(key, None)
            if future is not None:
                future.cancel()

    def close(self) -> None:
        """Stop the worker process."""
        self.cancel()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    @Slot(int, object)
    def _deliver(self, job: int, future: Future[Any]) -> None:
        if self._pending.pop(job, None) is None or future.cancelled():
            return
        try:
            result = future.result()
        except concurrent.futures.process.BrokenProcessPool as exc:
            log.warning("job worker died during job %d: %r", job, exc)
            self._executor = None  # a new worker next time
            self.failed.emit(job, exc)
            return
        except Exception as exc:  # the job's own error (pyHanko, PyMuPDF, OSError...)
            log.warning("job %d failed: %r", job, exc)
            self.failed.emit(job, exc)
            return
        self.finished.emit(job, result)
