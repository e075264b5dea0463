"""Stall watchdog: logs every GUI-thread gap over a threshold with the GUI thread's Python stack,
so a stall is found by name instead of by bisection.

A heartbeat timer on the GUI thread notes the time of every beat; a watcher thread looks at that
time every few milliseconds and, once the heartbeat is late by more than the threshold, samples
the GUI thread's stack while it is still stuck, so the stack names the culprit. The sample is
written by `faulthandler` in C: walking another thread's live frames from Python
(`sys._current_frames()` + `traceback`) crashed the test session once (CPython 3.11 frames
can go away under the walker). The next beat logs the gap with that stack. Off by default (a
10 ms timer wakes the process a hundred times a second); on with
`HOPDESK_STALL_WATCHDOG=1` (threshold 50 ms) or `=<ms>`: the tests and the benchmarks turn it on.

Limit: code that holds the GIL for the whole stall (a C extension that does not release it)
keeps the watcher from sampling until it returns; the gap is still logged, with the stack seen
just after it.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

from PySide6.QtCore import QObject, Qt, QTimer

log = logging.getLogger("hopdesk.stall")

# One thread's block in faulthandler's dump: "Thread 0x…" or "Current thread 0x…", then frames.
_THREAD_HEADER = re.compile(r"^(?:Current thread|Thread) (0x[0-9a-fA-F]+)", re.MULTILINE)

ENV = "HOPDESK_STALL_WATCHDOG"
DEFAULT_THRESHOLD_MS = 50.0
BEAT_MS = 10


@dataclass(frozen=True, slots=True)
class Stall:
    """One GUI-thread gap: how long, and the GUI thread's stack while it lasted."""

    ms: float
    stack: str


def threshold_from_env(env: Mapping[str, str] = os.environ) -> float | None:
    """The threshold in ms the environment asks for, or None (off)."""
    raw = env.get(ENV, "").strip().lower()
    if raw in ("", "0", "off", "false", "no"):
        return None
    if raw in ("1", "on", "true", "yes"):
        return DEFAULT_THRESHOLD_MS
    try:
        return max(float(raw), 1.0)
    except ValueError:
        log.warning("ignoring %s=%r (expected 1, 0 or a number of ms)", ENV, raw)
        return None


class StallWatchdog(QObject):
    """Create and `start()` on the GUI thread; `stop()` before the application goes away."""

    def __init__(
        self, threshold_ms: float = DEFAULT_THRESHOLD_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.threshold = threshold_ms / 1000
        self.stalls: list[Stall] = []  # every stall seen (benchmarks count them)
        self._gui_thread = threading.get_ident()
        self._last = time.monotonic()
        self._sample: tuple[float, str] | None = None  # (beat it belongs to, stack)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(BEAT_MS)
        self._timer.timeout.connect(self._beat)

    @classmethod
    def from_env(cls, parent: QObject | None = None) -> StallWatchdog | None:
        """A started watchdog if `HOPDESK_STALL_WATCHDOG` asks for one, else None."""
        threshold = threshold_from_env()
        if threshold is None:
            return None
        watchdog = cls(threshold, parent)
        watchdog.start()
        return watchdog

    def start(self) -> None:
        """Begin the heartbeat and the watcher thread."""
        self._gui_thread = threading.get_ident()
        self._last = time.monotonic()
        self._stop.clear()
        self._timer.start()
        self._watcher = threading.Thread(target=self._watch, name="stall-watchdog", daemon=True)
        self._watcher.start()
        log.info("stall watchdog on: GUI-thread gaps over %.0f ms are logged", self.threshold * 1e3)

    def stop(self) -> None:
        """Stop the heartbeat and join the watcher."""
        self._timer.stop()
        self._stop.set()
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.join(1.0)

    def _beat(self) -> None:
        """GUI thread: log the gap since the previous beat if it was a stall."""
        now = time.monotonic()
        last, self._last = self._last, now
        gap = now - last
        if gap <= self.threshold:
            return
        with self._lock:
            sample, self._sample = self._sample, None
        stack = sample[1] if sample is not None and sample[0] == last else ""
        stall = Stall(gap * 1000, stack or "(no sample: the stall held the GIL throughout)")
        self.stalls.append(stall)
        log.warning(
            "GUI thread stalled for %.0f ms; its stack during the stall:\n%s", stall.ms, stall.stack
        )

    def _watch(self) -> None:
        """Watcher thread: sample the GUI thread's stack once per late heartbeat."""
        poll = min(self.threshold / 4, 0.01)
        sampled_for: float | None = None
        with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as dump:
            while not self._stop.wait(poll):
                last = self._last
                if time.monotonic() - last <= self.threshold or sampled_for == last:
                    continue
                sampled_for = last
                stack = thread_stack(dump, self._gui_thread)
                with self._lock:
                    self._sample = (last, stack)


def thread_stack(dump: IO[str], thread_id: int) -> str:
    """One thread's stack (most recent call first), written by faulthandler into `dump`."""
    dump.seek(0)
    dump.truncate()
    faulthandler.dump_traceback(dump, all_threads=True)
    dump.seek(0)
    text = dump.read()
    headers = list(_THREAD_HEADER.finditer(text))
    for header, following in zip(headers, [*headers[1:], None], strict=True):
        if int(header.group(1), 16) == thread_id:
            end = following.start() if following is not None else len(text)
            return text[header.start() : end].strip() + "\n"
    return ""
