"""The render worker processes' lifecycle: started off the GUI thread, replaced when one dies or
hangs, stopped at close without the GUI thread waiting for them; and the reader thread that
hands their replies to the GUI thread.

The reader thread blocks in `connection.wait` (it holds no GIL while idle) and wakes the GUI
thread through a queued Qt signal; `RenderPool` (the `WorkerOwner`) decides what the replies
mean. A reply from a worker already replaced is stale and never reaches it.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol, cast

from viewer.mailbox import Mailbox
from viewer.render.cache import PageKey
from viewer.render.shared_memory import PixelBlock
from viewer.render.worker import RenderRequest, worker_main

log = logging.getLogger(__name__)

DRAIN_SECONDS = 0.006  # the GUI thread handles replies for at most this long per event
_STARTED = -2  # inbox marker: the starter thread has started the workers
_REPLACED = -3  # inbox marker: a replacer thread has started a worker's successor
_START_FAILED = -4  # inbox marker: the workers could not be started (message: the reason)
SEARCH = -1  # the index of the search worker


@dataclass(slots=True)
class Job:
    """A render request sent to a worker, and the block it draws into."""

    key: PageKey
    request: RenderRequest
    block: PixelBlock
    priority: int
    since: float  # when the worker (probably) started it: sent to an idle worker, or the
    # previous result arrived
    speculative: bool = False  # a first page rendered before its document was registered
    epoch: int = 0  # the document's registration it was asked for (see RenderPool.register)


@dataclass(slots=True)
class Slot:
    """One worker process, its connection, and the requests it has in flight (in order)."""

    index: int
    process: Any
    conn: Connection
    jobs: dict[int, Job] = field(default_factory=dict)  # request id -> job, oldest first
    opened: set[int] = field(default_factory=set)  # documents it has (probably) open
    generation: int = 0

    def head(self) -> Job | None:
        """The request the worker is rendering now."""
        return next(iter(self.jobs.values()), None)

    def priorities(self) -> list[int]:
        """The priorities of the requests it has in hand."""
        return [job.priority for job in self.jobs.values()]

    def send(self, message: object) -> bool:
        """Send a message; False (logged) when the worker is gone or being replaced."""
        try:
            self.conn.send(message)
        except OSError as exc:
            log.debug("worker %d unreachable: %r", self.index, exc)
            return False
        return True


class WorkerOwner(Protocol):
    """What the workers report to (the render pool), always on the GUI thread."""

    def workers_started(self) -> None:
        """The processes run: serve what was queued meanwhile."""

    def workers_failed(self, reason: str) -> None:
        """The processes could not be started."""

    def worker_replaced(self) -> None:
        """A replacement worker took over its slot."""

    def worker_replied(self, slot: Slot, message: object) -> None:
        """A reply (or the exception that ended a worker's connection)."""

    def release(self, block: PixelBlock) -> None:
        """A block a settled job drew into is free again."""


def worker_context() -> Any:
    """forkserver where available (workers fork from a warm server: ~ms), spawn elsewhere."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["__main__", "viewer.render.worker"])
        return ctx
    return multiprocessing.get_context("spawn")


class Workers:
    """The render workers (`count` of them) and the search worker, with their reader thread."""

    def __init__(self, count: int, owner: WorkerOwner) -> None:
        self.count = count
        self._owner = owner
        self._ctx = worker_context()
        self.slots: list[Slot] = []
        self.search_slot: Slot | None = None
        self.closed = False
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = multiprocessing.Pipe(duplex=False)
        # Replies reach the GUI thread through a mailbox, not as signal arguments (mailbox.py).
        self._inbox: Mailbox[tuple[int, int, object]] = Mailbox()
        self._inbox.arrived.connect(self.drain)
        self._reader = threading.Thread(target=self._read_loop, name="render-reader", daemon=True)
        self._starter = threading.Thread(
            target=self._start_workers, name="render-start", daemon=True
        )
        self._started: tuple[list[Slot], Slot] | None = None
        self._replacers: list[threading.Thread] = []
        self._closer: threading.Thread | None = None

    def start(self) -> None:
        """Start the processes (off the GUI thread); `workers_started` says when they run."""
        self._starter.start()

    def _start_workers(self) -> None:
        """Starter thread: the first start waits (~100 ms) for the forkserver to import
        PyMuPDF; later starts fork from it in a few ms."""
        try:
            started = ([self.spawn(i) for i in range(self.count)], self.spawn(SEARCH))
        except Exception as exc:  # no processes allowed, out of memory, a broken install...
            log.exception("render workers could not start")
            self._post(_START_FAILED, 0, repr(exc))
            return
        self._started = started
        self._post(_STARTED, 0, started)

    def _adopt(self, started: tuple[list[Slot], Slot]) -> None:
        if self.slots or self.closed:
            return
        with self._lock:
            self.slots, self.search_slot = started
        self._reader.start()
        self._owner.workers_started()

    def is_ready(self) -> bool:
        """True once the worker processes run."""
        return bool(self.slots)

    def every(self) -> list[Slot]:
        """The render workers and the search worker."""
        return [*self.slots, *([self.search_slot] if self.search_slot else [])]

    def send_to(self, slots: list[Slot], message: object) -> None:
        """Send one message to several workers (those gone are replaced meanwhile)."""
        if not self.closed:
            for slot in slots:
                slot.send(message)

    def spawn(self, index: int) -> Slot:
        """Start one worker process (any thread)."""
        ours, theirs = self._ctx.Pipe()
        process = self._ctx.Process(
            target=worker_main, args=(theirs,), name=f"hopdesk-render-{index}"
        )
        process.daemon = True
        process.start()
        theirs.close()
        slot = Slot(index, process, ours)
        self._wake()
        return slot

    def respawn(self, slot: Slot, reason: str = "") -> None:
        """Replace a dead, hung or uselessly busy worker (its jobs were settled before)."""
        log.log(
            logging.INFO if reason else logging.WARNING,
            "render worker %d (pid %s) replaced %s",
            slot.index,
            slot.process.pid,
            reason,
        )
        old = slot.process
        if old.is_alive():
            old.kill()
        with self._lock:
            slot.conn.close()  # the slot takes no work until its replacement runs
            for job in slot.jobs.values():
                self._owner.release(job.block)
            slot.jobs = {}
            slot.generation += 1
            slot.opened = set()
        # Reaping the old process and starting the new one took ~12 ms: off the GUI thread.
        replacer = threading.Thread(
            target=self._replace,
            args=(slot.index, slot.generation, old),
            name="render-respawn",
            daemon=True,
        )
        self._replacers = [t for t in self._replacers if t.is_alive()] + [replacer]
        replacer.start()
        self._wake()

    def _replace(self, index: int, generation: int, old: Any) -> None:
        """Replacer thread: reap the killed worker, start its successor, tell the GUI thread."""
        old.join(1.0)
        if not self.closed:
            self._post(_REPLACED, generation, self.spawn(index))

    def _adopt_replacement(self, generation: int, fresh: Slot) -> None:
        """A replacement worker runs: it takes over its slot (unless replaced again or closed)."""
        slot = self.search_slot if fresh.index == SEARCH else self.slots[fresh.index]
        if self.closed or slot is None or slot.generation != generation:
            _stop(fresh, 0.0)
            return
        with self._lock:
            slot.process, slot.conn = fresh.process, fresh.conn
        self._wake()
        self._owner.worker_replaced()

    def close(self) -> None:
        """Stop the workers. The GUI thread only asks them to exit and settles their jobs; a
        closer thread waits for them (up to 2 s each, then kills): a worker finishing a slow
        page, or a forkserver still starting, no longer freezes the window."""
        if self.closed:
            return
        self.closed = True
        slots = self.every()
        for slot in slots:
            slot.send(None)
            for job in slot.jobs.values():
                self._owner.release(job.block)
            slot.jobs = {}
        self._wake()
        self._closer = threading.Thread(
            target=self._stop_all, args=(slots,), name="render-close", daemon=True
        )
        self._closer.start()

    def _stop_all(self, adopted: list[Slot]) -> None:
        """Closer thread: wait for every worker to exit, and stop any started meanwhile."""
        self._starter.join()
        if self._reader.ident is not None:  # not started when closed before adopting workers
            self._reader.join(2.0)
        slots = list(adopted)
        if not adopted and self._started is not None:  # started, never adopted
            slots = [*self._started[0], self._started[1]]
            for slot in slots:
                slot.send(None)
        for slot in slots:
            _stop(slot, 2.0)
        for replacer in self._replacers:
            replacer.join(2.0)
        for index, _generation, msg in list(self._inbox.items):
            if index == _REPLACED:  # started after all: stop it too
                _stop(cast(Slot, msg), 0.0)

    def wait_closed(self, timeout: float) -> bool:
        """Wait until every worker process has exited (tests; the app's last moments)."""
        if self._closer is not None:
            self._closer.join(timeout)
        return self._closer is not None and not self._closer.is_alive()

    def pids(self) -> list[int]:
        """Process ids of the workers (benchmarks measure their memory)."""
        slots = self.every()
        if not slots and self._started is not None:
            slots = [*self._started[0], self._started[1]]
        return [s.process.pid for s in slots if s.process.pid]

    # -- reader thread ---------------------------------------------------------------------

    def _wake(self) -> None:
        try:
            self._wake_w.send_bytes(b"w")
        except OSError as exc:
            log.debug("wake: %r", exc)

    def _read_loop(self) -> None:
        """Wait on every worker connection; forward each reply to the GUI thread."""
        # (worker, generation) at EOF, skipped until the GUI thread replaces the worker
        dead: set[tuple[int, int]] = set()
        while not self.closed:
            with self._lock:
                by_conn: dict[Any, tuple[Slot, int]] = {
                    s.conn: (s, s.generation)
                    for s in self.every()
                    if not s.conn.closed and (s.index, s.generation) not in dead
                }
            try:
                ready = wait([self._wake_r, *by_conn])
            except OSError as exc:
                log.debug("reader wait: %r", exc)
                time.sleep(0.01)
                continue
            for conn in ready:
                if conn is self._wake_r:
                    try:
                        self._wake_r.recv_bytes()
                    except (EOFError, OSError):
                        return
                    continue
                slot, generation = by_conn.pop(conn)
                try:
                    msg = cast(Connection, conn).recv()
                except (EOFError, OSError) as exc:
                    dead.add((slot.index, generation))
                    if not self.closed:
                        self._post(slot.index, generation, exc)
                    continue
                self._post(slot.index, generation, msg)

    def _post(self, index: int, generation: int, msg: object) -> None:
        self._inbox.post((index, generation, msg))

    def drain(self) -> None:
        """Handle queued replies for at most DRAIN_SECONDS: the reader posts one wake-up per
        reply, so what is left waits for the next one, after the events queued meanwhile
        (input, timers, painting) had their turn."""
        deadline = time.perf_counter() + DRAIN_SECONDS
        while self._inbox.items and time.perf_counter() < deadline:
            index, generation, msg = self._inbox.items.popleft()
            if index == _STARTED:
                self._adopt(cast(tuple[list[Slot], Slot], msg))
            elif index == _REPLACED:
                self._adopt_replacement(generation, cast(Slot, msg))
            elif self.closed:
                continue  # the owner may be gone (a pool deleted with its widget)
            elif index == _START_FAILED:
                self._owner.workers_failed(str(msg))
            else:
                slot = self.search_slot if index == SEARCH else self.slots[index]
                # A reply from a worker already replaced (it died or hung) is stale.
                if slot is not None and slot.generation == generation:
                    self._owner.worker_replied(slot, msg)


def _stop(slot: Slot, grace: float) -> None:
    """Wait `grace` seconds for a worker to exit, then kill it, and close its connection."""
    slot.process.join(grace)
    if slot.process.is_alive():
        slot.process.kill()
        slot.process.join(1.0)
    slot.conn.close()
