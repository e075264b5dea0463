"""One worker process for the viewer's slow, GIL-holding work (signature checks, export and
import of notes): the GUI thread submits and gets a Qt signal back, never waits.

Nor does it wait for the process itself: `ProcessPoolExecutor` spawns its process inside the
first `submit` (172–381 ms under load) and `shutdown(wait=True)` waits out a running job (2.9–7.7 s
for a signature check or a print), so both happen on a launcher thread of the runner's own.
"""

from __future__ import annotations

import concurrent.futures
import functools
import itertools
import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from viewer.mailbox import Mailbox

log = logging.getLogger(__name__)

JOIN_SECONDS = 5.0  # a terminated worker is gone in milliseconds; kill it after this


class _Worker:
    """One worker process and the launcher thread that starts it, submits to it and stops it:
    everything that waits for the process runs on that thread, in submission order."""

    def __init__(self) -> None:
        self.launcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hopdesk-jobs")
        self._executor: ProcessPoolExecutor | None = None  # touched on the launcher only

    def submit(self, function: Callable[..., Any], args: tuple[Any, ...]) -> Future[Any]:
        """Launcher thread: hand the job to the process, started (again) if need be."""
        try:
            return self._pool().submit(function, *args)
        except BrokenProcessPool:  # the process died in an earlier job: a new one
            log.info("job worker died earlier; starting a new one")
            dead, self._executor = self._executor, None
            if dead is not None:
                dead.shutdown(wait=False, cancel_futures=True)
            return self._pool().submit(function, *args)

    def stop(self) -> None:
        """Launcher thread: end the process, a running job with it (its result is dropped),
        and reap it, so none is left behind at exit (the interpreter joins this thread)."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        # Python 3.14 has `terminate_workers`; before it the processes are only found here.
        processes = list((executor._processes or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(JOIN_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # spawn: the GUI process has Qt and threads, which fork does not copy safely.
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(max_workers=1, mp_context=context)
        return self._executor


def _post_outcome(mailbox: Mailbox[tuple[int, Future[Any]]], job: int, done: Future[Any]) -> None:
    """Executor's thread: the outcome to the GUI thread (the callback holds the mailbox, never
    the runner, which may be deleted with its window while a job runs)."""
    mailbox.post((job, done))


class JobRunner(QObject):
    """Runs module-level functions in one worker process; `submit` returns at once.

    `finished(job_id, result)` or `failed(job_id, exception)` follows on the GUI thread. The
    process starts on first use, is replaced when it dies, and is stopped by `close`, which
    returns at once too.
    """

    finished = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker: _Worker | None = None
        self._ids = itertools.count(1)
        # job -> its future in the process, None until the launcher has handed it over.
        self._pending: dict[int, Future[Any] | None] = {}
        self._lock = threading.Lock()  # _pending is read and written on the launcher too
        # Finished jobs come back through a mailbox (viewer/mailbox.py), never as Python objects
        # in a signal from the executor's thread: that crashed CI (exit 139) here.
        self._mailbox: Mailbox[tuple[int, Future[Any]]] = Mailbox()
        self._mailbox.arrived.connect(self._deliver_arrived, Qt.ConnectionType.QueuedConnection)

    def submit(self, function: Callable[..., Any], *args: Any) -> int:
        """Start `function(*args)` in the worker; returns the job id the signals carry."""
        if self._worker is None:
            self._worker = _Worker()
        job = next(self._ids)
        with self._lock:
            self._pending[job] = None
        self._worker.launcher.submit(self._launch, self._worker, job, function, args)
        return job

    def busy(self) -> bool:
        """A job is under way."""
        return bool(self._pending)

    def cancel(self, job: int | None = None) -> None:
        """Forget one pending job, or all (a running one finishes in the worker; its result is
        dropped). Users sharing one runner cancel only their own job."""
        with self._lock:
            keys = list(self._pending) if job is None else [job]
            futures = [self._pending.pop(key, None) for key in keys]
        for future in futures:
            if future is not None:
                future.cancel()

    def close(self) -> None:
        """Stop the worker process, without waiting for it."""
        self.cancel()
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.launcher.submit(worker.stop)
            worker.launcher.shutdown(wait=False)

    def _launch(
        self, worker: _Worker, job: int, function: Callable[..., Any], args: tuple[Any, ...]
    ) -> None:
        """Launcher thread: submit the job unless it was cancelled meanwhile."""
        with self._lock:
            if job not in self._pending:
                return
        try:
            future = worker.submit(function, args)
        except Exception as exc:  # a worker that cannot start: the job fails, the app goes on
            future = Future()
            future.set_exception(exc)
        with self._lock:
            if job in self._pending:
                self._pending[job] = future
            else:
                future.cancel()
        future.add_done_callback(functools.partial(_post_outcome, self._mailbox, job))

    @Slot()
    def _deliver_arrived(self) -> None:
        """GUI thread: hand over every outcome queued so far (one wake-up may carry several)."""
        while self._mailbox.items:
            self._deliver(*self._mailbox.items.popleft())

    def _deliver(self, job: int, future: Future[Any]) -> None:
        with self._lock:
            if job not in self._pending:
                return
            del self._pending[job]
        if future.cancelled():
            return
        try:
            result = future.result()
        except concurrent.futures.process.BrokenProcessPool as exc:
            log.warning("job worker died during job %d: %r", job, exc)
            self.failed.emit(job, exc)  # the launcher starts a new worker next time
            return
        except Exception as exc:  # the job's own error (pyHanko, PyMuPDF, OSError...)
            log.warning("job %d failed: %r", job, exc)
            self.failed.emit(job, exc)
            return
        self.finished.emit(job, result)
